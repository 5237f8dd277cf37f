using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages;

/// <summary>The dashboard: counts, the job queue, recent webhooks and what needs a human.</summary>
public class IndexModel(HermesDb db, HermesSettings settings, TimeProvider clock) : PageModel
{
    public sealed record Warning(string Level, string Title, string Text, string? Href = null, string? LinkText = null);

    // Counted up to Tally.CountCap, then estimated (whole tables) or "more than": never a count of a million rows.
    public Tally Companies { get; private set; }
    public Tally Contacts { get; private set; }
    public Tally OpenDeals { get; private set; }
    public Tally UpcomingMeetings { get; private set; }
    public Tally Admins { get; private set; }
    public Dictionary<string, Tally> JobCounts { get; } = [];
    public List<Job> FailedJobs { get; private set; } = [];
    public List<Job> ActiveJobs { get; private set; } = [];
    public List<WebhookLog> Webhooks { get; private set; } = [];
    public List<Warning> Warnings { get; } = [];
    public List<PipedriveObject> DeletedUpstream { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Companies = await Tally.CountAsync(db.Companies, Tally.TableSize(db, "company"), ct);
        Contacts = await Tally.CountAsync(db.Contacts, Tally.TableSize(db, "contact"), ct);
        OpenDeals = await Tally.CountAsync(db.Deals.Where(d => d.Status == Deal.StatusOpen), null, ct);
        UpcomingMeetings = await Tally.CountAsync(db.Meetings.Where(m => m.StartTime >= now), null, ct);
        Admins = await Tally.CountAsync(db.Admins, null, ct);
        foreach (var status in new[] { Job.Pending, Job.Running, Job.Failed, Job.Done })
            JobCounts[status] = await Tally.CountAsync(db.Jobs.Where(j => j.Status == status), null, ct);
        FailedJobs = await db.Jobs.AsNoTracking().Where(j => j.Status == Job.Failed).OrderByDescending(j => j.UpdatedAt).ThenByDescending(j => j.Id).Take(10).ToListAsync(ct);
        ActiveJobs = await db.Jobs.AsNoTracking().Where(j => j.Status == Job.Pending || j.Status == Job.Running).OrderBy(j => j.Id).Take(10).ToListAsync(ct);
        Webhooks = await db.WebhookLogs.AsNoTracking().OrderByDescending(w => w.ReceivedAt).ThenByDescending(w => w.Id).Take(12).ToListAsync(ct);
        await CollectWarnings(now, ct);
    }

    async Task CollectWarnings(DateTime now, CancellationToken ct)
    {
        if (settings.PdWebhookAuthDisabled)
            Warnings.Add(new("error", "Pipedrive webhooks are not authenticated",
                "PD_WEBHOOK_AUTH=none: anyone who knows the URL can change companies, deals and contacts. Set PD_WEBHOOK_USERNAME and PD_WEBHOOK_PASSWORD here and in Pipedrive's webhook settings."));

        var config = await db.Configs.Include(c => c.PaygPipeline).Include(c => c.StartupPipeline).Include(c => c.EnterprisePipeline)
            .OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        var plans = new (string Plan, Pipeline? Pipeline)[] { ("PAYG", config?.PaygPipeline), ("Startup", config?.StartupPipeline), ("Enterprise", config?.EnterprisePipeline) };
        var unset = plans.Where(p => p.Pipeline is null).Select(p => p.Plan).ToList();
        if (unset.Count > 0)
            Warnings.Add(new("warn", $"No pipeline set for {string.Join(", ", unset)}",
                "Deals for companies on these plans cannot be created until Config names their pipeline.", "/config/list", "Open Config"));
        var noStage = plans.Where(p => p.Pipeline is { DftEntryStageId: null }).Select(p => p.Pipeline!.Name).Distinct().ToList();
        if (noStage.Count > 0)
            Warnings.Add(new("warn", $"No default entry stage for {string.Join(", ", noStage)}",
                "New deals in these pipelines have no stage to start at.", "/pipeline/list", "Open Pipelines"));

        var failed = JobCounts[Job.Failed];
        if (failed.Value > 0)
            Warnings.Add(new("error", $"{failed} failed job{(failed == Tally.Exact(1) ? "" : "s")}",
                "These changes have not reached Pipedrive, TC2 or Google. Fix the cause, then retry them.", "/job/list?status=failed", "See failed jobs"));

        var dayAgo = now.AddDays(-1);
        var badWebhooks = await db.WebhookLogs.CountAsync(w => w.ReceivedAt >= dayAgo && (w.Outcome == WebhookLog.OutcomeError || w.Outcome == WebhookLog.OutcomeRejected), ct);
        if (badWebhooks > 0)
            Warnings.Add(new("warn", $"{badWebhooks} webhook{(badWebhooks == 1 ? "" : "s")} failed or rejected in the last 24 hours",
                "Pipedrive or TC2 sent something Hermes could not use.", "/webhook/list?outcome=error", "See webhooks"));

        // Deleted upstream: Pipedrive objects that Pipedrive deleted (by webhook, or a sync answered 404/410), which Hermes
        // will not recreate on its own (behaviour.md §2, §6). Merges are bookkeeping, not something to look at.
        DeletedUpstream = await db.PipedriveObjects.AsNoTracking()
            .DeletedOnPurpose()
            .OrderByDescending(o => o.DeletedAt).Take(10).ToListAsync(ct);
        var notFound = await db.PipedriveObjects.CountAsync(o => o.DeletedAt != null && o.DeletedReason == PipedriveDeletion.NotFound, ct);
        if (notFound > 0)
            Warnings.Add(new("warn", $"{notFound} Pipedrive record{(notFound == 1 ? " was" : "s were")} deleted upstream",
                "A sync found the organization, person or deal gone from Pipedrive. Hermes will not recreate it by itself: check with the sales team whether it was deleted on purpose."));
    }
}

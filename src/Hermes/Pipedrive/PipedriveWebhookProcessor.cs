using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Operations;
using Hermes.Operations.Input;
using Hermes.Pipedrive.Inbound;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// Stores a webhook, then applies it in one transaction (with the jobs it causes) and records the outcome. Used by the
/// endpoint and by the jobs that replay a stored webhook.
/// </summary>
public sealed class PipedriveWebhookProcessor(IDbContextFactory<HermesDb> dbs, IServiceProvider services, TimeProvider clock, ILogger<PipedriveWebhookProcessor> log)
{
    public async Task<long> StoreAsync(string body, PipedriveEvent? e, string outcome, string? error, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = new WebhookLog
        {
            Source = "pipedrive",
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
            // meta.entity and meta.action are whatever the caller sent: cut to their columns like every stored string.
            Object = InputText.ClipOrNull(e?.Entity, 50),
            Action = InputText.ClipOrNull(e?.RawAction, 50),
            ObjectIds = e is null ? null : InputText.Clip(Ids(e), 255),
            Outcome = outcome,
            Error = error,
            Body = body,
        };
        db.WebhookLogs.Add(row);
        await db.SaveChangesAsync(ct);
        WebhookTrace.Describe(row.Object, row.Action, row.Id);
        WebhookTrace.Outcome(outcome);
        return row.Id;
    }

    /// <summary>Applies the event; returns its outcome. Validation errors propagate (the caller answers 422) after being logged.</summary>
    public async Task<EventOutcome> ProcessAsync(PipedriveEvent e, long webhookId, bool allowFetch, CancellationToken ct)
    {
        try
        {
            // Events for one object wait for each other (PipedriveEventOrder.LockAsync), but a write can still lose a race
            // with another object's event (a unique id taken, a company deleted meanwhile, a deadlock PostgreSQL broke):
            // the next attempt starts again from what committed.
            var outcome = await ResilientTransaction.RunAsync(services, attempts: 5, async (scope, db) =>
            {
                var outcome = await scope.GetRequiredService<PipedriveInbound>().ProcessAsync(e, webhookId, allowFetch, ct);
                if (webhookId > 0)
                    await db.WebhookLogs.Where(w => w.Id == webhookId).ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, outcome.LogOutcome).SetProperty(w => w.Error, outcome.Text), ct);
                await db.SaveChangesAsync(ct);
                return outcome;
            }, ct);
            WebhookTrace.Outcome(outcome.LogOutcome);
            log.LogInformation("Pipedrive {Entity} {Id}: {Result}", e.Entity, e.Id, outcome.Text);
            return outcome;
        }
        catch (WebhookValidationException v)
        {
            if (webhookId > 0) await RecordAsync(webhookId, WebhookLog.OutcomeRejected, $"{v.Field}: {v.Message}", CancellationToken.None);
            WebhookTrace.Outcome(WebhookLog.OutcomeRejected);
            throw;
        }
    }

    /// <summary>
    /// Runs a stored webhook again (after the organization it needed was fetched or became known). It may wait again,
    /// for the organization this one was merged into.
    /// </summary>
    public async Task ReplayAsync(long webhookId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.WebhookLogs.AsNoTracking().SingleOrDefaultAsync(w => w.Id == webhookId, ct);
        if (row is null) return;
        var e = PipedriveWebhookParser.Parse(JsonNode.Parse(row.Body));
        try
        {
            await ProcessAsync(e, webhookId, allowFetch: true, ct);
        }
        catch (WebhookValidationException)
        {
            // Recorded on the webhook log as rejected; retrying cannot fix it.
        }
    }

    public async Task RecordAsync(long webhookId, string outcome, string? error, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.WebhookLogs.Where(w => w.Id == webhookId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, outcome).SetProperty(w => w.Error, error), ct);
    }

    static string Ids(PipedriveEvent e) =>
        e.MergedToId is { } to ? $"{e.Id}→{to}" : e.MergedFromId is { } from ? $"{from}→{e.Id}" : e.Id?.ToString() ?? "";
}

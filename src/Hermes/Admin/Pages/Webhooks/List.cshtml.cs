using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Webhooks;

public class ListModel(HermesDb db) : ListPageModel
{
    public static readonly string[] Outcomes =
        [WebhookLog.OutcomeError, WebhookLog.OutcomeRejected, WebhookLog.OutcomePending, WebhookLog.OutcomeProcessed, WebhookLog.OutcomeIgnored];
    static readonly SortMap<WebhookLog> Sorts = new SortMap<WebhookLog>("received", defaultDescending: true)
        .Add("id", w => w.Id).Add("received", w => w.ReceivedAt).Add("source", w => w.Source).Add("object", w => w.Object)
        .Add("action", w => w.Action).Add("outcome", w => w.Outcome);

    public Paged<WebhookLog> Webhooks { get; private set; } = null!;
    public string? Outcome { get; private set; }
    public string? Source { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        Outcome = Outcomes.FirstOrDefault(o => o == Request.Query["outcome"].FirstOrDefault());
        Source = new[] { "pipedrive", "tc2" }.FirstOrDefault(o => o == Request.Query["source"].FirstOrDefault());
        Filters["outcome"] = Outcome;
        Filters["source"] = Source;
        var query = db.WebhookLogs.AsNoTracking();
        if (Outcome is not null) query = query.Where(w => w.Outcome == Outcome);
        if (Source is not null) query = query.Where(w => w.Source == Source);
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            query = query.Where(w => (w.Object ?? "").ToLower().Contains(like) || (w.ObjectIds ?? "").Contains(s) ||
                                     (w.Error ?? "").ToLower().Contains(like) || (w.Action ?? "").ToLower().Contains(like));
        }
        var unfiltered = list.Search is null && Outcome is null && Source is null;
        Webhooks = await query.PageAsync(Sorts, list, w => w.Id, unfiltered ? Tally.TableSize(db, "hermes_webhook") : null, ct: ct);
    }
}

using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Jobs;

public class ListModel(HermesDb db, JobMaintenance maintenance) : ListPageModel
{
    public static readonly string[] Statuses = JobMaintenance.Statuses;
    static readonly SortMap<Job> Sorts = new SortMap<Job>("id", defaultDescending: true)
        .Add("id", j => j.Id).Add("kind", j => j.Kind).Add("status", j => j.Status).Add("attempts", j => j.Attempts)
        .Add("runafter", j => j.RunAfter).Add("updated", j => j.UpdatedAt).Add("key", j => j.OrderingKey)
        .ThenBy(j => j.Id);

    public Paged<Job> Jobs { get; private set; } = null!;
    public string? Status { get; private set; }
    public Dictionary<string, Tally> Counts { get; } = [];
    public IReadOnlyList<(string Kind, int Count)> FailedKinds { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        Status = Statuses.FirstOrDefault(s => s == Request.Query["status"].FirstOrDefault());
        Filters["status"] = Status;
        var query = db.Jobs.AsNoTracking();
        if (Status is not null) query = query.Where(j => j.Status == Status);
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            query = query.Where(j => j.Kind.ToLower().Contains(like) || (j.OrderingKey ?? "").ToLower().Contains(like) ||
                                     (j.LastError ?? "").ToLower().Contains(like) || j.Payload.ToLower().Contains(like));
        }
        Jobs = await query.PageAsync(Sorts, list, j => j.Id, list.Search is null && Status is null ? Tally.TableSize(db, "hermes_job") : null, ct: ct);
        foreach (var status in Statuses)
            Counts[status] = await Tally.CountAsync(db.Jobs.Where(j => j.Status == status), null, ct);
        if (Status is null or Job.Failed) FailedKinds = await maintenance.FailedKindsAsync(ct);
    }
}

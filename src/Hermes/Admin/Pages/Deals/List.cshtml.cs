using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Deals;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Deal> Sorts = new SortMap<Deal>("id", defaultDescending: true)
        .Add("id", d => d.Id).Add("name", d => d.Name).Add("status", d => d.Status).Add("company", d => d.Company!.Name)
        .Add("pipeline", d => d.Pipeline == null ? null : d.Pipeline.Name).Add("stage", d => d.Stage == null ? null : d.Stage.Name)
        .Add("owner", d => d.Admin!.FirstName + " " + d.Admin.LastName).Add("pd", d => d.PdDealId)
        .ThenBy(d => d.Id);

    public static readonly string[] Statuses = [Deal.StatusOpen, Deal.StatusWon, Deal.StatusLost, Deal.StatusDeleted];

    public Paged<Deal> Deals { get; private set; } = null!;
    public string? Status { get; private set; }
    public Stage? Stage { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Deals.Include(d => d.Company).Include(d => d.Contact).Include(d => d.Pipeline).Include(d => d.Stage).Include(d => d.Admin).AsQueryable();
        Status = Statuses.FirstOrDefault(s => s == Request.Query["status"].FirstOrDefault());
        if (Status is not null) query = query.Where(d => d.Status == Status);
        if (int.TryParse(Request.Query["stage"].FirstOrDefault(), out var stageId) && (Stage = await db.Stages.FindAsync([stageId], ct)) is not null)
            query = query.Where(d => d.StageId == stageId);
        Filters["status"] = Status;
        Filters["stage"] = Stage?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var unfiltered = Status is null && Stage is null;
        Deals = list.Search is { } s
            ? await AdminSearch.Deals(db, query, s).PageAsync(Sorts, list, d => d.Id, ct)
            : await query.PageAsync(Sorts, list, d => d.Id, unfiltered ? Tally.TableSize(db, "deal") : null, ct: ct);
    }
}

using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Stages;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Stage> Sorts = new SortMap<Stage>("name")
        .Add("id", s => s.Id).Add("pd", s => s.PdStageId).Add("name", s => s.Name)
        .ThenBy(x => x.Id);

    public Paged<Stage> Stages { get; private set; } = null!;
    public ILookup<int?, string> DefaultFor { get; private set; } = null!;
    public Dictionary<int, int> OpenDeals { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Stages.AsQueryable();
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            query = query.Where(x => x.Name.ToLower().Contains(like) || x.PdStageId.ToString() == s);
        }
        Stages = await query.PageAsync(Sorts, list, x => x.Id, null, ct: ct);
        DefaultFor = (await db.Pipelines.Where(p => p.DftEntryStageId != null).Select(p => new { p.DftEntryStageId, p.Name }).ToListAsync(ct))
            .ToLookup(p => p.DftEntryStageId, p => p.Name);
        var ids = Stages.Items.Select(x => x.Id).ToList();
        OpenDeals = await db.Deals.Where(d => d.StageId != null && ids.Contains(d.StageId.Value) && d.Status == Deal.StatusOpen)
            .GroupBy(d => d.StageId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
    }
}

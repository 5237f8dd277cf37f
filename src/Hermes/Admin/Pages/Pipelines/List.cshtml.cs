using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Pipelines;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Pipeline> Sorts = new SortMap<Pipeline>("name")
        .Add("id", p => p.Id).Add("pd", p => p.PdPipelineId).Add("name", p => p.Name)
        .Add("stage", p => p.DftEntryStage == null ? null : p.DftEntryStage.Name)
        .ThenBy(x => x.Id);

    public Paged<Pipeline> Pipelines { get; private set; } = null!;
    public Domain.Config? Config { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Pipelines.Include(p => p.DftEntryStage).AsQueryable();
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            query = query.Where(p => p.Name.ToLower().Contains(like) || p.PdPipelineId.ToString() == s);
        }
        Pipelines = await query.PageAsync(Sorts, list, p => p.Id, null, ct: ct);
        Config = await db.Configs.OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
    }

    public IEnumerable<string> PlansUsing(int pipelineId)
    {
        if (Config?.PaygPipelineId == pipelineId) yield return "PAYG";
        if (Config?.StartupPipelineId == pipelineId) yield return "Startup";
        if (Config?.EnterprisePipelineId == pipelineId) yield return "Enterprise";
    }
}

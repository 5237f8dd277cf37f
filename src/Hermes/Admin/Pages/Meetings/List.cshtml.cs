using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Meetings;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Meeting> Sorts = new SortMap<Meeting>("start", defaultDescending: true)
        .Add("id", m => m.Id).Add("start", m => m.StartTime).Add("type", m => m.MeetingType).Add("status", m => m.Status)
        .Add("admin", m => m.Admin!.FirstName + " " + m.Admin.LastName).Add("company", m => m.Contact!.Company!.Name)
        .Add("created", m => m.Created)
        .ThenBy(m => m.Id);

    public Paged<Meeting> Meetings { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Meetings.Include(m => m.Admin).Include(m => m.Contact).ThenInclude(c => c!.Company).Include(m => m.Deal).AsQueryable();
        Meetings = list.Search is { } s
            ? await (await AdminSearch.MeetingsAsync(db, query, s, ct)).PageAsync(Sorts, list, m => m.Id, ct)
            : await query.PageAsync(Sorts, list, m => m.Id, Tally.TableSize(db, "meeting"), ct: ct);
    }
}

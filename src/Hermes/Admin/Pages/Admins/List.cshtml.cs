using Hermes.Domain;

namespace Hermes.AdminUi.Pages.Admins;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Domain.Admin> Sorts = new SortMap<Domain.Admin>("name")
        .Add("id", a => a.Id).Add("name", a => a.FirstName + " " + a.LastName).Add("email", a => a.Username)
        .Add("tc2", a => a.Tc2AdminId).Add("pd", a => a.PdOwnerId).Add("timezone", a => a.Timezone)
        .ThenBy(x => x.Id);

    public Paged<Domain.Admin> Admins { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Admins.AsQueryable();
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            query = query.Where(a => (a.FirstName + " " + a.LastName).ToLower().Contains(like) || a.Username.ToLower().Contains(like));
        }
        Admins = await query.PageAsync(Sorts, list, a => a.Id, null, ct: ct);
    }
}

using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Contacts;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Contact> Sorts = new SortMap<Contact>("id", defaultDescending: true)
        .Add("id", c => c.Id).Add("name", c => (c.FirstName ?? "") + " " + (c.LastName ?? "")).Add("email", c => c.Email)
        .Add("company", c => c.Company!.Name).Add("country", c => c.Country).Add("created", c => c.Created)
        .Add("pd", c => c.PdPersonId).Add("tc2", c => c.Tc2SrId)
        .ThenBy(c => c.Id);

    public Paged<Contact> Contacts { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var all = db.Contacts.Include(c => c.Company).AsQueryable();
        Contacts = list.Search is { } s
            ? await AdminSearch.Contacts(db, all, s).PageAsync(Sorts, list, c => c.Id, ct)
            : await all.PageAsync(Sorts, list, c => c.Id, Tally.TableSize(db, "contact"), ct: ct);
    }
}

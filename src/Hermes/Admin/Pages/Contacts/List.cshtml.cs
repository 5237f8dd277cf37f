using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Contacts;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Contact> Sorts = new SortMap<Contact>("id", defaultDescending: true)
        .Add("id", c => c.Id).Add("name", c => (c.FirstName ?? "") + " " + (c.LastName ?? "")).Add("email", c => c.Email)
        .Add("company", c => c.Company!.Name).Add("country", c => c.Country).Add("created", c => c.Created)
        .Add("pd", c => c.PdPersonId).Add("tc2", c => c.Tc2SrId);

    public Paged<Contact> Contacts { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Contacts.Include(c => c.Company).AsQueryable();
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            var number = int.TryParse(s, out var n) ? n : -1; // not a number: no id matches (ids are positive; a null parameter would match null columns)
            query = query.Where(c => ((c.FirstName ?? "") + " " + (c.LastName ?? "")).ToLower().Contains(like) ||
                                     (c.Email ?? "").ToLower().Contains(like) || (c.Phone ?? "").Contains(s) ||
                                     c.Company!.Name.ToLower().Contains(like) || c.Id == number || c.PdPersonId == number || c.Tc2SrId == number);
        }
        Contacts = await Sorts.Apply(query, list).PageAsync(list, ct);
    }
}

using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Companies;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Company> Sorts = new SortMap<Company>("created", defaultDescending: true)
        .Add("id", c => c.Id).Add("name", c => c.Name).Add("status", c => c.Tc2Status).Add("plan", c => c.PricePlan)
        .Add("country", c => c.Country).Add("invoices", c => c.PaidInvoiceCount).Add("created", c => c.Created)
        .Add("sales", c => c.SalesPerson!.FirstName + " " + c.SalesPerson.LastName)
        .Add("pd", c => c.PdOrgId).Add("tc2", c => c.Tc2CligencyId);

    public Paged<Company> Companies { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var query = db.Companies.Include(c => c.SalesPerson).AsQueryable();
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            var number = int.TryParse(s, out var n) ? n : -1; // not a number: no id matches (ids are positive; a null parameter would match null columns)
            query = query.Where(c => c.Name.ToLower().Contains(like) || (c.Website ?? "").ToLower().Contains(like) ||
                                     c.Id == number || c.PdOrgId == number || c.Tc2CligencyId == number || c.Tc2AgencyId == number);
        }
        Companies = await Sorts.Apply(query, list).PageAsync(list, ct);
    }
}

using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Companies;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<Company> Sorts = new SortMap<Company>("created", defaultDescending: true)
        .Add("id", c => c.Id).Add("name", c => c.Name).Add("status", c => c.Tc2Status).Add("plan", c => c.PricePlan)
        .Add("country", c => c.Country).Add("invoices", c => c.PaidInvoiceCount).Add("created", c => c.Created)
        .Add("sales", c => c.SalesPerson!.FirstName + " " + c.SalesPerson.LastName)
        .Add("pd", c => c.PdOrgId).Add("tc2", c => c.Tc2CligencyId)
        .ThenBy(c => c.Id);

    public Paged<Company> Companies { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        var all = db.Companies.Include(c => c.SalesPerson).AsQueryable();
        Companies = list.Search is { } s
            ? await AdminSearch.Companies(db, all, s).PageAsync(Sorts, list, c => c.Id, ct)
            : await all.PageAsync(Sorts, list, c => c.Id, Tally.TableSize(db, "company"), ct: ct);
    }
}

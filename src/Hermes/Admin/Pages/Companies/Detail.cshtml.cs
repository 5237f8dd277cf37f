using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Companies;

public class DetailModel(HermesDb db, ILogger<DetailModel> log) : PageModel
{
    public Company Company { get; private set; } = null!;
    public List<Contact> Contacts { get; private set; } = [];
    public List<Deal> Deals { get; private set; } = [];
    public List<Meeting> Meetings { get; private set; } = [];
    public List<(string Field, string? Value)> CustomValues { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var company = await db.Companies.Include(c => c.SalesPerson).Include(c => c.SupportPerson).Include(c => c.BdrPerson)
            .FirstOrDefaultAsync(c => c.Id == id);
        if (company is null) return NotFound();
        Company = company;
        Contacts = await db.Contacts.Where(c => c.CompanyId == id).OrderBy(c => c.Id).ToListAsync();
        Deals = await db.Deals.Include(d => d.Pipeline).Include(d => d.Stage).Include(d => d.Admin).Include(d => d.Contact)
            .Where(d => d.CompanyId == id).OrderByDescending(d => d.Id).ToListAsync();
        Meetings = await db.Meetings.Include(m => m.Admin).Include(m => m.Contact)
            .Where(m => m.Contact!.CompanyId == id).OrderByDescending(m => m.StartTime).ToListAsync();
        CustomValues = (await db.CustomFieldValues.Include(v => v.CustomField).Where(v => v.CompanyId == id).ToListAsync())
            .Select(v => (v.CustomField!.Name, v.Value)).OrderBy(v => v.Name).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id)
    {
        var company = await db.Companies.FindAsync(id);
        if (company is null) return NotFound();
        db.Companies.Remove(company); // contacts, deals, meetings and values go with it (ON DELETE CASCADE)
        await db.SaveChangesAsync();
        log.LogInformation("Company {CompanyId} {Name} deleted from the admin UI", id, company.Name);
        TempData["Flash"] = $"Deleted {company.Name} and its contacts, deals and meetings from Hermes. Pipedrive and TC2 were not changed.";
        return Redirect("/company/list");
    }
}

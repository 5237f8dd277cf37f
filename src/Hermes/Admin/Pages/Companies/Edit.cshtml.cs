using System.ComponentModel.DataAnnotations;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Companies;

/// <summary>Corrects a company's row in Hermes. Nothing is pushed to Pipedrive or TC2 from here.</summary>
public class EditModel(HermesDb db, ILogger<EditModel> log) : PageModel
{
    public sealed class CompanyInput
    {
        [StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Name { get; set; }
        [Display(Name = "TC2 status"), StringLength(25, ErrorMessage = AdminForm.TooLong)] public string? Tc2Status { get; set; }
        [Display(Name = "Price plan"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? PricePlan { get; set; }
        [Display(Name = "Country code"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Country { get; set; }
        [StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Website { get; set; }
        [Display(Name = "Paid invoices")] public int? PaidInvoiceCount { get; set; }
        [Display(Name = "Estimated income"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? EstimatedIncome { get; set; }
        [StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Currency { get; set; }
        [Display(Name = "Has booked a call")] public bool HasBookedCall { get; set; }
        [Display(Name = "Has signed up")] public bool HasSignedUp { get; set; }
        [Display(Name = "NARC (never contact)")] public bool Narc { get; set; }
        [Display(Name = "UTM campaign"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? UtmCampaign { get; set; }
        [Display(Name = "UTM source"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? UtmSource { get; set; }
        [Display(Name = "Sales person")] public int? SalesPersonId { get; set; }
        [Display(Name = "Support person")] public int? SupportPersonId { get; set; }
        [Display(Name = "BDR")] public int? BdrPersonId { get; set; }
        [Display(Name = "Pipedrive organization id")] public int? PdOrgId { get; set; }
        [Display(Name = "TC2 cligency id")] public int? Tc2CligencyId { get; set; }
        [Display(Name = "TC2 agency id")] public int? Tc2AgencyId { get; set; }
    }

    [BindProperty] public CompanyInput Input { get; set; } = new();
    public int Id { get; private set; }
    public List<Domain.Admin> Admins { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var c = await db.Companies.FindAsync(id);
        if (c is null) return NotFound();
        Id = id;
        Admins = await db.Admins.OrderBy(a => a.FirstName).ThenBy(a => a.LastName).ToListAsync();
        Input = new CompanyInput
        {
            Name = c.Name, Tc2Status = c.Tc2Status, PricePlan = c.PricePlan, Country = c.Country, Website = c.Website,
            PaidInvoiceCount = c.PaidInvoiceCount, EstimatedIncome = c.EstimatedIncome, Currency = c.Currency,
            HasBookedCall = c.HasBookedCall, HasSignedUp = c.HasSignedUp, Narc = c.Narc == true, UtmCampaign = c.UtmCampaign,
            UtmSource = c.UtmSource, SalesPersonId = c.SalesPersonId, SupportPersonId = c.SupportPersonId, BdrPersonId = c.BdrPersonId,
            PdOrgId = c.PdOrgId, Tc2CligencyId = c.Tc2CligencyId, Tc2AgencyId = c.Tc2AgencyId,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        var c = await db.Companies.FindAsync(id);
        if (c is null) return NotFound();
        Id = id;
        Admins = await db.Admins.OrderBy(a => a.FirstName).ThenBy(a => a.LastName).ToListAsync();
        var i = Input;
        static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        bool Bound(string field) => ModelState.GetFieldValidationState($"Input.{field}") != ModelValidationState.Invalid;
        if (Clean(i.Name) is null) ModelState.AddModelError("Input.Name", "Enter a name.");
        if (Clean(i.Tc2Status) is null) ModelState.AddModelError("Input.Tc2Status", "Enter the TC2 status (e.g. trial, live).");
        if (i.PricePlan is null || !Company.PricePlans.Contains(i.PricePlan)) ModelState.AddModelError("Input.PricePlan", "Choose payg, startup or enterprise.");
        if (Bound("PaidInvoiceCount") && i.PaidInvoiceCount is not >= 0) ModelState.AddModelError("Input.PaidInvoiceCount", "Enter 0 or more.");
        if (i.SalesPersonId is null || Admins.All(a => a.Id != i.SalesPersonId)) ModelState.AddModelError("Input.SalesPersonId", "Choose the sales person.");
        if (i.SupportPersonId is { } sp && Admins.All(a => a.Id != sp)) ModelState.AddModelError("Input.SupportPersonId", "Choose an admin from the list.");
        if (i.BdrPersonId is { } bp && Admins.All(a => a.Id != bp)) ModelState.AddModelError("Input.BdrPersonId", "Choose an admin from the list.");
        if (i.PdOrgId is { } org && await db.Companies.AnyAsync(x => x.PdOrgId == org && x.Id != id))
            ModelState.AddModelError("Input.PdOrgId", "Another company is linked to this Pipedrive organization.");
        if (i.Tc2CligencyId is { } cli && await db.Companies.AnyAsync(x => x.Tc2CligencyId == cli && x.Id != id))
            ModelState.AddModelError("Input.Tc2CligencyId", "Another company has this TC2 cligency id.");
        if (i.Tc2AgencyId is { } ag && await db.Companies.AnyAsync(x => x.Tc2AgencyId == ag && x.Id != id))
            ModelState.AddModelError("Input.Tc2AgencyId", "Another company has this TC2 agency id.");
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        c.Name = Clean(i.Name)!;
        c.Tc2Status = Clean(i.Tc2Status)!;
        c.PricePlan = i.PricePlan!;
        c.Country = Clean(i.Country)?.ToUpperInvariant();
        c.Website = Clean(i.Website);
        c.PaidInvoiceCount = i.PaidInvoiceCount!.Value;
        c.EstimatedIncome = Clean(i.EstimatedIncome);
        c.Currency = Clean(i.Currency);
        c.HasBookedCall = i.HasBookedCall;
        c.HasSignedUp = i.HasSignedUp;
        c.Narc = i.Narc;
        c.UtmCampaign = Clean(i.UtmCampaign);
        c.UtmSource = Clean(i.UtmSource);
        c.SalesPersonId = i.SalesPersonId!.Value;
        c.SupportPersonId = i.SupportPersonId;
        c.BdrPersonId = i.BdrPersonId;
        c.PdOrgId = i.PdOrgId;
        c.Tc2CligencyId = i.Tc2CligencyId;
        c.Tc2AgencyId = i.Tc2AgencyId;
        await db.SaveChangesAsync();
        log.LogInformation("Company {CompanyId} edited in the admin UI", id);
        TempData["Flash"] = $"Saved {c.Name}.";
        return Redirect($"/company/{id}");
    }
}

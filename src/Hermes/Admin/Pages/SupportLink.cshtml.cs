using System.Globalization;
using System.Security.Claims;
using Hermes.CallBooker;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages;

/// <summary>
/// Staff make a signed support booking link for a company, as TC2 does through
/// <c>/callbooker/support-link/generate/tc2/</c>; the signing is the call booker's own <see cref="SupportLinks"/>.
/// </summary>
public class SupportLinkModel(HermesDb db, SupportLinks links, HermesSettings settings, TimeProvider clock, ILogger<SupportLinkModel> log) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? AdminId { get; set; }
    [BindProperty(SupportsGet = true)] public int? CompanyId { get; set; }
    [BindProperty(SupportsGet = true)] public bool Express { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public List<Domain.Admin> Admins { get; private set; } = [];
    public List<Company> Matches { get; private set; } = [];
    public Company? Selected { get; private set; }
    public string? Link { get; private set; }
    public DateTimeOffset? Expires { get; private set; }
    public bool CanSign => settings.SigningKey.Length > 0;

    public async Task OnGetAsync()
    {
        if (Request.Query.ContainsKey("company") && int.TryParse(Request.Query["company"], CultureInfo.InvariantCulture, out var c)) CompanyId = c;
        AdminId ??= int.TryParse(User.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var me) ? me : null;
        await Load();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await Load();
        if (!CanSign) ModelState.AddModelError("", "SIGNING_KEY is not set, so Hermes cannot sign links. Set it and restart Hermes.");
        var admin = Admins.FirstOrDefault(a => a.Id == AdminId);
        if (admin is null) ModelState.AddModelError(nameof(AdminId), "Choose the admin the customer will book with.");
        if (Selected is null) ModelState.AddModelError(nameof(CompanyId), "Find and choose the company.");
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Link = links.Create(admin!.Id, Selected!.Id, Express, out var expiry);
        Expires = DateTimeOffset.FromUnixTimeSeconds(expiry);
        log.LogInformation("Support link for company {CompanyId} with admin {AdminId} (express {Express}) made by {By}", Selected.Id, admin.Id, Express, User.Identity?.Name);
        return Page();
    }

    async Task Load()
    {
        Admins = await db.Admins.OrderByDescending(a => a.IsSupportPerson).ThenBy(a => a.FirstName).ThenBy(a => a.LastName).ToListAsync();
        if (CompanyId is { } id) Selected = await db.Companies.FindAsync(id);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var like = Listing.Like(Q.Trim());
            var number = int.TryParse(Q.Trim(), CultureInfo.InvariantCulture, out var n) ? n : -1; // not a number: no id matches (ids are positive; a null parameter would match null columns)
            Matches = await db.Companies.Where(c => c.Name.ToLower().Contains(like) || c.Id == number || c.Tc2CligencyId == number || c.PdOrgId == number)
                .OrderBy(c => c.Name).Take(20).ToListAsync();
        }
        if (Selected is not null && Matches.All(m => m.Id != Selected.Id)) Matches.Insert(0, Selected);
    }

    public string TtlText => $"{settings.SupportTtlDays} day{(settings.SupportTtlDays == 1 ? "" : "s")}";
    public DateTimeOffset Now => clock.GetUtcNow();
}

using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Admins;

/// <summary><c>/admin/create</c> and <c>/admin/update/{id}</c>: every column of an admin, and their password.</summary>
public class EditModel(HermesDb db, AdminPasswords passwords, AdminSignIn signIn, HermesSettings settings, ILogger<EditModel> log) : PageModel
{
    public sealed class AdminInput
    {
        [Display(Name = "Email"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string Username { get; set; } = "";
        [Display(Name = "First name"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string FirstName { get; set; } = "";
        [Display(Name = "Last name"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string LastName { get; set; } = "";
        [Display(Name = "TC2 admin id")] public int? Tc2AdminId { get; set; }
        [Display(Name = "Pipedrive owner id")] public int? PdOwnerId { get; set; }
        public string Timezone { get; set; } = "";
        [Display(Name = "Sales person")] public bool IsSalesPerson { get; set; }
        [Display(Name = "Support person (client manager)")] public bool IsSupportPerson { get; set; }
        [Display(Name = "BDR")] public bool IsBdrPerson { get; set; }
        [Display(Name = "PAYG")] public bool SellsPayg { get; set; }
        [Display(Name = "Startup")] public bool SellsStartup { get; set; }
        [Display(Name = "Enterprise")] public bool SellsEnterprise { get; set; }
        [Display(Name = "US")] public bool SellsUs { get; set; }
        [Display(Name = "GB")] public bool SellsGb { get; set; }
        [Display(Name = "AU")] public bool SellsAu { get; set; }
        [Display(Name = "CA")] public bool SellsCa { get; set; }
        [Display(Name = "EU")] public bool SellsEu { get; set; }
        [Display(Name = "Rest of world")] public bool SellsRow { get; set; }
        [Display(Name = "New password"), DataType(DataType.Password)] public string? NewPassword { get; set; }
        [Display(Name = "Repeat the new password"), DataType(DataType.Password)] public string? ConfirmPassword { get; set; }
        [Display(Name = "Remove the password (this admin can no longer sign in)")] public bool RemovePassword { get; set; }
    }

    [BindProperty] public AdminInput Input { get; set; } = new();
    public int? Id { get; private set; }
    public bool HasPassword { get; private set; }
    public bool IsSelf { get; private set; }
    public string? DeleteBlocked { get; private set; }

    int CurrentAdminId => int.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);

    public async Task<IActionResult> OnGetAsync(int? id)
    {
        if (id is null)
        {
            Input.Timezone = settings.DefaultTimezone;
            return Page();
        }
        var admin = await db.Admins.FindAsync(id);
        if (admin is null) return NotFound();
        Input = new AdminInput
        {
            Username = admin.Username, FirstName = admin.FirstName, LastName = admin.LastName, Tc2AdminId = admin.Tc2AdminId,
            PdOwnerId = admin.PdOwnerId, Timezone = admin.Timezone, IsSalesPerson = admin.IsSalesPerson,
            IsSupportPerson = admin.IsSupportPerson, IsBdrPerson = admin.IsBdrPerson, SellsPayg = admin.SellsPayg,
            SellsStartup = admin.SellsStartup, SellsEnterprise = admin.SellsEnterprise, SellsUs = admin.SellsUs,
            SellsGb = admin.SellsGb, SellsAu = admin.SellsAu, SellsCa = admin.SellsCa, SellsEu = admin.SellsEu, SellsRow = admin.SellsRow,
        };
        await Describe(admin);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id)
    {
        Domain.Admin? admin = null;
        if (id is not null && (admin = await db.Admins.FindAsync(id)) is null) return NotFound();
        var input = Input;
        input.Username = input.Username.Trim();
        input.FirstName = input.FirstName.Trim();
        input.LastName = input.LastName.Trim();
        if (!AdminForm.IsEmail(input.Username)) ModelState.AddModelError("Input.Username", "Enter an email address, like name@tutorcruncher.com.");
        else
        {
            var lower = input.Username.ToLower();
            if (await db.Admins.AnyAsync(a => a.Username.ToLower() == lower && a.Id != (id ?? 0)))
                ModelState.AddModelError("Input.Username", "Another admin already has this email.");
        }
        if (input.FirstName.Length == 0) ModelState.AddModelError("Input.FirstName", "Enter a first name.");
        if (!AdminForm.IsTimezone(input.Timezone)) ModelState.AddModelError("Input.Timezone", "Choose a timezone from the list.");
        if (input.Tc2AdminId is { } tc2 && await db.Admins.AnyAsync(a => a.Tc2AdminId == tc2 && a.Id != (id ?? 0)))
            ModelState.AddModelError("Input.Tc2AdminId", "Another admin already has this TC2 admin id.");
        if (input.Tc2AdminId is < 1) ModelState.AddModelError("Input.Tc2AdminId", "Enter a positive number, or leave it empty.");
        if (input.PdOwnerId is < 1) ModelState.AddModelError("Input.PdOwnerId", "Enter a positive number, or leave it empty.");
        var settingPassword = !string.IsNullOrEmpty(input.NewPassword);
        if (settingPassword && input.RemovePassword)
            ModelState.AddModelError("Input.RemovePassword", "Either set a new password or remove it, not both.");
        else if (settingPassword && AdminPasswords.Problem(input.NewPassword) is { } problem)
            ModelState.AddModelError("Input.NewPassword", problem);
        else if (settingPassword && input.NewPassword != input.ConfirmPassword)
            ModelState.AddModelError("Input.ConfirmPassword", "The two passwords are different.");
        var self = admin is not null && admin.Id == CurrentAdminId;
        if (self && input.RemovePassword)
            ModelState.AddModelError("Input.RemovePassword", "You cannot remove your own password while you are signed in with it.");

        if (!ModelState.IsValid)
        {
            input.NewPassword = input.ConfirmPassword = null;
            if (admin is not null) await Describe(admin);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var creating = admin is null;
        admin ??= db.Admins.Add(new Domain.Admin()).Entity;
        admin.Username = input.Username;
        admin.FirstName = input.FirstName;
        admin.LastName = input.LastName;
        admin.Tc2AdminId = input.Tc2AdminId;
        admin.PdOwnerId = input.PdOwnerId;
        admin.Timezone = input.Timezone;
        admin.IsSalesPerson = input.IsSalesPerson;
        admin.IsSupportPerson = input.IsSupportPerson;
        admin.IsBdrPerson = input.IsBdrPerson;
        admin.SellsPayg = input.SellsPayg;
        admin.SellsStartup = input.SellsStartup;
        admin.SellsEnterprise = input.SellsEnterprise;
        admin.SellsUs = input.SellsUs;
        admin.SellsGb = input.SellsGb;
        admin.SellsAu = input.SellsAu;
        admin.SellsCa = input.SellsCa;
        admin.SellsEu = input.SellsEu;
        admin.SellsRow = input.SellsRow;
        if (settingPassword) admin.Password = passwords.Hash(admin, input.NewPassword!);
        else if (input.RemovePassword) admin.Password = null;
        await db.SaveChangesAsync();
        log.LogInformation("Admin {AdminId} {Action} by admin {By}{Password}", admin.Id, creating ? "created" : "updated", CurrentAdminId,
            settingPassword ? " (password set)" : input.RemovePassword ? " (password removed)" : "");
        if (self && settingPassword) await signIn.IssueCookieAsync(HttpContext, admin); // keep this session valid
        TempData["Flash"] = $"{(creating ? "Added" : "Saved")} {admin.Name} ({admin.Username}).";
        return Redirect("/admin/list");
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id)
    {
        var admin = await db.Admins.FindAsync(id);
        if (admin is null) return NotFound();
        await Describe(admin);
        if (DeleteBlocked is not null)
        {
            ModelState.AddModelError("", DeleteBlocked);
            OnGetInput(admin);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        db.Admins.Remove(admin);
        await db.SaveChangesAsync();
        log.LogInformation("Admin {AdminId} deleted by admin {By}", id, CurrentAdminId);
        TempData["Flash"] = $"Deleted {admin.Name} ({admin.Username}).";
        return Redirect("/admin/list");
    }

    void OnGetInput(Domain.Admin admin)
    {
        Input.Username = admin.Username;
        Input.FirstName = admin.FirstName;
        Input.LastName = admin.LastName;
        Input.Timezone = admin.Timezone;
    }

    /// <summary>
    /// What the page says about an existing admin. Deleting an admin would delete (ON DELETE CASCADE in hermes_v2's
    /// schema) every company, deal and meeting that points at them, so it is refused while any does.
    /// </summary>
    async Task Describe(Domain.Admin admin)
    {
        Id = admin.Id;
        HasPassword = !string.IsNullOrEmpty(admin.Password);
        IsSelf = admin.Id == CurrentAdminId;
        // Counted up to 10,000 each: a sales person can have half a million companies.
        var companies = await Tally.CountAsync(db.Companies.Where(c => c.SalesPersonId == admin.Id || c.SupportPersonId == admin.Id || c.BdrPersonId == admin.Id), null, default);
        var deals = await Tally.CountAsync(db.Deals.Where(d => d.AdminId == admin.Id), null, default);
        var meetings = await Tally.CountAsync(db.Meetings.Where(m => m.AdminId == admin.Id), null, default);
        if (IsSelf) DeleteBlocked = "You cannot delete your own account.";
        else if (companies.Value + deals.Value + meetings.Value > 0)
            DeleteBlocked = $"This admin is linked to {companies} compan{(companies == Tally.Exact(1) ? "y" : "ies")}, {deals} deal{(deals == Tally.Exact(1) ? "" : "s")} and " +
                            $"{meetings} meeting{(meetings == Tally.Exact(1) ? "" : "s")}; deleting them would delete those too. Reassign them first.";
    }
}

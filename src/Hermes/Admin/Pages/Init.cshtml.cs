using System.ComponentModel.DataAnnotations;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages;

/// <summary>Creates the first admin who can sign in. Answers 404 as soon as any admin has a password.</summary>
public class InitModel(HermesDb db, AdminPasswords passwords, AdminSignIn signIn, HermesSettings settings, ILogger<InitModel> log) : PageModel
{
    [BindProperty, Display(Name = "Email"), StringLength(255, ErrorMessage = AdminForm.TooLong)]
    public string Username { get; set; } = "";
    [BindProperty, Display(Name = "First name"), StringLength(255, ErrorMessage = AdminForm.TooLong)]
    public string FirstName { get; set; } = "";
    [BindProperty, Display(Name = "Last name"), StringLength(255, ErrorMessage = AdminForm.TooLong)]
    public string LastName { get; set; } = "";
    [BindProperty, DataType(DataType.Password)]
    public string Password { get; set; } = "";
    [BindProperty, DataType(DataType.Password), Display(Name = "Repeat the password")]
    public string ConfirmPassword { get; set; } = "";

    Task<bool> ClosedAsync() => db.Admins.AnyAsync(a => a.Password != null && a.Password != "");

    public async Task<IActionResult> OnGetAsync() => await ClosedAsync() ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await ClosedAsync()) return NotFound();
        Username = Username.Trim();
        if (!AdminForm.IsEmail(Username)) ModelState.AddModelError(nameof(Username), "Enter an email address, like name@tutorcruncher.com.");
        if (string.IsNullOrWhiteSpace(FirstName)) ModelState.AddModelError(nameof(FirstName), "Enter a first name.");
        if (AdminPasswords.Problem(Password) is { } problem) ModelState.AddModelError(nameof(Password), problem);
        else if (Password != ConfirmPassword) ModelState.AddModelError(nameof(ConfirmPassword), "The two passwords are different.");
        if (!ModelState.IsValid)
        {
            Password = ConfirmPassword = "";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        // An admin with this email may already exist (adopted from hermes_v2 without a password, or seeded): use it.
        var lower = Username.ToLower();
        var admin = await db.Admins.Where(a => a.Username.ToLower() == lower).OrderBy(a => a.Id).FirstOrDefaultAsync();
        if (admin is null)
        {
            admin = new Domain.Admin { Username = Username, Timezone = settings.DefaultTimezone };
            db.Admins.Add(admin);
        }
        admin.FirstName = FirstName.Trim();
        admin.LastName = LastName.Trim();
        admin.Password = passwords.Hash(admin, Password);
        await db.SaveChangesAsync();
        log.LogInformation("First admin {AdminId} set up through /init", admin.Id);
        await signIn.IssueCookieAsync(HttpContext, admin);
        TempData["Flash"] = $"Welcome, {admin.Name}. You are the first admin who can sign in; /init is now closed.";
        return Redirect("/");
    }
}

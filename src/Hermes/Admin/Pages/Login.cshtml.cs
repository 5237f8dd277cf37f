using System.ComponentModel.DataAnnotations;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages;

public class LoginModel(HermesDb db, AdminSignIn signIn, TimeProvider clock) : PageModel
{
    [BindProperty, Display(Name = "Email")]
    public string Username { get; set; } = "";

    [BindProperty, DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>No admin can sign in yet: offer <c>/init</c>.</summary>
    public bool InitOpen { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (User.Identity?.IsAuthenticated == true) return LocalRedirect(SafeReturnUrl());
        InitOpen = !await db.Admins.AnyAsync(a => a.Password != null && a.Password != "");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username)) ModelState.AddModelError(nameof(Username), "Enter your email.");
        if (string.IsNullOrEmpty(Password)) ModelState.AddModelError(nameof(Password), "Enter your password.");
        if (ModelState.IsValid)
        {
            switch (await signIn.SignInAsync(HttpContext, Username, Password))
            {
                case AdminSignIn.SignedIn:
                    return LocalRedirect(SafeReturnUrl());
                case AdminSignIn.LockedOut locked:
                    var minutes = Math.Max(1, (int)Math.Ceiling((locked.Until - clock.GetUtcNow()).TotalMinutes));
                    ModelState.AddModelError("", $"Too many failed sign-ins for this email. Try again in {minutes} minute{(minutes == 1 ? "" : "s")}.");
                    Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    break;
                default:
                    ModelState.AddModelError("", "That email and password don't match an admin who can sign in.");
                    Response.StatusCode = StatusCodes.Status401Unauthorized;
                    break;
            }
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        Password = "";
        InitOpen = !await db.Admins.AnyAsync(a => a.Password != null && a.Password != "");
        return Page();
    }

    string SafeReturnUrl() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}

using System.Security.Claims;
using Hermes.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi;

/// <summary>
/// The staff admin UI (behaviour.md §8): Razor Pages under <c>Admin/Pages</c>, signed in with a cookie, antiforgery on
/// every form. Every page needs a signed-in admin except <c>/login</c> and <c>/init</c>. A request without the cookie
/// is sent to <c>/login</c> when it is a GET and answered 401 otherwise.
/// </summary>
public static class AdminUiSetup
{
    public const string Scheme = "HermesAdmin";
    public const string StampClaim = "hermes:pwd";

    public static IServiceCollection AddAdminUi(this IServiceCollection services)
    {
        services.AddSingleton<AdminPasswords>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<AdminSignIn>();
        services.AddSingleton<ExternalLinks>();
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Admin/Pages";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Init");
            o.Conventions.AllowAnonymousToPage("/Logout");
            o.Conventions.AddPageRoute("/Admins/Edit", "/admin/create");
            o.Conventions.AddPageRoute("/CustomFields/Edit", "/customfield/create");
        }).AddMvcOptions(o => o.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true); // pages say what is missing
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".hermes.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__RequestVerificationToken";
        });
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = ".hermes.admin";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.AccessDeniedPath = "/login";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events = new CookieAuthenticationEvents
            {
                OnRedirectToLogin = context =>
                {
                    if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                        context.Response.Redirect(context.RedirectUri);
                    else
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                },
                OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                },
                // A session ends when its admin is deleted or their password changes or is removed.
                OnValidatePrincipal = async context =>
                {
                    var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
                    var stamp = context.Principal?.FindFirstValue(StampClaim);
                    var db = context.HttpContext.RequestServices.GetRequiredService<HermesDb>();
                    var hash = int.TryParse(id, out var adminId)
                        ? await db.Admins.Where(a => a.Id == adminId).Select(a => a.Password).FirstOrDefaultAsync()
                        : null;
                    if (hash is null || AdminPasswords.Stamp(hash) != stamp)
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(Scheme);
                    }
                },
            };
        });
        services.AddAuthorization();
        return services;
    }

    /// <summary>Static files (the admin's CSS), then who is signed in. Call before the endpoints run.</summary>
    public static WebApplication UseAdminUi(this WebApplication app)
    {
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapAdminUi(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }
}

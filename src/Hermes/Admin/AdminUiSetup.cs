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
        }).AddMvcOptions(o =>
        {
            o.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true; // pages say what is missing
            o.ModelMetadataDetailsProviders.Add(new EmptyStringsStayEmpty());
        });
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
        // A browser that gets an empty error (a page's NotFound(), 403, 405) sees a short page instead of the
        // browser's own error screen; API callers, which do not ask for HTML, get the empty response as before.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)) return;
            var status = http.Response.StatusCode;
            var title = status switch { 404 => "Not found", 403 => "Not allowed", 405 => "Not allowed", _ => $"Error {status}" };
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync($$"""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{{title}} · Hermes admin</title><link rel="stylesheet" href="/ui/admin.css"></head>
                <body class="bare"><main id="main"><div class="auth-card"><h1>{{title}}</h1>
                <p class="muted">There is nothing here (HTTP {{status}}).</p><p><a href="/">Go to the dashboard</a></p></div></main></body></html>
                """);
        });
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

    /// <summary>An empty text box binds as "" rather than null, so pages only check for blank.</summary>
    sealed class EmptyStringsStayEmpty : Microsoft.AspNetCore.Mvc.ModelBinding.Metadata.IDisplayMetadataProvider
    {
        public void CreateDisplayMetadata(Microsoft.AspNetCore.Mvc.ModelBinding.Metadata.DisplayMetadataProviderContext context)
        {
            if (context.Key.ModelType == typeof(string)) context.DisplayMetadata.ConvertEmptyStringToNull = false;
        }
    }
}

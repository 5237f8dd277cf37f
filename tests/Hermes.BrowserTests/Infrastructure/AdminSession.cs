using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Infrastructure;

/// <summary>A Hermes of its own (database, fake clock, Kestrel port) and a fresh browser context pointed at it.</summary>
public sealed class AdminSession : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    public required HermesInstance Hermes { get; init; }
    public required IBrowserContext Context { get; init; }
    public required IPage Page { get; init; }

    public static async Task<AdminSession> StartAsync(BrowserFixture browser,
        Action<Dictionary<string, string?>>? settings = null, Action<IServiceCollection>? services = null,
        int width = 1280, int height = 860)
    {
        var hermes = await HermesInstance.StartAsync(settings, services);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = hermes.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        });
        context.SetDefaultTimeout(20_000);
        return new AdminSession { Hermes = hermes, Context = context, Page = await context.NewPageAsync() };
    }

    public HermesDb Db() => Hermes.Db();

    /// <summary>An admin row; with a password (hashed as the admin UI does) unless <paramref name="password"/> is null.</summary>
    public async Task<Admin> AddAdminAsync(string email = "brain@example.com", string? password = Password, Action<Admin>? change = null)
    {
        var admin = new Admin { Username = email, FirstName = "Brain", LastName = "Jones", Timezone = "Europe/London" };
        change?.Invoke(admin);
        if (password is not null) admin.Password = new PasswordHasher<Admin>().HashPassword(admin, password);
        await using var db = Db();
        db.Admins.Add(admin);
        await db.SaveChangesAsync();
        return admin;
    }

    public async Task<T> AddAsync<T>(T entity) where T : class
    {
        await using var db = Db();
        db.Add(entity);
        await db.SaveChangesAsync();
        return entity;
    }

    /// <summary>Signs in through the login form and waits for the dashboard (or <paramref name="landing"/>).</summary>
    public async Task SignInAsync(string email = "brain@example.com", string password = Password, string landing = "/")
    {
        await Page.GotoAsync("/login");
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(Hermes.BaseAddress + landing.TrimStart('/'));
    }

    /// <summary>The text of every cell of every body row of a table, trimmed and with whitespace collapsed.</summary>
    public static async Task<List<string[]>> RowsAsync(ILocator table)
    {
        await Expect(table).ToBeVisibleAsync();
        var rows = await table.Locator("tbody tr").AllAsync();
        var result = new List<string[]>();
        foreach (var row in rows)
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            result.Add(cells.Select(Collapse).ToArray());
        }
        return result;
    }

    public static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The page's field error under a labelled input.</summary>
    public ILocator FieldError(string inputId) => Page.Locator($"#{inputId} ~ .field-error, #{inputId} + .field-error").First;

    public Task ScreenshotAsync(string name) => SaveScreenshotAsync(Page, name);

    /// <summary>A full-page screenshot saved as artifacts/screenshots/{name}.png (a name may hold a folder).</summary>
    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(RepoRoot(), "artifacts", "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Hermes.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Hermes.DisposeAsync();
    }
}

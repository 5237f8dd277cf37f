using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Hermes.Sandbox.Google;
using Hermes.Sandbox.Pipedrive;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>
/// A visitor in Toronto (browser time zone America/Toronto, en-US) on the website booker of a Hermes running as the
/// sandbox: its own PostgreSQL database, the seeded admins (two sales, two support people), the simulated Google
/// Calendar (a lunch hour in each admin's calendar), TC2 and Pipedrive. Hermes and the browser share one fixed "now":
/// by default the next Monday at 10:00 in London, where the sales admin Amelia works.
/// </summary>
public sealed class BookerSession : IAsyncDisposable
{
    public static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    public static readonly TimeZoneInfo Toronto = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");
    static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    public required HermesInstance Hermes { get; init; }
    public required IBrowserContext Context { get; init; }
    public required IPage Page { get; init; }
    public DateTimeOffset Now => Hermes.Clock.GetUtcNow();
    public GoogleCalendarSimulator Google => Hermes.App.Services.GetRequiredService<GoogleCalendarSimulator>();
    public PipedriveSimulator Pipedrive => Hermes.App.Services.GetRequiredService<PipedriveSimulator>();

    /// <param name="country">What Cloudflare says the visitor's country is (the <c>CF-IPCountry</c> header); null: no header.</param>
    public static async Task<BookerSession> StartAsync(BrowserFixture browser, string? country = "GB", DateTimeOffset? now = null)
    {
        var clock = new FakeTimeProvider(now ?? NextMondayInLondonAt(10));
        var hermes = await HermesInstance.StartAsync(s =>
        {
            foreach (var key in new[] { "PD_API_KEY", "PD_BASE_URL", "TC2_API_KEY", "TC2_BASE_URL", "G_PRIVATE_KEY", "G_CLIENT_EMAIL", "G_PRIVATE_KEY_ID" })
                s.Remove(key);
            s["SANDBOX"] = "true";
        }, clock: clock);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = hermes.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
            Locale = "en-US",
            TimezoneId = "America/Toronto",
            ExtraHTTPHeaders = country is null ? null : new Dictionary<string, string> { ["CF-IPCountry"] = country },
        });
        context.SetDefaultTimeout(20_000);
        await context.Clock.SetFixedTimeAsync(clock.GetUtcNow().UtcDateTime);
        return new BookerSession { Hermes = hermes, Context = context, Page = await context.NewPageAsync() };
    }

    /// <summary>The next Monday after today (real time: only a starting point) at this hour in London.</summary>
    public static DateTimeOffset NextMondayInLondonAt(int hour)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, London).DateTime).AddDays(1);
        while (day.DayOfWeek != DayOfWeek.Monday) day = day.AddDays(1);
        return InLondon(day, hour, 0);
    }

    public static DateTimeOffset InLondon(DateOnly day, int hour, int minute)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, London.GetUtcOffset(local));
    }

    public async Task<Admin> AdminAsync(string firstName)
    {
        await using var db = Hermes.Db();
        return await db.Admins.AsNoTracking().SingleAsync(a => a.FirstName == firstName);
    }

    /// <summary>A time as the page shows it to the Toronto visitor, e.g. "8:45 AM".</summary>
    public static string TorontoTime(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Toronto).ToString("h:mm tt", Us);

    /// <summary>A day as the page names it, e.g. "Monday, December 14".</summary>
    public static string TorontoDay(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Toronto).ToString("dddd, MMMM d", Us);

    public static string TorontoDayKey(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Toronto).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The admin's free slots straight from the API, as the booker page asks for them (2 hours' notice, one month).</summary>
    public async Task<List<(DateTimeOffset Start, DateTimeOffset End)>> SlotsAsync(Admin admin, TimeSpan? notice = null, string extra = "")
    {
        var start = Now + (notice ?? TimeSpan.FromHours(2));
        var end = start.AddMonths(1);
        var json = await Hermes.Http.GetFromJsonAsync<JsonObject>(
            $"/callbooker/availability/?admin_id={admin.Id}&start_dt={Uri.EscapeDataString(start.ToString("O"))}&end_dt={Uri.EscapeDataString(end.ToString("O"))}{extra}");
        return json!["slots"]!.AsArray().Select(s => (DateTimeOffset.Parse(s![0]!.GetValue<string>(), CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(s[1]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToList();
    }

    public ILocator Calendar => Page.Locator("#calendar");
    public ILocator EnabledDays => Calendar.Locator("button.day:enabled");
    public ILocator Times => Page.Locator("#times button");

    /// <summary>Opens the page and waits until the calendar or an error is showing.</summary>
    public async Task OpenBookerAsync(int adminId, string query = "")
    {
        await Page.GotoAsync($"/book-a-call/{adminId}/{(query.Length > 0 ? "?" + query : "")}");
        await Expect(Page.Locator("#booker:visible, #error:visible").First).ToBeVisibleAsync();
    }

    public async Task ChooseDayAsync(DateTimeOffset slotStart)
    {
        var key = TorontoDayKey(slotStart);
        var month = TimeZoneInfo.ConvertTime(slotStart, Toronto).ToString("MMMM yyyy", Us);
        await Expect(Page.Locator("#step-calendar")).ToBeVisibleAsync(); // the page has loaded
        for (var i = 0; i < 3 && await Page.Locator("#month").InnerTextAsync() != month; i++)
            await Page.GetByRole(AriaRole.Button, new() { Name = "Next month" }).ClickAsync();
        await Calendar.Locator($"button[data-date='{key}']").ClickAsync();
        await Expect(Page.Locator("#day-heading")).ToHaveTextAsync(TorontoDay(slotStart));
    }

    public async Task ChooseSlotAsync((DateTimeOffset Start, DateTimeOffset End) slot)
    {
        await ChooseDayAsync(slot.Start);
        await Times.GetByText($"{TorontoTime(slot.Start)} - {TorontoTime(slot.End)}", new() { Exact = true }).ClickAsync();
        await Expect(Page.Locator("#step-form")).ToBeVisibleAsync();
    }

    public async Task FillSalesFormAsync(string name = "Jane Doe", string email = "jane@example.com", string company = "Doe Tutors",
        string website = "https://doe-tutors.example.com", string phone = "7700 900123")
    {
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Page.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await Page.GetByLabel("Company name", new() { Exact = true }).FillAsync(company);
        await Page.GetByLabel("Website", new() { Exact = true }).FillAsync(website);
        await Page.GetByLabel("Phone number", new() { Exact = true }).FillAsync(phone);
    }

    public async Task<JsonObject?> LocalStorageJsonAsync(string key) =>
        await Page.EvaluateAsync<string?>("k => localStorage.getItem(k)", key) is { } text ? JsonNode.Parse(text)!.AsObject() : null;

    public Task<string?> LocalStorageAsync(string key) => Page.EvaluateAsync<string?>("k => localStorage.getItem(k)", key);

    /// <summary>A full-page screenshot in artifacts/screenshots/booker/.</summary>
    public Task ScreenshotAsync(string name) => AdminSession.SaveScreenshotAsync(Page, Path.Combine("booker", name));

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Hermes.DisposeAsync();
    }
}

using System.Text.Json.Nodes;
using System.Web;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>
/// seed/workflows.md → Support callbooker. The sandbox's TC2 knows client 9001 ("Demo Tutors"); its support admin
/// Chloe Singh (TC2 admin 503) works in London. TC2 asks Hermes for the link as it does in production.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SupportBookerTests(BrowserFixture browser)
{
    /// <summary>What TC2 does when a support admin clicks "support link" on the client's meta profile.</summary>
    static async Task<Uri> LinkFromTc2Async(BookerSession s, bool? express = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get,
            $"/callbooker/support-link/generate/tc2/?tc2_admin_id=503&tc2_cligency_id=9001{(express is null ? "" : $"&express={express.Value.ToString().ToLowerInvariant()}")}")
        {
            Headers = { { "Authorization", "token sandbox-tc2-key" } },
        };
        var response = await s.Hermes.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return new Uri(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["link"]!.GetValue<string>());
    }

    static async Task OpenAsync(BookerSession s, Uri link)
    {
        await s.Page.GotoAsync(link.PathAndQuery);
        await Expect(s.Page.Locator("#booker:visible, #error:visible").First).ToBeVisibleAsync();
    }

    static string Label((DateTimeOffset Start, DateTimeOffset End) slot) => $"{BookerSession.TorontoTime(slot.Start)} - {BookerSession.TorontoTime(slot.End)}";

    [Fact]
    public async Task Support__In_TC2_admin_clicks_a_link_on_the_companys_meta_profile_to_generate_a_support_link()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");

        var link = await LinkFromTc2Async(s);

        await using var db = s.Hermes.Db();
        var company = await db.Companies.AsNoTracking().SingleAsync(); // read from TC2 and created, without a deal
        Assert.Equal(("Demo Tutors", 9001, 0), (company.Name, company.Tc2CligencyId, await db.Deals.CountAsync()));
        var query = HttpUtility.ParseQueryString(link.Query);
        Assert.Equal(["s", "admin_id", "company_id", "e"], query.AllKeys.Select(k => k!).ToArray());
        Assert.Equal(($"{s.Hermes.BaseAddress}book-a-call/{chloe.Id}/", $"{chloe.Id}", $"{company.Id}", s.Now.AddDays(4).ToUnixTimeSeconds().ToString()),
            (link.GetLeftPart(UriPartial.Path), query["admin_id"], query["company_id"], query["e"]));
        Assert.Matches("^[0-9a-f]{64}$", query["s"]);
    }

    [Fact]
    public async Task Support__The_admin_has_a_choice_of_an_Express_link_or_not()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        s.Google.SetBusy(chloe.Username);

        var standard = await LinkFromTc2Async(s, express: false);
        var express = await LinkFromTc2Async(s, express: true);

        Assert.Null(HttpUtility.ParseQueryString(standard.Query)["ex"]);
        Assert.Equal("1", HttpUtility.ParseQueryString(express.Query)["ex"]);
        Assert.NotEqual(HttpUtility.ParseQueryString(standard.Query)["s"], HttpUtility.ParseQueryString(express.Query)["s"]); // express is signed
        // It changes what the booker offers today (now is 10:00 in London): 10:45 with express, 12:15 without.
        var monday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Now, BookerSession.London).DateTime);
        foreach (var (link, first) in new[] { (express, BookerSession.InLondon(monday, 10, 45)), (standard, BookerSession.InLondon(monday, 12, 15)) })
        {
            await OpenAsync(s, link);
            await s.ChooseDayAsync(s.Now);
            await Expect(s.Times.First).ToHaveTextAsync(Label((first, first.AddMinutes(30))));
        }
    }

    [Fact]
    public async Task Support__The_link_directs_the_user_to_the_admins_callbooker()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        var link = await LinkFromTc2Async(s);

        var availability = s.Page.WaitForRequestAsync(r => r.Url.Contains("/callbooker/availability/"));
        await OpenAsync(s, link);

        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Meet with Chloe Singh from TutorCruncher");
        var query = HttpUtility.ParseQueryString(new Uri((await availability).Url).Query);
        Assert.Equal($"{chloe.Id}", query["admin_id"]);
        await Expect(s.EnabledDays.First).ToBeVisibleAsync();
        await s.ScreenshotAsync("20-support-calendar");
    }

    [Fact]
    public async Task Support__If_the_token_is_missing_or_invalid_then_the_user_gets_an_error_message()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var link = await LinkFromTc2Async(s);
        var query = HttpUtility.ParseQueryString(link.Query);
        var signature = query["s"]!;
        var tampered = signature[..^1] + (signature[^1] == '0' ? '1' : '0');

        foreach (var (bad, message) in new[]
                 {
                     (link.PathAndQuery.Replace($"s={signature}&", ""), "This support link is incomplete or not valid. Please ask your account manager for a new support link."),
                     (link.PathAndQuery.Replace(signature, tampered), "This support link is not valid. Please ask your account manager for a new support link."),
                     (link.PathAndQuery.Replace($"e={query["e"]}", $"e={long.Parse(query["e"]!) + 86400}"), "This support link is not valid. Please ask your account manager for a new support link."),
                 })
        {
            await s.Page.GotoAsync(bad);
            await Expect(s.Page.Locator("#error")).ToHaveTextAsync(message);
            await Expect(s.Page.Locator("#booker")).ToBeHiddenAsync();
        }
        await s.ScreenshotAsync("21-support-invalid-link");
    }

    [Fact]
    public async Task Support__If_the_token_has_expired_then_the_user_gets_an_error_message()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var link = await LinkFromTc2Async(s);
        // SUPPORT_TTL_DAYS is 4: valid at 4 days, expired a second later.
        s.Hermes.Clock.Advance(TimeSpan.FromDays(4));
        await OpenAsync(s, link);
        await Expect(s.Page.Locator("#booker")).ToBeVisibleAsync();

        s.Hermes.Clock.Advance(TimeSpan.FromSeconds(1));
        await OpenAsync(s, link);

        await Expect(s.Page.Locator("#error")).ToHaveTextAsync("This support link has expired. Please ask your account manager for a new support link.");
        await s.ScreenshotAsync("22-support-expired-link");
    }

    [Fact]
    public async Task Support__If_the_company_id_doesnt_match_a_company_the_user_gets_an_error_message()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var link = await LinkFromTc2Async(s);
        await using (var db = s.Hermes.Db()) await db.Companies.ExecuteDeleteAsync(); // deleted since the link was made

        await OpenAsync(s, link);

        await Expect(s.Page.Locator("#error")).ToHaveTextAsync("We couldn't find your company from this support link. Please ask your account manager for a new support link.");
        await s.ScreenshotAsync("23-support-unknown-company");
    }

    [Fact]
    public async Task Support__If_the_company_does_match_then_we_use_that_information_later()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        var slots = await s.SlotsAsync(chloe);
        var link = await LinkFromTc2Async(s);
        await OpenAsync(s, link);
        await s.ChooseSlotAsync(slots[0]);
        await s.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dana Demo");
        await s.Page.GetByLabel("Email", new() { Exact = true }).FillAsync("dana@demo-tutors.example.com");

        var posted = s.Page.WaitForRequestAsync(r => r.Url.EndsWith("/callbooker/support/book/"));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book support call" }).ClickAsync();

        await using var db = s.Hermes.Db();
        var company = await db.Companies.AsNoTracking().SingleAsync();
        var body = JsonNode.Parse((await posted).PostData!)!;
        var expected = JsonNode.Parse($$"""
            {"admin_id":{{chloe.Id}},"company_id":{{company.Id}},"meeting_dt":"{{slots[0].Start.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}",
             "email":"dana@demo-tutors.example.com","name":"Dana Demo"}
            """);
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
        await Expect(s.Page.Locator("#callbooked-success")).ToContainTextAsync("Your call with Chloe Singh is on");
        var meeting = await db.Meetings.AsNoTracking().Include(m => m.Contact).SingleAsync();
        Assert.Equal((company.Id, Meeting.TypeSupport, chloe.Id, (int?)null), (meeting.Contact!.CompanyId, meeting.MeetingType, meeting.AdminId, meeting.DealId));
        Assert.Equal(1, await db.Companies.CountAsync()); // no twin made from the typed details
    }

    [Fact]
    public async Task Support__The_admins_callbooker_follows_the_logic_after_Callbooker_calendar_start()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        var slots = await s.SlotsAsync(chloe);
        await OpenAsync(s, await LinkFromTc2Async(s));

        // Days and times from Chloe's availability, shown in Toronto time, then the form, then the booking.
        var enabled = await s.EnabledDays.EvaluateAllAsync<string[]>("bs => bs.map(b => b.dataset.date)");
        var month = await s.Page.Locator("#month").InnerTextAsync();
        Assert.Equal(slots.Select(x => BookerSession.TorontoDayKey(x.Start)).Distinct()
            .Where(k => TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(k + "T12:00:00Z"), BookerSession.Toronto).ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-US")) == month), enabled);
        await s.ChooseDayAsync(slots[0].Start);
        await Expect(s.Times).ToHaveTextAsync(slots.Where(x => BookerSession.TorontoDayKey(x.Start) == BookerSession.TorontoDayKey(slots[0].Start)).Select(Label).ToArray());
        await s.Times.First.ClickAsync();
        await s.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dana");
        await s.Page.GetByLabel("Email", new() { Exact = true }).FillAsync("dana@demo-tutors.example.com");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book support call" }).ClickAsync();
        await Expect(s.Page.Locator("#name-error")).ToHaveTextAsync("Please enter your first and last name.");
        await s.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dana Demo");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book support call" }).ClickAsync();

        await Expect(s.Page.Locator("#callbooked-success")).ToHaveTextAsync(
            $"Thanks for booking with us! Your call with Chloe Singh is on {BookerSession.TorontoDay(slots[0].Start)} at {BookerSession.TorontoTime(slots[0].Start)} " +
            "(America/Toronto). We've sent a calendar invite to dana@demo-tutors.example.com, with the link to the video call.");
        await s.ScreenshotAsync("25-support-booked");
        var ev = Assert.Single(s.Google.Events(chloe.Username));
        Assert.Equal("TutorCruncher support meeting with Chloe Singh", ev["summary"]!.GetValue<string>());
        Assert.Equal("support", (await s.LocalStorageJsonAsync("call_data"))!["call_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Support__If_the_admin_has_selected_that_the_link_is_an_Express_link_the_availability_should_show_from_now_plus_15_mins()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        s.Google.SetBusy(chloe.Username);
        var link = await LinkFromTc2Async(s, express: true);

        var availability = s.Page.WaitForRequestAsync(r => r.Url.Contains("/callbooker/availability/"));
        await OpenAsync(s, link);

        var query = HttpUtility.ParseQueryString(new Uri((await availability).Url).Query);
        Assert.Equal(s.Now.AddMinutes(15).UtcDateTime, DateTime.Parse(query["start_dt"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal));
        // hermes_v2's contract: the page chooses start_dt, and the request carries nothing else (as the website's does).
        Assert.Equal(["admin_id", "start_dt", "end_dt"], query.AllKeys.Select(k => k!).ToArray());
        await s.ChooseDayAsync(s.Now);
        var monday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Now, BookerSession.London).DateTime);
        // now 10:00 → from 10:15: 10:45 is the first of Chloe's slots (10:00 has started too soon).
        var expected = new[] { (10, 45), (11, 30), (12, 15), (13, 0), (13, 45), (14, 30), (15, 15), (16, 0), (16, 45) }
            .Select(t => BookerSession.InLondon(monday, t.Item1, t.Item2)).Select(t => Label((t, t.AddMinutes(30)))).ToArray();
        await Expect(s.Times).ToHaveTextAsync(expected);
        await s.ScreenshotAsync("24-support-express-times");
    }

    [Fact]
    public async Task Support__We_only_show_the_fields_for_Name_Company_Name_and_Email()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        var slots = await s.SlotsAsync(chloe);
        await OpenAsync(s, await LinkFromTc2Async(s));
        await s.ChooseSlotAsync(slots[0]);

        var labels = await s.Page.Locator("#step-form label, #step-form .label").AllInnerTextsAsync();
        Assert.Equal(["Name", "Email", "Company name"], labels);
        await Expect(s.Page.Locator("#step-form").Locator("input:visible, select:visible")).ToHaveCountAsync(3);
        await s.ScreenshotAsync("26-support-form");
    }

    [Fact]
    public async Task Support__Company_Name_is_prefilled()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var chloe = await s.AdminAsync("Chloe");
        var slots = await s.SlotsAsync(chloe);
        await OpenAsync(s, await LinkFromTc2Async(s));
        await s.ChooseSlotAsync(slots[0]);

        var company = s.Page.GetByLabel("Company name", new() { Exact = true });
        await Expect(company).ToHaveValueAsync("Demo Tutors");
        await Expect(company).Not.ToBeEditableAsync(); // the link says which company: typing another would change nothing
        await Expect(s.Page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("");
    }
}

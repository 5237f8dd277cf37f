using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>
/// seed/workflows.md → Sales callbooker → "Callbooker calendar start": the per-admin booker a visitor reaches after
/// the revenue question (here Amelia's, with ?rb= as the index page sends it), seen from Toronto.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SalesBookerTests(BrowserFixture browser)
{
    [Fact]
    public async Task Calendar__The_calendar_loads()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slots = await s.SlotsAsync(amelia);

        await s.OpenBookerAsync(amelia.Id, "rb=1");

        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Meet with Amelia Hart from TutorCruncher");
        var firstMonth = TimeZoneInfo.ConvertTime(slots[0].Start, BookerSession.Toronto);
        await Expect(s.Page.Locator("#month")).ToHaveTextAsync(firstMonth.ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
        await Expect(s.Calendar.Locator("thead th")).ToHaveTextAsync(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
        // Only days with a free slot can be chosen: exactly the Toronto days of the slots in the month shown.
        var daysThisMonth = slots.Select(x => BookerSession.TorontoDayKey(x.Start)).Distinct()
            .Where(k => k.StartsWith(firstMonth.ToString("yyyy-MM"))).ToArray();
        var enabled = await s.EnabledDays.EvaluateAllAsync<string[]>("bs => bs.map(b => b.dataset.date)");
        Assert.Equal(daysThisMonth, enabled);
        await Expect(s.Page.Locator("#timezone")).ToHaveTextAsync("America/Toronto");
        await Expect(s.Page.Locator("#duration")).ToHaveTextAsync("30 minutes");
        await s.ScreenshotAsync("05-calendar");
    }

    [Fact]
    public async Task Calendar__When_a_day_is_selected_a_list_of_times_shows()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slots = await s.SlotsAsync(amelia);
        var tuesday = slots.First(x => x.Start.DayOfWeek == DayOfWeek.Tuesday).Start;
        await s.OpenBookerAsync(amelia.Id, "rb=1");
        await Expect(s.Times).ToHaveCountAsync(0);

        await s.ChooseDayAsync(tuesday);

        var expected = slots.Where(x => BookerSession.TorontoDayKey(x.Start) == BookerSession.TorontoDayKey(tuesday))
            .Select(x => $"{BookerSession.TorontoTime(x.Start)} - {BookerSession.TorontoTime(x.End)}").ToArray();
        Assert.True(expected.Length >= 5, string.Join(", ", expected));
        await Expect(s.Times).ToHaveTextAsync(expected);
        await Expect(s.Times.First).ToBeFocusedAsync();
        await s.ScreenshotAsync("06-times");
    }

    [Fact]
    public async Task Calendar__All_days_and_times_should_be_based_on_the_admins_availability()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var monday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Now, BookerSession.London).DateTime);
        // Amelia is busy all Wednesday and on Thursday morning (London), besides the sandbox's lunch hour (12:00-13:00).
        var wednesday = monday.AddDays(2);
        var thursday = monday.AddDays(3);
        s.Google.AddBusy(amelia.Username, BookerSession.InLondon(wednesday, 0, 0), BookerSession.InLondon(wednesday, 23, 59));
        s.Google.AddBusy(amelia.Username, BookerSession.InLondon(thursday, 9, 0), BookerSession.InLondon(thursday, 12, 0));
        await s.OpenBookerAsync(amelia.Id);

        await Expect(s.Calendar.Locator($"button[data-date='{wednesday:yyyy-MM-dd}']")).ToBeDisabledAsync();
        foreach (var weekend in new[] { monday.AddDays(5), monday.AddDays(6) })
            await Expect(s.Calendar.Locator($"button[data-date='{weekend:yyyy-MM-dd}']")).ToBeDisabledAsync();
        await s.ChooseDayAsync(BookerSession.InLondon(thursday, 14, 0));
        // Thursday in London: 10:00-17:30, 30 minutes + 15 between; not before 12:00 (busy), not touching lunch (13:00 touches).
        var expected = new[] { (13, 45), (14, 30), (15, 15), (16, 0), (16, 45) }
            .Select(t => BookerSession.InLondon(thursday, t.Item1, t.Item2))
            .Select(t => $"{BookerSession.TorontoTime(t)} - {BookerSession.TorontoTime(t.AddMinutes(30))}").ToArray();
        await Expect(s.Times).ToHaveTextAsync(expected);
    }

    [Fact]
    public async Task Calendar__Availability_must_start_at_least_2_hours_after_now()
    {
        // Now: Monday 10:00 in London. Amelia is free from 10:00, but the first time offered is 12:15 (10:00 + 2 h,
        // rounded to her next slot); the sandbox's lunch hour is cleared for this test.
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        s.Google.SetBusy(amelia.Username);
        var request = s.Page.WaitForRequestAsync(r => r.Url.Contains("/callbooker/availability/"));
        await s.OpenBookerAsync(amelia.Id);

        var query = System.Web.HttpUtility.ParseQueryString(new Uri((await request).Url).Query);
        Assert.Equal(s.Now.AddHours(2).UtcDateTime, DateTime.Parse(query["start_dt"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal));
        Assert.Equal(s.Now.AddHours(2).AddMonths(1).UtcDateTime, DateTime.Parse(query["end_dt"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal));

        var monday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Now, BookerSession.London).DateTime);
        await s.ChooseDayAsync(s.Now);
        var first = BookerSession.InLondon(monday, 12, 15);
        await Expect(s.Times.First).ToHaveTextAsync($"{BookerSession.TorontoTime(first)} - {BookerSession.TorontoTime(first.AddMinutes(30))}");
        await Expect(s.Times).ToHaveCountAsync(7); // 12:15, 13:00, 13:45, 14:30, 15:15, 16:00, 16:45
    }

    [Fact]
    public async Task Calendar__The_availability_is_based_on_the_admins_timezone_and_shown_in_the_users_own_timezone_Toronto()
    {
        // Amelia works 10:00-17:30 in London; Ben 10:00-17:30 in New York. A visitor in Toronto sees both in Toronto time:
        // London's 10:00 is 05:00 in Toronto (five hours behind in winter, four or five around the DST changes), New York's is 10:00.
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var ben = await s.AdminAsync("Ben");
        s.Google.SetBusy(amelia.Username);
        s.Google.SetBusy(ben.Username);
        var tuesday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Now, BookerSession.London).DateTime).AddDays(1);

        await s.OpenBookerAsync(amelia.Id);
        await s.ChooseDayAsync(BookerSession.InLondon(tuesday, 12, 0));
        var london = BookerSession.InLondon(tuesday, 10, 0);
        await Expect(s.Times.First).ToHaveTextAsync($"{BookerSession.TorontoTime(london)} - {BookerSession.TorontoTime(london.AddMinutes(30))}");
        Assert.NotEqual("10:00 AM", BookerSession.TorontoTime(london));
        await Expect(s.Times).ToHaveCountAsync(10);
        await s.ScreenshotAsync("07-times-london-admin-in-toronto");

        await s.OpenBookerAsync(ben.Id);
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var benTen = new DateTimeOffset(tuesday.ToDateTime(new TimeOnly(10, 0)), newYork.GetUtcOffset(tuesday.ToDateTime(new TimeOnly(10, 0))));
        await s.ChooseDayAsync(benTen);
        await Expect(s.Times.First).ToHaveTextAsync("10:00 AM - 10:30 AM"); // Toronto and New York share a clock
        await Expect(s.Times.Last).ToHaveTextAsync("4:45 PM - 5:15 PM");
        await Expect(s.Page.Locator("#timezone")).ToHaveTextAsync("America/Toronto");
    }

    [Fact]
    public async Task Calendar__When_a_time_is_selected_the_form_should_be_loaded()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[3];
        await s.OpenBookerAsync(amelia.Id, "rb=1");
        await Expect(s.Page.Locator("#step-form")).ToBeHiddenAsync();

        await s.ChooseSlotAsync(slot);

        await Expect(s.Page.Locator("#form-heading")).ToHaveTextAsync(
            $"{BookerSession.TorontoDay(slot.Start)}@ {BookerSession.TorontoTime(slot.Start)} - {BookerSession.TorontoTime(slot.End)} (America/Toronto)");
        var labels = await s.Page.Locator("#step-form label, #step-form .label").AllInnerTextsAsync();
        Assert.Equal(["Name", "Email", "Company name", "Website", "Phone", "Estimated annual revenue", "Currency"], labels);
        await Expect(s.Page.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync();
        await s.ScreenshotAsync("08-sales-form");
    }

    [Fact]
    public async Task Calendar__Revenue_bracket_should_be_prefilled_from_the_previous_answer()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[0];
        await s.OpenBookerAsync(amelia.Id, "rb=2");
        await s.ChooseSlotAsync(slot);

        var revenue = s.Page.GetByLabel("Estimated annual revenue");
        await Expect(revenue).ToHaveValueAsync("£150,000 - £500,000");
        // Changing the currency keeps the same answer, in the new currency.
        await s.Page.GetByLabel("Currency").SelectOptionAsync("USD");
        await Expect(revenue).ToHaveValueAsync("$150,000 - $500,000");
    }

    [Theory]
    [InlineData("GB", "+44")]
    [InlineData("US", "+1")]
    [InlineData("DE", "+49")]
    [InlineData("NZ", "+64")]
    public async Task Calendar__Phone_extension_should_be_automatically_filled(string country, string dialCode)
    {
        await using var s = await BookerSession.StartAsync(browser, country);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[0];
        await s.OpenBookerAsync(amelia.Id, "rb=0");
        await s.ChooseSlotAsync(slot);

        await Expect(s.Page.GetByLabel("Dialling code")).ToHaveValueAsync(dialCode);
        await Expect(s.Page.GetByLabel("Phone number", new() { Exact = true })).ToHaveValueAsync("");
    }

    [Theory]
    [InlineData("GB", "GBP", "£0 - £50,000")]
    [InlineData("US", "USD", "$0 - $50,000")]
    [InlineData("DE", "EUR", "€0 - €60,000")]
    [InlineData("NZ", "USD", "$0 - $50,000")]
    public async Task Calendar__Currency_should_be_automatically_filled(string country, string currency, string firstBracket)
    {
        await using var s = await BookerSession.StartAsync(browser, country);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[0];
        await s.OpenBookerAsync(amelia.Id, "rb=0");
        await s.ChooseSlotAsync(slot);

        await Expect(s.Page.GetByLabel("Currency")).ToHaveValueAsync(currency);
        await Expect(s.Page.GetByLabel("Currency").Locator("option")).ToHaveTextAsync(["AUD ($)", "CAD ($)", "GBP (£)", "EUR (€)", "USD ($)", "ZAR (R)"]);
        await Expect(s.Page.GetByLabel("Estimated annual revenue")).ToHaveValueAsync(firstBracket);
    }

    [Fact]
    public async Task Calendar__Submitting_the_form_shows_a_success_message_and_follows_the_logic_in_Hermes_for_the_Sales_call_booked()
    {
        await using var s = await BookerSession.StartAsync(browser, "US");
        var amelia = await s.AdminAsync("Amelia");
        var ella = await s.AdminAsync("Ella"); // the BDR, tc2_admin_id 505
        var slot = (await s.SlotsAsync(amelia))[2];
        await s.OpenBookerAsync(amelia.Id, "rb=1&utm_source=google&utm_campaign=tc-pricing&bdr=505");
        await s.ChooseSlotAsync(slot);
        await s.FillSalesFormAsync(name: "  jane  doe ", email: "Jane@Example.com", phone: "(212) 555-0100");

        var posted = s.Page.WaitForRequestAsync(r => r.Url.EndsWith("/callbooker/sales/book/"));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();

        var body = JsonNode.Parse((await posted).PostData!)!;
        var expectedBody = new JsonObject
        {
            ["admin_id"] = amelia.Id, ["bdr_person_id"] = 505, ["utm_campaign"] = "tc-pricing", ["utm_source"] = "google",
            ["name"] = "jane  doe", ["email"] = "Jane@Example.com", ["company_name"] = "Doe Tutors", ["website"] = "https://doe-tutors.example.com",
            ["country"] = "US", ["phone"] = "+1 (212) 555-0100", ["estimated_income"] = "$50,000 - $150,000", ["currency"] = "USD",
            ["price_plan"] = "startup", ["meeting_dt"] = slot.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        };
        Assert.True(JsonNode.DeepEquals(expectedBody, body), body.ToJsonString());
        var success = s.Page.Locator("#callbooked-success");
        await Expect(success).ToHaveTextAsync(
            $"Thanks for booking with us! Your call with Amelia Hart is on {BookerSession.TorontoDay(slot.Start)} at {BookerSession.TorontoTime(slot.Start)} " +
            "(America/Toronto). We've sent a calendar invite to Jane@Example.com, with the link to the video call.");
        await s.ScreenshotAsync("09-sales-booked");
        var stored = await s.LocalStorageJsonAsync("call_data");
        expectedBody["call_type"] = "sales";
        expectedBody["timezone"] = "America/Toronto"; // the zone the times were read in, remembered with the booking data
        Assert.True(JsonNode.DeepEquals(expectedBody, stored), stored!.ToJsonString());

        // Hermes: the company, contact, open deal and meeting, the Google event with a Meet link, and the Pipedrive jobs.
        await using var db = s.Hermes.Db();
        var company = await db.Companies.AsNoTracking().SingleAsync();
        Assert.Equal(("Doe Tutors", "https://doe-tutors.example.com", "US", "USD", "$50,000 - $150,000", "startup", amelia.Id, ella.Id, true, "google", "tc-pricing"),
            (company.Name, company.Website, company.Country, company.Currency, company.EstimatedIncome, company.PricePlan, company.SalesPersonId,
                company.BdrPersonId, company.HasBookedCall, company.UtmSource, company.UtmCampaign));
        var contact = await db.Contacts.AsNoTracking().SingleAsync();
        Assert.Equal(("Jane", "Doe", "jane@example.com", "+1 (212) 555-0100", company.Id), (contact.FirstName, contact.LastName, contact.Email, contact.Phone, contact.CompanyId));
        var deal = await db.Deals.AsNoTracking().Include(d => d.Pipeline).SingleAsync();
        Assert.Equal(("Startup", Deal.StatusOpen, company.Id, contact.Id, amelia.Id), (deal.Pipeline!.Name, deal.Status, deal.CompanyId, deal.ContactId, deal.AdminId));
        var meeting = await db.Meetings.AsNoTracking().SingleAsync();
        Assert.Equal((slot.Start.UtcDateTime, slot.End.UtcDateTime, Meeting.TypeSales, amelia.Id, contact.Id, deal.Id),
            (meeting.StartTime, meeting.EndTime, meeting.MeetingType, meeting.AdminId, meeting.ContactId, meeting.DealId));
        var ev = Assert.Single(s.Google.Events(amelia.Username));
        Assert.Equal("TutorCruncher demo with Amelia Hart", ev["summary"]!.GetValue<string>());
        Assert.StartsWith("https://meet.google.com/", ev["hangoutLink"]!.GetValue<string>());
        Assert.Equal(["pipedrive.sync_company", "pipedrive.sync_meeting"], await db.Jobs.OrderBy(j => j.Id).Select(j => j.Kind).ToArrayAsync());
    }

    [Fact]
    public async Task Calendar__Validation_on_the_name_works_the_name_must_have_at_least_2_words()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[0];
        await s.OpenBookerAsync(amelia.Id, "rb=0");
        await s.ChooseSlotAsync(slot);
        await s.FillSalesFormAsync(name: "Jane");
        var bookings = 0;
        s.Page.Request += (_, r) => { if (r.Url.Contains("/book/")) bookings++; };

        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();

        var name = s.Page.GetByLabel("Name", new() { Exact = true });
        await Expect(s.Page.Locator("#name-error")).ToHaveTextAsync("Please enter your first and last name.");
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(name).ToBeFocusedAsync();
        await s.ScreenshotAsync("10-name-validation");
        Assert.Equal(0, bookings);

        await name.FillAsync("Jane Doe");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();
        await Expect(s.Page.Locator("#callbooked-success")).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#name-error")).ToBeHiddenAsync();
        Assert.Equal(1, bookings);
    }

    [Fact]
    public async Task Calendar__Validation_on_the_website_works_standard_URL_format()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[0];
        await s.OpenBookerAsync(amelia.Id, "rb=0");
        await s.ChooseSlotAsync(slot);
        await s.FillSalesFormAsync();
        var website = s.Page.GetByLabel("Website", new() { Exact = true });
        var button = s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" });

        foreach (var bad in new[] { "not a website", "doe-tutors", "ftp://doe-tutors.example.com", "https://.example" })
        {
            await website.FillAsync(bad);
            await button.ClickAsync();
            await Expect(s.Page.Locator("#website-error")).ToHaveTextAsync("Please enter a valid website address, e.g. https://example.com");
            await Expect(website).ToBeFocusedAsync();
        }
        await s.ScreenshotAsync("11-website-validation");
        await using (var db = s.Hermes.Db()) Assert.Equal(0, await db.Meetings.CountAsync());

        await website.FillAsync("doe-tutors.co.uk"); // no scheme is fine, as Hermes accepts
        await button.ClickAsync();
        await Expect(s.Page.Locator("#callbooked-success")).ToBeVisibleAsync();
        await using (var db = s.Hermes.Db()) Assert.Equal("doe-tutors.co.uk", (await db.Companies.SingleAsync()).Website);
    }

    [Fact]
    public async Task Calendar__If_the_timeslot_becomes_unavailable_between_selection_and_form_submit_the_user_gets_an_error()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slots = await s.SlotsAsync(amelia);
        var slot = slots[1];
        await s.OpenBookerAsync(amelia.Id, "rb=0");
        await s.ChooseSlotAsync(slot);
        await s.FillSalesFormAsync();
        // Meanwhile someone puts a meeting in Amelia's calendar at that time.
        s.Google.AddBusy(amelia.Username, slot.Start, slot.End);

        var answer = s.Page.WaitForResponseAsync(r => r.Url.EndsWith("/callbooker/sales/book/"));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();

        Assert.Equal("""{"status":"error","message":"Admin is not free at this time."}""", await (await answer).TextAsync());
        await Expect(s.Page.Locator("#booking-error")).ToHaveTextAsync("Sorry, that time is no longer free. Please choose another time: your details are kept.");
        // The day's times are shown again, from fresh availability: the taken time is gone, the others remain.
        var taken = $"{BookerSession.TorontoTime(slot.Start)} - {BookerSession.TorontoTime(slot.End)}";
        await Expect(s.Page.Locator("#step-times")).ToBeVisibleAsync();
        await Expect(s.Times.GetByText(taken, new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(s.Times.First).ToHaveTextAsync($"{BookerSession.TorontoTime(slots[0].Start)} - {BookerSession.TorontoTime(slots[0].End)}");
        await s.ScreenshotAsync("12-slot-taken");
        await using (var db = s.Hermes.Db()) Assert.Equal(0, await db.Meetings.CountAsync());

        // Another time books, with what they had typed.
        await s.Times.GetByText($"{BookerSession.TorontoTime(slots[2].Start)} - {BookerSession.TorontoTime(slots[2].End)}", new() { Exact = true }).ClickAsync();
        await Expect(s.Page.GetByLabel("Company name", new() { Exact = true })).ToHaveValueAsync("Doe Tutors");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();
        await Expect(s.Page.Locator("#callbooked-success")).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#booking-error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task What_Hermes_refuses_is_shown_on_the_form_and_nothing_is_booked()
    {
        // A BDR link with an id Hermes doesn't know passes the page's own checks; Hermes's 422 is shown as it says it.
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slot = (await s.SlotsAsync(amelia))[0];
        await s.OpenBookerAsync(amelia.Id, "rb=0&bdr=999");
        await s.ChooseSlotAsync(slot);
        await s.FillSalesFormAsync();

        var answer = s.Page.WaitForResponseAsync(r => r.Url.EndsWith("/callbooker/sales/book/"));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();

        Assert.Equal(422, (await answer).Status);
        await Expect(s.Page.Locator("#form-error")).ToHaveTextAsync("Admin with tc2_admin_id 999 does not exist");
        await Expect(s.Page.Locator("#callbooked-success")).ToBeHiddenAsync();
        await using var db = s.Hermes.Db();
        Assert.Equal((0, 0), (await db.Meetings.CountAsync(), await db.Companies.CountAsync()));
    }

    [Fact]
    public async Task A_rep_with_fewer_than_3_free_days_in_the_coming_week_points_to_their_colleague()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var ben = await s.AdminAsync("Ben");
        var monday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s.Now, BookerSession.London).DateTime);
        await s.OpenBookerAsync(amelia.Id, "rb=1");
        await Expect(s.Page.Locator("#low-availability")).ToBeHiddenAsync();

        // Busy from Tuesday to the Monday after: only today has free times in the coming week.
        s.Google.AddBusy(amelia.Username, BookerSession.InLondon(monday.AddDays(1), 0, 0), BookerSession.InLondon(monday.AddDays(8), 0, 0));
        await s.OpenBookerAsync(amelia.Id, "rb=1");

        var notice = s.Page.Locator("#low-availability");
        await Expect(notice).ToHaveTextAsync("Amelia Hart has few free times in the next week. If none of them suits you, try Ben Carter's calendar.");
        await Expect(notice.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/book-a-call/{ben.Id}/?rb=1");
        await s.ScreenshotAsync("15-low-availability");
    }
}

using System.Globalization;
using Hermes.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>Issue 16: the booker shows times in the visitor's detected zone, and in another zone they choose.</summary>
[Collection(BrowserCollection.Name)]
public class TimeZoneChoiceTests(BrowserFixture browser)
{
    static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");
    static readonly TimeZoneInfo Sydney = TimeZoneInfo.FindSystemTimeZoneById("Australia/Sydney");

    static string In(TimeZoneInfo zone, DateTimeOffset t, string format) => TimeZoneInfo.ConvertTime(t, zone).ToString(format, Us);

    [Fact]
    public async Task TimeZone__A_London_admins_10_00_shows_as_05_00_in_Toronto_and_as_21_00_in_Sydney_once_the_visitor_chooses_Sydney()
    {
        // A Monday in January: London on GMT, Toronto on EST (-5), Sydney on AEDT (+11).
        var monday = new DateOnly(DateTime.UtcNow.Year + 1, 1, 5);
        while (monday.DayOfWeek != DayOfWeek.Monday) monday = monday.AddDays(1);
        await using var s = await BookerSession.StartAsync(browser, now: BookerSession.InLondon(monday, 10, 0));
        var amelia = await s.AdminAsync("Amelia");
        s.Google.SetBusy(amelia.Username); // no lunch hour: the whole day is free
        var tuesdayTen = BookerSession.InLondon(monday.AddDays(1), 10, 0);
        var slots = await s.SlotsAsync(amelia);

        // Detected: Toronto. London's 10:00 is 5:00 AM, the first time of the Toronto Tuesday.
        await s.OpenBookerAsync(amelia.Id);
        await Expect(s.Page.Locator("#timezone")).ToHaveTextAsync("America/Toronto");
        await s.ChooseDayAsync(tuesdayTen);
        await Expect(s.Times.First).ToHaveTextAsync("5:00 AM - 5:30 AM");
        await s.ScreenshotAsync("26-zone-toronto");

        // The visitor looks for Sydney in the list and chooses it.
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "‹ Choose another day" }).ClickAsync();
        await s.Page.Locator("#change-zone").ClickAsync();
        await s.Page.GetByLabel("Show times in").FillAsync("sydney");
        var list = s.Page.GetByRole(AriaRole.Listbox, new() { Name = "Time zones" });
        await Expect(list.Locator("option")).ToHaveTextAsync(["Australia/Sydney (GMT+11:00)"]);
        await s.ScreenshotAsync("27-zone-picker");
        await list.SelectOptionAsync("Australia/Sydney");

        await Expect(s.Page.Locator("#timezone")).ToHaveTextAsync("Australia/Sydney");
        await Expect(s.Page.Locator("#zone-picker")).ToBeHiddenAsync();
        // Days and times are drawn again: London's Tuesday 10:00 is 9:00 PM on the Sydney Tuesday.
        var sydneyDay = In(Sydney, tuesdayTen, "yyyy-MM-dd");
        await s.Calendar.Locator($"button[data-date='{sydneyDay}']").ClickAsync();
        await Expect(s.Page.Locator("#day-heading")).ToHaveTextAsync(In(Sydney, tuesdayTen, "dddd, MMMM d"));
        var expected = slots.Where(x => In(Sydney, x.Start, "yyyy-MM-dd") == sydneyDay)
            .Select(x => $"{In(Sydney, x.Start, "h:mm tt")} - {In(Sydney, x.End, "h:mm tt")}").ToArray();
        Assert.Contains("9:00 PM - 9:30 PM", expected);
        await Expect(s.Times).ToHaveTextAsync(expected);
        await s.ScreenshotAsync("28-zone-sydney");

        // Chosen times are booked as the instants they are, and the choice is remembered with the booking data.
        await s.Times.GetByText("9:00 PM - 9:30 PM", new() { Exact = true }).ClickAsync();
        await Expect(s.Page.Locator("#form-heading")).ToContainTextAsync("@ 9:00 PM - 9:30 PM (Australia/Sydney)");
        Assert.Equal("Australia/Sydney", (await s.LocalStorageJsonAsync("call_data"))!["timezone"]!.GetValue<string>());
        await s.Page.ReloadAsync();
        await Expect(s.Page.Locator("#timezone")).ToHaveTextAsync("Australia/Sydney");
        await s.Calendar.Locator($"button[data-date='{sydneyDay}']").ClickAsync();
        await Expect(s.Times).ToHaveTextAsync(expected);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>
/// Issue 16: a visitor in Toronto reschedules and cancels their own call from the link in the Google invitation, and
/// reads the booker's times in a time zone they choose. Hermes runs as the sandbox (simulated Google and Pipedrive).
/// </summary>
[Collection(BrowserCollection.Name)]
public partial class ManageBookingTests(BrowserFixture browser)
{
    static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    /// <summary>Books Amelia through the booker page as the Toronto visitor; answers the slot.</summary>
    static async Task<(DateTimeOffset Start, DateTimeOffset End)> BookThroughThePageAsync(BookerSession s, Admin amelia)
    {
        var slot = (await s.SlotsAsync(amelia))[1];
        await s.OpenBookerAsync(amelia.Id, "rb=1");
        await s.ChooseSlotAsync(slot);
        await s.FillSalesFormAsync();
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();
        await Expect(s.Page.Locator("#callbooked-success")).ToContainTextAsync("Thanks for booking with us!");
        return slot;
    }

    /// <summary>The manage link as the prospect finds it: in the description of the Google invitation.</summary>
    static string LinkInInvitation(BookerSession s, Admin admin)
    {
        var description = s.Google.Events(admin.Username).Single(e => e["status"]!.GetValue<string>() == "confirmed")["description"]!.GetValue<string>();
        var match = ManageHref().Match(description);
        Assert.True(match.Success, description);
        return match.Groups[1].Value.Replace("&amp;", "&");
    }

    static string When((DateTimeOffset Start, DateTimeOffset End) slot) =>
        $"{BookerSession.TorontoDay(slot.Start)}, {BookerSession.TorontoTime(slot.Start)} - {BookerSession.TorontoTime(slot.End)}";

    static async Task<Meeting> MeetingAsync(BookerSession s)
    {
        await using var db = s.Hermes.Db();
        return await db.Meetings.AsNoTracking().SingleAsync();
    }

    [Fact]
    public async Task Reschedule__A_Toronto_visitor_moves_their_call_from_the_link_in_the_Google_invitation()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var booked = await BookThroughThePageAsync(s, amelia);
        var link = LinkInInvitation(s, amelia);
        // The same link is on the success screen.
        await Expect(s.Page.Locator("#manage-link")).ToHaveAttributeAsync("href", link);
        await s.ScreenshotAsync("20-booked-with-manage-link");
        var created = s.Google.Events(amelia.Username).Single();
        await s.Hermes.RunJobsAsync(); // the booking's Pipedrive sync: the activity exists

        await s.Page.GotoAsync(link);
        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your call with Amelia Hart");
        await Expect(s.Page.Locator("#when")).ToHaveTextAsync(When(booked));
        await Expect(s.Page.Locator("#timezone")).ToHaveTextAsync("America/Toronto");
        await s.ScreenshotAsync("21-manage");

        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        var slots = await s.SlotsAsync(amelia);
        var to = slots.First(x => BookerSession.TorontoDayKey(x.Start) != BookerSession.TorontoDayKey(booked.Start) && x.Start > booked.Start);
        await s.ChooseDayAsync(to.Start);
        await s.ScreenshotAsync("22-manage-times");
        await s.Times.GetByText($"{BookerSession.TorontoTime(to.Start)} - {BookerSession.TorontoTime(to.End)}", new() { Exact = true }).ClickAsync();
        await Expect(s.Page.Locator("#confirm-text")).ToContainTextAsync($"will move to {When(to)} (America/Toronto)");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Move call" }).ClickAsync();

        await Expect(s.Page.Locator("#done-heading")).ToHaveTextAsync("Your call is moved");
        await Expect(s.Page.Locator("#done-text")).ToHaveTextAsync(
            $"Your call with Amelia Hart is now on {BookerSession.TorontoDay(to.Start)} at {BookerSession.TorontoTime(to.Start)} (America/Toronto). " +
            "We've sent the updated invitation; the video call link is the same.");
        await s.ScreenshotAsync("23-manage-moved");

        // Google: the same event at the new time, Meet link kept, and the invitation's link is the one for the new time,
        // which the page now shows in its address.
        var ev = s.Google.Events(amelia.Username).Single();
        Assert.Equal((created["id"]!.GetValue<string>(), created["hangoutLink"]!.GetValue<string>(), to.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")),
            (ev["id"]!.GetValue<string>(), ev["hangoutLink"]!.GetValue<string>(), ev["start"]!["dateTime"]!.GetValue<string>()));
        var newLink = LinkInInvitation(s, amelia);
        Assert.NotEqual(link, newLink);
        Assert.Equal(newLink, s.Page.Url);
        // Hermes and (after the job) Pipedrive.
        var meeting = await MeetingAsync(s);
        Assert.Equal((to.Start.UtcDateTime, to.End.UtcDateTime, Meeting.StatusPlanned), (meeting.StartTime!.Value, meeting.EndTime!.Value, meeting.Status));
        await s.Hermes.RunJobsAsync();
        var activity = s.Pipedrive.Get("activity", meeting.PdActivityId!.Value)!;
        Assert.Equal((to.Start.UtcDateTime.ToString("yyyy-MM-dd"), to.Start.UtcDateTime.ToString("HH:mm"), false),
            (activity["due_date"]!.GetValue<string>(), activity["due_time"]!.GetValue<string>(), activity["done"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Cancel__A_Toronto_visitor_cancels_their_call_from_the_link_in_the_Google_invitation()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var booked = await BookThroughThePageAsync(s, amelia);
        await s.Hermes.RunJobsAsync();
        var link = LinkInInvitation(s, amelia);

        await s.Page.GotoAsync(link);
        await Expect(s.Page.Locator("#when")).ToHaveTextAsync(When(booked));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel call" }).ClickAsync();
        await s.Page.GetByLabel("Reason").FillAsync("We found another time with our team");
        await s.ScreenshotAsync("24-manage-cancel");
        await s.Page.Locator("#confirm-cancel").ClickAsync();

        await Expect(s.Page.Locator("#done-heading")).ToHaveTextAsync("Your call is cancelled");
        await Expect(s.Page.Locator("#done-text")).ToHaveTextAsync(
            $"Your call with Amelia Hart on {BookerSession.TorontoDay(booked.Start)} at {BookerSession.TorontoTime(booked.Start)} (America/Toronto) is cancelled, " +
            "and we've let them know. Thank you for telling us.");
        await Expect(s.Page.GetByRole(AriaRole.Link, new() { Name = "Book a new call" })).ToHaveAttributeAsync("href", $"/book-a-call/{amelia.Id}/");
        await s.ScreenshotAsync("25-manage-cancelled");

        Assert.Equal("cancelled", s.Google.Events(amelia.Username).Single()["status"]!.GetValue<string>());
        var meeting = await MeetingAsync(s);
        Assert.Equal(Meeting.StatusCanceled, meeting.Status);
        await s.Hermes.RunJobsAsync();
        var activity = s.Pipedrive.Get("activity", meeting.PdActivityId!.Value)!;
        Assert.True(activity["done"]!.GetValue<bool>());
        Assert.EndsWith(": We found another time with our team</p>", activity["note"]!.GetValue<string>());
        // The slot is free again, and the link now says the call was cancelled.
        Assert.Contains(booked, await s.SlotsAsync(amelia));
        await s.Page.ReloadAsync();
        await Expect(s.Page.Locator("#state-message")).ToHaveTextAsync("This call was cancelled. Book a new call.");
        await Expect(s.Page.Locator("#actions")).ToBeHiddenAsync();
    }

    [GeneratedRegex("href=\"([^\"]*/book-a-call/manage/[^\"]*)\"")]
    private static partial Regex ManageHref();
}

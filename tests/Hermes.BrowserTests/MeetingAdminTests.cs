using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Hermes.BrowserTests.Website;
using Hermes.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

/// <summary>Issue 16: staff see a meeting's status and history, and reschedule or cancel it from the admin UI.</summary>
[Collection(BrowserCollection.Name)]
public class MeetingAdminTests(BrowserFixture browser)
{
    static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    [Fact]
    public async Task Meetings__Staff_see_a_meetings_history_and_reschedule_and_cancel_it_through_the_same_rules()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slots = await s.SlotsAsync(amelia);
        // The prospect books, then moves the call with their link.
        var booking = await s.Hermes.Http.PostAsJsonAsync("/callbooker/sales/book/", new JsonObject
        {
            ["admin_id"] = amelia.Id, ["name"] = "Jane Doe", ["email"] = "jane@example.com", ["company_name"] = "Doe Tutors", ["country"] = "CA",
            ["estimated_income"] = "$0 - $70,000", ["currency"] = "CAD", ["price_plan"] = "payg", ["meeting_dt"] = slots[0].Start.UtcDateTime.ToString("O"),
        });
        booking.EnsureSuccessStatusCode();
        var link = new Uri(booking.Headers.GetValues("Hermes-Manage-Link").Single());
        var moved = await s.Hermes.Http.PostAsJsonAsync($"/callbooker/meetings/{link.Segments[^1].Trim('/')}/reschedule/{link.Query}",
            new JsonObject { ["meeting_dt"] = slots[2].Start.UtcDateTime.ToString("O") });
        moved.EnsureSuccessStatusCode();
        await s.Hermes.RunJobsAsync(); // Pipedrive has the activity
        await SignInAsStaffAsync(s);

        await s.Page.GotoAsync("/meeting/list");
        var meeting = await MeetingAsync(s);
        await s.Page.Locator($"a[href='/meeting/{meeting.Id}']").ClickAsync();
        await Expect(s.Page).ToHaveURLAsync($"{s.Hermes.BaseAddress}meeting/{meeting.Id}");
        await Expect(s.Page.Locator("[data-testid=meeting-props] .badge")).ToHaveTextAsync("PLANNED");
        var history = s.Page.Locator("[data-testid=meeting-history] li");
        await Expect(history).ToHaveCountAsync(2);
        await Expect(history.Nth(0)).ToContainTextAsync($"for {Utc(slots[0].Start)}");
        await Expect(history.Nth(1)).ToContainTextAsync($"by the prospect (manage link) from {Utc(slots[0].Start)}");
        await Expect(history.Nth(1)).ToContainTextAsync($"to {Utc(slots[2].Start)}");
        await Expect(s.Page.Locator("#manage-link")).ToHaveValueAsync(LinkFor(s, meeting.Id));
        await AdminSession.SaveScreenshotAsync(s.Page, "meetings/01-meeting-history");

        // Staff move it; a time the admin is busy is refused with the booker's message, as for the prospect.
        s.Google.AddBusy(amelia.Username, slots[6].Start, slots[6].End);
        await s.Page.GetByLabel("New start (UTC)").FillAsync(slots[6].Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        await Expect(s.Page.Locator("[data-testid=meeting-error]")).ToHaveTextAsync("Admin is not free at this time.");
        await s.Page.GetByLabel("New start (UTC)").FillAsync(slots[4].Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        await Expect(s.Page.Locator(".flash")).ToContainTextAsync($"Moved to {Utc(slots[4].Start)}.");
        await Expect(history.Nth(2)).ToContainTextAsync($"by Brain Jones <staff@example.com> from {Utc(slots[2].Start)}");
        Assert.Equal(slots[4].Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), s.Google.Events(amelia.Username).Single()["start"]!["dateTime"]!.GetValue<string>());

        // Staff cancel it with a reason.
        s.Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await s.Page.GetByLabel("Reason (optional)").FillAsync("Booked twice by mistake");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel meeting" }).ClickAsync();
        await Expect(s.Page.Locator(".flash")).ToContainTextAsync("Cancelled. Google has told the guests");
        await Expect(s.Page.Locator("[data-testid=meeting-props] .badge")).ToHaveTextAsync("CANCELED");
        await Expect(history.Nth(3)).ToContainTextAsync("by Brain Jones <staff@example.com>: Booked twice by mistake");
        await Expect(s.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel meeting" })).ToHaveCountAsync(0);
        await AdminSession.SaveScreenshotAsync(s.Page, "meetings/02-meeting-cancelled");
        Assert.Equal("cancelled", s.Google.Events(amelia.Username).Single()["status"]!.GetValue<string>());
        Assert.Equal(Meeting.StatusCanceled, (await MeetingAsync(s)).Status);

        await s.Hermes.RunJobsAsync();
        var activity = s.Pipedrive.Get("activity", (await MeetingAsync(s)).PdActivityId!.Value)!;
        Assert.True(activity["done"]!.GetValue<bool>());
        Assert.Contains("Cancelled by Brain Jones &lt;staff@example.com&gt;", activity["note"]!.GetValue<string>());
    }

    static string LinkFor(BookerSession s, int meetingId)
    {
        using var db = s.Hermes.Db();
        var start = db.Meetings.AsNoTracking().Single(m => m.Id == meetingId).StartTime!.Value;
        var links = (Hermes.CallBooker.ManageLinks)s.Hermes.App.Services.GetService(typeof(Hermes.CallBooker.ManageLinks))!;
        return links.Url(meetingId, start);
    }

    static async Task<Meeting> MeetingAsync(BookerSession s)
    {
        await using var db = s.Hermes.Db();
        return await db.Meetings.AsNoTracking().SingleAsync();
    }

    /// <summary>A member of staff with a password, signed in through the login form.</summary>
    static async Task SignInAsStaffAsync(BookerSession s)
    {
        var staff = new Admin { Username = "staff@example.com", FirstName = "Brain", LastName = "Jones", Timezone = "Europe/London" };
        staff.Password = new PasswordHasher<Admin>().HashPassword(staff, AdminSession.Password);
        await using (var db = s.Hermes.Db())
        {
            db.Admins.Add(staff);
            await db.SaveChangesAsync();
        }
        await s.Page.GotoAsync("/login");
        await s.Page.GetByLabel("Email").FillAsync(staff.Username);
        await s.Page.GetByLabel("Password").FillAsync(AdminSession.Password);
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(s.Hermes.BaseAddress.ToString());
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Sandbox;
using static Hermes.Tests.CallBooker.ManageKit;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>A prospect cancels their call: Google, Hermes and (by a job) Pipedrive follow; doing it twice changes nothing.</summary>
public class CancelTests
{
    [Fact]
    public async Task Cancelling_cancels_the_Google_event_marks_the_meeting_CANCELED_and_frees_the_slot()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        // 10:00 in London, the admin's first slot of the day.
        var start = Availability.ToUtc(DateOnly.FromDateTime(w.WeekdayAt(3, 12)), new TimeOnly(10, 0), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        var booked = await w.BookAsync(admin, start);
        var company = (await w.CompaniesAsync()).Single();
        var range = $"admin_id={admin.Id}&start_dt={Uri.EscapeDataString(Iso(start.AddHours(-1)))}&end_dt={Uri.EscapeDataString(Iso(start.AddHours(1)))}";
        var slotsBefore = await w.Hermes.Http.GetStringAsync($"/callbooker/availability/?{range}");

        await AssertJson(await w.Cancel(booked.Id, booked.S, "Something came up"), HttpStatusCode.OK, Ok);

        Assert.Equal($"DELETE /calendar/v3/calendars/climan@example.com/events/{booked.EventId}?sendUpdates=all", w.Sim.Google.Requests.Single("DELETE").ToString());
        Assert.Equal("cancelled", w.Sim.Google.Events("climan@example.com").Single()["status"]!.GetValue<string>());
        Assert.Equal("CANCELED", (await w.MeetingsAsync()).Single().Status);
        Assert.Equal([new ChangeRow(booked.Id, "cancelled", start, null, "Something came up", "prospect")], await w.ChangesAsync());
        Assert.Equal([CompanySync(company.Id), MeetingSync(booked.Id, company.Id),
            ("pipedrive.update_meeting", $$"""{"meetingId":{{booked.Id}},"companyId":{{company.Id}}}""", $"company:{company.Id}", "pending")], await w.JobsAsync());
        // The slot is offered again.
        Assert.DoesNotContain(Iso(start), slotsBefore);
        Assert.Contains($"[\"{Iso(start)}\",\"{Iso(start.AddMinutes(30))}\"]", await w.Hermes.Http.GetStringAsync($"/callbooker/availability/?{range}"));
        // The page says so, and the call can't be moved any more.
        await AssertJson(await w.GetMeeting(booked.Id, booked.S), HttpStatusCode.OK, MeetingJson(booked.Id, start, admin, status: "CANCELED", message: MeetingManagement.Cancelled));
        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddDays(1)), HttpStatusCode.BadRequest, Error(MeetingManagement.Cancelled));
    }

    [Fact]
    public async Task A_second_cancel_changes_nothing()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var booked = await w.BookAsync(admin, w.WeekdayAt(3, 10));
        await AssertJson(await w.Cancel(booked.Id, booked.S), HttpStatusCode.OK, Ok);
        var after = await w.ManageSnapshotAsync();
        var googleRequests = w.Sim.Google.Requests.Count;

        await AssertJson(await w.Cancel(booked.Id, booked.S, "again"), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Cancel(booked.Id, booked.S.ToUpperInvariant()), HttpStatusCode.OK, Ok);

        Assert.Equal(after, await w.ManageSnapshotAsync());
        Assert.Equal(googleRequests, w.Sim.Google.Requests.Count);
        Assert.Single(await w.ChangesAsync());
    }

    [Fact]
    public async Task A_cancelled_call_lets_the_same_prospect_book_the_same_time_again()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        await AssertJson(await w.Cancel(booked.Id, booked.S), HttpStatusCode.OK, Ok);

        var again = await w.BookAsync(admin, start);

        Assert.Equal([(booked.Id, "CANCELED"), (again.Id, "PLANNED")], (await w.MeetingsAsync()).Select(m => (m.Id, m.Status)));
        Assert.Equal(["cancelled", "confirmed"], w.Sim.Google.Events("climan@example.com").Select(e => e["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_event_the_admin_already_deleted_in_Google_is_cancelled_in_Hermes_all_the_same()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var booked = await w.BookAsync(admin, w.WeekdayAt(3, 10));
        w.Sim.Google.CancelEvent("climan@example.com", booked.EventId);

        await AssertJson(await w.Cancel(booked.Id, booked.S), HttpStatusCode.OK, Ok);

        Assert.Single(w.Sim.Google.Requests.Matching("DELETE")); // answered 410 Gone: already deleted
        Assert.Equal("CANCELED", (await w.MeetingsAsync()).Single().Status);
    }

    /// <summary>The token request and the event delete.</summary>
    public static TheoryData<string> GoogleFailures => new() { "/token", "/calendar/v3/calendars/*/events/*" };

    [Theory]
    [MemberData(nameof(GoogleFailures))]
    public async Task When_Google_fails_a_cancel_changes_nothing_and_can_be_tried_again(string path)
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var booked = await w.BookAsync(admin, w.WeekdayAt(3, 10));
        var before = await w.ManageSnapshotAsync();
        if (path == "/token") w.Clock.Advance(TimeSpan.FromHours(2));
        w.Sim.Google.Faults.Next(10, Fault.ServerError(500), path);

        await AssertJson(await w.Cancel(booked.Id, booked.S, "sorry"), HttpStatusCode.BadGateway,
            Error("The call could not be cancelled in the admin's Google Calendar, so nothing was changed. Please try again."));

        Assert.Equal(before, await w.ManageSnapshotAsync());
        w.Sim.Google.Faults.Clear();
        await AssertJson(await w.Cancel(booked.Id, booked.S, "sorry"), HttpStatusCode.OK, Ok);
        Assert.Equal("CANCELED", (await w.MeetingsAsync()).Single().Status);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Sandbox.Google;
using Hermes.Tests.Infrastructure;
using static Hermes.Tests.CallBooker.ManageKit;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>A prospect moves their call with the same admin: the rules of a booking, the same Google event, nothing half done.</summary>
public class RescheduleTests
{
    [Fact]
    public async Task Rescheduling_moves_the_same_Google_event_keeping_its_Meet_link_and_updates_the_meeting_and_queues_Pipedrive()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        var company = (await w.CompaniesAsync()).Single();
        var created = w.Sim.Google.Events("climan@example.com").Single();
        var moveTo = start.AddDays(1).AddHours(4);

        await AssertJson(await w.Reschedule(booked.Id, booked.S, moveTo), HttpStatusCode.OK, Ok);

        // Google: one PATCH of the same event, telling the guests, with the new times and the link for the new time.
        var patch = w.Sim.Google.Requests.Single("PATCH");
        Assert.Equal($"PATCH /calendar/v3/calendars/climan@example.com/events/{booked.EventId}?conferenceDataVersion=1&sendUpdates=all", patch.ToString());
        var body = patch.Json!.AsObject();
        Assert.Equal(["start", "end", "description"], body.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["dateTime"] = Rfc(moveTo), ["timeZone"] = "UTC" }, body["start"]));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["dateTime"] = Rfc(moveTo.AddMinutes(30)), ["timeZone"] = "UTC" }, body["end"]));
        var newLink = $"{Base}/manage/{booked.Id}/?s={w.Sign(booked.Id, moveTo)}";
        Assert.Equal(created["description"]!.GetValue<string>().Replace(booked.Url, newLink), body["description"]!.GetValue<string>());
        var ev = w.Sim.Google.Events("climan@example.com").Single();
        Assert.Equal((booked.EventId, created["hangoutLink"]!.GetValue<string>(), Rfc(moveTo), "confirmed", 1),
            (ev["id"]!.GetValue<string>(), ev["hangoutLink"]!.GetValue<string>(), ev["start"]!["dateTime"]!.GetValue<string>(), ev["status"]!.GetValue<string>(), ev["sequence"]!.GetValue<int>()));
        Assert.True(JsonNode.DeepEquals(created["conferenceData"], ev["conferenceData"]));
        Assert.True(JsonNode.DeepEquals(created["attendees"], ev["attendees"]));

        // Hermes: the meeting's times, its history, and the Pipedrive update queued after the booking's jobs.
        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal((moveTo, (DateTime?)moveTo.AddMinutes(30), "PLANNED"), (meeting.Start!.Value, meeting.End, meeting.Status));
        Assert.Equal([new ChangeRow(booked.Id, "rescheduled", start, moveTo, null, "prospect")], await w.ChangesAsync());
        Assert.Equal([CompanySync(company.Id), MeetingSync(booked.Id, company.Id),
            ("pipedrive.update_meeting", $$"""{"meetingId":{{booked.Id}},"companyId":{{company.Id}}}""", $"company:{company.Id}", "pending")], await w.JobsAsync());

        // The old time is free in the admin's calendar, the new one busy.
        Assert.Equal([(new DateTimeOffset(moveTo), new DateTimeOffset(moveTo.AddMinutes(30)))], w.Sim.Google.BusyPeriods("climan@example.com"));
        // Moving it to where it already is changes nothing.
        await AssertJson(await w.Reschedule(booked.Id, w.Sign(booked.Id, moveTo), moveTo), HttpStatusCode.OK, Ok);
        Assert.Single(w.Sim.Google.Requests.Matching("PATCH"));
        Assert.Single(await w.ChangesAsync());
    }

    [Fact]
    public async Task Rescheduling_to_a_time_the_admin_is_busy_is_refused_in_Google_or_in_Hermes()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        var other = await w.BookAsync(admin, start.AddDays(1), b => { b["email"] = "ann@other.com"; b["name"] = "Ann Other"; b["company_name"] = "Other Ltd"; });
        var busy = start.AddDays(2);
        w.Sim.Google.AddBusy("climan@example.com", busy, busy.AddHours(1));
        var before = await w.ManageSnapshotAsync();

        // Google busy (touching its end counts), another meeting of the admin in Hermes, the admin's other event.
        foreach (var time in new[] { busy.AddMinutes(15), busy.AddHours(1), busy.AddMinutes(-30), start.AddDays(1).AddMinutes(15) })
            await AssertJson(await w.Reschedule(booked.Id, booked.S, time), HttpStatusCode.BadRequest, Error(BookingService.AdminNotFree));

        Assert.Equal(before, await w.ManageSnapshotAsync());
        Assert.Empty(w.Sim.Google.Requests.Matching("PATCH"));
        // Its own time is no obstacle: a quarter of an hour later overlaps only itself.
        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddMinutes(15)), HttpStatusCode.OK, Ok);
        Assert.Equal(other.Id, (await w.MeetingsAsync()).Single(m => m.Start == start.AddDays(1)).Id);
    }

    [Fact]
    public async Task Rescheduling_to_within_two_hours_of_another_meeting_of_the_contact_is_refused_unless_that_one_was_cancelled()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var ben = await w.Add(Steve(tc2AdminId: 21, username: "ben@example.com"));
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        // The same contact booked a second call, with another admin, the next day.
        var second = await w.BookAsync(ben, start.AddDays(1));
        var before = await w.ManageSnapshotAsync();

        foreach (var time in new[] { start.AddDays(1).AddHours(2), start.AddDays(1).AddHours(-2), start.AddDays(1).AddMinutes(30) })
            await AssertJson(await w.Reschedule(booked.Id, booked.S, time), HttpStatusCode.BadRequest, Error(BookingService.AlreadyBooked));
        Assert.Equal(before, await w.ManageSnapshotAsync());

        // Two hours and a minute away is fine; and once the other call is cancelled it no longer counts.
        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddDays(1).AddHours(2).AddMinutes(1)), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Cancel(second.Id, second.S), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Reschedule(booked.Id, w.Sign(booked.Id, start.AddDays(1).AddHours(2).AddMinutes(1)), start.AddDays(1).AddMinutes(30)), HttpStatusCode.OK, Ok);
    }

    [Fact]
    public async Task A_sales_call_moves_to_two_hours_ahead_at_the_earliest_and_a_support_call_to_fifteen_minutes()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var company = await w.Add(new Company { Name = "Julies Ltd", Created = w.Now, SalesPersonId = admin.Id });
        var sales = await w.BookAsync(admin, w.WeekdayAt(3, 10));
        var support = await w.BookAsync(admin, w.WeekdayAt(3, 14), type: "support", companyId: company.Id, change: b => b["email"] = "sam@julies.com");

        await AssertJson(await w.Reschedule(sales.Id, sales.S, w.Now.AddHours(2).AddMinutes(-1)), HttpStatusCode.BadRequest,
            Error("Please choose a time at least 2 hours from now."));
        await AssertJson(await w.Reschedule(support.Id, support.S, w.Now.AddMinutes(14)), HttpStatusCode.BadRequest,
            Error("Please choose a time at least 15 minutes from now."));
        Assert.Empty(w.Sim.Google.Requests.Matching("PATCH"));

        await AssertJson(await w.Reschedule(sales.Id, sales.S, w.Now.AddHours(2)), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Reschedule(support.Id, support.S, w.Now.AddMinutes(15)), HttpStatusCode.OK, Ok);
    }

    /// <summary>The token request, the free/busy check and the event patch.</summary>
    public static TheoryData<string> GoogleFailures => new() { "/token", "/calendar/v3/freeBusy", "/calendar/v3/calendars/*/events/*" };

    [Theory]
    [MemberData(nameof(GoogleFailures))]
    public async Task When_Google_fails_a_reschedule_changes_nothing_and_can_be_tried_again(string path)
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        var before = await w.ManageSnapshotAsync();
        // The cached token would skip the token endpoint: move past its life so a new one is asked for.
        if (path == "/token") w.Clock.Advance(TimeSpan.FromHours(2));
        w.Sim.Google.Faults.Next(10, Fault.ServerError(503), path);

        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddDays(1)), HttpStatusCode.BadGateway,
            Error("The call could not be moved in the admin's Google Calendar, so nothing was changed. Please try again."));

        Assert.Equal(before, await w.ManageSnapshotAsync());
        Assert.Contains(w.Sim.Google.Requests.All, r => r.Fault is not null);
        w.Sim.Google.Faults.Clear();
        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddDays(1)), HttpStatusCode.OK, Ok);
        Assert.Equal(start.AddDays(1), (await w.MeetingsAsync()).Single().Start);
    }

    [Fact]
    public async Task An_event_deleted_in_Google_by_hand_cannot_be_moved_and_the_prospect_is_told_whom_to_contact()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        Assert.True(w.Sim.Google.CancelEvent("climan@example.com", booked.EventId)); // the admin deleted it in Google Calendar
        var before = await w.SnapshotAsync();

        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddDays(1)), HttpStatusCode.BadRequest,
            Error("This call's calendar event no longer exists, so it can't be changed online. Please contact Steve Jobs (climan@example.com)."));
        Assert.Equal(before, await w.SnapshotAsync());
    }

    [Fact]
    public async Task A_reschedule_and_a_new_booking_of_the_same_slot_at_once_through_two_Hermes_processes_exactly_one_gets_it()
    {
        var sim = await BookerWorld.StartSimulatorsAsync();
        var db = await TestDatabase.CreateAsync();
        await using var a = await BookerWorld.StartAsync(db: db, sim: sim);
        await using var b = await BookerWorld.StartAsync(db: db, sim: sim, clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(a.Clock.GetUtcNow()));
        var admin = await a.Add(Steve());
        var random = new Random(1616);
        for (var round = 0; round < 6; round++)
        {
            var start = a.WeekdayAt(3, 10).AddDays(7 * round); // a week apart, so no round meets another's rules
            var slot = start.AddHours(4);
            var booked = await a.BookAsync(admin, start, x => { x["email"] = $"first{round}@junes.com"; x["name"] = "First Person"; });
            var newcomer = SalesBody(admin, slot, x => { x["email"] = $"second{round}@holland.com"; x["name"] = "Jules Holland"; x["company_name"] = $"Holland {round}"; });
            // Which process serves which request, and which is sent first, varies by round (seeded).
            var (rescheduler, booker) = random.Next(2) == 0 ? (a, b) : (b, a);
            var sends = new List<Func<Task<HttpResponseMessage>>> { () => rescheduler.Reschedule(booked.Id, booked.S, slot), () => booker.Post("/callbooker/sales/book/", newcomer) };
            if (random.Next(2) == 0) sends.Reverse();
            var responses = await Task.WhenAll(sends.Select(send => Task.Run(send)));

            var outcomes = (await Task.WhenAll(responses.Select(async r => ((int)r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync())!.ToJsonString())))).Order().ToList();
            Assert.Equal([(200, Ok), (400, Error(BookingService.AdminNotFree))], outcomes);
            // Exactly one live meeting and one live event at the slot: either the moved one or the new one.
            var atSlot = (await a.MeetingsAsync()).Where(m => m.Start == slot && m.Status == "PLANNED").ToList();
            Assert.Single(atSlot);
            var live = sim.Google.Events("climan@example.com").Where(e => e["status"]!.GetValue<string>() == "confirmed" && e["start"]!["dateTime"]!.GetValue<string>() == Rfc(slot));
            Assert.Single(live);
            var moved = atSlot[0].Id == booked.Id;
            Assert.Equal(moved ? 0 : 1, (await a.MeetingsAsync()).Count(m => m.Start == start));
        }
        await sim.DisposeAsync();
    }
}

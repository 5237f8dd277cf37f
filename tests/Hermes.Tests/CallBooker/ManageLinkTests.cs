using System.Net;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Domain;
using static Hermes.Tests.CallBooker.ManageKit;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>The prospect's manage link: where it is given, what it shows, and when it is refused.</summary>
public class ManageLinkTests
{
    [Fact]
    public async Task A_booking_gives_its_manage_link_in_a_header_and_in_the_invitation_and_keeps_the_Google_event_id()
    {
        await using var w = await BookerWorld.StartAsync(s => s["CORS_ORIGINS"] = "https://tutorcruncher.com");
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);

        var booked = await w.BookAsync(admin, start);

        Assert.Equal($"{Base}/manage/{booked.Id}/?s={w.Sign(booked.Id, start)}", booked.Url);
        Assert.Matches("^[0-9a-f]{64}$", booked.S);
        var ev = Assert.Single(w.Sim.Google.Events("climan@example.com"));
        Assert.Equal(ev["id"]!.GetValue<string>(), booked.EventId);
        Assert.Contains($"Can't make it? <a href=\"{booked.Url}\" target=\"_blank\">Reschedule or cancel the call</a>.", ev["description"]!.GetValue<string>());
        // The website can read the header across origins.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/callbooker/sales/book/")
        {
            Content = new StringContent(Rows.SalesBody(admin, start.AddHours(3), b => b["email"] = "ann@junes.com").ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", "https://tutorcruncher.com");
        var cors = await w.Hermes.Http.SendAsync(request);
        Assert.Equal(ManageEndpoints.ManageLinkHeader, Assert.Single(cors.Headers.GetValues("Access-Control-Expose-Headers")));
    }

    [Fact]
    public async Task The_manage_link_shows_who_and_when_and_that_the_call_can_be_changed()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);

        await AssertJson(await w.GetMeeting(booked.Id, booked.S), HttpStatusCode.OK, MeetingJson(booked.Id, start, admin, manageUrl: booked.Url));
    }

    [Fact]
    public async Task A_wrong_signature_or_one_made_for_another_meeting_is_refused_and_changes_nothing()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var first = await w.BookAsync(admin, start);
        var second = await w.BookAsync(admin, start.AddHours(4), b => { b["email"] = "ann@other.com"; b["name"] = "Ann Other"; b["company_name"] = "Other Ltd"; });
        var before = await w.ManageSnapshotAsync();
        var googleRequests = w.Sim.Google.Requests.Count;

        var wrong = first.S[..^4] + (first.S.EndsWith("aaaa") ? "bbbb" : "aaaa");
        foreach (var (id, s) in new[] { (first.Id, wrong), (first.Id, second.S), (second.Id, first.S), (first.Id, first.S.ToUpperInvariant() + "00"), (999, first.S) })
        {
            await AssertJson(await w.GetMeeting(id, s), HttpStatusCode.Forbidden, Error("Invalid signature"));
            await AssertJson(await w.Reschedule(id, s, start.AddDays(1)), HttpStatusCode.Forbidden, Error("Invalid signature"));
            await AssertJson(await w.Cancel(id, s, "no"), HttpStatusCode.Forbidden, Error("Invalid signature"));
        }

        Assert.Equal(before, await w.ManageSnapshotAsync());
        Assert.Equal(googleRequests, w.Sim.Google.Requests.Count);
        // The signature is not case-sensitive hex: the link still works as given, in either case.
        await AssertJson(await w.GetMeeting(first.Id, first.S.ToUpperInvariant()), HttpStatusCode.OK, MeetingJson(first.Id, start, admin, manageUrl: first.Url));
    }

    [Fact]
    public async Task A_link_expires_at_the_start_it_was_made_for_and_a_move_gives_a_new_one()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var later = start.AddDays(2);
        var booked = await w.BookAsync(admin, start);
        await AssertJson(await w.Reschedule(booked.Id, booked.S, later), HttpStatusCode.OK, Ok);
        var fresh = $"{Base}/manage/{booked.Id}/?s={w.Sign(booked.Id, later)}";

        // Before the old start, the old link still works, and tells the page the link for the new time.
        await AssertJson(await w.GetMeeting(booked.Id, booked.S), HttpStatusCode.OK, MeetingJson(booked.Id, later, admin, manageUrl: fresh));
        Assert.Contains(fresh, w.Sim.Google.Events("climan@example.com").Single()["description"]!.GetValue<string>());

        // Once the old start has passed, the old link has expired; the new one works until the meeting starts.
        w.Clock.SetUtcNow(start.AddSeconds(1));
        var newS = fresh[(fresh.IndexOf("?s=", StringComparison.Ordinal) + 3)..];
        await AssertJson(await w.GetMeeting(booked.Id, booked.S), HttpStatusCode.Forbidden, Error("Link has expired"));
        await AssertJson(await w.Cancel(booked.Id, booked.S), HttpStatusCode.Forbidden, Error("Link has expired"));
        await AssertJson(await w.GetMeeting(booked.Id, newS), HttpStatusCode.OK, MeetingJson(booked.Id, later, admin, manageUrl: fresh));
        Assert.Equal("PLANNED", (await w.MeetingsAsync()).Single().Status);
    }

    [Fact]
    public async Task Once_the_call_has_started_it_can_no_longer_be_moved_or_cancelled()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        w.Clock.SetUtcNow(start);
        var before = await w.ManageSnapshotAsync();

        await AssertJson(await w.Reschedule(booked.Id, booked.S, start.AddDays(1)), HttpStatusCode.BadRequest, Error(MeetingManagement.Started));
        await AssertJson(await w.Cancel(booked.Id, booked.S, "late"), HttpStatusCode.BadRequest, Error(MeetingManagement.Started));
        await AssertJson(await w.GetMeeting(booked.Id, booked.S), HttpStatusCode.OK, MeetingJson(booked.Id, start, admin, message: MeetingManagement.Started));

        Assert.Equal(before, await w.ManageSnapshotAsync());
        Assert.Empty(w.Sim.Google.Requests.Matching("PATCH"));
        Assert.Empty(w.Sim.Google.Requests.Matching("DELETE"));
    }

    [Fact]
    public async Task A_meeting_booked_before_adoption_has_no_Google_event_and_its_page_says_to_contact_the_admin()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var company = await w.Add(new Company { Name = "Junes Ltd", Created = w.Now, SalesPersonId = admin.Id });
        var contact = await w.Add(new Contact { CompanyId = company.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = w.Now });
        var start = w.WeekdayAt(3, 10);
        // As hermes_v2 left it: no google_event_id.
        var meeting = await w.Add(new Meeting { Created = w.Now, StartTime = start, EndTime = start.AddMinutes(30), AdminId = admin.Id, ContactId = contact.Id, MeetingType = Meeting.TypeSales });
        var s = w.Sign(meeting.Id, start);
        var before = await w.ManageSnapshotAsync();
        var contactAdmin = "This call was booked before it could be changed online. Please contact Steve Jobs (climan@example.com) to reschedule or cancel it.";

        await AssertJson(await w.GetMeeting(meeting.Id, s), HttpStatusCode.OK, MeetingJson(meeting.Id, start, admin, message: contactAdmin));
        await AssertJson(await w.Reschedule(meeting.Id, s, start.AddDays(1)), HttpStatusCode.BadRequest, Error(contactAdmin));
        await AssertJson(await w.Cancel(meeting.Id, s), HttpStatusCode.BadRequest, Error(contactAdmin));
        Assert.Equal(before, await w.ManageSnapshotAsync());
        Assert.Empty(w.Sim.Google.Requests.All);
    }

    [Fact]
    public async Task Bad_input_is_a_422_in_FastAPIs_shape_and_changes_nothing()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(admin, start);
        var before = await w.ManageSnapshotAsync();
        var s = booked.S;
        var past = Iso(w.Now.AddMinutes(-1));

        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/meetings/abc/?s={s}"), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"int_parsing","loc":["path","meeting_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}""");
        await AssertJson(await w.GetMeeting(booked.Id, null), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"missing","loc":["query","s"],"msg":"Field required","input":null}]}""");
        var reschedule = $"/callbooker/meetings/{booked.Id}/reschedule/?s={s}";
        await AssertJson(await w.Hermes.PostJson(reschedule, "{}"), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"missing","loc":["body","meeting_dt"],"msg":"Field required","input":{}}]}""");
        await AssertJson(await w.Hermes.PostJson(reschedule, """{"meeting_dt":"tomorrow"}"""), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"datetime_parsing","loc":["body","meeting_dt"],"msg":"Input should be a valid datetime: a unix timestamp, ISO 8601 (e.g. 2026-07-03T09:00:00+00:00) or 'YYYY-MM-DD HH:MM'","input":"tomorrow"}]}""");
        await AssertJson(await w.Hermes.PostJson(reschedule, $$"""{"meeting_dt":"{{past}}"}"""), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"value_error","loc":["body","meeting_dt"],"msg":"Value error, meeting_dt must be in the future","input":"PAST","ctx":{"error":{}}}]}""".Replace("PAST", past));
        await AssertJson(await w.Hermes.PostJson(reschedule, "{\"meeting_dt\":"), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"json_invalid","loc":["body","14"],"msg":"JSON decode error","input":null}]}""");
        await AssertJson(await w.Hermes.PostJson(reschedule, "[1]"), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1]}]}""");
        var cancel = $"/callbooker/meetings/{booked.Id}/cancel/?s={s}";
        await AssertJson(await w.Hermes.PostJson(cancel, """{"reason":42}"""), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"string_type","loc":["body","reason"],"msg":"Input should be a valid string","input":42}]}""");
        var essay = new string('x', 1001);
        await AssertJson(await w.Hermes.PostJson(cancel, new JsonObject { ["reason"] = essay }.ToJsonString()), HttpStatusCode.UnprocessableEntity,
            new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["type"] = "string_too_long", ["loc"] = new JsonArray("body", "reason"), ["msg"] = "String should have at most 1000 characters", ["input"] = essay }) });
        await AssertJson(await w.Hermes.PostJson(cancel, ""), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}""");

        Assert.Equal(before, await w.ManageSnapshotAsync());
        Assert.Empty(w.Sim.Google.Requests.Matching("PATCH"));
        Assert.Empty(w.Sim.Google.Requests.Matching("DELETE"));
    }
}

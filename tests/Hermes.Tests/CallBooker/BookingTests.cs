using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Tests.Infrastructure;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>Booking beyond the checklist: date forms, Google failing, and two people taking the same slot.</summary>
public class BookingTests
{
    const string Ok = """{"status":"ok"}""";
    const string NotFree = """{"status":"error","message":"Admin is not free at this time."}""";

    [Fact]
    public async Task When_several_companies_or_contacts_match_a_booking_the_lowest_id_is_used_every_time()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        await w.Hermes.SeedConfigAsync();
        var first = await w.Add(new Company { Name = "Junes Ltd", Created = w.Now, SalesPersonId = admin.Id });
        var second = await w.Add(new Company { Name = "JUNES LTD", Created = w.Now, SalesPersonId = admin.Id });
        // The same email in both companies, the older contact in the newer company.
        var older = await w.Add(new Contact { CompanyId = second.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = w.Now });
        await w.Add(new Contact { CompanyId = first.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = w.Now });
        var day = w.WeekdayAt(3, 10);

        // By email: the lowest contact id (and so its company), whatever the company's name says.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, day)), HttpStatusCode.OK, Ok);
        // By name (a new email): the lowest company id among the names that match, case aside.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, day.AddHours(3), b => { b["email"] = "ann@junes.com"; b["name"] = "Ann Other"; })),
            HttpStatusCode.OK, Ok);

        var meetings = await w.MeetingsAsync();
        var contacts = (await w.ContactsAsync()).ToDictionary(c => c.Id);
        Assert.Equal([(older.Id, second.Id), (contacts.Keys.Max(), first.Id)], meetings.Select(m => (m.ContactId, contacts[m.ContactId].CompanyId)));
        Assert.Equal(2, (await w.CompaniesAsync()).Count); // no third company
    }

    [Fact]
    public async Task Meeting_dt_accepts_unix_seconds_ISO_8601_with_or_without_offset_and_YYYY_MM_DD_HH_MM()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var day = w.WeekdayAt(3, 0);
        string D(string format) => day.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        JsonNode[] forms =
        [
            new DateTimeOffset(day.AddHours(7).AddMinutes(8)).ToUnixTimeSeconds(),  // unix seconds
            $"{D("yyyy-MM-dd")}T10:08:00.000Z",                                     // the website's toISOString()
            $"{D("yyyy-MM-dd")}T08:08:00-05:00",                                    // Toronto, converted: 13:08Z
            $"{D("yyyy-MM-dd")}T16:08",                                             // naive: UTC
            $"{D("yyyy-MM-dd")} 19:08",                                             // 'YYYY-MM-DD HH:MM'
            $"{D("yyyy-MM-dd")}T22:08:00+00:00",
        ];
        for (var i = 0; i < forms.Length; i++)
            await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, day, b => { b["meeting_dt"] = forms[i].DeepClone(); b["email"] = $"p{i}@junes.com"; b["name"] = $"Person P{i}"; })),
                HttpStatusCode.OK, Ok);

        Assert.Equal(new[] { 7, 10, 13, 16, 19, 22 }.Select(h => (DateTime?)day.AddHours(h).AddMinutes(8)), (await w.MeetingsAsync()).Select(m => m.Start));
    }

    /// <summary>The token request, the free/busy check and the event insert.</summary>
    public static TheoryData<string> GoogleFailures => new() { "/token", "/calendar/v3/freeBusy", "/calendar/v3/calendars/*/events" };

    [Theory]
    [MemberData(nameof(GoogleFailures))]
    public async Task When_Google_fails_the_meeting_is_not_kept_and_nothing_else_is_written(string path)
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        await w.Hermes.SeedConfigAsync();
        var meeting = w.WeekdayAt(2, 10);
        var before = await w.SnapshotAsync();
        // Google.Apis.Auth retries a failed token request itself: keep failing until told otherwise.
        w.Sim.Google.Faults.Next(10, Fault.ServerError(500), path);

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, meeting)), HttpStatusCode.BadGateway,
            """{"status":"error","message":"The meeting could not be added to the admin's Google Calendar, so it was not booked. Please try again."}""");

        // No company, contact, deal, meeting or job, and no event in the calendar.
        Assert.Equal(before, await w.SnapshotAsync());
        await w.Hermes.RunJobsAsync();
        Assert.Empty(w.Sim.Google.Events("climan@example.com"));
        Assert.Empty(w.Sim.Pipedrive.Requests.All);
        Assert.Equal([path], w.Sim.Google.Requests.All.Where(r => r.Fault is not null).Select(r => r.Path.Replace("climan@example.com", "*")).Distinct());

        // Trying again once Google is back books it.
        w.Sim.Google.Faults.Clear();
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, meeting)), HttpStatusCode.OK, Ok);
        Assert.Single(await w.MeetingsAsync());
        Assert.Single(w.Sim.Google.Events("climan@example.com"));
    }

    [Fact]
    public async Task When_Google_does_not_trust_the_service_account_the_caller_gets_a_clear_error()
    {
        await using var w = await BookerWorld.StartAsync(s => s["G_CLIENT_EMAIL"] = "someone-else@hermes-test.iam.gserviceaccount.com");
        var admin = await w.Add(Steve());

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, w.WeekdayAt(2, 10))), HttpStatusCode.BadGateway,
            """{"status":"error","message":"The meeting could not be added to the admin's Google Calendar, so it was not booked. Please try again."}""");
        Assert.Equal(["POST /token"], w.Sim.Google.Requests.All.Select(r => r.ToString()));
        Assert.Empty(await w.MeetingsAsync());
        Assert.Empty(await w.CompaniesAsync());
    }

    [Fact]
    public async Task Two_people_booking_the_same_admin_slot_at_once_through_two_Hermes_processes_exactly_one_gets_it()
    {
        var sim = await BookerWorld.StartSimulatorsAsync();
        var db = await TestDatabase.CreateAsync();
        await using var a = await BookerWorld.StartAsync(db: db, sim: sim);
        await using var b = await BookerWorld.StartAsync(db: db, sim: sim, clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(a.Clock.GetUtcNow()));
        var admin = await a.Add(Steve());
        await a.Hermes.SeedConfigAsync();
        var slot = a.WeekdayAt(3, 11);

        // Different people (so the two-hour rule can't decide it), the same admin and time, sent together.
        var responses = await Task.WhenAll(
            a.Post("/callbooker/sales/book/", SalesBody(admin, slot)),
            b.Post("/callbooker/sales/book/", SalesBody(admin, slot, x => { x["name"] = "Jules Holland"; x["email"] = "jules@holland.com"; x["company_name"] = "Holland Ltd"; })));

        var outcomes = await Task.WhenAll(responses.Select(async r => ((int)r.StatusCode, await r.Content.ReadAsStringAsync())));
        Assert.Equal([(200, Ok), (400, NotFree)], outcomes.OrderBy(o => o.Item1).Select(o => (o.Item1, JsonNode.Parse(o.Item2)!.ToJsonString())));
        var meeting = Assert.Single(await a.MeetingsAsync());
        Assert.Equal((slot, (DateTime?)slot.AddMinutes(30)), (meeting.Start!.Value, meeting.End));
        Assert.Single(sim.Google.Events("climan@example.com"));
        // Only the winner's rows and jobs exist.
        var company = Assert.Single(await a.CompaniesAsync());
        Assert.Equal([CompanySync(company.Id), MeetingSync(meeting.Id, company.Id)], await a.JobsAsync());
        await sim.DisposeAsync();
    }

    [Fact]
    public async Task Booking_a_slot_someone_has_just_taken_is_refused_even_before_Google_shows_it()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var slot = w.WeekdayAt(3, 11);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, slot)), HttpStatusCode.OK, Ok);
        // Google hasn't caught up (the event was deleted there, or is not visible yet): Hermes's own record still refuses.
        w.Sim.Reset();
        var before = await w.SnapshotAsync();

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, slot.AddMinutes(15), b => { b["email"] = "x@y.com"; b["name"] = "Xavier Y"; b["company_name"] = "Y Ltd"; })),
            HttpStatusCode.BadRequest, NotFree);
        Assert.Equal(before, await w.SnapshotAsync());
        await w.Hermes.RunJobsAsync(); // the first booking's jobs: Pipedrive's, never Google's
        Assert.Empty(w.Sim.Google.Requests.All);
    }

    [Fact]
    public async Task A_sales_booking_sooner_than_2_hours_ahead_is_refused_with_a_clear_400_and_changes_nothing()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        await w.Hermes.SeedConfigAsync();
        var before = await w.SnapshotAsync();

        // One hour ahead (a visitor who kept the page open, or a caller that skips the booker): refused before Google is asked.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, w.Now.AddHours(1))), HttpStatusCode.BadRequest,
            """{"status":"error","message":"Sales calls must be booked at least 2 hours ahead. Please choose a later time."}""");
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, w.Now.AddHours(2).AddMinutes(-1))), HttpStatusCode.BadRequest,
            """{"status":"error","message":"Sales calls must be booked at least 2 hours ahead. Please choose a later time."}""");
        Assert.Equal(before, await w.SnapshotAsync());
        await w.Hermes.RunJobsAsync();
        Assert.Empty(w.Sim.Google.Requests.All);
        Assert.Empty(w.Sim.Pipedrive.Requests.All);

        // Two hours ahead is fine.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(admin, w.Now.AddHours(2))), HttpStatusCode.OK, Ok);
        Assert.Single(await w.MeetingsAsync());
    }

    [Fact]
    public async Task An_express_support_booking_20_minutes_ahead_is_accepted__and_one_sooner_than_15_minutes_is_refused()
    {
        await using var w = await BookerWorld.StartAsync();
        await w.Hermes.SeedConfigAsync();
        var support = await w.Add(new Admin { FirstName = "Sue", LastName = "Port", Username = "sue@tc.com", IsSupportPerson = true, Timezone = "Europe/London" });
        var sales = await w.Add(Steve());
        var company = await w.Add(new Company { Name = "Julies Ltd", Tc2CligencyId = 10, Created = w.Now, SalesPersonId = sales.Id });

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(support, company.Id, w.Now.AddMinutes(14))), HttpStatusCode.BadRequest,
            """{"status":"error","message":"Calls must be booked at least 15 minutes ahead. Please choose a later time."}""");
        Assert.Empty(await w.MeetingsAsync());

        var start = w.Now.AddMinutes(20);
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(support, company.Id, start)), HttpStatusCode.OK, Ok);
        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal(((DateTime?)start, "support"), (meeting.Start, meeting.Type));
        Assert.Single(w.Sim.Google.Events("sue@tc.com"));
    }
}

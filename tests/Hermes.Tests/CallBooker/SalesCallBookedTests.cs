using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>seed/workflows.md, "Actions from the Callbooker" → "Sales call booked": one test per checkbox.</summary>
public partial class SalesCallBookedTests
{
    const string Ok = """{"status":"ok"}""";
    const string AlreadyBooked = """{"status":"error","message":"You already have a meeting booked around this time."}""";
    const string NotFree = """{"status":"error","message":"Admin is not free at this time."}""";

    sealed record Setup(BookerWorld World, Admin Admin, Pipeline Payg, Pipeline Startup, Pipeline Enterprise) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => World.DisposeAsync();
    }

    static async Task<Setup> StartAsync()
    {
        var world = await BookerWorld.StartAsync();
        var admin = await world.Add(Steve());
        var (_, payg, startup, enterprise) = await world.Hermes.SeedConfigAsync();
        return new Setup(world, admin, payg, startup, enterprise);
    }

    // ---- In Hermes: Company ----

    [Fact]
    public async Task Sales_call_booked__Company__If_it_doesnt_exist_create_it_matching_on_contact_email_or_company_name__Assign_owner_from_admin()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var bdr = await w.Add(new Admin { FirstName = "Brian", LastName = "Jacques", Username = "bdr@tc.com", Tc2AdminId = 22, IsBdrPerson = true });
        var other = await w.Add(new Company { Name = "Other Ltd", Created = w.Now, SalesPersonId = bdr.Id });
        var otherContact = await w.Add(new Contact { CompanyId = other.Id, FirstName = "Ann", LastName = "Other", Email = "ann@other.com", Created = w.Now });
        var meeting = w.WeekdayAt(3, 10);

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, meeting, b =>
        {
            b["price_plan"] = "startup";
            b["bdr_person_id"] = "22";
            b["utm_campaign"] = "spring";
            b["utm_source"] = "google";
            b["phone"] = "+44 7700 900123";
            b["company_name"] = "  Junes Ltd ";
        })), HttpStatusCode.OK, Ok);

        var companies = await w.CompaniesAsync();
        var junes = companies[1].Id;
        Assert.Equal([
            other.Row(),
            new CompanyRow(junes, "Junes Ltd", s.Admin.Id, null, bdr.Id, "startup", "GB", "https://junes.com", "1000", "GBP", true, "spring", "google", null, null),
        ], companies);
        var contacts = await w.ContactsAsync();
        Assert.Equal([otherContact.Row(), new ContactRow(contacts[1].Id, junes, "Brain", "Junes", "brain@junes.com", "+44 7700 900123", "GB", null)], contacts);
        var deals = await w.DealsAsync();
        Assert.Equal([new DealRow(deals[0].Id, junes, contacts[1].Id, s.Admin.Id, "Junes Ltd", "open", s.Startup.Id, s.Startup.DftEntryStageId, null)], deals);
        var meetings = await w.MeetingsAsync();
        Assert.Equal([new MeetingRow(meetings[0].Id, contacts[1].Id, s.Admin.Id, deals[0].Id, meeting, meeting.AddMinutes(30), "PLANNED", "sales")], meetings);
        Assert.Equal([CompanySync(junes), MeetingSync(meetings[0].Id, junes)], await w.JobsAsync());

        // The company is now found again, by the contact's email (whatever company name is typed) and by its name in
        // any case: no second company.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, meeting.AddDays(1), b => b["company_name"] = "Brain's Tutors")), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, meeting.AddDays(2), b =>
        {
            b["company_name"] = "JUNES LTD";
            b["name"] = "Jules Holland";
            b["email"] = "jules@junes.com";
        })), HttpStatusCode.OK, Ok);
        Assert.Equal([other.Id, junes], (await w.CompaniesAsync()).Select(c => c.Id));
        Assert.Equal([(junes, "Brain"), (junes, "Jules")], (await w.ContactsAsync()).Skip(1).Select(c => (c.CompanyId, c.FirstName)));
    }

    [Fact]
    public async Task Sales_call_booked__Company__If_it_exists_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var tony = await w.Add(new Admin { FirstName = "Tony", LastName = "Seller", Username = "tony@tc.com", IsSalesPerson = true });
        Company Existing(string name, int cligency) => new()
        {
            Name = name, Tc2CligencyId = cligency, Country = "US", Website = "https://julies.com", PricePlan = "enterprise",
            EstimatedIncome = "£1m", Currency = "USD", UtmSource = "direct", Created = w.Now, SalesPersonId = tony.Id,
        };
        var byId = await w.Add(Existing("Julies Ltd", 10));
        var byEmail = await w.Add(Existing("Email Ltd", 11));
        await w.Add(new Contact { CompanyId = byEmail.Id, FirstName = "Brian", LastName = "Email", Email = "BRAIN@junes.com", Created = w.Now });
        var byPhone = await w.Add(Existing("Phone Ltd", 12));
        await w.Add(new Contact { CompanyId = byPhone.Id, FirstName = "Pat", LastName = "Phone", Email = "pat@phone.com", Phone = "0123 456", Created = w.Now });
        var byName = await w.Add(Existing("Name Ltd", 13));
        var before = await w.CompaniesAsync();

        var day = w.WeekdayAt(3, 9);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, day, b => { b["company_id"] = byId.Id; b["email"] = "a@x.com"; b["name"] = "A Person"; })), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, day.AddHours(3))), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, day.AddHours(6), b => { b["email"] = "c@x.com"; b["name"] = "C Person"; b["phone"] = "0123 456"; })), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, day.AddDays(1), b => { b["email"] = "d@x.com"; b["name"] = "D Person"; b["company_name"] = "name ltd"; })), HttpStatusCode.OK, Ok);

        // Nothing about the companies changed but has_booked_call: not the name, the sales person, the plan or what TC2 owns.
        Assert.Equal(before.Select(c => c with { HasBookedCall = true }), await w.CompaniesAsync());
        // Each booking went to the company it matched, through the contact it matched or a new one.
        var meetings = await w.MeetingsAsync();
        var contacts = (await w.ContactsAsync()).ToDictionary(c => c.Id);
        Assert.Equal([byId.Id, byEmail.Id, byPhone.Id, byName.Id], meetings.Select(m => contacts[m.ContactId].CompanyId));
        Assert.Equal(["A", "Brian", "Pat", "D"], meetings.Select(m => contacts[m.ContactId].FirstName));
    }

    // ---- In Hermes: Contact ----

    [Fact]
    public async Task Sales_call_booked__Contact__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Julies Ltd", Country = "GB", Created = w.Now, SalesPersonId = s.Admin.Id });
        var alice = await w.Add(new Contact { CompanyId = company.Id, FirstName = "Alice", LastName = "Smith", Email = "alice@julies.com", Created = w.Now });
        // Same email, another company: a booking for this company doesn't take it.
        var elsewhere = await w.Add(new Company { Name = "Elsewhere", Created = w.Now, SalesPersonId = s.Admin.Id });
        var stranger = await w.Add(new Contact { CompanyId = elsewhere.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = w.Now });
        var meeting = w.WeekdayAt(2, 15, 45);

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, meeting, b => { b["company_id"] = company.Id; b["name"] = "  o'neil   mcdonald-SMYTHE "; b["email"] = " O.Neil@Julies.COM "; })),
            HttpStatusCode.OK, Ok);

        var contacts = await w.ContactsAsync();
        Assert.Equal([alice.Row(), stranger.Row(), new ContactRow(contacts[2].Id, company.Id, "O'Neil", "Mcdonald-Smythe", "o.neil@julies.com", null, "GB", null)], contacts);
        var meetings = await w.MeetingsAsync();
        Assert.Equal([new MeetingRow(meetings[0].Id, contacts[2].Id, s.Admin.Id, (await w.DealsAsync())[0].Id, meeting, meeting.AddMinutes(30), "PLANNED", "sales")], meetings);
    }

    [Fact]
    public async Task Sales_call_booked__Contact__If_it_exists_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Julies Ltd", Tc2CligencyId = 10, Created = w.Now, SalesPersonId = s.Admin.Id });
        // Matched by last name (the email differs): kept as it is.
        var byName = await w.Add(new Contact { CompanyId = company.Id, FirstName = "B", LastName = "Junes", Email = "b@junes.com", Phone = "111", Created = w.Now, PdPersonId = 501 });
        // Matched by email (the name differs): kept as it is.
        var byEmail = await w.Add(new Contact { CompanyId = company.Id, FirstName = "B", LastName = "J", Email = "jules@junes.com", Created = w.Now });
        var before = await w.ContactsAsync();
        var day = w.WeekdayAt(4, 11);

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, day, b => b["company_id"] = company.Id)), HttpStatusCode.OK, Ok);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, day.AddHours(4), b => { b["company_id"] = company.Id; b["email"] = "jules@junes.com"; b["name"] = "Jules Holland"; })),
            HttpStatusCode.OK, Ok);

        Assert.Equal(before, await w.ContactsAsync());
        Assert.Equal([byName.Id, byEmail.Id], (await w.MeetingsAsync()).Select(m => m.ContactId));
    }

    // ---- In Hermes: Deal ----

    [Fact]
    public async Task Sales_call_booked__Deal__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var tony = await w.Add(new Admin { FirstName = "Tony", LastName = "Seller", Username = "tony@tc.com", IsSalesPerson = true });
        var company = await w.Add(new Company { Name = "Big Tutors", PricePlan = "enterprise", Created = w.Now, SalesPersonId = tony.Id });
        var lost = await w.Add(new Deal { CompanyId = company.Id, AdminId = tony.Id, Name = "Lost last year", Status = "lost", PipelineId = s.Payg.Id, StageId = s.Payg.DftEntryStageId, PdDealId = 7 });

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(1, 13), b => b["company_id"] = company.Id)), HttpStatusCode.OK, Ok);

        // A closed deal doesn't count: a new open one, in the company's plan's pipeline at its entry stage, owned by its sales person.
        var contact = (await w.ContactsAsync()).Single();
        var deals = await w.DealsAsync();
        Assert.Equal([lost.Row(), new DealRow(deals[1].Id, company.Id, contact.Id, tony.Id, "Big Tutors", "open", s.Enterprise.Id, s.Enterprise.DftEntryStageId, null)], deals);
        Assert.Equal(deals[1].Id, (await w.MeetingsAsync()).Single().DealId);
    }

    [Fact]
    public async Task Sales_call_booked__Deal__If_it_exists_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Julies Ltd", Created = w.Now, SalesPersonId = s.Admin.Id, PdOrgId = 40 });
        var contact = await w.Add(new Contact { CompanyId = company.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = w.Now });
        var deal = await w.Add(new Deal { CompanyId = company.Id, AdminId = s.Admin.Id, Name = "Julies' deal", PipelineId = s.Startup.Id, StageId = s.Startup.DftEntryStageId, PdDealId = 70 });
        var before = await w.DealsAsync();

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(1, 14))), HttpStatusCode.OK, Ok);

        Assert.Equal(before, await w.DealsAsync());
        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal((contact.Id, (int?)deal.Id), (meeting.ContactId, meeting.DealId));
    }

    // ---- In Hermes: Meeting ----

    [Fact]
    public async Task Sales_call_booked__Meeting__If_one_exists_for_the_Contact_within_2_hours_dont_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var support = await w.Add(new Admin { FirstName = "Sue", LastName = "Port", Username = "sue@tc.com", IsSupportPerson = true });
        var company = await w.Add(new Company { Name = "Junes Ltd", Created = w.Now, SalesPersonId = s.Admin.Id });
        var contact = await w.Add(new Contact { CompanyId = company.Id, FirstName = "B", LastName = "Junes", Email = "b@junes.com", Created = w.Now });
        var existing = w.WeekdayAt(2, 7, 30);
        await w.Add(new Meeting { ContactId = contact.Id, AdminId = support.Id, MeetingType = "support", StartTime = existing, EndTime = existing.AddMinutes(30), Created = w.Now });
        var before = await w.SnapshotAsync();

        // Any meeting of the contact (here a support one with someone else) starting 1.5 h or exactly 2 h away blocks it.
        foreach (var offset in new[] { 1.5, 2, -2, 0 })
            await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, existing.AddHours(offset))), HttpStatusCode.BadRequest, AlreadyBooked);
        Assert.Equal(before, await w.SnapshotAsync());
        await w.Hermes.RunJobsAsync(); // nothing was queued either
        Assert.Empty(w.Sim.Google.Requests.All); // refused before asking Google
        Assert.Empty(w.Sim.Pipedrive.Requests.All);

        // Just over two hours later is fine.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, existing.AddHours(2).AddMinutes(1))), HttpStatusCode.OK, Ok);
        Assert.Equal(2, (await w.MeetingsAsync()).Count);
    }

    [Fact]
    public async Task Sales_call_booked__Meeting__If_one_cannot_be_created_because_the_admin_is_busy_dont_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var busyStart = w.WeekdayAt(3, 11);
        w.Sim.Google.SetBusy(s.Admin.Username, (busyStart, busyStart.AddMinutes(90)));
        var before = await w.SnapshotAsync();

        // Starting exactly when the busy period ends, inside it, and ending exactly when it starts: all refused.
        foreach (var start in new[] { busyStart.AddMinutes(90), busyStart.AddMinutes(15), busyStart.AddMinutes(-30) })
            await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, start)), HttpStatusCode.BadRequest, NotFree);

        Assert.Equal(before, await w.SnapshotAsync());
        var asked = w.GoogleRequests("POST", "/calendar/v3/freeBusy");
        Assert.Equal(3, asked.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"timeMin":"{{Rfc(busyStart.AddMinutes(30))}}","timeMax":"{{Rfc(busyStart.AddMinutes(180))}}","timeZone":"UTC","groupExpansionMax":100,"items":[{"id":"climan@example.com"}]}
            """), asked[0].Json), asked[0].Body);
        await w.Hermes.RunJobsAsync(); // nothing was queued: no job can reach Google or Pipedrive later either
        Assert.Empty(w.Sim.Pipedrive.Requests.All);
        Assert.Empty(w.GoogleRequests("POST", "/calendar/v3/calendars/*"));
        Assert.Empty(w.Sim.Google.Events(s.Admin.Username));

        // A minute after the busy period's end (with the slot not touching it) is free.
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, busyStart.AddMinutes(91))), HttpStatusCode.OK, Ok);
    }

    [Fact]
    public async Task Sales_call_booked__Meeting__Else_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", Tc2CligencyId = 321, PdOrgId = 654, EstimatedIncome = "£50,000 - £150,000", Country = "GB", Created = w.Now, SalesPersonId = s.Admin.Id });
        var meeting = w.WeekdayAt(5, 16, 15);

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, meeting, b => { b["phone"] = "07700 900123"; b["company_name"] = "junes ltd"; b["name"] = "brain <b>junes</b>"; })),
            HttpStatusCode.OK, Ok);

        var contact = (await w.ContactsAsync()).Single();
        var deal = (await w.DealsAsync()).Single();
        var row = (await w.MeetingsAsync()).Single();
        Assert.Equal(new MeetingRow(row.Id, contact.Id, s.Admin.Id, deal.Id, meeting, meeting.AddMinutes(30), "PLANNED", "sales"), row);
        Assert.Equal([CompanySync(company.Id), MeetingSync(row.Id, company.Id)], await w.JobsAsync());

        // Google: a token for the admin (domain-wide delegation), the free/busy check, then the event in the admin's calendar.
        var token = w.Sim.Google.Requests.Single("POST", "/token");
        var claims = BookerWorld.JwtClaims(token);
        // The audience is Google's token endpoint: Google.Apis.Auth names it whatever URL (G_TOKEN_URI) it posts to.
        Assert.Equal(("hermes@hermes-test.iam.gserviceaccount.com", "climan@example.com", "https://www.googleapis.com/auth/calendar", "https://oauth2.googleapis.com/token"),
            (claims["iss"]!.GetValue<string>(), claims["sub"]!.GetValue<string>(), claims["scope"]!.GetValue<string>(), claims["aud"]!.GetValue<string>()));
        Assert.Equal(["POST /token", "POST /calendar/v3/freeBusy", "POST /calendar/v3/calendars/climan@example.com/events?conferenceDataVersion=1&sendUpdates=all"],
            w.Sim.Google.Requests.All.Select(r => r.ToString()));
        var insert = w.Sim.Google.Requests.All[2].Json!.AsObject();
        var requestId = insert["conferenceData"]!["createRequest"]!["requestId"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        var description = insert["description"]!.GetValue<string>();
        var expected = new JsonObject
        {
            ["summary"] = "TutorCruncher demo with Steve Jobs",
            ["description"] = description,
            ["start"] = new JsonObject { ["dateTime"] = Rfc(meeting), ["timeZone"] = "UTC" },
            ["end"] = new JsonObject { ["dateTime"] = Rfc(meeting.AddMinutes(30)), ["timeZone"] = "UTC" },
            ["attendees"] = new JsonArray(new JsonObject { ["email"] = "climan@example.com" }, new JsonObject { ["email"] = "brain@junes.com" }),
            ["reminders"] = new JsonObject { ["useDefault"] = true },
            ["conferenceData"] = new JsonObject
            {
                ["createRequest"] = new JsonObject { ["requestId"] = requestId, ["conferenceSolutionKey"] = new JsonObject { ["type"] = "hangoutsMeet" } },
            },
        };
        Assert.True(JsonNode.DeepEquals(expected, insert), insert.ToJsonString());
        Assert.StartsWith("Hello Brain,\n\nThank you for booking a call with TutorCruncher.", description);
        var tail = $"""
            ---

            For the TutorCruncher team:

            - Company: Junes Ltd
            - Contact: Brain &lt;B&gt;Junes&lt;/B&gt;
            - Email: brain@junes.com
            - Phone: 07700 900123
            - Estimated revenue: £50,000 - £150,000
            - Country: GB
            - Price plan: payg
            - <a href="{w.Sim.PipedriveBaseUrl}/organization/654/" target="_blank">Organization in Pipedrive</a>
            - <a href="{w.Sim.Tc2BaseUrl}/clients/321/" target="_blank">Client in TutorCruncher</a>

            """.Replace("\r\n", "\n");
        Assert.Equal(tail, description[^Math.Min(tail.Length, description.Length)..]);
        Assert.Contains("href=\"https://secure.tutorcruncher.com/start/1/?tc_source=call_booker&amp;cli_id=321\"", description);
        // The event exists in the admin's calendar with a Google Meet link, the prospect invited.
        var ev = Assert.Single(w.Sim.Google.Events("climan@example.com"));
        Assert.Equal($"https://meet.google.com/{Hermes.Sandbox.Google.GoogleCalendarSimulator.MeetCode(1)}", ev["hangoutLink"]!.GetValue<string>());
        Assert.Equal(["climan@example.com", "brain@junes.com"], ev["attendees"]!.AsArray().Select(a => a!["email"]!.GetValue<string>()));
    }

    // ---- In Pipedrive (queued jobs: the Pipedrive sync handlers run them) ----
}

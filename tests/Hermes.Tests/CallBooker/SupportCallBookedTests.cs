using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>seed/workflows.md, "Actions from the Callbooker" → "Support call booked": one test per checkbox.</summary>
public partial class SupportCallBookedTests
{
    const string Ok = """{"status":"ok"}""";

    sealed record Setup(BookerWorld World, Admin Support, Admin Sales, Company Company) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => World.DisposeAsync();
    }

    /// <summary>A support person, the company's sales person and a company the support link was made for.</summary>
    static async Task<Setup> StartAsync(int? pdOrgId = null)
    {
        var world = await BookerWorld.StartAsync();
        await world.Hermes.SeedConfigAsync();
        var support = await world.Add(new Admin { FirstName = "Sue", LastName = "Port", Username = "sue@tc.com", IsSupportPerson = true, Timezone = "Europe/London" });
        var sales = await world.Add(Steve());
        var company = await world.Add(new Company
        {
            Name = "Julies Ltd", Country = "GB", Tc2CligencyId = 10, PdOrgId = pdOrgId, Created = world.Now, SalesPersonId = sales.Id,
        });
        return new Setup(world, support, sales, company);
    }

    // ---- In Hermes: Company ----

    [Fact]
    public async Task Support_call_booked__Company__If_it_doesnt_exist_create_it_matching_on_contact_email_or_company_name()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var known = await w.Add(new Contact { CompanyId = s.Company.Id, FirstName = "Ann", LastName = "Julie", Email = "ann@julies.com", Created = w.Now });
        var day = w.WeekdayAt(2, 10);

        // Without a company id (no support link): by the contact's email, then by the company's name …
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, null, day, b => { b["email"] = "ANN@julies.com"; b["name"] = "Ann Julie"; b["company_name"] = "Another name"; })),
            HttpStatusCode.OK, Ok);
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, null, day.AddHours(3), b => b["company_name"] = "JULIES LTD")), HttpStatusCode.OK, Ok);
        // … else a new company, looked after by the support person who took the call.
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, null, day.AddDays(1), b => { b["company_name"] = "Newco Tutors"; b["email"] = "new@newco.com"; b["name"] = "New Person"; })),
            HttpStatusCode.OK, Ok);

        var companies = await w.CompaniesAsync();
        Assert.Equal([
            s.Company.Row() with { HasBookedCall = true },
            new CompanyRow(companies[1].Id, "Newco Tutors", s.Support.Id, s.Support.Id, null, "payg", null, null, null, null, true, null, null, null, null),
        ], companies);
        var contacts = await w.ContactsAsync();
        Assert.Equal([known.Row(), new ContactRow(contacts[1].Id, s.Company.Id, "Brain", "Junes", "brain@junes.com", null, null, null),
                      new ContactRow(contacts[2].Id, companies[1].Id, "New", "Person", "new@newco.com", null, null, null)], contacts);
        Assert.Equal([known.Id, contacts[1].Id, contacts[2].Id], (await w.MeetingsAsync()).Select(m => m.ContactId));
        Assert.Empty(await w.DealsAsync());
    }

    [Fact]
    public async Task Support_call_booked__Company__If_it_exists_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var before = (await w.CompaniesAsync()).Single();

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10), b => b["company_name"] = "Something else")),
            HttpStatusCode.OK, Ok);

        // Only has_booked_call: the name, sales person and (empty) support person are left as they were.
        Assert.Equal(before with { HasBookedCall = true }, (await w.CompaniesAsync()).Single());
    }

    // ---- In Hermes: Contact ----

    [Fact]
    public async Task Support_call_booked__Contact__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var meeting = w.WeekdayAt(3, 14, 30);

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, meeting, b => b["company_id"] = $"{s.Company.Id}")), HttpStatusCode.OK, Ok);

        // Name title-cased, email lower-cased; company_id may come as a string (the website sends it so).
        var contact = (await w.ContactsAsync()).Single();
        Assert.Equal(new ContactRow(contact.Id, s.Company.Id, "Brain", "Junes", "brain@junes.com", null, null, null), contact);
        var row = (await w.MeetingsAsync()).Single();
        Assert.Equal(new MeetingRow(row.Id, contact.Id, s.Support.Id, null, meeting, meeting.AddMinutes(30), "PLANNED", "support"), row);
    }

    [Fact]
    public async Task Support_call_booked__Contact__If_it_exists_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var byEmail = await w.Add(new Contact { CompanyId = s.Company.Id, FirstName = "Brian", LastName = "J", Email = "brain@junes.com", Phone = "1", Created = w.Now });
        var noEmail = await w.Add(new Contact { CompanyId = s.Company.Id, FirstName = "B", LastName = "Holland", Created = w.Now });
        var day = w.WeekdayAt(2, 9);

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, day)), HttpStatusCode.OK, Ok);
        // Matched by last name; as it has no email, it gets the one given (the invitation needs an address) and nothing else.
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, day.AddHours(3), b => { b["name"] = "Jools Holland"; b["email"] = "jools@junes.com"; })),
            HttpStatusCode.OK, Ok);

        Assert.Equal([byEmail.Row(), noEmail.Row() with { Email = "jools@junes.com" }], await w.ContactsAsync());
        Assert.Equal([byEmail.Id, noEmail.Id], (await w.MeetingsAsync()).Select(m => m.ContactId));
    }

    // ---- In Hermes: Deal ----

    [Fact]
    public async Task Support_call_booked__Deal__Do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var lost = await w.Add(new Deal { CompanyId = s.Company.Id, AdminId = s.Sales.Id, Name = "Lost", Status = "lost" });

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Equal([lost.Row()], await w.DealsAsync());
        Assert.Null((await w.MeetingsAsync()).Single().DealId);
    }

    // ---- In Hermes: Meeting ----

    [Fact]
    public async Task Support_call_booked__Meeting__If_one_exists_for_the_Contact_within_2_hours_dont_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var contact = await w.Add(new Contact { CompanyId = s.Company.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = w.Now });
        var existing = w.WeekdayAt(2, 12);
        await w.Add(new Meeting { ContactId = contact.Id, AdminId = s.Sales.Id, MeetingType = "sales", StartTime = existing, EndTime = existing.AddMinutes(30), Created = w.Now });
        var before = await w.SnapshotAsync();

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, existing.AddMinutes(119))), HttpStatusCode.BadRequest,
            """{"status":"error","message":"You already have a meeting booked around this time."}""");
        Assert.Equal(before, await w.SnapshotAsync());
        await w.Hermes.RunJobsAsync(); // nothing was queued either: Google and Pipedrive hear nothing
        Assert.Empty(w.Sim.Google.Requests.All);
        Assert.Empty(w.Sim.Pipedrive.Requests.All);
    }

    [Fact]
    public async Task Support_call_booked__Meeting__If_one_cannot_be_created_because_the_admin_is_busy_dont_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var busy = w.WeekdayAt(2, 13);
        w.Sim.Google.SetBusy("sue@tc.com", (busy, busy.AddMinutes(30)));
        var before = await w.SnapshotAsync();

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, busy.AddMinutes(10))), HttpStatusCode.BadRequest,
            """{"status":"error","message":"Admin is not free at this time."}""");
        Assert.Equal(before, await w.SnapshotAsync());
        await w.Hermes.RunJobsAsync(); // nothing was queued either
        Assert.Single(w.GoogleRequests("POST", "/calendar/v3/freeBusy"));
        Assert.Empty(w.Sim.Google.Events("sue@tc.com"));
        Assert.Empty(w.Sim.Pipedrive.Requests.All);
    }

    [Fact]
    public async Task Support_call_booked__Meeting__Else_create_it()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        var meeting = w.WeekdayAt(1, 8, 45);

        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, meeting)), HttpStatusCode.OK, Ok);

        var contact = (await w.ContactsAsync()).Single();
        var row = (await w.MeetingsAsync()).Single();
        Assert.Equal(new MeetingRow(row.Id, contact.Id, s.Support.Id, null, meeting, meeting.AddMinutes(30), "PLANNED", "support"), row);
        var ev = Assert.Single(w.Sim.Google.Events("sue@tc.com"));
        Assert.Equal(("TutorCruncher support meeting with Sue Port", "https://meet.google.com/" + Hermes.Sandbox.Google.GoogleCalendarSimulator.MeetCode(1)),
            (ev["summary"]!.GetValue<string>(), ev["hangoutLink"]!.GetValue<string>()));
        Assert.Equal(["sue@tc.com", "brain@junes.com"], ev["attendees"]!.AsArray().Select(a => a!["email"]!.GetValue<string>()));
        var description = ev["description"]!.GetValue<string>();
        Assert.StartsWith("Hello Brain,\n\nThank you for booking a call with the TutorCruncher team.", description);
        // The support text has no sales details, but links the client in TC2.
        Assert.DoesNotContain("For the TutorCruncher team", description);
        Assert.EndsWith($"\n<a href=\"{w.Sim.Tc2BaseUrl}/clients/10/\" target=\"_blank\">Client in TutorCruncher</a>\n", description);
    }

    // ---- In Pipedrive (the meeting's job runs against the Pipedrive simulator: organization, person, activity; no deal) ----
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>The checklist's "Support call booked → In Pipedrive" rows, and what they share.</summary>
public partial class SupportCallBookedTests
{
    [Fact]
    public async Task Support_call_booked__Pipedrive_Org__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync(pdOrgId: null);
        var w = s.World;
        await PipedriveHasAsync(s);
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        // Only the meeting's sync is queued (no company sync, which could make a deal) …
        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal([MeetingSync(meeting.Id, s.Company.Id)], await w.JobsAsync());

        // … and it makes the organization (owned by the company's sales person, with its hermes_id), the person, the activity.
        Assert.Equal(["POST /organizations", "POST /persons", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        var org = w.Sim.Pipedrive.Get("organization", 1)!;
        Assert.Equal($$"""{"name":"Julies Ltd","owner_id":99,"address":"GB","hermes_id":"{{s.Company.Id}}"}""", Shown(org));
        var contact = (await w.ContactsAsync()).Single();
        Assert.Equal(((int?)1, (int?)1), ((await w.CompaniesAsync()).Single().PdOrgId, contact.PdPersonId));
        Assert.Equal((1L, "brain@junes.com"), (w.Sim.Pipedrive.Get("person", 1)!["org_id"]!.GetValue<long>(), w.Sim.Pipedrive.Get("person", 1)!["emails"]![0]!["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_Org__If_it_exists_and_the_info_is_different_update_it()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        // Pipedrive's organization 88 has no hermes_id and no address yet.
        await PipedriveHasAsync(s, ("organization", 88, new JsonObject { ["name"] = "Julies Ltd", ["owner_id"] = 99 }));
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal((88, true), ((await w.CompaniesAsync()).Single().PdOrgId, (await w.CompaniesAsync()).Single().HasBookedCall));
        Assert.Equal([MeetingSync(meeting.Id, s.Company.Id)], await w.JobsAsync());

        Assert.Equal(["PATCH /organizations/88", "POST /persons", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        Assert.Equal($$$"""{"address":{"value":"GB"},"custom_fields":{"{{{OrgHermesId}}}":"{{{s.Company.Id}}}"}}""",
            w.Sim.Pipedrive.Requests.Single("PATCH", "/api/v2/organizations/88").Body);
        Assert.Equal($$"""{"name":"Julies Ltd","owner_id":99,"address":"GB","hermes_id":"{{s.Company.Id}}"}""", Shown(w.Sim.Pipedrive.Get("organization", 88)!));
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_Org__If_it_exists_and_the_info_is_the_same_do_nothing()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        await using (var db = w.Db())
        {
            (await db.Companies.FindAsync(s.Company.Id))!.HasBookedCall = true;
            await db.SaveChangesAsync();
        }
        await PipedriveHasAsync(s, ("organization", 88, SameOrg(s)));
        var before = (await w.CompaniesAsync()).Single();
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Equal(before, (await w.CompaniesAsync()).Single());
        Assert.Equal([MeetingSync((await w.MeetingsAsync()).Single().Id, s.Company.Id)], await w.JobsAsync());

        // The organization is read once and not written: only the new person and the activity are.
        Assert.Equal(["POST /persons", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        Assert.Equal(["GET /api/v2/organizations/88"], w.Sim.Pipedrive.Requests.All.Where(r => r.Path.Contains("/organizations", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_Person__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        await PipedriveHasAsync(s, ("organization", 88, SameOrg(s)));
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        var contact = (await w.ContactsAsync()).Single();
        Assert.Null(contact.PdPersonId);
        Assert.Equal([MeetingSync((await w.MeetingsAsync()).Single().Id, s.Company.Id)], await w.JobsAsync());

        // The person is created in organization 88, owned by the sales person, and the contact linked to it.
        Assert.Equal(["POST /persons", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        var person = w.Sim.Pipedrive.Get("person", 1)!;
        Assert.Equal(("Brain Junes", 88L, 99L, "brain@junes.com", contact.Id.ToString()),
            (person["name"]!.GetValue<string>(), person["org_id"]!.GetValue<long>(), person["owner_id"]!.GetValue<long>(),
             person["emails"]![0]!["value"]!.GetValue<string>(), person["custom_fields"]![PersonHermesId]!.GetValue<string>()));
        Assert.Equal((int?)1, (await w.ContactsAsync()).Single().PdPersonId);
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_Person__If_it_exists_and_the_info_is_different_update_it()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        await PipedriveHasAsync(s, ("organization", 88, SameOrg(s)), ("person", 99, new JsonObject { ["name"] = "Brain Junes", ["org_id"] = 88 }));
        var contact = await w.Add(new Contact { CompanyId = s.Company.Id, FirstName = "Brain", LastName = "Junes", PdPersonId = 99, Created = w.Now });
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Equal(contact.Row() with { Email = "brain@junes.com" }, (await w.ContactsAsync()).Single());
        Assert.Equal([MeetingSync((await w.MeetingsAsync()).Single().Id, s.Company.Id)], await w.JobsAsync());

        // The job: Pipedrive's person 99 gets the email the caller gave and its hermes_id, then the activity is made.
        Assert.Equal(["PATCH /persons/99", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        var person = w.Sim.Pipedrive.Get("person", 99)!;
        Assert.Equal(("brain@junes.com", contact.Id.ToString()), (person["emails"]![0]!["value"]!.GetValue<string>(), person["custom_fields"]![PersonHermesId]!.GetValue<string>()));
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_Person__If_it_exists_and_the_info_is_the_same_do_nothing()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        var contact = await w.Add(new Contact { CompanyId = s.Company.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", PdPersonId = 99, Created = w.Now });
        await PipedriveHasAsync(s, ("organization", 88, SameOrg(s)), ("person", 99, new JsonObject
        {
            ["name"] = "Brain Junes", ["org_id"] = 88, ["owner_id"] = 99,
            ["emails"] = new JsonArray(new JsonObject { ["value"] = "brain@junes.com", ["label"] = "work", ["primary"] = true }),
            ["custom_fields"] = new JsonObject { [PersonHermesId] = contact.Id.ToString() },
        }));
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Equal(contact.Row(), (await w.ContactsAsync()).Single());
        Assert.Equal([MeetingSync((await w.MeetingsAsync()).Single().Id, s.Company.Id)], await w.JobsAsync());

        // The job reads organization 88 and person 99, finds nothing to change, and only makes the activity.
        Assert.Equal(["POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        Assert.Equal(["GET /api/v2/organizations/88", "GET /api/v2/persons/99", "POST /api/v2/activities"],
            w.Sim.Pipedrive.Requests.All.Where(r => !r.Path.EndsWith("Fields", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_PDDeal__Do_nothing()
    {
        await using var s = await StartAsync(pdOrgId: null);
        var w = s.World;
        await PipedriveHasAsync(s);
        // An open deal in Hermes that Pipedrive doesn't have: a support booking leaves it out of Pipedrive.
        await w.Add(new Deal { CompanyId = s.Company.Id, AdminId = s.Sales.Id, Name = "Julies Ltd", Status = "open" });
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.DoesNotContain(await w.JobsAsync(), j => j.Kind == "pipedrive.sync_company");
        await PipedriveWritesAfterJobsAsync(w);
        Assert.DoesNotContain(w.Sim.Pipedrive.Requests.All, r => r.Path.Contains("/deals", StringComparison.Ordinal));
        Assert.Empty(w.Sim.Pipedrive.List("deal"));
        Assert.Null(w.Sim.Pipedrive.Get("activity", 1)!["deal_id"]);
        Assert.Null((await w.DealsAsync()).Single().PdDealId);
    }

    [Fact]
    public async Task Support_call_booked__Pipedrive_Activity__If_the_Meeting_was_created_in_Hermes_create_it()
    {
        await using var s = await StartAsync(pdOrgId: 88);
        var w = s.World;
        await PipedriveHasAsync(s, ("organization", 88, SameOrg(s)));
        var existing = w.WeekdayAt(2, 10);
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, existing)), HttpStatusCode.OK, Ok);
        // A second booking refused by the two-hour rule: no meeting, so no second activity.
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, existing.AddHours(1))), HttpStatusCode.BadRequest,
            """{"status":"error","message":"You already have a meeting booked around this time."}""");

        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal([MeetingSync(meeting.Id, s.Company.Id)], await w.JobsAsync());
        Assert.Single(await PipedriveWritesAfterJobsAsync(w), x => x == "POST /activities");
        var activity = Assert.Single(w.Sim.Pipedrive.List("activity"));
        Assert.Equal(("TutorCruncher support meeting with Sue Port", "meeting", 88L, 1L, existing.ToString("yyyy-MM-dd"), "10:00"),
            (activity["subject"]!.GetValue<string>(), activity["type"]!.GetValue<string>(), activity["org_id"]!.GetValue<long>(),
             activity["participants"]![0]!["person_id"]!.GetValue<long>(), activity["due_date"]!.GetValue<string>(), activity["due_time"]!.GetValue<string>()[..5]));
        await using var db = w.Db();
        Assert.Equal((int?)activity["id"]!.GetValue<long>(), db.Meetings.Single().PdActivityId);
    }

    [Fact]
    public async Task Support_call_booked__an_organization_deleted_in_Pipedrive_on_purpose_stays_deleted()
    {
        await using var s = await StartAsync(pdOrgId: null);
        var w = s.World;
        await PipedriveHasAsync(s);
        // The sales team deleted the organization of TC2 client 10 in Pipedrive; TC2 brought the company back since.
        await w.Add(new PipedriveObject { Entity = PipedriveObject.Organization, PdId = 70, DeletedAt = w.Now, DeletedReason = PipedriveDeletion.Webhook, Tc2CligencyId = 10 });
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(s.Support, s.Company.Id, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Empty(await PipedriveWritesAfterJobsAsync(w));
        Assert.Empty(w.Sim.Pipedrive.List("organization"));
        Assert.Null((await w.CompaniesAsync()).Single().PdOrgId);
    }

    // ---- Pipedrive as it stands before a booking, and what the queued jobs then write to it ----

    const string OrgHermesId = "7f8959760703808f36b3795c15310566b74f5134";
    const string PersonHermesId = "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d";

    /// <summary>The sales person as a Pipedrive user, the hermes_id fields (in Hermes and Pipedrive) and the objects a test puts there.</summary>
    static async Task PipedriveHasAsync(Setup s, params (string Entity, long Id, JsonObject Body)[] objects)
    {
        var pd = s.World.Sim.Pipedrive;
        pd.AddUser(99, "Steve Jobs", "climan@example.com");
        foreach (var (entity, type, key) in new[] { ("organization", "Company", OrgHermesId), ("person", "Contact", PersonHermesId) })
        {
            pd.DefineCustomField(entity, key, "Hermes ID");
            await s.World.Add(new CustomField
            {
                Name = "Hermes ID", MachineName = "hermes_id", FieldType = CustomField.TypeFk, HermesFieldName = "id", PdFieldId = key, LinkedObjectType = type,
            });
        }
        foreach (var (entity, id, body) in objects) pd.Create(entity, body, id, notify: false);
        pd.Requests.Clear();
    }

    /// <summary>Organization 88 showing everything Hermes would send for the company.</summary>
    static JsonObject SameOrg(Setup s) => new()
    {
        ["name"] = "Julies Ltd", ["owner_id"] = 99, ["address"] = new JsonObject { ["value"] = "GB" },
        ["custom_fields"] = new JsonObject { [OrgHermesId] = s.Company.Id.ToString() },
    };

    /// <summary>What an organization shows of the fields Hermes writes.</summary>
    static string Shown(JsonObject org) => new JsonObject
    {
        ["name"] = org["name"]?.DeepClone(), ["owner_id"] = org["owner_id"]?.DeepClone(), ["address"] = org["address"]?["value"]?.DeepClone(),
        ["hermes_id"] = org["custom_fields"]?[OrgHermesId]?.DeepClone(),
    }.ToJsonString();

    /// <summary>Runs the queued jobs (none may fail) and answers Hermes's writes to Pipedrive, "METHOD /path".</summary>
    static async Task<List<string>> PipedriveWritesAfterJobsAsync(BookerWorld w)
    {
        await w.Hermes.RunJobsAsync();
        Assert.All(await w.JobsAsync(), j => Assert.Equal("done", j.Status));
        return w.Sim.Pipedrive.Requests.All.Where(r => r.Method != "GET" && !r.Path.EndsWith("Fields", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {r.Path.Replace("/api/v2", "")}").ToList();
    }
}

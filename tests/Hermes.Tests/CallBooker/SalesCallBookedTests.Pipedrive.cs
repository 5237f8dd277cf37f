using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>The checklist's "Sales call booked → In Pipedrive" rows, and what they share.</summary>
public partial class SalesCallBookedTests
{
    [Fact]
    public async Task Sales_call_booked__In_Pipedrive()
    {
        await using var s = await StartAsync();
        var w = s.World;
        PipedriveHas(s);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        // The company sync (org, person, deal) then the meeting's activity, one after the other under the company's key,
        // committed with the booking itself; nothing is sent to Pipedrive while the caller waits …
        var company = (await w.CompaniesAsync()).Single();
        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal([CompanySync(company.Id), MeetingSync(meeting.Id, company.Id)], await w.JobsAsync());
        Assert.Empty(w.Sim.Pipedrive.Requests.All);
        // … and the jobs then write it all.
        Assert.Equal(["POST /organizations", "POST /persons", "POST /deals", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Org__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", Created = w.Now, SalesPersonId = s.Admin.Id });
        PipedriveHas(s);
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        // No pd_org_id yet: the queued company sync creates (or finds) the organization.
        Assert.Null((await w.CompaniesAsync()).Single().PdOrgId);
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: the organization is created (with the person, the deal and then the activity) and linked.
        Assert.Equal(["POST /organizations", "POST /persons", "POST /deals", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        Assert.Equal(1, (await w.CompaniesAsync()).Single().PdOrgId);
        Assert.Equal("Junes Ltd", w.Sim.Pipedrive.Get("organization", 1)!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Org__If_it_exists_and_the_info_is_different_update_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, Country = "GB", Created = w.Now, SalesPersonId = s.Admin.Id });
        await BookedCallFieldAsync(s);
        PipedriveHas(s, ("organization", 31, Org()));
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10), b => b["company_id"] = company.Id)), HttpStatusCode.OK, Ok);

        // The booking changed the company (has_booked_call): the sync for the linked organization is queued.
        var after = (await w.CompaniesAsync()).Single();
        Assert.Equal((31, true), (after.PdOrgId, after.HasBookedCall));
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: organization 31 learns that a call was booked (and the country it lacked), then the rest is added.
        Assert.Equal(["PATCH /organizations/31", "POST /persons", "POST /deals", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
        var org = w.Sim.Pipedrive.Get("organization", 31)!;
        Assert.Equal(("Junes Ltd", "GB"), (org["name"]!.GetValue<string>(), org["address"]!["value"]!.GetValue<string>()));
        Assert.Equal("True", org["custom_fields"]![BookedCallField]!.GetValue<string>());
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Org__If_it_exists_and_the_info_is_the_same_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, HasBookedCall = true, Created = w.Now, SalesPersonId = s.Admin.Id });
        await BookedCallFieldAsync(s);
        var shown = Org();
        shown["custom_fields"] = new JsonObject { [BookedCallField] = "True" }; // as Hermes writes a bool (hermes_v2's form)
        PipedriveHas(s, ("organization", 31, shown));
        var before = (await w.CompaniesAsync()).Single();
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10), b => b["company_id"] = company.Id)), HttpStatusCode.OK, Ok);

        // Hermes's company is unchanged; the queued sync compares with Pipedrive and writes nothing when they agree.
        Assert.Equal(before, (await w.CompaniesAsync()).Single());
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: organization 31 already shows all of it, so only the new person, deal and activity are written.
        Assert.Equal(["POST /persons", "POST /deals", "POST /activities"], await PipedriveWritesAfterJobsAsync(w));
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Person__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, Created = w.Now, SalesPersonId = s.Admin.Id });
        PipedriveHas(s, ("organization", 31, Org()));
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        // A new contact, not in Pipedrive: the company sync creates its person.
        var contact = (await w.ContactsAsync()).Single();
        Assert.Equal((company.Id, (int?)null), (contact.CompanyId, contact.PdPersonId));
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: the person is created in organization 31 and the contact linked to it.
        var writes = await PipedriveWritesAfterJobsAsync(w);
        Assert.Contains("POST /persons", writes);
        var person = w.Sim.Pipedrive.Get("person", (await w.ContactsAsync()).Single().PdPersonId!.Value)!;
        Assert.Equal((31L, "brain@junes.com"), (person["org_id"]!.GetValue<long>(), person["emails"]![0]!["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Person__If_it_exists_and_the_info_is_different_update_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, Created = w.Now, SalesPersonId = s.Admin.Id });
        var contact = await w.Add(new Contact { CompanyId = company.Id, FirstName = "Brain", LastName = "Junes", Email = null, PdPersonId = 41, Created = w.Now });
        PipedriveHas(s, ("organization", 31, Org()), ("person", 41, Person(email: null)));
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        // The contact had no email; the booking gave it one, which the queued company sync takes to the person.
        Assert.Equal(contact.Row() with { Email = "brain@junes.com" }, (await w.ContactsAsync()).Single());
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: person 41 gets the email.
        var writes = await PipedriveWritesAfterJobsAsync(w);
        Assert.Contains("PATCH /persons/41", writes);
        Assert.DoesNotContain("POST /persons", writes);
        Assert.Equal("brain@junes.com", w.Sim.Pipedrive.Get("person", 41)!["emails"]![0]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Person__If_it_exists_and_the_info_is_the_same_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, Created = w.Now, SalesPersonId = s.Admin.Id });
        var contact = await w.Add(new Contact { CompanyId = company.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", PdPersonId = 41, Created = w.Now });
        PipedriveHas(s, ("organization", 31, Org()), ("person", 41, Person("brain@junes.com")));
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Equal(contact.Row(), (await w.ContactsAsync()).Single());
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: nothing for person 41.
        var writes = await PipedriveWritesAfterJobsAsync(w);
        Assert.DoesNotContain(writes, x => x.Contains("/persons", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_PDDeal__If_it_doesnt_exist_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, Created = w.Now, SalesPersonId = s.Admin.Id });
        PipedriveHas(s, ("organization", 31, Org()));
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        // A new open deal without a pd_deal_id, in the same transaction as the company sync that will create it in Pipedrive.
        var deal = (await w.DealsAsync()).Single();
        Assert.Equal(("open", (int?)null, company.Id), (deal.Status, deal.PdDealId, deal.CompanyId));
        Assert.Equal(CompanySync(company.Id), (await w.JobsAsync())[0]);

        // The jobs: the deal is created in the PAYG pipeline at its entry stage, and linked.
        Assert.Contains("POST /deals", await PipedriveWritesAfterJobsAsync(w));
        var pdDeal = w.Sim.Pipedrive.Get("deal", (await w.DealsAsync()).Single().PdDealId!.Value)!;
        Assert.Equal((31L, 1L, 10L, "open"), (pdDeal["org_id"]!.GetValue<long>(), pdDeal["pipeline_id"]!.GetValue<long>(), pdDeal["stage_id"]!.GetValue<long>(), pdDeal["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_PDDeal__If_it_exists_do_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var company = await w.Add(new Company { Name = "Junes Ltd", PdOrgId = 31, Created = w.Now, SalesPersonId = s.Admin.Id });
        var deal = await w.Add(new Deal { CompanyId = company.Id, AdminId = s.Admin.Id, Name = "Junes Ltd", PipelineId = s.Payg.Id, StageId = s.Payg.DftEntryStageId, PdDealId = 51 });
        PipedriveHas(s, ("organization", 31, Org()), ("deal", 51, new JsonObject { ["title"] = "Junes Ltd", ["org_id"] = 31, ["owner_id"] = 99, ["pipeline_id"] = 1, ["stage_id"] = 10 }));
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, w.WeekdayAt(2, 10))), HttpStatusCode.OK, Ok);

        Assert.Equal([deal.Row()], await w.DealsAsync());
        var meeting = (await w.MeetingsAsync()).Single();
        Assert.Equal([CompanySync(company.Id), MeetingSync(meeting.Id, company.Id)], await w.JobsAsync());

        // The jobs: deal 51 is left alone; the activity hangs on it.
        var writes = await PipedriveWritesAfterJobsAsync(w);
        Assert.DoesNotContain(writes, x => x.Contains("/deals", StringComparison.Ordinal));
        Assert.Equal(51L, w.Sim.Pipedrive.Get("activity", 1)!["deal_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Sales_call_booked__Pipedrive_Activity__If_the_Meeting_was_created_in_Hermes_create_it()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var busy = w.WeekdayAt(2, 12);
        w.Sim.Google.SetBusy(s.Admin.Username, (busy, busy.AddHours(1)));
        PipedriveHas(s);

        // Refused: no meeting, so no activity (and no company sync either: nothing was written).
        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, busy)), HttpStatusCode.BadRequest, NotFree);
        Assert.Empty(await w.JobsAsync());

        await AssertJson(await w.Post("/callbooker/sales/book/", SalesBody(s.Admin, busy.AddHours(2))), HttpStatusCode.OK, Ok);
        var meeting = (await w.MeetingsAsync()).Single();
        var company = (await w.CompaniesAsync()).Single();
        Assert.Equal(MeetingSync(meeting.Id, company.Id), (await w.JobsAsync())[1]);

        // The jobs: one activity, for the meeting that was made.
        var writes = await PipedriveWritesAfterJobsAsync(w);
        Assert.Single(writes, x => x == "POST /activities");
        await using var db = w.Db();
        Assert.Equal(1, db.Meetings.Single().PdActivityId);
    }

    // ---- Pipedrive as it stands before a booking, and what the queued jobs then write to it ----

    const string BookedCallField = "b00c1ed0000000000000000000000000000000aa";

    /// <summary>The owner, the pipelines and stages Hermes knows, and the objects a test puts there, as Pipedrive holds them.</summary>
    static void PipedriveHas(Setup s, params (string Entity, long Id, JsonObject Body)[] objects)
    {
        var pd = s.World.Sim.Pipedrive;
        pd.AddUser(99, "Steve Jobs", "climan@example.com");
        foreach (var (name, id) in new[] { ("payg", 1), ("startup", 2), ("enterprise", 3) })
        {
            pd.Create("pipeline", new JsonObject { ["name"] = name }, id, notify: false);
            pd.Create("stage", new JsonObject { ["name"] = $"{name} new", ["pipeline_id"] = id }, id * 10, notify: false);
        }
        foreach (var (entity, id, body) in objects) pd.Create(entity, body, id, notify: false);
        pd.Requests.Clear();
    }

    /// <summary>hermes_v2's "has booked a call" organization field, so a booking changes what Pipedrive should show.</summary>
    static async Task BookedCallFieldAsync(Setup s)
    {
        s.World.Sim.Pipedrive.DefineCustomField("organization", BookedCallField, "Booked a call");
        await s.World.Add(new CustomField
        {
            Name = "Booked a call", MachineName = "has_booked_call", FieldType = "bool", HermesFieldName = "has_booked_call",
            PdFieldId = BookedCallField, LinkedObjectType = "Company",
        });
    }

    /// <summary>Runs the queued jobs (none may fail) and answers Hermes's writes to Pipedrive, "METHOD /path".</summary>
    static async Task<List<string>> PipedriveWritesAfterJobsAsync(BookerWorld w)
    {
        await w.Hermes.RunJobsAsync();
        Assert.All(await w.JobsAsync(), j => Assert.Equal("done", j.Status));
        return w.Sim.Pipedrive.Requests.All.Where(r => r.Method != "GET" && !r.Path.EndsWith("Fields", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {r.Path.Replace("/api/v2", "")}").ToList();
    }

    static JsonObject Org(string name = "Junes Ltd") => new() { ["name"] = name, ["owner_id"] = 99 };
    static JsonObject Person(string? email) => email is null
        ? new JsonObject { ["name"] = "Brain Junes", ["org_id"] = 31 }
        : new JsonObject { ["name"] = "Brain Junes", ["org_id"] = 31, ["emails"] = new JsonArray(new JsonObject { ["value"] = email, ["label"] = "work", ["primary"] = true }) };

    static string Rfc(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Hermes.Sandbox;
using Hermes.Tc2;
using Hermes.Tests.Tc2;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Sync;

/// <summary>
/// The sync jobs started directly (as the features that queue them would): meetings, closed deals, TC2 updates, and
/// Pipedrive misbehaving (429, Cloudflare's 403, an empty 200, an answer lost after the create went through).
/// </summary>
public class SyncJobTests : Tc2Test
{
    /// <summary>Loses the answer to the first organization create after Pipedrive made it (a reset connection).</summary>
    sealed class LoseFirstCreateAnswer(State state) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/api/v2/organizations", StringComparison.Ordinal)
                && Interlocked.Exchange(ref state.Lost, 1) == 0)
            {
                response.Dispose();
                throw new HttpRequestException("connection reset by peer");
            }
            return response;
        }
    }

    sealed class State { public int Lost; }

    readonly State _network = new();

    protected override void Services(IServiceCollection services) =>
        services.AddHttpClient<PipedriveClient>().AddHttpMessageHandler(() => new LoseFirstCreateAnswer(_network) { });

    /// <summary>Only the tests that lose an answer arm it.</summary>
    public override async Task InitializeAsync()
    {
        _network.Lost = 1;
        await base.InitializeAsync();
    }

    async Task Enqueue(Func<JobQueue, HermesDb, Job> enqueue)
    {
        await using var db = Hermes.Db();
        enqueue(Hermes.App.Services.GetRequiredService<JobQueue>(), db);
        await db.SaveChangesAsync();
    }

    async Task<Job> TheJob()
    {
        await using var db = Hermes.Db();
        return await db.Jobs.SingleAsync();
    }

    async Task<Meeting> NewMeeting(Contact contact, Admin admin, string type, Deal? deal = null) =>
        await Save(new Meeting
        {
            Created = Now, StartTime = new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc), EndTime = new DateTime(2026, 12, 3, 10, 30, 0, DateTimeKind.Utc),
            MeetingType = type, AdminId = admin.Id, ContactId = contact.Id, DealId = deal?.Id,
        });

    // ───────────────────────────── Meetings ─────────────────────────────

    [Fact]
    public async Task A_sales_meeting_brings_its_org_person_and_deal_into_Pipedrive_and_gets_one_activity_however_often_its_job_runs()
    {
        var company = await NewCompany(cligency: null, agency: null);
        var contact = await NewContact(company, tc2SrId: null);
        var deal = await NewDeal(company, contact);
        var meeting = await NewMeeting(contact, Sales, Meeting.TypeSales, deal);
        await Enqueue((q, db) => q.Enqueue(db, new SyncMeeting(meeting.Id, company.Id)));

        await RunJobs();
        await Enqueue((q, db) => q.Enqueue(db, new SyncMeeting(meeting.Id, company.Id)));
        await RunJobs();

        Assert.Equal([
            "POST /organizations", "POST /persons", "POST /deals",
            """POST /activities {"subject":"TutorCruncher demo with Brain Johnson","type":"meeting","due_date":"2026-12-03","due_time":"10:00","duration":"00:30","owner_id":10,"deal_id":1,"org_id":1,"participants":[{"person_id":1,"primary":true}]}""",
        ], PdWrites().Select(w => w.StartsWith("POST /activities", StringComparison.Ordinal) ? w : string.Join(' ', w.Split(' ').Take(2))));
        Assert.Equal([(meeting.Id, (int?)1)], (await All(db => db.Meetings)).Select(m => (m.Id, m.PdActivityId)));
        Assert.Equal("""{"person_id":1,"org_id":1,"deal_id":1,"owner_id":10}""", Fields(PdObject("activity", 1), "person_id", "org_id", "deal_id", "owner_id"));
    }

    [Fact]
    public async Task A_support_meeting_brings_its_organization_and_person_into_Pipedrive_but_never_a_deal()
    {
        // A company Pipedrive doesn't have (with an open deal Hermes keeps to itself) and one it has.
        var elsewhere = await NewCompany("Not There Ltd", cligency: null, agency: null);
        var stranger = await NewContact(elsewhere, "Sam", "Stranger", "sam@nothere.com", tc2SrId: null);
        await NewDeal(elsewhere, stranger);
        var notThere = await NewMeeting(stranger, Support, Meeting.TypeSupport);
        var org = PdOrg("Julies Ltd");
        var company = await NewCompany(cligency: 10, agency: 20, pdOrgId: (int)org);
        var contact = await NewContact(company, "Rudy", "Jones", "rudy@jones.com", tc2SrId: null);
        var there = await NewMeeting(contact, Support, Meeting.TypeSupport);
        Pd.Requests.Clear();

        await Enqueue((q, db) => q.Enqueue(db, new SyncMeeting(notThere.Id, elsewhere.Id)));
        await Enqueue((q, db) => q.Enqueue(db, new SyncMeeting(there.Id, company.Id)));
        await RunJobs();

        // Not there: organization (owned by the sales person, with its hermes_id), person and activity are created.
        // There: the organization lacked its address, hermes_id and TC2 facts, so they are added; the person is created.
        // No deal either way.
        var newOrg = org + 1;
        Assert.Equal([
            $$$"""POST /organizations {"name":"Not There Ltd","owner_id":10,"address":{"value":"GB"},"custom_fields":{"{{{OrgHermesId}}}":"{{{elsewhere.Id}}}","{{{OrgTc2Status}}}":"trial","{{{OrgPaidInvoices}}}":0,"{{{OrgWebsite}}}":"https://junes.com"}}""",
            $$"""POST /persons {"name":"Sam Stranger","owner_id":10,"emails":[{"value":"sam@nothere.com","label":"work","primary":true}],"custom_fields":{"{{PersonHermesId}}":"{{stranger.Id}}"},"org_id":{{newOrg}}}""",
            $$"""POST /activities {"subject":"TutorCruncher support meeting with Sue Porter","type":"meeting","due_date":"2026-12-03","due_time":"10:00","duration":"00:30","owner_id":11,"org_id":{{newOrg}},"participants":[{"person_id":1,"primary":true}]}""",
            $$$"""PATCH /organizations/{{{org}}} {"address":{"value":"GB"},"custom_fields":{"{{{OrgHermesId}}}":"{{{company.Id}}}","{{{OrgTc2Status}}}":"trial","{{{OrgPaidInvoices}}}":0,"{{{OrgCligencyUrl}}}":"{{{CligencyUrl(10)}}}","{{{OrgWebsite}}}":"https://junes.com"}}""",
            $$"""POST /persons {"name":"Rudy Jones","owner_id":10,"emails":[{"value":"rudy@jones.com","label":"work","primary":true}],"custom_fields":{"{{PersonHermesId}}":"{{contact.Id}}"},"org_id":{{org}}}""",
            $$"""POST /activities {"subject":"TutorCruncher support meeting with Sue Porter","type":"meeting","due_date":"2026-12-03","due_time":"10:00","duration":"00:30","owner_id":11,"org_id":{{org}},"participants":[{"person_id":2,"primary":true}]}""",
        ], PdWrites());
        Assert.Empty(Pd.List("deal"));
        Assert.Equal([(notThere.Id, (int?)1), (there.Id, (int?)2)], (await All(db => db.Meetings.OrderBy(m => m.Id))).Select(m => (m.Id, m.PdActivityId)));
        Assert.Equal([(elsewhere.Id, (int?)newOrg), (company.Id, (int?)org)], (await All(db => db.Companies.OrderBy(c => c.Id))).Select(c => (c.Id, c.PdOrgId)));
    }

    // ───────────────────────────── Deals ─────────────────────────────

    [Fact]
    public async Task An_open_deal_in_Hermes_never_reopens_a_deal_Pipedrive_closed__only_a_wrong_hermes_id_is_put_right()
    {
        var org = PdOrg("Julies Ltd", new JsonObject { [OrgHermesId] = "1" });
        var pdDeal = PdDeal("Julies Ltd", org, null, status: "won");
        var company = await NewCompany(pdOrgId: (int)org);
        var deal = await NewDeal(company, pdDealId: (int)pdDeal, name: "Julies deal renamed in Hermes");
        Pd.Requests.Clear();
        await Enqueue((q, db) => q.Enqueue(db, new SyncCompany(company.Id)));

        await RunJobs();

        Assert.Equal($$$"""PATCH /deals/{{{pdDeal}}} {"custom_fields":{"{{{DealHermesId}}}":"{{{deal.Id}}}"}}""", PdWrites().Last());
        Assert.DoesNotContain(PdWrites(), w => w.StartsWith("PATCH /deals", StringComparison.Ordinal) && w.Contains("status", StringComparison.Ordinal));
        Assert.Equal("""{"title":"Julies Ltd","status":"won"}""", Fields(PdObject("deal", pdDeal), "title", "status"));
    }

    // ───────────────────────────── TC2 updates ─────────────────────────────

    [Fact]
    public async Task The_TC2_update_sets_url_stage_pipeline_custom_fields_and_admins__slugifies_the_termination_category__and_posts_nothing_when_TC2_shows_the_same()
    {
        Tc2.PutClient(Client(support: Tc2Support, extra: new Dictionary<string, string>
        {
            ["termination_category"] = "Doesn't suit business model", ["who_are_you_trying_to_reach"] = " Support", ["how_did_you_hear_about_us_1"] = "----",
        }));
        var company = await NewCompany(pdOrgId: 20);
        await using (var db = Hermes.Db())
        {
            var row = await db.Companies.SingleAsync();
            row.BdrPersonId = Bdr.Id;
            await db.SaveChangesAsync();
        }
        await NewDeal(company);
        await Enqueue((q, db) => q.Enqueue(db, new UpdateTc2Client(company.Id)));

        await RunJobs();
        await Enqueue((q, db) => q.Enqueue(db, new UpdateTc2Client(company.Id)));
        await RunJobs();

        var posts = Tc2.Requests.Matching("POST", "/api/clients/");
        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/", "GET /api/clients/10/"], Tc2.Requests.All.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal(new JsonObject
        {
            ["user"] = new JsonObject { ["email"] = "mary@booth.com", ["phone"] = null, ["first_name"] = "Mary", ["last_name"] = "Booth" },
            ["status"] = "live",
            ["paid_recipients"] = new JsonArray(new JsonObject { ["email"] = "mary@booth.com", ["first_name"] = "Mary", ["last_name"] = "Booth" }),
            ["extra_attrs"] = new JsonObject
            {
                ["termination_category"] = "doesnt-suit-business-model", ["who_are_you_trying_to_reach"] = "support",
                ["pipedrive_url"] = $"{Sim.PipedriveBaseUrl}/organization/20/", ["pipedrive_id"] = "20", ["pipedrive_deal_stage"] = "New", ["pipedrive_pipeline"] = "PAYG",
                ["hermes_id"] = company.Id.ToString(), ["client_marketing_source"] = null,
            },
            ["sales_person"] = 30, ["associated_admin"] = 31, ["bdr_person"] = 32,
        }.ToJsonString(), Assert.Single(posts).Body);
        Assert.Equal("""{"id":32,"first_name":"Bea","last_name":"Dee","email":"bea@tc.com"}""", Tc2.GetClient(10)!["bdr_person"]!.ToJsonString());
    }

    [Fact]
    public async Task The_TC2_update_sends_pipedrive_id_through_the_Pipedrive_ID_custom_field_as_hermes_v2_was_configured()
    {
        // hermes_v2's production config: a Company custom field "Pipedrive ID" = the company's pd_org_id, shown in TC2 as
        // extra attribute pipedrive_id. With it, an org linked in Pipedrive reaches TC2 as its url and its id.
        Tc2.PutClient(Client(support: Tc2Support));
        await using (var db = Hermes.Db())
        {
            db.CustomFields.Add(new CustomField
            {
                Name = "Pipedrive ID", MachineName = "pipedrive_id", FieldType = "int", HermesFieldName = "pd_org_id",
                Tc2MachineName = "pipedrive_id", LinkedObjectType = "Company",
            });
            await db.SaveChangesAsync();
        }
        var company = await NewCompany(pdOrgId: 20);
        await Enqueue((q, db) => q.Enqueue(db, new UpdateTc2Client(company.Id)));

        await RunJobs();

        var extra = JsonNode.Parse(Assert.Single(Tc2.Requests.Matching("POST", "/api/clients/")).Body)!["extra_attrs"]!;
        Assert.Equal(($"{Sim.PipedriveBaseUrl}/organization/20/", "20"), (extra["pipedrive_url"]!.GetValue<string>(), extra["pipedrive_id"]!.ToString()));
    }

    [Fact]
    public async Task Jobs_for_a_company_deleted_after_they_were_queued_finish_without_writing_anything()
    {
        var company = await NewCompany(pdOrgId: null);
        var contact = await NewContact(company);
        var deal = await NewDeal(company, contact);
        var meeting = await NewMeeting(contact, Sales, Meeting.TypeSales, deal);
        await Enqueue((q, db) => q.Enqueue(db, new SyncCompany(company.Id)));
        await Enqueue((q, db) => q.Enqueue(db, new SyncMeeting(meeting.Id, company.Id)));
        await Enqueue((q, db) => q.Enqueue(db, new UpdateTc2Client(company.Id)));
        await using (var db = Hermes.Db()) await db.Companies.Where(c => c.Id == company.Id).ExecuteDeleteAsync(); // TC2 deleted the client meanwhile
        Pd.Requests.Clear();

        await RunJobs();

        Assert.Equal([Job.Done, Job.Done, Job.Done], (await All(db => db.Jobs.OrderBy(j => j.Id))).Select(j => j.Status));
        Assert.Empty(PdWrites());
        Assert.Empty(Tc2.Requests.All);
    }

    [Fact]
    public async Task A_TC2_update_for_a_company_without_a_TC2_client_does_nothing()
    {
        var company = await NewCompany(cligency: null, agency: null, pdOrgId: 20);
        await Enqueue((q, db) => q.Enqueue(db, new UpdateTc2Client(company.Id)));

        await RunJobs();

        Assert.Empty(Tc2.Requests.All);
    }

    // ───────────────────────────── Pipedrive misbehaving ─────────────────────────────

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_found_by_its_hermes_id_on_the_retry_and_not_made_twice()
    {
        _network.Lost = 0;
        await Send(Client(recipients: []));

        await Hermes.RunJobsAsync();
        var failed = await TheJob();
        Assert.Equal((Job.Pending, 1), (failed.Status, failed.Attempts));
        Assert.Equal("PipedriveUnavailableException: Pipedrive POST organizations: connection reset by peer", failed.LastError);
        Assert.Single(Pd.List("organizations")); // Pipedrive made it; Hermes didn't hear
        Assert.Equal((int?)null, (await All(db => db.Companies)).Single().PdOrgId);

        Hermes.Clock.Advance(TimeSpan.FromSeconds(10));
        await RunJobs();

        Assert.Single(Pd.List("organizations"));
        Assert.Equal((int?)1, (await All(db => db.Companies)).Single().PdOrgId);
        Assert.Contains($"GET /organizations/search?term=1&exact_match=true&limit=10&fields=custom_fields", PdRequests());
        Assert.Single(PdWrites(), w => w.StartsWith("POST /organizations", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rate_limited", 2)]
    [InlineData("cloudflare_403", 10)]
    public async Task Rate_limited_by_Pipedrive__the_job_waits_for_the_reset_without_using_an_attempt_and_then_finishes(string fault, int waitSeconds)
    {
        Pd.Faults.Next(1, fault == "rate_limited" ? Fault.RateLimited() : Fault.CloudflareForbidden(), "/api/v2/organizations", "POST");
        await Send(Client(recipients: []));

        await Hermes.RunJobsAsync();
        var waiting = await TheJob();
        var status = fault == "rate_limited" ? 429 : 403;
        Assert.Equal((Job.Pending, 0, $"Pipedrive POST organizations answered {status}: rate limited", Now.AddSeconds(waitSeconds)),
            (waiting.Status, waiting.Attempts, waiting.LastError, waiting.RunAfter));

        Hermes.Clock.Advance(TimeSpan.FromSeconds(waitSeconds));
        await RunJobs();
        Assert.Single(Pd.List("organizations"));
        Assert.Equal(2, Pd.Requests.Matching("POST", "/api/v2/organizations").Count);
    }

    [Fact]
    public async Task An_empty_200_from_Pipedrive_is_retried()
    {
        Pd.Faults.Next(1, Fault.EmptyOk(), "/api/v2/organizations", "POST");
        await Send(Client(recipients: []));

        await Hermes.RunJobsAsync();
        var retried = await TheJob();
        Assert.Equal((Job.Pending, 1, "PipedriveEmptyResponseException: Pipedrive POST organizations answered 200 with an empty or non-JSON body"),
            (retried.Status, retried.Attempts, retried.LastError));

        Hermes.Clock.Advance(TimeSpan.FromSeconds(10));
        await RunJobs();
        Assert.Single(Pd.List("organizations"));
    }

    [Fact]
    public async Task A_request_Pipedrive_refuses_as_invalid_fails_the_job_at_once_with_Pipedrives_reason()
    {
        await using (var db = Hermes.Db())
        {
            db.Admins.Single(a => a.Id == Sales.Id).PdOwnerId = 777; // not a Pipedrive user
            await db.SaveChangesAsync();
        }
        await Send(Client(recipients: []));

        await Hermes.RunJobsAsync();

        var failed = await TheJob();
        Assert.Equal((Job.Failed, 1), (failed.Status, failed.Attempts));
        Assert.Equal("""PermanentJobFailureException: Pipedrive POST organizations answered 400: {"success":false,"error":"Validation failed: owner_id: user 777 does not exist in this company","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}""",
            failed.LastError);
    }
}

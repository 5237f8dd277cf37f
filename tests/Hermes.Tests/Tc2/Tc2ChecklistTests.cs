using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Microsoft.EntityFrameworkCore;
using SimRecipient = Hermes.Sandbox.Tc2.Tc2Recipient;

namespace Hermes.Tests.Tc2;

/// <summary>
/// The checklist's "Actions from TC2" (seed/workflows.md), one test per checkbox, plus the TODO about TC2 naming a
/// Pipedrive organization. Each sends TC2's real signed webhook from the TC2 simulator, checks Hermes's answer, rows
/// and queued jobs, runs the jobs and checks what the Pipedrive simulator received.
/// </summary>
public partial class Tc2ChecklistTests : Tc2Test
{
    // ── What Hermes sends for the standard client (TC2 client 10, "MyTutors", a trial, Mary Booth) ──

    string OrgSearch(int cligency = 10) => $"GET /organizations/search?term={CligencyUrl(cligency)}&exact_match=true&limit=10&fields=custom_fields";
    static string EmailSearch(string email) => $"GET /persons/search?term={email}&exact_match=true&limit=10&fields=email";

    string NewOrg(int companyId = 1, string name = "MyTutors", long owner = 10, string status = "trial", int paid = 0, string website = "https://www.mytutors.com", int cligency = 10) =>
        $$$"""POST /organizations {"name":"{{{name}}}","owner_id":{{{owner}}},"address":{"value":"GB"},"custom_fields":{"{{{OrgHermesId}}}":"{{{companyId}}}","{{{OrgTc2Status}}}":"{{{status}}}","{{{OrgPaidInvoices}}}":{{{paid}}},"{{{OrgCligencyUrl}}}":"{{{CligencyUrl(cligency)}}}","{{{OrgWebsite}}}":"{{{website}}}"}}""";

    static string NewPerson(int contactId, string name, string? email, long orgId, string? phone = null, long owner = 10)
    {
        var body = new JsonObject { ["name"] = name, ["owner_id"] = owner };
        if (email is not null) body["emails"] = new JsonArray(new JsonObject { ["value"] = email, ["label"] = "work", ["primary"] = true });
        if (phone is not null) body["phones"] = new JsonArray(new JsonObject { ["value"] = phone, ["label"] = "work", ["primary"] = true });
        body["custom_fields"] = new JsonObject { [PersonHermesId] = contactId.ToString() };
        body["org_id"] = orgId;
        return "POST /persons " + body.ToJsonString();
    }

    string NewDeal(int dealId = 1, string title = "MyTutors", long orgId = 1, long? personId = 1, Pipeline? pipeline = null, Stage? stage = null)
    {
        var body = new JsonObject
        {
            ["title"] = title, ["owner_id"] = 10, ["pipeline_id"] = (pipeline ?? Payg).PdPipelineId, ["stage_id"] = (stage ?? PaygNew).PdStageId, ["status"] = "open",
            ["custom_fields"] = new JsonObject { [DealHermesId] = dealId.ToString(), [DealPaidInvoices] = 0 }, ["org_id"] = orgId,
        };
        if (personId is not null) body["person_id"] = personId;
        return "POST /deals " + body.ToJsonString();
    }

    /// <summary>The organization exactly as Hermes would have it for company 1 (so a sync finds nothing to change).</summary>
    long SyncedOrg(string name = "Julies Ltd", string status = "trial", int paid = 0, string website = "https://junes.com", long owner = 10) =>
        Pd.Create("organizations", new JsonObject
        {
            ["name"] = name, ["owner_id"] = owner, ["address"] = new JsonObject { ["value"] = "GB" },
            ["custom_fields"] = new JsonObject
            {
                [OrgHermesId] = "1", [OrgTc2Status] = status, [OrgPaidInvoices] = paid, [OrgCligencyUrl] = CligencyUrl(10), [OrgWebsite] = website,
            },
        }, notify: false)["id"]!.AsLong();

    // ───────────────────────────── Cligency created ─────────────────────────────

    [Fact]
    public async Task Cligency_created__Company_exists__updated_with_the_tc2_fields__matched_beyond_tc2_agency_id()
    {
        // A prospect who booked a call: Hermes has the company and the contact's email, but no TC2 ids yet.
        var company = await NewCompany("Junes Ltd", cligency: null, agency: null, status: Company.StatusPendingEmailConf, salesPersonId: Bdr.Id);
        var contact = await NewContact(company, tc2SrId: null);

        await Send(Client(status: "active", paidInvoices: 2, plan: "1-startup", support: Tc2Support));

        Assert.Equal([(company.Id, "Junes Ltd", (int?)20, (int?)10, "active", (string?)"GB", (string?)"https://junes.com", 2, "startup", (bool?)false, true, Bdr.Id, (int?)Support.Id, (int?)null, (int?)null)],
            (await All(db => db.Companies)).Select(Row));
        Assert.Equal([(contact.Id, company.Id, (int?)40, (string?)"Mary", (string?)"Booth", (string?)"mary@booth.com", (string?)null, (int?)null)],
            (await All(db => db.Contacts)).Select(Row));
        Assert.Empty(await All(db => db.Deals));
        Assert.Equal([SyncJob(company.Id)], await PendingJobs());
        Assert.Equal([("tc2", (string?)"Client", (string?)"CREATED_A_CLIENT", (string?)"10", "processed", (string?)$"company {company.Id} updated")], await WebhookLog());

        await RunJobs();
        Assert.Equal([
            OrgSearch(), EmailSearch("mary@booth.com"),
            NewOrg(name: "Junes Ltd", owner: 12, status: "active", paid: 2, website: "https://junes.com"),
            NewPerson(contact.Id, "Mary Booth", "mary@booth.com", 1, owner: 12),
        ], PdRequests());
    }

    [Fact]
    public async Task Cligency_created__Company_doesnt_exist__created()
    {
        await Send(Client(support: Tc2Support, bdr: Tc2Bdr, questionnaire: new JsonObject { ["how-did-you-hear-about-us"] = "Blog or Article", ["students"] = 45 },
            extra: new Dictionary<string, string> { ["client_marketing_source"] = " Google-", ["how_did_you_hear_about_us_1"] = "----" }));

        var company = Assert.Single(await All(db => db.Companies));
        Assert.Equal((1, "MyTutors", (int?)20, (int?)10, "trial", (string?)"GB", (string?)"https://www.mytutors.com", 0, "payg", (bool?)false, true, Sales.Id, (int?)Support.Id, (int?)Bdr.Id, (int?)null),
            Row(company));
        Assert.Equal((Now, """{"students": 45, "how-did-you-hear-about-us": "Blog or Article"}"""), (company.Created, company.SignupQuestionnaire));
        Assert.Equal([("source", "google")], (await All(db => db.CustomFieldValues.Include(v => v.CustomField).Where(v => v.CompanyId == 1))).Select(v => (v.CustomField!.MachineName!, v.Value!)));
        Assert.Equal([(1, 1, (int?)40, (string?)"Mary", (string?)"Booth", (string?)"mary@booth.com", (string?)null, (int?)null)], (await All(db => db.Contacts)).Select(Row));
        Assert.Equal([(1, 1, (string?)"MyTutors", "open", Sales.Id, (int?)Payg.Id, (int?)PaygNew.Id, (int?)1, (int?)null)], (await All(db => db.Deals)).Select(Row));
        Assert.Equal([SyncJob(1)], await PendingJobs());
        Assert.Equal([("tc2", (string?)"Client", (string?)"CREATED_A_CLIENT", (string?)"10", "processed", (string?)"company 1 created (deal created)")], await WebhookLog());

        await RunJobs();
        Assert.Equal([
            OrgSearch(), EmailSearch("mary@booth.com"),
            $$$"""POST /organizations {"name":"MyTutors","owner_id":10,"address":{"value":"GB"},"custom_fields":{"{{{OrgHermesId}}}":"1","{{{OrgTc2Status}}}":"trial","{{{OrgPaidInvoices}}}":0,"{{{OrgCligencyUrl}}}":"{{{CligencyUrl(10)}}}","{{{OrgWebsite}}}":"https://www.mytutors.com","{{{OrgSource}}}":"google"}}""",
            NewPerson(1, "Mary Booth", "mary@booth.com", 1),
            $$"""POST /deals {"title":"MyTutors","owner_id":10,"pipeline_id":{{Payg.PdPipelineId}},"stage_id":{{PaygNew.PdStageId}},"status":"open","custom_fields":{"{{DealHermesId}}":"1","{{DealSource}}":"google","{{DealPaidInvoices}}":0},"org_id":1,"person_id":1}""",
        ], PdRequests());
        Assert.Equal([((int?)1, (int?)1, (int?)1)], (await All(db => db.Companies.Include(c => c.Contacts).Include(c => c.Deals))).Select(c => (c.PdOrgId, c.Contacts.Single().PdPersonId, c.Deals.Single().PdDealId)));
    }

    [Fact]
    public async Task Cligency_created__Contact_exists__updated_with_the_tc2_fields__matched_beyond_tc2_sr_id()
    {
        var company = await NewCompany(status: "active", paidInvoices: 2);
        var known = await NewContact(company, email: null, phone: "0208112555");                      // TC2's recipient 40, no email yet
        var byEmail = await NewContact(company, "Rudy", "Jones", "rudy@jones.com", tc2SrId: null);      // booked a call; not linked to TC2 yet

        await Send(Client(status: "active", paidInvoices: 2, recipients: [new SimRecipient(40, "Mary", "Booth", "mary@booth.com"), new SimRecipient(41, "Rudy", "Jones", "RUDY@jones.com")]));

        Assert.Equal([
            (known.Id, company.Id, (int?)40, (string?)"Mary", (string?)"Booth", (string?)"mary@booth.com", (string?)"0208112555", (int?)null),
            (byEmail.Id, company.Id, (int?)41, (string?)"Rudy", (string?)"Jones", (string?)"rudy@jones.com", (string?)null, (int?)null),
        ], (await All(db => db.Contacts.OrderBy(c => c.Id))).Select(Row));
        Assert.Equal([SyncJob(company.Id)], await PendingJobs());

        await RunJobs();
        Assert.Equal([
            $"POST /organizations", NewPerson(known.Id, "Mary Booth", "mary@booth.com", 1, phone: "0208112555"), NewPerson(byEmail.Id, "Rudy Jones", "rudy@jones.com", 1),
        ], PdWrites().Select(w => w.StartsWith("POST /organizations", StringComparison.Ordinal) ? "POST /organizations" : w));
    }

    [Fact]
    public async Task Cligency_created__Contact_doesnt_exist__created()
    {
        await Send(Client(phone: "+44 20 7946 0000", recipients: [new SimRecipient(40, "Mary", "Booth", null), new SimRecipient(41, "Rudy", "Jones", "rudy@jones.com")]));

        // The first recipient has no email of their own and takes the client user's (and phone).
        Assert.Equal([
            (1, 1, (int?)40, (string?)"Mary", (string?)"Booth", (string?)"mary@booth.com", (string?)"+44 20 7946 0000", (int?)null),
            (2, 1, (int?)41, (string?)"Rudy", (string?)"Jones", (string?)"rudy@jones.com", (string?)null, (int?)null),
        ], (await All(db => db.Contacts.OrderBy(c => c.Id))).Select(Row));
        Assert.Equal([SyncJob(1)], await PendingJobs());

        await RunJobs();
        Assert.Equal([
            OrgSearch(), EmailSearch("mary@booth.com"), EmailSearch("rudy@jones.com"),
            "GET /persons/search?term=+44 20 7946 0000&exact_match=true&limit=10&fields=phone",
            NewOrg(), NewPerson(1, "Mary Booth", "mary@booth.com", 1, phone: "+44 20 7946 0000"), NewPerson(2, "Rudy Jones", "rudy@jones.com", 1), NewDeal(),
        ], PdRequests());
    }

    [Fact]
    public async Task Cligency_created__Deal_exists__nothing_done()
    {
        var org = SyncedOrg();
        var person = PdPerson("Mary Booth", org, "mary@booth.com", new JsonObject { [PersonHermesId] = "1" });
        var pdDeal = PdDeal("Julies Ltd", org, person, status: "lost", custom: new JsonObject { [DealHermesId] = "1" });
        var company = await NewCompany(pdOrgId: (int)org);
        var contact = await NewContact(company, pdPersonId: (int)person);
        var deal = await NewDeal(company, contact, Deal.StatusLost, pdDealId: (int)pdDeal);
        Pd.Requests.Clear();

        // A new prospect by every other measure: but a deal exists (closed ones count), so none is made.
        await Send(Client());

        Assert.Equal([(deal.Id, company.Id, (string?)"Julies Ltd", "lost", Sales.Id, (int?)Payg.Id, (int?)PaygNew.Id, (int?)contact.Id, (int?)pdDeal)],
            (await All(db => db.Deals)).Select(Row));
        Assert.Equal([("tc2", (string?)"Client", (string?)"CREATED_A_CLIENT", (string?)"10", "processed", (string?)$"company {company.Id} unchanged")], await WebhookLog());
        Assert.Empty(await PendingJobs());
        await RunJobs();
        Assert.Empty(PdRequests());
    }

    [Fact]
    public async Task Cligency_created__Company_doesnt_exist_0_paid_invoices_trial_or_pending_email_conf_created_in_the_past_3_months__Deal_created_in_the_price_plans_pipeline_and_entry_stage()
    {
        await Send(Client(status: "pending_email_conf", plan: "2-startup", age: TimeSpan.FromDays(89)));

        Assert.Equal([(1, 1, (string?)"MyTutors", "open", Sales.Id, (int?)Startup.Id, (int?)StartupNew.Id, (int?)1, (int?)null)], (await All(db => db.Deals)).Select(Row));
        Assert.Equal([SyncJob(1)], await PendingJobs());

        await RunJobs();
        Assert.Equal(NewDeal(pipeline: Startup, stage: StartupNew), PdWrites().Last());
    }

    [Theory]
    [InlineData("active", 0, 1)]               // not a prospect any more
    [InlineData("trial", 1, 1)]                // paying
    [InlineData("trial", 0, 91)]               // signed up over 3 months ago
    [InlineData("pending_email_conf", 0, 120)]
    public async Task Cligency_created__not_a_new_prospect__no_Deal_created(string status, int paidInvoices, int ageDays)
    {
        await Send(Client(status: status, paidInvoices: paidInvoices, age: TimeSpan.FromDays(ageDays)));

        Assert.Equal([(1, 1)], (await All(db => db.Companies.Include(c => c.Contacts))).Select(c => (c.Id, c.Contacts.Count)));
        Assert.Empty(await All(db => db.Deals));
        await RunJobs();
        Assert.DoesNotContain(PdWrites(), w => w.StartsWith("POST /deals", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cligency_created__Org_exists__updated_with_the_tc2_fields()
    {
        // Pipedrive's copy: a name and owner staff set there (Pipedrive owns them), TC2 facts from before.
        var org = SyncedOrg(name: "Julies Tutoring", owner: 11);
        var company = await NewCompany(pdOrgId: (int)org);
        Pd.Requests.Clear();

        await Send(Client(status: "active", paidInvoices: 3, recipients: []));

        Assert.Equal([(company.Id, "Julies Ltd", (int?)20, (int?)10, "active", (string?)"GB", (string?)"https://junes.com", 3, "payg", (bool?)false, true, Sales.Id, (int?)null, (int?)null, (int?)org)],
            (await All(db => db.Companies)).Select(Row));
        Assert.Equal([SyncJob(company.Id)], await PendingJobs());

        await RunJobs();
        Assert.Equal([
            $"GET /organizations/{org}",
            $$$"""PATCH /organizations/{{{org}}} {"custom_fields":{"{{{OrgTc2Status}}}":"active","{{{OrgPaidInvoices}}}":3}}""",
        ], PdRequests());
        Assert.Equal("""{"name":"Julies Tutoring","owner_id":11}""", Fields(PdObject("organization", org), "name", "owner_id"));
    }

    [Fact]
    public async Task Cligency_created__Org_doesnt_exist__created_with_the_owner_assigned()
    {
        await Send(Client(sales: Tc2Sales, bdr: Tc2Bdr));
        Assert.Equal([SyncJob(1)], await PendingJobs());

        await RunJobs();
        Assert.Contains(NewOrg(), PdRequests());
        Assert.Equal($$"""{"name":"MyTutors","owner_id":10,"address.value":"GB"}""", Fields(PdObject("organization", 1), "name", "owner_id", "address.value"));
        Assert.Equal((int?)1, (await All(db => db.Companies)).Single().PdOrgId);
    }

    [Fact]
    public async Task Cligency_created__Person_exists__updated_with_the_tc2_fields()
    {
        var org = SyncedOrg(status: "active", paid: 2);
        var person = PdPerson("Mary Booth", org, email: null);              // made by hand in Pipedrive: no email, no hermes_id
        var company = await NewCompany(pdOrgId: (int)org, status: "active", paidInvoices: 2);
        var contact = await NewContact(company, email: null, pdPersonId: (int)person);
        Pd.Requests.Clear();

        await Send(Client(status: "active", paidInvoices: 2));

        Assert.Equal([(contact.Id, company.Id, (int?)40, (string?)"Mary", (string?)"Booth", (string?)"mary@booth.com", (string?)null, (int?)person)],
            (await All(db => db.Contacts)).Select(Row));
        Assert.Equal([SyncJob(company.Id)], await PendingJobs());

        await RunJobs();
        Assert.Equal([
            $"GET /organizations/{org}", $"GET /persons/{person}",
            $$$"""PATCH /persons/{{{person}}} {"emails":[{"value":"mary@booth.com","label":"work","primary":true}],"custom_fields":{"{{{PersonHermesId}}}":"{{{contact.Id}}}"}}""",
        ], PdRequests());
    }

    [Fact]
    public async Task Cligency_created__Person_doesnt_exist__created()
    {
        var org = SyncedOrg(status: "active", paid: 2);
        var company = await NewCompany(pdOrgId: (int)org, status: "active", paidInvoices: 2);
        Pd.Requests.Clear();

        await Send(Client(status: "active", paidInvoices: 2));

        Assert.Equal([(1, company.Id, (int?)40, (string?)"Mary", (string?)"Booth", (string?)"mary@booth.com", (string?)null, (int?)null)], (await All(db => db.Contacts)).Select(Row));
        Assert.Equal([SyncJob(company.Id)], await PendingJobs());

        await RunJobs();
        Assert.Equal([$"GET /organizations/{org}", EmailSearch("mary@booth.com"), NewPerson(1, "Mary Booth", "mary@booth.com", org)], PdRequests());
        Assert.Equal((int?)1, (await All(db => db.Contacts)).Single().PdPersonId);
    }

    [Fact]
    public async Task Cligency_created__PDDeal_created_if_the_Deal_was_created_above()
    {
        await Send(Client());
        Assert.Single(await All(db => db.Deals));

        await RunJobs();
        Assert.Equal(NewDeal(), PdWrites().Last());
        var deal = PdObject("deal", 1);
        Assert.Equal($$"""{"title":"MyTutors","owner_id":10,"org_id":1,"person_id":1,"pipeline_id":{{Payg.PdPipelineId}},"stage_id":{{PaygNew.PdStageId}},"status":"open"}""",
            Fields(deal, "title", "owner_id", "org_id", "person_id", "pipeline_id", "stage_id", "status"));
        Assert.Equal((int?)1, (await All(db => db.Deals)).Single().PdDealId);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Sandbox.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Tc2;

/// <summary>
/// <c>POST /tc2/callback/</c> itself (behaviour.md §3): the signature, bad bodies, every event logged and applied on
/// its own, narc, deleted clients, invoices, re-sends, and organizations Pipedrive deleted.
/// </summary>
public class Tc2CallbackTests : Tc2Test
{
    const string Unauthorized = """{"detail":"Unauthorized key"}""";

    async Task AssertNothingStored()
    {
        Assert.Empty(await WebhookLog());
        Assert.Empty(await All(db => db.Companies));
        Assert.Empty(await AllJobs());
    }

    string SignedBody() => Tc2Json(new JsonObject { ["_request_time"] = 123, ["events"] = new JsonArray(Tc2.Webhooks.Event("CREATED_A_CLIENT", Client().ToJson())) });

    static string Tc2Json(JsonObject body) => body.ToJsonString();

    [Fact]
    public async Task A_webhook_without_a_signature_is_refused_with_403_and_nothing_is_stored()
    {
        Assert.Equal((HttpStatusCode.Forbidden, Unauthorized), await PostTc2(SignedBody(), signature: ""));
        await AssertNothingStored();
    }

    [Theory]
    [InlineData("Foobar")]
    [InlineData("signed-with-another-key")]
    [InlineData("signature-of-another-body")]
    public async Task A_webhook_with_a_wrong_signature_is_refused_with_403_and_nothing_is_stored(string kind)
    {
        var body = SignedBody();
        var signature = kind switch
        {
            "signed-with-another-key" => Tc2Webhooks.Sign(body, "not-the-tc2-key"),
            "signature-of-another-body" => Tc2Webhooks.Sign(body + " ", Tc2.Options.ApiKey),
            _ => kind,
        };
        Assert.Equal((HttpStatusCode.Forbidden, Unauthorized), await PostTc2(body, signature));
        await AssertNothingStored();
    }

    [Fact]
    public async Task In_dev_mode_the_signature_is_not_checked()
    {
        await using var dev = await StartHermesAsync(more: s => s["DEV_MODE"] = "true");
        await using (var db = dev.Db())
        {
            db.Admins.Add(new Admin { Username = "brian@tc.com", Tc2AdminId = 30, PdOwnerId = 10 });
            await db.SaveChangesAsync();
        }
        using var response = await dev.Http.PostAsync("/tc2/callback/", new StringContent(SignedBody(), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        await using var check = dev.Db();
        Assert.Equal(["MyTutors"], await check.Companies.Select(c => c.Name).ToListAsync());
    }

    [Theory]
    [InlineData("not json", """{"detail":[{"loc":["body"],"msg":"JSON decode error","type":"json_invalid"}]}""")]
    [InlineData("""[1, 2]""", """{"detail":[{"loc":["body"],"msg":"Input should be a valid dictionary","type":"dict_type"}]}""")]
    [InlineData("""{"_request_time": 123, "events": {"foo": "bar"}}""", """{"detail":[{"loc":["body","events"],"msg":"Input should be a valid list","type":"list_type"}]}""")]
    [InlineData("""{"_request_time": 123}""", """{"detail":[{"loc":["body","events"],"msg":"Field required","type":"missing"}]}""")]
    [InlineData("""{"events": [{"action": "CREATED_A_CLIENT", "subject": "10"}]}""", """{"detail":[{"loc":["body","events","0","subject"],"msg":"Input should be a valid dictionary","type":"dict_type"}]}""")]
    public async Task A_signed_but_malformed_body_gets_422_naming_the_problem_and_nothing_is_stored(string body, string answer)
    {
        Assert.Equal(((HttpStatusCode)422, answer), await PostTc2(body));
        await AssertNothingStored();
    }

    [Fact]
    public async Task Each_event_is_logged_and_applied_on_its_own__one_that_fails_does_not_stop_the_others()
    {
        Tc2.PutClient(Client(id: 11, agencyId: 21, name: "Unknown Sales Ltd", sales: new Tc2Admin(99, "Not", "Here", "not@here.com")));
        Tc2.PutClient(Client(id: 12, agencyId: 22, name: "Terms Ltd"));
        Tc2.PutClient(Client());
        var noAgency = Client(id: 13).ToJson();
        noAgency.Remove("meta_agency");

        var delivery = await Tc2.Webhooks.SendAsync([
            Tc2.Webhooks.ClientEvent("CREATED_A_CLIENT", 11),
            Tc2.Webhooks.ClientEvent("AGREE_TERMS", 12),
            Tc2.Webhooks.Event("CREATED_A_CONTRACTOR", new JsonObject { ["model"] = "Tutor", ["id"] = 1623 }),
            Tc2.Webhooks.InvoiceEvent("RAISED_INVOICE", 10, 50),
            Tc2.Webhooks.ClientEvent("CREATED_A_CLIENT", 10),
            Tc2.Webhooks.Event("CLIENT_ENQUIRY", noAgency),
        ]);

        Assert.Equal((200, """{"status":"ok"}"""), (delivery.StatusCode, delivery.ResponseBody));
        Assert.Equal([
            ("tc2", (string?)"Client", (string?)"CREATED_A_CLIENT", (string?)"11", "error", (string?)"sales_person_id: Admin with tc2_admin_id 99 does not exist"),
            ("tc2", "Client", "AGREE_TERMS", "12", "ignored", "ignored: AGREE_TERMS events are not used"),
            ("tc2", "Tutor", "CREATED_A_CONTRACTOR", "1623", "ignored", "ignored: Hermes does not use TC2 Tutor events"),
            ("tc2", "Invoice", "RAISED_INVOICE", "50; client 10", "processed", "client 10 will be read again from TC2"),
            ("tc2", "Client", "CREATED_A_CLIENT", "10", "processed", "company 1 created (deal created)"),
            ("tc2", "Client", "CLIENT_ENQUIRY", "13", "ignored", "ignored: a client without an agency"),
        ], await WebhookLog());
        Assert.Equal([(10, "MyTutors")], (await All(db => db.Companies)).Select(c => (c.Tc2CligencyId!.Value, c.Name)));
        Assert.Equal([("tc2.refresh_client", """{"tc2CligencyId":10}""", "tc2_client:10"), SyncJob(1)], await PendingJobs());
        // The stored event is the event as TC2 sent it.
        var stored = await All(db => db.WebhookLogs.OrderBy(w => w.Id).Select(w => w.Body));
        Assert.Equal(10, JsonNode.Parse(stored[4])!["subject"]!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_without_a_sales_person_is_an_error_for_that_event_and_changes_nothing()
    {
        var company = await NewCompany(status: "trial");

        await Send(Client(status: "active", paidInvoices: 4, noSales: true), "EDITED_A_CLIENT");

        Assert.Equal([("tc2", (string?)"Client", (string?)"EDITED_A_CLIENT", (string?)"10", "error", (string?)"sales_person_id: client 10 has no sales person")], await WebhookLog());
        Assert.Equal([(company.Id, "trial", 0)], (await All(db => db.Companies)).Select(c => (c.Id, c.Tc2Status, c.PaidInvoiceCount)));
        Assert.Empty(await All(db => db.Contacts));
        Assert.Empty(await AllJobs());
    }

    [Fact]
    public async Task A_narc_client_keeps_no_contacts_or_deal_and_Pipedrive_is_purged_while_the_company_stays()
    {
        await Send(Client());
        await RunJobs();
        Assert.Equal((1, 1, 1), (Pd.List("organizations").Count, Pd.List("persons").Count, Pd.List("deals").Count));
        Pd.Requests.Clear();

        await Send(Client(narc: true), "EDITED_A_CLIENT");

        Assert.Equal([(1, "MyTutors", (int?)20, (int?)10, "trial", (string?)"GB", (string?)"https://www.mytutors.com", 0, "payg", (bool?)true, true, Sales.Id, (int?)null, (int?)null, (int?)null)],
            (await All(db => db.Companies)).Select(Row));
        Assert.Empty(await All(db => db.Contacts));
        Assert.Empty(await All(db => db.Deals));
        Assert.Equal([("pipedrive.purge_company", """{"companyId":1,"orgId":1,"personIds":[1],"dealIds":[1]}""", "company:1")], await PendingJobs());

        await RunJobs();
        Assert.Equal([
            "DELETE /deals/1", "DELETE /persons/1", "PATCH /organizations/1 {\"custom_fields\":{\"" + OrgHermesId + "\":null}}", "DELETE /organizations/1",
        ], PdRequests());
        Assert.Equal((0, 0, 0), (Pd.List("organizations").Count, Pd.List("persons").Count, Pd.List("deals").Count));
        Assert.Equal([("organization", 1, (PipedriveDeletion?)PipedriveDeletion.Purged)], (await All(db => db.PipedriveObjects)).Select(o => (o.Entity, o.PdId, o.DeletedReason)));

        // TC2 keeps sending the narc client: nothing more happens.
        await Send(Client(narc: true), "EDITED_A_CLIENT");
        Assert.Empty(await PendingJobs());
    }

    [Fact]
    public async Task A_new_narc_client_is_kept_without_contacts_or_deal_and_nothing_goes_to_Pipedrive()
    {
        await Send(Client(narc: true));

        Assert.Equal([(1, (bool?)true)], (await All(db => db.Companies)).Select(c => (c.Id, c.Narc)));
        Assert.Empty(await All(db => db.Contacts));
        Assert.Empty(await All(db => db.Deals));
        Assert.Empty(await PendingJobs());
        await RunJobs();
        Assert.Empty(Pd.Requests.All);
    }

    [Fact]
    public async Task An_invoice_event_reads_the_client_again_from_TC2_and_applies_it()
    {
        var company = await NewCompany(status: "active", paidInvoices: 1);
        Tc2.PutClient(Client(status: "active", paidInvoices: 2, recipients: []));

        var delivery = await Tc2.Webhooks.EmitInvoiceEventAsync("CLIENT_PAID_INVOICE", 10, 77);

        Assert.Equal((200, """{"status":"ok"}"""), (delivery.StatusCode, delivery.ResponseBody));
        Assert.Equal([("tc2.refresh_client", """{"tc2CligencyId":10}""", "tc2_client:10")], await PendingJobs());
        Assert.Equal(1, (await All(db => db.Companies)).Single().PaidInvoiceCount);

        await Hermes.RunJobsAsync();
        // Read by the refresh; then read and written by the TC2 update the new organization causes.
        Assert.Equal(["GET /api/clients/10/", "GET /api/clients/10/", "POST /api/clients/"], Tc2.Requests.All.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(Tc2.Requests.All, r => Assert.Equal("token " + Tc2.Options.ApiKey, r.Header("Authorization")));
        Assert.Equal([(company.Id, 2)], (await All(db => db.Companies)).Select(c => (c.Id, c.PaidInvoiceCount)));
        Assert.Equal([("tc2.refresh_client", "done", (string?)null), ("pipedrive.sync_company", "done", null), ("tc2.update_client", "done", null)],
            (await AllJobs()).Select(j => (j.Kind, j.Status, j.Error)));
        Assert.Contains($"\"{OrgPaidInvoices}\":2", PdWrites().Single());
    }

    [Fact]
    public async Task The_same_webhook_twice_changes_nothing_the_second_time_and_sends_nothing_more_to_Pipedrive()
    {
        await Send(Client());
        await RunJobs();
        var first = PdRequests();

        await Send(Client(), "EDITED_A_CLIENT");

        Assert.Equal("company 1 unchanged", (await WebhookLog()).Last().Error);
        Assert.Empty(await PendingJobs());
        Assert.Equal(first, PdRequests());
        Assert.Equal((1, 1, 1), ((await All(db => db.Companies)).Count, (await All(db => db.Contacts)).Count, (await All(db => db.Deals)).Count));
    }

    [Fact]
    public async Task An_unknown_price_plan_counts_as_payg_and_the_country_is_read_from_its_code()
    {
        var client = Client(plan: "1-basic", recipients: []);
        var json = client.ToJson();
        json["meta_agency"]!["country"] = "United States (US)";
        Tc2.PutClient(json);

        var delivery = await Tc2.Webhooks.EmitClientEventAsync("CREATED_A_CLIENT", 10);

        Assert.Equal(200, delivery.StatusCode);
        Assert.Equal([("payg", (string?)"US")], (await All(db => db.Companies)).Select(c => (c.PricePlan, c.Country)));
    }

    [Fact]
    public async Task An_organization_Pipedrive_answers_404_for_is_recorded_as_deleted_there_and_not_recreated__not_even_for_a_later_TC2_event()
    {
        var company = await NewCompany(pdOrgId: 14041, status: "active");

        await Send(Client(status: "active", paidInvoices: 1, recipients: []), "EDITED_A_CLIENT");
        await RunJobs();

        Assert.Equal(["GET /organizations/14041"], PdRequests());
        Assert.Equal([("organization", 14041, (PipedriveDeletion?)PipedriveDeletion.NotFound, (int?)10, (string?)"Julies Ltd")],
            (await All(db => db.PipedriveObjects)).Select(o => (o.Entity, o.PdId, o.DeletedReason, o.Tc2CligencyId, o.CompanyName)));
        Assert.Equal((int?)14041, (await All(db => db.Companies)).Single().PdOrgId);

        // The client is deleted in TC2 and comes back: Hermes has the company again, Pipedrive does not get the organization again.
        var delivery = await Tc2.Webhooks.EmitClientDeletedAsync(10);
        Assert.Equal(200, delivery.StatusCode);
        await Send(Client(status: "active", paidInvoices: 1, recipients: []), "EDITED_A_CLIENT");
        Assert.Equal([(company.Id + 1, (int?)null)], (await All(db => db.Companies)).Select(c => (c.Id, c.PdOrgId)));
        Assert.Equal([SyncJob(company.Id + 1)], await PendingJobs());

        await RunJobs();
        Assert.Equal(["GET /organizations/14041"], PdRequests());
        Assert.Empty(Pd.List("organizations"));
    }

    [Fact]
    public async Task A_server_error_for_a_linked_organization_is_retried_not_taken_for_a_delete()
    {
        var org = PdOrg("Julies Ltd");
        await NewCompany(pdOrgId: (int)org, status: "active");
        Pd.Faults.Next(1, Fault.ServerError(500), $"/api/v2/organizations/{org}", "GET");

        await Send(Client(status: "active", paidInvoices: 2, recipients: []), "EDITED_A_CLIENT");
        await Hermes.RunJobsAsync();

        var job = Assert.Single(await AllJobs());
        Assert.Equal(("pipedrive.sync_company", "pending"), (job.Kind, job.Status));
        Assert.StartsWith($"PipedriveException: Pipedrive GET organizations/{org} answered 500", job.Error);
        Assert.Empty(await All(db => db.PipedriveObjects));

        Hermes.Clock.Advance(TimeSpan.FromSeconds(10));
        await RunJobs();
        Assert.Equal([$"GET /organizations/{org}", $"GET /organizations/{org}"], PdRequests("GET"));
        Assert.Single(PdWrites(), w => w.StartsWith($"PATCH /organizations/{org}", StringComparison.Ordinal));
    }
}

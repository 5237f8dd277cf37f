using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Tests.Tc2;
using SimRecipient = Hermes.Sandbox.Tc2.Tc2Recipient;

namespace Hermes.Tests.Sync;

/// <summary>
/// The whole loop over real HTTP: TC2's webhook → Hermes → jobs → the Pipedrive simulator → Pipedrive's webhooks
/// (including the echoes of Hermes's own writes) → Hermes → TC2, until nothing more moves.
/// </summary>
public class EndToEndTests : Tc2Test
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Pd.Webhooks.Subscribe(() => new Uri(Hermes.BaseAddress, "/pipedrive/callback/"), "2.0", "pipedrive", "webhook-secret");
    }

    /// <summary>Pipedrive delivers what is due; Hermes must take every webhook.</summary>
    async Task<int> DeliverPipedriveWebhooks()
    {
        var attempts = await Pd.Webhooks.DeliverPendingAsync();
        Assert.All(attempts, a => Assert.Equal(200, a.StatusCode));
        return attempts.Count;
    }

    List<string> Tc2Writes() => Tc2.Requests.All.Where(r => r.Method != "GET").Select(r => $"{r.Method} {r.Path} {r.Body}").ToList();

    string Tc2Post(string? stage, string? pipeline, int orgId = 1) =>
        "POST /api/clients/ " + new JsonObject
        {
            ["user"] = new JsonObject { ["email"] = "mary@booth.com", ["phone"] = null, ["first_name"] = "Mary", ["last_name"] = "Booth" },
            ["status"] = "live",
            ["paid_recipients"] = new JsonArray(new JsonObject { ["email"] = "mary@booth.com", ["first_name"] = "Mary", ["last_name"] = "Booth" }),
            ["extra_attrs"] = new JsonObject
            {
                ["pipedrive_url"] = $"{Sim.PipedriveBaseUrl}/organization/{orgId}/", ["pipedrive_id"] = $"{orgId}",
                ["pipedrive_deal_stage"] = stage, ["pipedrive_pipeline"] = pipeline,
                ["hermes_id"] = "1", ["client_marketing_source"] = null,
            },
            ["sales_person"] = 30,
        }.ToJsonString();

    /// <summary>A new TC2 client all the way into Pipedrive and back to TC2, with Pipedrive's echoes delivered.</summary>
    async Task<List<string>> NewClientEverywhere()
    {
        await Send(Client());
        await RunJobs();
        Assert.Equal(3, await DeliverPipedriveWebhooks()); // the echoes of the organization, person and deal Hermes made
        await RunJobs();
        return PdWrites();
    }

    [Fact]
    public async Task A_TC2_client_reaches_Pipedrive_with_its_fields_and_owners__TC2_learns_the_org__and_the_echoes_cause_no_further_writes()
    {
        var writes = await NewClientEverywhere();

        Assert.Equal(["POST /organizations", "POST /persons", "POST /deals"], writes.Select(w => string.Join(' ', w.Split(' ').Take(2))));
        var org = PdObject("organization", 1);
        Assert.Equal($$"""{"name":"MyTutors","owner_id":10,"address.value":"GB"}""", Fields(org, "name", "owner_id", "address.value"));
        Assert.Equal($$"""{"{{OrgHermesId}}":"1","{{OrgTc2Status}}":"trial","{{OrgPaidInvoices}}":0,"{{OrgCligencyUrl}}":"{{CligencyUrl(10)}}","{{OrgWebsite}}":"https://www.mytutors.com"}""", Custom(org));
        var person = PdObject("person", 1);
        Assert.Equal("""{"name":"Mary Booth","owner_id":10,"org_id":1,"emails":[{"value":"mary@booth.com","label":"work","primary":true}]}""",
            Fields(person, "name", "owner_id", "org_id", "emails"));
        Assert.Equal($$"""{"{{PersonHermesId}}":"1"}""", Custom(person));
        var deal = PdObject("deal", 1);
        Assert.Equal($$"""{"title":"MyTutors","owner_id":10,"org_id":1,"person_id":1,"pipeline_id":{{Payg.PdPipelineId}},"stage_id":{{PaygNew.PdStageId}},"status":"open"}""",
            Fields(deal, "title", "owner_id", "org_id", "person_id", "pipeline_id", "stage_id", "status"));
        Assert.Equal($$"""{"{{DealHermesId}}":"1","{{DealPaidInvoices}}":0}""", Custom(deal));

        // TC2 was told once where the client lives in Pipedrive, and its deal's stage and pipeline.
        Assert.Equal([Tc2Post("New", "PAYG")], Tc2Writes());
        Assert.Equal([("pipedrive", "organization", "create", "processed"), ("pipedrive", "person", "create", "processed"), ("pipedrive", "deal", "create", "processed")],
            (await WebhookLog()).Skip(1).Select(w => (w.Source, w.Object!, w.Action!, w.Outcome)));

        // TC2 sends its edit back, as it does after any change: Hermes has nothing new, nothing moves any more.
        var delivery = await Tc2.Webhooks.EmitClientEventAsync("EDITED_A_CLIENT", 10);
        Assert.Equal(200, delivery.StatusCode);
        Assert.Equal("company 1 unchanged", (await WebhookLog()).Last().Error);
        Assert.Empty(await PendingJobs());
        await RunJobs();
        Assert.Equal(0, await DeliverPipedriveWebhooks());
        Assert.Equal(writes, PdWrites());
        Assert.Single(Tc2Writes());
        // The echoes of the organization and deal Hermes made each ran the TC2 update too: TC2 was read, not written.
        Assert.Equal([("pipedrive.sync_company", "done", (string?)null), ("tc2.update_client", "done", null), ("tc2.update_client", "done", null),
            ("tc2.update_client", "done", null)], await AllJobs());
        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/", "GET /api/clients/10/", "GET /api/clients/10/"],
            Tc2.Requests.All.Where(r => r.Path.StartsWith("/api/clients/", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task A_deal_stage_change_in_Pipedrive_reaches_TC2__and_after_the_deal_is_deleted_in_Pipedrive_TC2_gets_nulls()
    {
        var writes = await NewClientEverywhere();

        Pd.Update("deals", 1, new JsonObject { ["stage_id"] = PaygWon.PdStageId });
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Equal([("tc2.update_client", """{"companyId":1}""", "company:1")], await PendingJobs());
        await RunJobs();
        Assert.Equal([Tc2Post("New", "PAYG"), Tc2Post("Demo booked", "PAYG")], Tc2Writes());
        Assert.Equal([("pipedrive_deal_stage", "Demo booked"), ("pipedrive_pipeline", "PAYG")],
            Tc2.GetClient(10)!["extra_attrs"]!.AsArray().Select(a => (a!["machine_name"]!.GetValue<string>(), a["value"]!.GetValue<string>()))
                .Where(a => a.Item1.StartsWith("pipedrive_d", StringComparison.Ordinal) || a.Item1 == "pipedrive_pipeline"));

        Pd.Delete("deals", 1);
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Empty(await All(db => db.Deals));
        await RunJobs();
        Assert.Equal([Tc2Post("New", "PAYG"), Tc2Post("Demo booked", "PAYG"), Tc2Post(null, null)], Tc2Writes());
        Assert.DoesNotContain(Tc2.GetClient(10)!["extra_attrs"]!.AsArray(), a => a!["machine_name"]!.GetValue<string>() is "pipedrive_deal_stage" or "pipedrive_pipeline");
        Assert.Equal(writes, PdWrites()); // Pipedrive's own changes are never written back to it

        // TC2 tells Hermes about the client it just updated. It is still a new prospect with no deal in Hermes, but the
        // sales team deleted its deal on purpose: no new deal is made, in Hermes or in Pipedrive.
        var echo = await Tc2.Webhooks.EmitClientEventAsync("EDITED_A_CLIENT", 10);
        Assert.Equal((200, """{"status":"ok"}"""), (echo.StatusCode, echo.ResponseBody));
        await RunJobs();
        Assert.Empty(await All(db => db.Deals));
        Assert.Equal(writes, PdWrites());
        Assert.Contains("its deal was deleted in Pipedrive", (await WebhookLog()).Last().Error);
    }

    [Fact]
    public async Task A_person_deleted_in_Pipedrive_is_not_recreated_there_when_TC2_brings_the_contact_back()
    {
        var writes = await NewClientEverywhere();

        Pd.Delete("persons", 1);
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Empty(await All(db => db.Contacts));

        // TC2's next event for the client names the same paid recipient: Hermes keeps its contact (the checklist), but
        // the person the sales team deleted stays deleted in Pipedrive.
        await Send(Client(), "EDITED_A_CLIENT");
        Assert.Equal([("Mary", "Booth", (int?)40, (int?)null)], (await All(db => db.Contacts)).Select(c => (c.FirstName, c.LastName, c.Tc2SrId, c.PdPersonId)));
        await RunJobs();

        Assert.Equal(writes, PdWrites());
        Assert.Empty(Pd.List("persons"));
    }

    [Fact]
    public async Task An_organization_deleted_in_Pipedrive_is_not_recreated_when_TC2_brings_the_company_back()
    {
        var writes = await NewClientEverywhere();

        Pd.Delete("organizations", 1);
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Empty(await All(db => db.Companies));
        Assert.Equal([("organization", 1, (PipedriveDeletion?)PipedriveDeletion.Webhook, (int?)10)], (await All(db => db.PipedriveObjects.Where(o => o.DeletedAt != null))).Select(o => (o.Entity, o.PdId, o.DeletedReason, o.Tc2CligencyId)));

        await Send(Client(), "EDITED_A_CLIENT");
        Assert.Equal([(2, "MyTutors", (int?)null)], (await All(db => db.Companies)).Select(c => (c.Id, c.Name, c.PdOrgId)));
        Assert.Equal([SyncJob(2)], await PendingJobs());
        await RunJobs();

        Assert.Equal(writes, PdWrites());
        Assert.Empty(Pd.List("organizations"));
    }

    [Fact]
    public async Task Todo__Deal_with_merging_Orgs_and_Persons__the_survivors_get_a_clean_hermes_id_written_back()
    {
        await Send(Client());
        await Send(Client(id: 11, agencyId: 21, name: "OurTutors", email: "rudy@jones.com", recipients: [new SimRecipient(41, "Rudy", "Jones", "rudy@jones.com")]));
        await RunJobs();
        await DeliverPipedriveWebhooks();
        await RunJobs();
        var writes = PdWrites();
        Assert.Equal(2, Pd.List("organizations").Count);

        // Staff merge the second organization and person into the first ones: Pipedrive joins the text fields ("1, 2").
        Pd.Merge("organization", 2, 1);
        Pd.Merge("person", 2, 1);
        Assert.Equal($$"""{"{{OrgHermesId}}":"1, 2","{{OrgTc2Status}}":"trial","{{OrgPaidInvoices}}":0,"{{OrgCligencyUrl}}":"{{CligencyUrl(10)}}, {{CligencyUrl(11)}}","{{OrgWebsite}}":"https://www.mytutors.com"}""",
            Custom(PdObject("organization", 1)));
        await DeliverPipedriveWebhooks();

        Assert.Equal([(1, (int?)1)], (await All(db => db.Companies)).Select(c => (c.Id, c.PdOrgId)));
        Assert.Equal([(1, 1, (int?)1)], (await All(db => db.Contacts)).Select(c => (c.Id, c.CompanyId, c.PdPersonId)));
        await RunJobs();

        Assert.Equal(writes, PdWrites().Take(writes.Count));
        Assert.Equal([
            $$$"""PATCH /organizations/1 {"custom_fields":{"{{{OrgHermesId}}}":"1"}}""",
            $$$"""PATCH /persons/1 {"custom_fields":{"{{{PersonHermesId}}}":"1"}}""",
        ], PdWrites().Skip(writes.Count));
        Assert.Equal("1", PdObject("organization", 1)["custom_fields"]![OrgHermesId]!.GetValue<string>());
        Assert.Equal("1", PdObject("person", 1)["custom_fields"]![PersonHermesId]!.GetValue<string>());
    }
}

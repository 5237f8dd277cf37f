using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Tests.Tc2;

namespace Hermes.Tests.Sync;

/// <summary>
/// The checklist's "In TC2" lines of the Pipedrive actions (seed/workflows.md lines 20, 29, 83, 97, 110; behaviour.md §5):
/// an edit made in the Pipedrive simulator reaches Hermes as Pipedrive's real webhook (v1 or v2), the jobs run against
/// the TC2 simulator, and the test reads TC2's client afterwards. Then TC2 echoes its change back, as it does after every
/// update, and the simulators' request counts show that nothing more is written anywhere: no loop.
/// </summary>
public class PipedriveToTc2Tests : Tc2Test
{
    const string V1 = "1.0", V2 = "2.0";

    void Subscribe(string version) =>
        Pd.Webhooks.Subscribe(() => new Uri(Hermes.BaseAddress, "/pipedrive/callback/"), version, "pipedrive", "webhook-secret");

    /// <summary>Pipedrive delivers what is due; Hermes must take every webhook.</summary>
    async Task<int> DeliverPipedriveWebhooks()
    {
        var attempts = await Pd.Webhooks.DeliverPendingAsync();
        Assert.All(attempts, a => Assert.Equal(200, a.StatusCode));
        return attempts.Count;
    }

    /// <summary>Jobs and Pipedrive's webhooks (the echoes of Hermes's own writes) until nothing moves; it must settle.</summary>
    async Task Settle()
    {
        for (var round = 0; round < 5; round++)
        {
            await RunJobs();
            if (await DeliverPipedriveWebhooks() == 0 && (await PendingJobs()).Count == 0) return;
        }
        Assert.Fail("Hermes, Pipedrive and TC2 keep writing to each other");
    }

    /// <summary>TC2's own webhook for client 10 after a change (it sends one after Hermes's update too); Hermes takes it.</summary>
    async Task Tc2Echo()
    {
        var delivery = await Tc2.Webhooks.EmitClientEventAsync("EDITED_A_CLIENT", 10);
        Assert.Equal((200, """{"status":"ok"}"""), (delivery.StatusCode, delivery.ResponseBody));
    }

    /// <summary>TC2's client 10 as its extra attributes show it (machine name → value).</summary>
    Dictionary<string, string?> Tc2Shows() =>
        Tc2.GetClient(10)!["extra_attrs"]!.AsArray().ToDictionary(a => a!["machine_name"]!.GetValue<string>(), a => a!["value"]?.ToString());

    List<string> Tc2Calls() => Tc2.Requests.All.Select(r => $"{r.Method} {r.Path}").ToList();

    void ClearRequests()
    {
        Pd.Requests.Clear();
        Tc2.Requests.Clear();
    }

    /// <summary>A deal staff make in Pipedrive (its webhook waits in Pipedrive's outbox).</summary>
    long DealMadeInPipedrive(string title, long org, long? person)
    {
        var body = new JsonObject { ["title"] = title, ["org_id"] = org, ["owner_id"] = 10, ["pipeline_id"] = Payg.PdPipelineId, ["stage_id"] = PaygNew.PdStageId };
        if (person is not null) body["person_id"] = person;
        return Pd.Create("deals", body)["id"]!.AsLong();
    }

    string OrgUrl(long org) => $"{Sim.PipedriveBaseUrl}/organization/{org}/";

    /// <summary>
    /// A TC2 client all the way into Hermes and Pipedrive (organization 1, person 1, and deal 1 for a new prospect) and
    /// back to TC2, with every echo delivered; the request logs are then cleared.
    /// </summary>
    async Task ClientEverywhere(string version, bool prospect)
    {
        Subscribe(version);
        await Send(prospect ? Client() : Client(status: "active", paidInvoices: 2));
        await Settle();
        Assert.Equal(OrgUrl(1), Tc2Shows()["pipedrive_url"]);
        ClearRequests();
    }

    /// <summary>TC2 forgets what Hermes told it (an adopted hermes_v2 database whose task was lost, or an edit in TC2).</summary>
    void Tc2Forgets(params string[] machineNames)
    {
        var client = Tc2.GetClient(10)!;
        client["extra_attrs"] = new JsonArray(client["extra_attrs"]!.AsArray()
            .Where(a => !machineNames.Contains(a!["machine_name"]!.GetValue<string>())).Select(a => a!.DeepClone()).ToArray());
        Tc2.PutClient(client);
    }

    /// <summary>After TC2's echo of Hermes's update nothing more is written to TC2 or Pipedrive, and nothing is left to do.</summary>
    async Task AssertTheEchoEndsIt(List<string> tc2CallsBefore)
    {
        await Tc2Echo();
        Assert.Equal("company 1 unchanged", (await WebhookLog()).Last().Error);
        Assert.Empty(await PendingJobs());
        await Settle();
        Assert.Equal(tc2CallsBefore, Tc2Calls()[..tc2CallsBefore.Count]);
        Assert.DoesNotContain(Tc2Calls().Skip(tc2CallsBefore.Count), c => c.StartsWith("POST", StringComparison.Ordinal));
        Assert.Empty(PdWrites());
    }

    // ── Org created / updated → TC2 (lines 20 and 29) ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Cligency_exists_in_TC2__updated_with_pipedrive_url_and_pipedrive_id(string v)
    {
        // An adopted hermes_v2 database: the company and its TC2 client, never put into Pipedrive.
        Subscribe(v);
        Tc2.PutClient(Client(status: "active", paidInvoices: 2));
        var company = await Save(new Company
        {
            Name = "MyTutors", Tc2AgencyId = 20, Tc2CligencyId = 10, Tc2Status = "active", Country = "GB", Website = "https://www.mytutors.com",
            PaidInvoiceCount = 2, PricePlan = "payg", Narc = false, HasSignedUp = true, SalesPersonId = Sales.Id, Created = Now,
        });
        await Save(new Contact { CompanyId = company.Id, Tc2SrId = 40, FirstName = "Mary", LastName = "Booth", Email = "mary@booth.com", Created = Now });

        // Staff make its organization in Pipedrive, with the company's hermes_id (and its website: the field is Pipedrive's).
        var org = Pd.Create("organizations", new JsonObject
        {
            ["name"] = "MyTutors", ["owner_id"] = 10,
            ["custom_fields"] = new JsonObject { [OrgHermesId] = $"{company.Id}", [OrgWebsite] = "https://www.mytutors.com" },
        })["id"]!.AsLong();
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Equal([(int?)org], (await All(db => db.Companies)).Select(c => c.PdOrgId));
        Assert.Equal([("tc2.update_client", $$"""{"companyId":{{company.Id}}}""", (string?)$"company:{company.Id}")], await PendingJobs());
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        Assert.Equal((OrgUrl(org), $"{org}"), (Tc2Shows()["pipedrive_url"], Tc2Shows()["pipedrive_id"]));

        // TC2's echo changes nothing in Hermes. The company's first sync then gives the hand-made organization the TC2
        // facts it lacks and makes the contact's person, once; Pipedrive's echo of that only reads TC2 again.
        await Tc2Echo();
        Assert.Equal($"company {company.Id} unchanged", (await WebhookLog()).Last().Error);
        await Settle();
        Assert.Equal([$"PATCH /organizations/{org}", "POST /persons"], PdWrites().Select(w => string.Join(' ', w.Split(' ').Take(2))));
        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/", "GET /api/clients/10/"], Tc2Calls());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__Cligency_exists_in_TC2__updated_with_pipedrive_url_and_pipedrive_id(string v)
    {
        await ClientEverywhere(v, prospect: false);
        // The repair case: TC2's client lacks the organization (a lost hermes_v2 task); Hermes's own copy is complete.
        Tc2Forgets("pipedrive_url", "pipedrive_id");

        Pd.Update("organizations", 1, new JsonObject { ["name"] = "MyTutors Ltd" });
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Equal("MyTutors Ltd", (await All(db => db.Companies)).Single().Name);
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        var posted = JsonNode.Parse(Tc2.Requests.Single("POST", "/api/clients/").Body)!["extra_attrs"]!;
        Assert.Equal((OrgUrl(1), "1"), (posted["pipedrive_url"]!.GetValue<string>(), posted["pipedrive_id"]!.GetValue<string>()));
        Assert.Equal((OrgUrl(1), "1"), (Tc2Shows()["pipedrive_url"], Tc2Shows()["pipedrive_id"]));
        await AssertTheEchoEndsIt(Tc2Calls());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__TC2_already_shows_it__TC2_is_read_and_not_written(string v)
    {
        await ClientEverywhere(v, prospect: false);

        Pd.Update("organizations", 1, new JsonObject { ["name"] = "MyTutors Ltd" });
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/"], Tc2Calls());
        Assert.Empty(PdWrites());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__a_new_owner_reaches_TC2_as_the_clients_sales_person(string v)
    {
        await ClientEverywhere(v, prospect: false);
        Pd.AddUser(13, "Sam Seller", "sam@tc.com");
        Tc2.AddAdmin(new Hermes.Sandbox.Tc2.Tc2Admin(33, "Sam", "Seller", "sam@tc.com"));
        await Save(new Admin { Username = "sam@tc.com", FirstName = "Sam", LastName = "Seller", Tc2AdminId = 33, PdOwnerId = 13, IsSalesPerson = true });

        Pd.Update("organizations", 1, new JsonObject { ["owner_id"] = 13 });
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        Assert.Equal(33L, Tc2.GetClient(10)!["sales_person"]!["id"]!.GetValue<long>());
        await AssertTheEchoEndsIt(Tc2Calls());
    }

    // ── PDDeal created / updated / deleted → TC2 (lines 83, 97 and 110) ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__Cligency_exists_in_TC2__updated_with_pipedrive_deal_stage_and_pipedrive_pipeline(string v)
    {
        await ClientEverywhere(v, prospect: false);
        Assert.False(Tc2Shows().ContainsKey("pipedrive_deal_stage"));

        DealMadeInPipedrive("MyTutors upsell", org: 1, person: 1);
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Equal([("MyTutors upsell", (int?)1)], (await All(db => db.Deals)).Select(d => (d.Name, d.PdDealId)));
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        Assert.Equal(("New", "PAYG"), (Tc2Shows()["pipedrive_deal_stage"], Tc2Shows()["pipedrive_pipeline"]));
        await AssertTheEchoEndsIt(Tc2Calls());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__Cligency_exists_in_TC2__updated_with_pipedrive_deal_stage_and_pipedrive_pipeline(string v)
    {
        await ClientEverywhere(v, prospect: true);
        Assert.Equal(("New", "PAYG"), (Tc2Shows()["pipedrive_deal_stage"], Tc2Shows()["pipedrive_pipeline"]));

        Pd.Update("deals", 1, new JsonObject { ["stage_id"] = PaygWon.PdStageId });
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        Assert.Equal(("Demo booked", "PAYG"), (Tc2Shows()["pipedrive_deal_stage"], Tc2Shows()["pipedrive_pipeline"]));
        await AssertTheEchoEndsIt(Tc2Calls());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__TC2_lost_the_stage__the_next_deal_event_repairs_it(string v)
    {
        await ClientEverywhere(v, prospect: true);
        Tc2Forgets("pipedrive_deal_stage", "pipedrive_pipeline");

        // A change TC2 doesn't show (the title): Hermes's copy of the stage is unchanged, TC2's is repaired anyway.
        Pd.Update("deals", 1, new JsonObject { ["title"] = "MyTutors demo" });
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        Assert.Equal(("New", "PAYG"), (Tc2Shows()["pipedrive_deal_stage"], Tc2Shows()["pipedrive_pipeline"]));
        await AssertTheEchoEndsIt(Tc2Calls());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__Cligency_exists_in_TC2__pipedrive_deal_stage_and_pipedrive_pipeline_set_to_null(string v)
    {
        await ClientEverywhere(v, prospect: true);

        Pd.Delete("deals", 1);
        Assert.Equal(1, await DeliverPipedriveWebhooks());
        Assert.Empty(await All(db => db.Deals));
        await RunJobs();

        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        var posted = JsonNode.Parse(Tc2.Requests.Single("POST", "/api/clients/").Body)!["extra_attrs"]!.AsObject();
        Assert.Equal((true, null, true, null), (posted.ContainsKey("pipedrive_deal_stage"), posted["pipedrive_deal_stage"], posted.ContainsKey("pipedrive_pipeline"), posted["pipedrive_pipeline"]));
        Assert.False(Tc2Shows().ContainsKey("pipedrive_deal_stage") || Tc2Shows().ContainsKey("pipedrive_pipeline"));
        Assert.Equal(OrgUrl(1), Tc2Shows()["pipedrive_url"]);
        // TC2's echo finds the client without a deal; the deal deleted on purpose is not made again anywhere.
        await Tc2Echo();
        await Settle();
        Assert.Equal(["GET /api/clients/10/", "POST /api/clients/"], Tc2Calls());
        Assert.Empty(PdWrites());
        Assert.Empty(await All(db => db.Deals));
    }

    // ── No TC2 client: nothing is sent (lines 21, 30, 84, 98, 111) ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_and_PDDeal_events__Cligency_doesnt_exist_in_TC2__nothing_sent_to_TC2(string v)
    {
        Subscribe(v);
        var company = await Save(new Company { Name = "Pipedrive Only Ltd", SalesPersonId = Sales.Id, Created = Now });
        var org = Pd.Create("organizations", new JsonObject { ["name"] = "Pipedrive Only Ltd", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [OrgHermesId] = $"{company.Id}" } })["id"]!.AsLong();
        Pd.Update("organizations", org, new JsonObject { ["name"] = "Pipedrive Only" });
        var deal = DealMadeInPipedrive("Pipedrive Only", org, null);
        Pd.Update("deals", deal, new JsonObject { ["stage_id"] = PaygWon.PdStageId });
        Pd.Delete("deals", deal);
        Assert.Equal(5, await DeliverPipedriveWebhooks());
        await Settle();

        Assert.Equal([("Pipedrive Only", (int?)org)], (await All(db => db.Companies)).Select(c => (c.Name, c.PdOrgId)));
        Assert.DoesNotContain(await AllJobs(), j => j.Kind == "tc2.update_client");
        Assert.Empty(Tc2.Requests.All);
    }
}

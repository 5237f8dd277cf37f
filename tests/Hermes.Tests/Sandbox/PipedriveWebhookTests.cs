using System.Text;
using System.Text.Json.Nodes;
using Hermes.Sandbox.Pipedrive;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>
/// The Pipedrive simulator's webhooks in v1 and v2 format (research/external_apis.md §A), with HTTP Basic
/// credentials, for API writes (Pipedrive echoes them), merges and retries, received by a real HTTP endpoint.
/// </summary>
public sealed class PipedriveWebhookTests : IAsyncLifetime
{
    const string HermesId = "7f8959760703808f36b3795c15310566b74f5134";
    SimulatorFixture _sim = null!;
    WebhookReceiver _receiver = null!;

    static readonly string BasicAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("hermes:s3cret"));

    public async Task InitializeAsync()
    {
        _sim = await SimulatorFixture.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _sim.Host.Pipedrive.AddUser(10, "Amelia Hart", "amelia@example.com");
        _sim.Host.Pipedrive.DefineCustomField("organization", HermesId, "Hermes ID");
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    PipedriveSimulator Pd => _sim.Host.Pipedrive;

    static string Meta(string action, int sequence, int correlation, string entityId, string source = "api", int attempt = 1, string extra = "") => $$"""
        {"action":"{{action}}","company_id":"7001","correlation_id":"c0ffee00-0000-4000-8000-{{correlation:x12}}","entity_id":"{{entityId}}",
         "entity":"organization","id":"e7e7e700-0000-4000-8000-{{sequence:x12}}","is_bulk_edit":false,"timestamp":"{{(action == "create" ? "2026-11-24T09:30:00.000Z" : "2026-11-24T09:31:00.000Z")}}",
         "type":"general","user_id":"1","version":"2.0","webhook_id":"1","webhook_owner_id":"1","change_source":"{{source}}",
         "permitted_user_ids":["1","10"],"attempt":{{attempt}},"host":"hermes-sandbox.pipedrive.com"{{extra}}}
        """;

    static string OrgV2(int id, string name, string hermesId, string updated) => $$"""
        {"add_time":"2026-11-24T09:30:00Z","address":null,"country_code":null,
         "custom_fields":{"{{HermesId}}":{"type":"varchar","value":"{{hermesId}}"} },"id":{{id}},"label":null,"label_ids":[],
         "name":"{{name}}","owner_id":10,"picture_id":null,"update_time":"{{updated}}","visible_to":"3"}
        """;

    [Fact]
    public async Task Api_writes_come_back_as_v2_webhooks_with_basic_credentials()
    {
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0", "hermes", "s3cret");

        await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations",
            new JsonObject { ["name"] = "Junes Ltd", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [HermesId] = "42" } });
        _sim.Clock.Advance(TimeSpan.FromMinutes(1));
        await _sim.Pipedrive(HttpMethod.Patch, "/api/v2/organizations/1", new JsonObject { ["name"] = "Junes Limited" });
        await _sim.Pipedrive(HttpMethod.Delete, "/api/v2/organizations/1");
        var attempts = await Pd.Webhooks.DeliverPendingAsync();
        var received = _receiver.Drain();

        Assert.Equal([200, 200, 200], attempts.Select(a => a.StatusCode ?? 0));
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal((BasicAuth, "application/json; charset=utf-8"), (r.Header("authorization"), r.Header("content-type"))));
        JsonAssert.Equal($$"""{"data":{{OrgV2(1, "Junes Ltd", "42", "2026-11-24T09:30:00Z")}},"previous":null,"meta":{{Meta("create", 1, 1, "1")}}}""",
            JsonNode.Parse(received[0].Body));
        JsonAssert.Equal($$"""
            {"data":{{OrgV2(1, "Junes Limited", "42", "2026-11-24T09:31:00Z")}},"previous":{"name":"Junes Ltd"},"meta":{{Meta("change", 2, 2, "1")}}}
            """, JsonNode.Parse(received[1].Body));
        JsonAssert.Equal($$"""
            {"data":null,"previous":{{OrgV2(1, "Junes Limited", "42", "2026-11-24T09:31:00Z")}},"meta":{{Meta("delete", 3, 3, "1")}}}
            """, JsonNode.Parse(received[2].Body));
    }

    [Fact]
    public async Task Changes_made_in_the_app_come_as_v1_webhooks()
    {
        Pd.Webhooks.Subscribe(_receiver.Url, "1.0", "hermes", "s3cret");

        Pd.Create("organization", new JsonObject { ["name"] = "Junes Ltd", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [HermesId] = "42" } });
        _sim.Clock.Advance(TimeSpan.FromMinutes(1));
        Pd.Update("organization", 1, new JsonObject { ["name"] = "Junes Limited" });
        await Pd.Webhooks.DeliverPendingAsync();
        var received = _receiver.Drain();

        string V1Meta(string action, long timestamp) => $$"""
            {"v":1,"action":"{{action}}","object":"organization","id":1,"company_id":7001,"user_id":1,"host":"hermes-sandbox.pipedrive.com",
             "timestamp":{{timestamp}},"timestamp_micro":{{timestamp * 1_000_000}},"permitted_user_ids":[1,10],"trans_pending":false,
             "is_bulk_update":false,"pipedrive_service_name":false,"change_source":"app","matches_filters":{"current":[],"previous":[]},"webhook_id":"1"}
            """;
        string V1Org(string name, string updated) => $$"""
            {"id":1,"company_id":7001,"owner_id":10,"name":"{{name}}","active_flag":true,"label":null,"address":null,"address_country":null,
             "visible_to":"3","add_time":"2026-11-24 09:30:00","update_time":"{{updated}}","first_char":"j","{{HermesId}}":"42"}
            """;
        Assert.Equal(BasicAuth, received[0].Header("authorization"));
        JsonAssert.Equal($$"""
            {"v":1,"matches_filters":{"current":[],"previous":[]},"meta":{{V1Meta("added", 1795512600)}},"retry":0,
             "current":{{V1Org("Junes Ltd", "2026-11-24 09:30:00")}},"previous":null,"event":"added.organization"}
            """, JsonNode.Parse(received[0].Body));
        JsonAssert.Equal($$"""
            {"v":1,"matches_filters":{"current":[],"previous":[]},"meta":{{V1Meta("updated", 1795512660)}},"retry":0,
             "current":{{V1Org("Junes Limited", "2026-11-24 09:31:00")}},"previous":{{V1Org("Junes Ltd", "2026-11-24 09:30:00")}},"event":"updated.organization"}
            """, JsonNode.Parse(received[1].Body));
        Assert.Equal(2, received.Count);
    }

    [Fact]
    public async Task A_merge_sends_delete_with_merged_to_id_and_change_with_merged_from_id_in_v2()
    {
        Pd.Create("organization", new JsonObject { ["name"] = "Junes Ltd", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [HermesId] = "12" } });
        Pd.Create("organization", new JsonObject { ["name"] = "Junes Dup", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [HermesId] = "34" } });
        Pd.Create("person", new JsonObject { ["name"] = "Brian Junes", ["org_id"] = 2 });
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0", "hermes", "s3cret");
        _sim.Clock.Advance(TimeSpan.FromMinutes(1));

        Pd.Merge("organization", fromId: 2, intoId: 1);
        await Pd.Webhooks.DeliverPendingAsync();
        var received = _receiver.Drain();

        Assert.Equal(2, received.Count);
        JsonAssert.Equal($$"""
            {"data":null,"previous":{{OrgV2(2, "Junes Dup", "34", "2026-11-24T09:30:00Z")}},
             "meta":{{Meta("delete", 4, 4, "2", "app", extra: ",\"merged_to_id\":\"1\"")}}}
            """, JsonNode.Parse(received[0].Body));
        JsonAssert.Equal($$"""
            {"data":{{OrgV2(1, "Junes Ltd", "12, 34", "2026-11-24T09:31:00Z")}},"previous":{"custom_fields":{"{{HermesId}}":{"type":"varchar","value":"12"} } },
             "meta":{{Meta("change", 5, 4, "1", "app", extra: ",\"merged_from_id\":\"2\"")}}}
            """, JsonNode.Parse(received[1].Body));
        Assert.Equal(1, Pd.Get("person", 1)!["org_id"]!.GetValue<long>());
        Assert.Null(Pd.Get("organization", 2));
    }

    [Fact]
    public async Task A_merge_sends_deleted_and_merged_in_v1()
    {
        Pd.Create("organization", new JsonObject { ["name"] = "Junes Ltd", ["owner_id"] = 10 });
        Pd.Create("organization", new JsonObject { ["name"] = "Junes Dup", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [HermesId] = "34" } });
        Pd.Webhooks.Subscribe(_receiver.Url, "1.0");

        Pd.Merge("organization", fromId: 2, intoId: 1);
        await Pd.Webhooks.DeliverPendingAsync();
        var received = _receiver.Drain().Select(r => JsonNode.Parse(r.Body)!).ToList();

        Assert.Equal(["deleted.organization", "merged.organization"], received.Select(r => r["event"]!.GetValue<string>()));
        Assert.Equal([(2L, (JsonNode?)null), (1L, received[1]["current"])], received.Select(r => (r["meta"]!["id"]!.GetValue<long>(), r["current"])));
        JsonAssert.Equal($$"""
            {"id":1,"company_id":7001,"owner_id":10,"name":"Junes Ltd","active_flag":true,"label":null,"address":null,"address_country":null,
             "visible_to":"3","add_time":"2026-11-24 09:30:00","update_time":"2026-11-24 09:30:00","first_char":"j","{{HermesId}}":"34"}
            """, received[1]["current"]);
        Assert.Equal("Junes Dup", received[0]["previous"]!["name"]!.GetValue<string>());
        Assert.Null(received[1]["previous"]![HermesId]);
    }

    [Fact]
    public async Task Persons_merged_through_the_v1_api_pool_their_emails_and_join_their_hermes_ids()
    {
        const string PersonHermesId = "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d";
        Pd.DefineCustomField("person", PersonHermesId, "Hermes ID");
        Pd.Create("person", new JsonObject
        {
            ["name"] = "Brian Junes", ["emails"] = new JsonArray(new JsonObject { ["value"] = "brian@junes.com" }),
            ["custom_fields"] = new JsonObject { [PersonHermesId] = "5" },
        });
        Pd.Create("person", new JsonObject
        {
            ["name"] = "B Junes", ["emails"] = new JsonArray(new JsonObject { ["value"] = "b@junes.com", ["label"] = "home" }),
            ["phones"] = new JsonArray(new JsonObject { ["value"] = "07700 900123" }), ["custom_fields"] = new JsonObject { [PersonHermesId] = "9" },
        });
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0");

        var merged = await _sim.Pipedrive(HttpMethod.Put, "/v1/persons/2/merge", new JsonObject { ["merge_with_id"] = 1 });
        await Pd.Webhooks.DeliverPendingAsync();
        var received = _receiver.Drain().Select(r => JsonNode.Parse(r.Body)!).ToList();

        JsonAssert.Equal($$"""
            {"success":true,"data":{"id":1,"name":"Brian Junes","first_name":"Brian","last_name":"Junes","owner_id":1,"org_id":null,
             "add_time":"2026-11-24T09:30:00Z","update_time":"2026-11-24T09:30:00Z",
             "emails":[{"value":"brian@junes.com","label":"work","primary":true},{"value":"b@junes.com","label":"home","primary":false}],
             "phones":[{"value":"07700 900123","label":"work","primary":true}],
             "is_deleted":false,"visible_to":3,"label_ids":[],"picture_id":null,"marketing_status":null,"custom_fields":{"{{PersonHermesId}}":"5, 9"} } }
            """, merged.Json);
        Assert.Equal([("delete", "2", "api", "1", null), ("change", "1", "api", null, "2")], received.Select(r => (
            r["meta"]!["action"]!.GetValue<string>(), r["meta"]!["entity_id"]!.GetValue<string>(), r["meta"]!["change_source"]!.GetValue<string>(),
            r["meta"]!["merged_to_id"]?.GetValue<string>(), r["meta"]!["merged_from_id"]?.GetValue<string>())));
        Assert.Equal(404, (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/persons/2")).Status);
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_3_30_and_150_seconds_later_then_given_up()
    {
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0");
        _receiver.Status = 500;
        Pd.Create("pipeline", new JsonObject { ["name"] = "PAYG" });

        var first = await Pd.Webhooks.DeliverPendingAsync();
        var tooEarly = await Pd.Webhooks.DeliverPendingAsync();
        var retries = new List<WebhookAttempt>();
        foreach (var wait in new[] { 3, 30, 150 })
        {
            _sim.Clock.Advance(TimeSpan.FromSeconds(wait));
            retries.AddRange(await Pd.Webhooks.DeliverPendingAsync());
        }
        var received = _receiver.Drain().Select(r => JsonNode.Parse(r.Body)!["meta"]!["attempt"]!.GetValue<int>());

        Assert.Equal([(1, 500)], first.Select(a => (a.Number, a.StatusCode ?? 0)));
        Assert.Empty(tooEarly);
        Assert.Equal([2, 3, 4], retries.Select(a => a.Number));
        Assert.Equal([1, 2, 3, 4], received);
        Assert.Equal("failed", Pd.Webhooks.Deliveries.Single().Status);
    }

    [Fact]
    public async Task A_retry_that_succeeds_ends_the_delivery()
    {
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0");
        _receiver.Status = 503;
        Pd.Create("stage", new JsonObject { ["name"] = "New", ["pipeline_id"] = Pd.Create("pipeline", new JsonObject { ["name"] = "PAYG" }, notify: false)["id"]!.DeepClone() });
        await Pd.Webhooks.DeliverPendingAsync();
        _receiver.Status = 200;
        _sim.Clock.Advance(TimeSpan.FromSeconds(3));

        var retry = await Pd.Webhooks.DeliverPendingAsync();

        Assert.Equal([(2, 200)], retry.Select(a => (a.Number, a.StatusCode ?? 0)));
        Assert.Equal(("delivered", "stage"), (Pd.Webhooks.Deliveries.Single().Status, Pd.Webhooks.Deliveries.Single().Change.Entity.Name));
    }

    [Fact]
    public async Task The_pump_delivers_without_being_asked()
    {
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0");
        using var stop = new CancellationTokenSource();
        var pump = Pd.Webhooks.RunPumpAsync(stop.Token);

        await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", new JsonObject { ["name"] = "Junes Ltd" });
        var received = await _receiver.NextAsync();
        await stop.CancelAsync();
        await pump;

        Assert.Equal(("create", "organization", "1"), (JsonNode.Parse(received.Body)!["meta"]!["action"]!.GetValue<string>(),
            JsonNode.Parse(received.Body)!["meta"]!["entity"]!.GetValue<string>(), JsonNode.Parse(received.Body)!["meta"]!["entity_id"]!.GetValue<string>()));
        Assert.Null(received.Header("authorization"));
    }

    [Fact]
    public async Task Activities_send_no_webhooks_and_nothing_is_sent_without_a_subscription()
    {
        Pd.Create("organization", new JsonObject { ["name"] = "Before anyone listened" });
        Pd.Webhooks.Subscribe(_receiver.Url, "2.0");
        Pd.Create("activity", new JsonObject { ["subject"] = "Call", ["type"] = "call" });

        var attempts = await Pd.Webhooks.DeliverPendingAsync();

        Assert.Empty(attempts);
        Assert.Empty(_receiver.Drain());
    }
}

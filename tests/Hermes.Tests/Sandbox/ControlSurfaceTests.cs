using System.Text.Json.Nodes;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>The simulators' HTTP control surface under <c>{prefix}/_control/</c>, as the sandbox and curl use it.</summary>
public sealed class ControlSurfaceTests : IAsyncLifetime
{
    SimulatorFixture _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorFixture.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    Task<Reply> Control(string simulator, HttpMethod method, string path, string? body = null) =>
        _sim.SendAsync(method, $"{_sim.Host.BaseAddress}{simulator}/_control/{path}", body);

    [Fact]
    public async Task Objects_changed_in_the_app_and_merged_show_in_the_api_and_the_state_and_reset_forgets_them()
    {
        await Control("pipedrive", HttpMethod.Post, "users", """{"id":10,"name":"Amelia Hart","email":"amelia@example.com"}""");
        await Control("pipedrive", HttpMethod.Post, "custom_fields", """{"entity":"organization","key":"7f8959760703808f36b3795c15310566b74f5134","name":"Hermes ID"}""");
        await Control("pipedrive", HttpMethod.Post, "organizations", """{"id":7,"name":"Junes Ltd","owner_id":10}""");
        await Control("pipedrive", HttpMethod.Post, "organizations", """{"id":8,"name":"Junes Dup","custom_fields":{"7f8959760703808f36b3795c15310566b74f5134":"3"}}""");
        var merged = await Control("pipedrive", HttpMethod.Post, "merge", """{"entity":"organization","from_id":8,"into_id":7}""");
        var viaApi = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/7");
        var state = await Control("pipedrive", HttpMethod.Get, "state");
        var reset = await Control("pipedrive", HttpMethod.Post, "reset");
        var after = await Control("pipedrive", HttpMethod.Get, "state");

        const string Org7 = """
            {"id":7,"name":"Junes Ltd","owner_id":10,"add_time":"2026-11-24T09:30:00Z","update_time":"2026-11-24T09:30:00Z","is_deleted":false,
             "visible_to":3,"address":null,"label_ids":[],"website":null,"linkedin":null,"custom_fields":{"7f8959760703808f36b3795c15310566b74f5134":"3"}}
            """;
        JsonAssert.Equal(Org7, merged.Json);
        JsonAssert.Equal($$"""{"success":true,"data":{{Org7}}}""", viaApi.Json);
        Assert.Equal([7L, 8L], state.Json!["organizations"]!.AsArray().Select(o => o!["id"]!.GetValue<long>()));
        Assert.True(state.Json["organizations"]![1]!["is_deleted"]!.GetValue<bool>());
        JsonAssert.Equal("""[{"id":1,"name":"Sandbox API user","email":"api-user@example.com","active":true},{"id":10,"name":"Amelia Hart","email":"amelia@example.com","active":true}]""",
            state.Json["users"]);
        JsonAssert.Equal("""{"status":"reset"}""", reset.Json);
        JsonAssert.Equal("""
            {"users":[{"id":1,"name":"Sandbox API user","email":"api-user@example.com","active":true}],
             "custom_fields":{"organization":[],"person":[],"deal":[]},
             "organizations":[],"persons":[],"deals":[],"activities":[],"pipelines":[],"stages":[],
             "webhooks":{"subscriptions":[],"deliveries":[]},
             "rate_limits":{"enabled":true,"general":20,"search":10,"window_seconds":2}}
            """, after.Json);
    }

    [Fact]
    public async Task Webhook_subscriptions_and_deliveries_are_managed_over_http()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await Control("pipedrive", HttpMethod.Post, "webhooks/subscriptions", $$"""{"url":"{{receiver.Url}}","version":"1.0","username":"u","password":"p"}""");
        await Control("pipedrive", HttpMethod.Post, "pipelines", """{"name":"PAYG"}""");

        var delivered = await Control("pipedrive", HttpMethod.Post, "webhooks/deliver");
        var log = await Control("pipedrive", HttpMethod.Get, "webhooks");

        var body = JsonNode.Parse(receiver.Drain().Single().Body);
        JsonAssert.Equal($$"""
            [{"number":1,"time":"2026-11-24T09:30:00Z","url":"{{receiver.Url}}","status_code":200,"response_body":"{\"status\":\"ok\"}","error":null,
              "body":{{body!.ToJsonString()}}}]
            """, delivered.Json);
        JsonAssert.Equal($$"""
            {"subscriptions":[{"id":1,"url":"{{receiver.Url}}","version":"1.0","http_auth_user":"u","http_auth_password":"***"}],
             "deliveries":[{"id":1,"subscription_id":1,"entity":"pipeline","action":"create","entity_id":1,"status":"delivered","next_attempt_at":null,
               "attempts":{{delivered.Json!.ToJsonString()}}}]}
            """, log.Json);
        Assert.Equal("added.pipeline", body["event"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tc2_client_is_put_in_and_a_signed_webhook_emitted_over_http()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await Control("tc2", HttpMethod.Put, "clients", """
            {"id":5,"model":"Client","user":{"first_name":"Ann","last_name":"Lee","email":"ann@lee.com"},"status":"prospect",
             "sales_person":{"id":30,"first_name":"Brain","last_name":"Johnson","email":"brian@tc.com"},"meta_agency":{"id":6,"name":"Lee Tutors"}}
            """);

        var emitted = await Control("tc2", HttpMethod.Post, "webhooks", $$"""{"action":"CREATED_A_CLIENT","client_id":5,"url":"{{receiver.Url}}"}""");
        var received = await receiver.NextAsync();

        Assert.Equal((200, 200), (emitted.Status, emitted.Json!["status_code"]!.GetValue<int>()));
        Assert.Equal(received.Header("webhook-signature"), emitted.Json["signature"]!.GetValue<string>());
        JsonAssert.Equal(JsonNode.Parse(received.Body), emitted.Json["body"]);
        JsonAssert.Equal("""[{"id":30,"first_name":"Brain","last_name":"Johnson","email":"brian@tc.com"}]""",
            (await Control("tc2", HttpMethod.Get, "state")).Json!["admins"]);
    }

    [Fact]
    public async Task Busy_periods_are_set_and_read_over_http()
    {
        var set = await Control("google", HttpMethod.Put, "calendars/amelia%40example.com/busy",
            """[{"start":"2026-12-01T10:00:00Z","end":"2026-12-01T11:00:00Z"}]""");
        var added = await Control("google", HttpMethod.Post, "calendars/amelia%40example.com/busy",
            """[{"start":"2026-12-01T09:00:00+00:00","end":"2026-12-01T09:30:00+00:00"}]""");
        var bad = await Control("google", HttpMethod.Put, "calendars/amelia%40example.com/busy", """[{"start":"2026-12-01T10:00:00Z","end":"later"}]""");

        JsonAssert.Equal("""{"busy":[{"start":"2026-12-01T10:00:00.000Z","end":"2026-12-01T11:00:00.000Z"}],"events":[]}""", set.Json);
        JsonAssert.Equal("""
            {"busy":[{"start":"2026-12-01T09:00:00.000Z","end":"2026-12-01T09:30:00.000Z"},{"start":"2026-12-01T10:00:00.000Z","end":"2026-12-01T11:00:00.000Z"}],"events":[]}
            """, added.Json);
        Assert.Equal(400, bad.Status);
        JsonAssert.Equal("""{"error":"'end' must be an ISO 8601 date-time"}""", bad.Json);
    }

    [Fact]
    public async Task Recorded_requests_are_listed_with_filters_and_control_calls_are_not_recorded()
    {
        await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals?limit=5");
        await _sim.Pipedrive(HttpMethod.Post, "/api/v2/pipelines", new JsonObject { ["name"] = "PAYG" });

        var requests = await Control("pipedrive", HttpMethod.Get, "requests?method=GET&path=/api/v2/deals*");
        var unknown = await Control("pipedrive", HttpMethod.Get, "nothing-here");

        var headers = requests.Json![0]!["headers"]!.AsObject();
        JsonAssert.Equal($$"""
            [{"sequence":1,"time":"2026-11-24T09:30:00Z","method":"GET","path":"/api/v2/deals","query":"?limit=5",
              "headers":{{headers.ToJsonString()}},"body":"","fault":null}]
            """, requests.Json);
        Assert.Equal("sandbox-pipedrive-token", headers["x-api-token"]!.GetValue<string>());
        Assert.Equal(2, _sim.Host.Pipedrive.Requests.Count);
        Assert.Equal(404, unknown.Status);
    }
}

using System.Text.Json.Nodes;
using Hermes.Sandbox;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>
/// Each way a simulator can be told to misbehave, for the next N requests or a time window, for some paths or all,
/// from C# and over the HTTP control surface.
/// </summary>
public sealed class FaultTests : IAsyncLifetime
{
    SimulatorFixture _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorFixture.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    Task<Reply> ListOrganizations() => _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations");

    [Fact]
    public async Task Server_error_answers_the_status_with_pipedrives_error_body_then_recovers()
    {
        _sim.Host.Pipedrive.Faults.Next(1, Fault.ServerError(503));

        var spoiled = await ListOrganizations();
        var next = await ListOrganizations();

        Assert.Equal((503, 200), (spoiled.Status, next.Status));
        JsonAssert.Equal("""{"success":false,"error":"Service Unavailable","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}""", spoiled.Json);
        Assert.Equal(["server_error", null], _sim.Host.Pipedrive.Requests.All.Select(r => r.Fault));
    }

    [Fact]
    public async Task Rate_limited_answers_429_with_the_rate_limit_headers()
    {
        _sim.Host.Pipedrive.Faults.Next(1, Fault.RateLimited());

        var spoiled = await ListOrganizations();

        Assert.Equal((429, "20", "0", "2"), (spoiled.Status, spoiled.Header("x-ratelimit-limit"), spoiled.Header("x-ratelimit-remaining"), spoiled.Header("x-ratelimit-reset")));
        JsonAssert.Equal("""{"success":false,"error":"Request over limit","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}""", spoiled.Json);
    }

    [Fact]
    public async Task Cloudflare_forbidden_answers_403_with_an_html_page()
    {
        _sim.Host.Pipedrive.Faults.Next(1, Fault.CloudflareForbidden());

        var spoiled = await ListOrganizations();

        Assert.Equal((403, "text/html; charset=UTF-8", "cloudflare", "8f3a9c2b7d1e4f60-LHR"),
            (spoiled.Status, spoiled.Header("Content-Type"), spoiled.Header("Server"), spoiled.Header("cf-ray")));
        Assert.StartsWith("<!DOCTYPE html>", spoiled.Text);
        Assert.Contains("<h1>Sorry, you have been blocked</h1>", spoiled.Text);
        Assert.Null(spoiled.Json);
    }

    [Fact]
    public async Task Empty_ok_answers_200_with_no_body()
    {
        _sim.Host.Pipedrive.Faults.Next(1, Fault.EmptyOk());

        var spoiled = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", new JsonObject { ["name"] = "Junes Ltd" });

        Assert.Equal((200, "", "0"), (spoiled.Status, spoiled.Text, spoiled.Header("Content-Length")));
        Assert.Empty(_sim.Host.Pipedrive.List("organization")); // the request never reached the simulated API
    }

    [Fact]
    public async Task A_delay_longer_than_the_clients_timeout_makes_the_client_give_up()
    {
        // The delay runs on the simulator's fake clock, which the test never advances: only the client's timeout ends it.
        _sim.Host.Pipedrive.Faults.Next(1, Fault.Slow(TimeSpan.FromSeconds(60)));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        impatient.DefaultRequestHeaders.Add("x-api-token", _sim.Host.Pipedrive.Options.ApiToken);

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetAsync(_sim.Host.PipedriveBaseUrl + "/api/v2/organizations"));
        var next = await ListOrganizations();

        Assert.Equal(200, next.Status);
        Assert.Equal(["delay", null], _sim.Host.Pipedrive.Requests.All.Select(r => r.Fault));
    }

    [Fact]
    public async Task A_delay_that_passes_is_followed_by_the_normal_answer()
    {
        _sim.Host.Pipedrive.Faults.Next(1, Fault.Slow(TimeSpan.FromSeconds(5)));

        var pending = ListOrganizations();
        await _sim.Host.Pipedrive.Requests.WaitForAsync(r => r.Fault == "delay"); // its delay is running on the fake clock by now
        _sim.Clock.Advance(TimeSpan.FromSeconds(5));
        var reply = await pending;

        Assert.Equal(200, reply.Status);
        JsonAssert.Equal("""{"success":true,"data":[],"additional_data":{"next_cursor":null}}""", reply.Json);
    }

    [Fact]
    public async Task Abort_drops_the_connection()
    {
        _sim.Host.Tc2.Faults.Next(1, Fault.Abort());

        await Assert.ThrowsAsync<HttpRequestException>(() => _sim.Tc2(HttpMethod.Get, "/api/clients/1/"));
        Assert.Equal(404, (await _sim.Tc2(HttpMethod.Get, "/api/clients/1/")).Status);
    }

    [Fact]
    public async Task A_count_spoils_exactly_that_many_matching_requests_and_other_paths_are_untouched()
    {
        var rule = _sim.Host.Pipedrive.Faults.Next(2, Fault.ServerError(), path: "/api/v2/organizations*", method: "GET");

        var statuses = new List<int>();
        statuses.Add((await _sim.Pipedrive(HttpMethod.Get, "/api/v2/persons")).Status);
        statuses.Add((await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", new JsonObject { ["name"] = "A" })).Status);
        for (var i = 0; i < 3; i++) statuses.Add((await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/1")).Status);

        Assert.Equal([200, 200, 500, 500, 200], statuses);
        Assert.Equal((2, 0), (rule.Applied, rule.Remaining));
    }

    [Fact]
    public async Task A_time_window_spoils_every_request_until_it_ends()
    {
        _sim.Host.Google.Faults.During(TimeSpan.FromSeconds(30), Fault.ServerError(503));

        var during = new List<Reply>();
        for (var i = 0; i < 3; i++)
        {
            during.Add(await _sim.SendAsync(HttpMethod.Post, _sim.Host.GoogleCalendarBaseUrl + "/freeBusy", "{}"));
            _sim.Clock.Advance(TimeSpan.FromSeconds(10));
        }
        var after = await _sim.SendAsync(HttpMethod.Post, _sim.Host.GoogleCalendarBaseUrl + "/freeBusy", "{}");

        Assert.All(during, r => Assert.Equal(503, r.Status));
        JsonAssert.Equal("""
            {"error":{"code":503,"message":"Backend Error","errors":[{"message":"Backend Error","domain":"global","reason":"backendError"}],"status":"UNAVAILABLE"}}
            """, during[0].Json);
        Assert.Equal(401, after.Status); // the window is over: an unauthenticated call gets the normal answer
    }

    [Fact]
    public async Task Tc2_faults_use_tc2s_own_error_bodies()
    {
        _sim.Host.Tc2.Faults.Next(1, Fault.ServerError());
        _sim.Host.Tc2.Faults.Next(1, Fault.RateLimited());

        var error = await _sim.Tc2(HttpMethod.Get, "/api/clients/1/");
        var throttled = await _sim.Tc2(HttpMethod.Get, "/api/clients/1/");

        Assert.Equal((500, "<h1>Server Error (500)</h1>"), (error.Status, error.Text));
        Assert.Equal((429, "2"), (throttled.Status, throttled.Header("Retry-After")));
        JsonAssert.Equal("""{"detail":"Request was throttled. Expected available in 2 seconds."}""", throttled.Json);
    }

    [Fact]
    public async Task Faults_can_be_set_listed_and_cleared_over_http()
    {
        var set = await _sim.SendAsync(HttpMethod.Post, _sim.Host.PipedriveBaseUrl + "/_control/faults",
            """{"fault":"server_error","status":502,"count":1,"path":"/api/v2/deals*"}""");
        var window = await _sim.SendAsync(HttpMethod.Post, _sim.Host.PipedriveBaseUrl + "/_control/faults", """{"fault":"empty_200","seconds":60,"method":"PATCH"}""");
        var spoiled = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");
        var listed = await _sim.SendAsync(HttpMethod.Get, _sim.Host.PipedriveBaseUrl + "/_control/faults");
        var cleared = await _sim.SendAsync(HttpMethod.Delete, _sim.Host.PipedriveBaseUrl + "/_control/faults");
        var unknown = await _sim.SendAsync(HttpMethod.Post, _sim.Host.PipedriveBaseUrl + "/_control/faults", """{"fault":"meltdown"}""");

        JsonAssert.Equal("""{"fault":"server_error","status":502,"delay_ms":null,"path":"/api/v2/deals*","method":null,"remaining":1,"until":null,"applied":0}""", set.Json);
        JsonAssert.Equal("""{"fault":"empty_200","status":200,"delay_ms":null,"path":null,"method":"PATCH","remaining":null,"until":"2026-11-24T09:31:00Z","applied":0}""", window.Json);
        Assert.Equal(502, spoiled.Status);
        JsonAssert.Equal("""
            [{"fault":"server_error","status":502,"delay_ms":null,"path":"/api/v2/deals*","method":null,"remaining":0,"until":null,"applied":1},
             {"fault":"empty_200","status":200,"delay_ms":null,"path":null,"method":"PATCH","remaining":null,"until":"2026-11-24T09:31:00Z","applied":0}]
            """, listed.Json);
        JsonAssert.Equal("[]", cleared.Json);
        Assert.Empty(_sim.Host.Pipedrive.Faults.Rules);
        Assert.Equal(400, unknown.Status);
        JsonAssert.Equal("""{"error":"unknown fault 'meltdown'"}""", unknown.Json);
    }
}

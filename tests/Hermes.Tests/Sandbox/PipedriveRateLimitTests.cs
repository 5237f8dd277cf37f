using System.Text.Json.Nodes;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>Pipedrive's burst limits per rolling 2-second window with their headers (research/external_apis.md §C).</summary>
public sealed class PipedriveRateLimitTests : IAsyncLifetime
{
    SimulatorFixture _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorFixture.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    static (string Limit, string Remaining, string Reset) Headers(Reply r) =>
        (r.Header("x-ratelimit-limit"), r.Header("x-ratelimit-remaining"), r.Header("x-ratelimit-reset"));

    [Fact]
    public async Task The_21st_request_within_2_seconds_gets_429_with_the_rate_limit_headers()
    {
        var replies = new List<Reply>();
        for (var i = 0; i < 20; i++)
        {
            replies.Add(await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals"));
            _sim.Clock.Advance(TimeSpan.FromMilliseconds(50));
        }
        var refused = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");

        Assert.All(replies, r => Assert.Equal(200, r.Status));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => ("20", (19 - i).ToString(), "2")), replies.Select(Headers));
        Assert.Equal(429, refused.Status);
        Assert.Equal(("20", "0", "1"), Headers(refused));
        JsonAssert.Equal("""{"success":false,"error":"Request over limit","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}""", refused.Json);

        _sim.Clock.Advance(TimeSpan.FromSeconds(2)); // every earlier request has left the window
        var later = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");
        Assert.Equal((200, ("20", "19", "2")), (later.Status, Headers(later)));
    }

    [Fact]
    public async Task Search_has_its_own_limit_of_10_per_2_seconds()
    {
        for (var i = 0; i < 10; i++)
            Assert.Equal(200, (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/persons/search?term=brian")).Status);

        var refused = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/search?term=junes");
        var other = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/persons");

        Assert.Equal((429, ("10", "0", "2")), (refused.Status, Headers(refused)));
        Assert.Equal((200, ("20", "19", "2")), (other.Status, Headers(other)));
    }

    [Fact]
    public async Task The_limits_can_be_changed_or_turned_off()
    {
        _sim.Host.Pipedrive.RateLimits.General = 2;
        await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");
        await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");
        var third = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");
        _sim.Host.Pipedrive.RateLimits.Enabled = false;
        var unlimited = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals");

        Assert.Equal((429, ("2", "0", "2")), (third.Status, Headers(third)));
        Assert.Equal((200, ("2", "2", "2")), (unlimited.Status, Headers(unlimited)));
    }

    [Fact]
    public async Task Unauthorised_requests_carry_the_headers_but_use_no_slot()
    {
        var unauthorised = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", new JsonObject { ["name"] = "X" }, token: "");
        var next = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations");

        Assert.Equal((401, ("20", "20", "2")), (unauthorised.Status, Headers(unauthorised)));
        Assert.Equal((200, ("20", "19", "2")), (next.Status, Headers(next)));
    }
}

using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Hermes.Sandbox.Google;
using Hermes.Tests.Sandbox.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Tests.Sandbox;

/// <summary>The Google simulator's events.get, events.patch and events.delete, as Google answers them.</summary>
public sealed class GoogleEventChangesTests : IAsyncLifetime
{
    const string Amelia = "amelia@example.com";
    SimulatorFixture _sim = null!;
    GoogleServiceAccountKey _key = null!;
    string _token = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorFixture.StartAsync();
        _key = _sim.Host.Google.CreateServiceAccount("hermes@hermes-sandbox.iam.gserviceaccount.com");
        _token = await TokenFor(Amelia);
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    sealed class Clock(FakeTimeProvider time) : global::Google.Apis.Util.IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;
        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }

    async Task<string> TokenFor(string user)
    {
        var credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(_key.ClientEmail, _sim.Host.GoogleTokenUri)
        {
            User = user, Scopes = ["https://www.googleapis.com/auth/calendar"], KeyId = _key.PrivateKeyId, Clock = new Clock(_sim.Clock),
        }.FromPrivateKey(_key.PrivateKeyPem));
        return await credential.GetAccessTokenForRequestAsync();
    }

    Task<Reply> Send(HttpMethod method, string path, object? body = null, string? token = null) =>
        _sim.SendAsync(method, _sim.Host.GoogleCalendarBaseUrl + path, body, new Dictionary<string, string> { ["Authorization"] = "Bearer " + (token ?? _token) });

    static string Events(string calendar = Amelia) => $"/calendars/{Uri.EscapeDataString(calendar)}/events";

    async Task<JsonNode> InsertAsync() => (await Send(HttpMethod.Post, Events() + "?conferenceDataVersion=1", new JsonObject
    {
        ["summary"] = "Demo", ["description"] = "Hello",
        ["start"] = new JsonObject { ["dateTime"] = "2026-12-01T10:00:00Z", ["timeZone"] = "UTC" },
        ["end"] = new JsonObject { ["dateTime"] = "2026-12-01T10:30:00Z", ["timeZone"] = "UTC" },
        ["attendees"] = new JsonArray(new JsonObject { ["email"] = Amelia }, new JsonObject { ["email"] = "brian@junes.com" }),
        ["conferenceData"] = new JsonObject { ["createRequest"] = new JsonObject { ["requestId"] = "r1", ["conferenceSolutionKey"] = new JsonObject { ["type"] = "hangoutsMeet" } } },
    })).Json!;

    async Task<JsonNode?> BusyAsync() => (await Send(HttpMethod.Post, "/freeBusy", new JsonObject
    {
        ["timeMin"] = "2026-12-01T00:00:00Z", ["timeMax"] = "2026-12-02T00:00:00Z", ["items"] = new JsonArray(new JsonObject { ["id"] = Amelia }),
    })).Json!["calendars"]![Amelia]!["busy"];

    [Fact]
    public async Task A_patch_changes_only_the_fields_sent_keeps_the_conference_and_bumps_the_sequence_when_the_time_moves()
    {
        var inserted = await InsertAsync();
        _sim.Clock.Advance(TimeSpan.FromMinutes(5));

        var patched = await Send(HttpMethod.Patch, Events() + "/ev00000001?conferenceDataVersion=1&sendUpdates=all", new JsonObject
        {
            ["start"] = new JsonObject { ["dateTime"] = "2026-12-02T14:00:00Z", ["timeZone"] = "UTC" },
            ["end"] = new JsonObject { ["dateTime"] = "2026-12-02T14:30:00Z", ["timeZone"] = "UTC" },
            ["description"] = "Moved", ["id"] = "someone-else", ["hangoutLink"] = "https://example.com",
        });

        Assert.Equal(200, patched.Status);
        var expected = inserted.DeepClone().AsObject();
        expected["start"] = new JsonObject { ["dateTime"] = "2026-12-02T14:00:00Z", ["timeZone"] = "UTC" };
        expected["end"] = new JsonObject { ["dateTime"] = "2026-12-02T14:30:00Z", ["timeZone"] = "UTC" };
        expected["description"] = "Moved";
        expected["sequence"] = 1;
        expected["updated"] = "2026-11-24T09:35:00.000Z";
        expected["etag"] = "\"3500000000001002\"";
        JsonAssert.Equal(expected.ToJsonString(), patched.Json);
        JsonAssert.Equal(patched.Text, (await Send(HttpMethod.Get, Events() + "/ev00000001")).Json);
        JsonAssert.Equal("""[]""", await BusyAsync());

        // A description-only change keeps the sequence; a bad sendUpdates or an empty time range is refused.
        Assert.Equal(1, (await Send(HttpMethod.Patch, Events() + "/ev00000001", new JsonObject { ["summary"] = "Demo!" })).Json!["sequence"]!.GetValue<int>());
        Assert.Equal(400, (await Send(HttpMethod.Patch, Events() + "/ev00000001?sendUpdates=everyone", new JsonObject())).Status);
        var empty = await Send(HttpMethod.Patch, Events() + "/ev00000001", new JsonObject { ["end"] = new JsonObject { ["dateTime"] = "2026-12-02T13:00:00Z" } });
        Assert.Equal((400, "timeRangeEmpty"), (empty.Status, empty.Json!["error"]!["errors"]![0]!["reason"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_delete_cancels_the_event_which_stays_readable_frees_its_time_and_a_second_delete_is_410()
    {
        await InsertAsync();
        JsonAssert.Equal("""[{"start":"2026-12-01T10:00:00Z","end":"2026-12-01T10:30:00Z"}]""", await BusyAsync());

        var deleted = await Send(HttpMethod.Delete, Events() + "/ev00000001?sendUpdates=all");

        Assert.Equal((204, ""), (deleted.Status, deleted.Text));
        Assert.Equal("cancelled", (await Send(HttpMethod.Get, Events() + "/ev00000001")).Json!["status"]!.GetValue<string>());
        JsonAssert.Equal("""[]""", await BusyAsync());
        var again = await Send(HttpMethod.Delete, Events() + "/ev00000001?sendUpdates=all");
        Assert.Equal(410, again.Status);
        JsonAssert.Equal("""
            {"error":{"code":410,"message":"Resource has been deleted","errors":[{"message":"Resource has been deleted","domain":"global","reason":"deleted"}],"status":"GONE"}}
            """, again.Json);
    }

    [Fact]
    public async Task Unknown_events_and_other_users_calendars_are_404()
    {
        await InsertAsync();
        var ben = await TokenFor("ben@example.com");

        foreach (var (method, path, token) in new[]
                 {
                     (HttpMethod.Get, Events() + "/ev00000099", _token), (HttpMethod.Patch, Events() + "/ev00000099", _token),
                     (HttpMethod.Delete, Events() + "/ev00000099", _token), (HttpMethod.Delete, Events() + "/ev00000001", ben),
                     (HttpMethod.Get, Events() + "/ev00000001", ben),
                 })
        {
            var reply = await Send(method, path, method == HttpMethod.Patch ? new JsonObject() : null, token);
            Assert.Equal((404, "notFound"), (reply.Status, reply.Json!["error"]!["errors"]![0]!["reason"]!.GetValue<string>()));
        }
        Assert.Equal("confirmed", _sim.Host.Google.Events(Amelia).Single()["status"]!.GetValue<string>());
    }
}

using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Hermes.Sandbox.Google;
using Hermes.Tests.Sandbox.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Tests.Sandbox;

/// <summary>
/// The Google simulator against what Hermes will send (research/external_apis.md §E): service-account tokens from
/// Google.Apis.Auth's own ServiceAccountCredential, then freeBusy and events.insert with a Meet link.
/// </summary>
public sealed class GoogleCalendarSimulatorTests : IAsyncLifetime
{
    const string Amelia = "amelia@example.com";
    const string Ben = "ben@example.com";
    SimulatorFixture _sim = null!;
    GoogleServiceAccountKey _key = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorFixture.StartAsync();
        _key = _sim.Host.Google.CreateServiceAccount("hermes@hermes-sandbox.iam.gserviceaccount.com");
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    /// <summary>Google's clock interface on the fake clock, so the JWT's iat/exp agree with the simulator's time.</summary>
    sealed class Clock(FakeTimeProvider time) : global::Google.Apis.Util.IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;
        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }

    async Task<string> TokenFor(string user, string scope = "https://www.googleapis.com/auth/calendar")
    {
        var credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(_key.ClientEmail, _sim.Host.GoogleTokenUri)
        {
            User = user, Scopes = [scope], KeyId = _key.PrivateKeyId, Clock = new Clock(_sim.Clock),
        }.FromPrivateKey(_key.PrivateKeyPem));
        return await credential.GetAccessTokenForRequestAsync();
    }

    Task<Reply> Calendar(string path, object body, string? token) =>
        _sim.SendAsync(HttpMethod.Post, _sim.Host.GoogleCalendarBaseUrl + path, body,
            token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });

    [Fact]
    public async Task Google_apis_auth_gets_a_token_that_sees_its_users_busy_times()
    {
        _sim.Host.Google.SetBusy(Amelia, (SimulatorFixture.Start.AddHours(1), SimulatorFixture.Start.AddHours(2)),
            (SimulatorFixture.Start.AddHours(1.5), SimulatorFixture.Start.AddHours(3)), (SimulatorFixture.Start.AddDays(3), SimulatorFixture.Start.AddDays(3).AddHours(1)));

        var token = await TokenFor(Amelia);
        var freeBusy = await Calendar("/freeBusy", new JsonObject
        {
            ["timeMin"] = "2026-11-24T00:00:00+00:00", ["timeMax"] = "2026-11-25T00:00:00Z", ["timeZone"] = "utc", ["groupExpansionMax"] = 100,
            ["items"] = new JsonArray(new JsonObject { ["id"] = Amelia }, new JsonObject { ["id"] = Ben }),
        }, token);

        var tokenRequest = _sim.Host.Google.Requests.Single("POST", "/token");
        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(tokenRequest.Body);
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(form["assertion"].ToString().Split('.')[1]))!;
        Assert.Equal(("urn:ietf:params:oauth:grant-type:jwt-bearer", "application/x-www-form-urlencoded"),
            (form["grant_type"].ToString(), tokenRequest.Header("content-type")));
        JsonAssert.Equal($$"""
            {"iss":"hermes@hermes-sandbox.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/calendar",
             "aud":"https://oauth2.googleapis.com/token","exp":1795516200,"iat":1795512600,"sub":"amelia@example.com","email_verified":false}
            """, claims);
        Assert.StartsWith("ya29.sandbox-1-", token);
        JsonAssert.Equal("""
            {"kind":"calendar#freeBusy","timeMin":"2026-11-24T00:00:00.000Z","timeMax":"2026-11-25T00:00:00.000Z",
             "calendars":{"amelia@example.com":{"busy":[{"start":"2026-11-24T10:30:00Z","end":"2026-11-24T12:30:00Z"}]},
                          "ben@example.com":{"errors":[{"domain":"global","reason":"notFound"}],"busy":[]}}}
            """, freeBusy.Json);
    }

    [Fact]
    public async Task An_event_with_a_create_request_gets_a_meet_link_and_makes_the_calendar_busy()
    {
        var token = await TokenFor(Amelia);
        var inserted = await Calendar($"/calendars/{Uri.EscapeDataString(Amelia)}/events?conferenceDataVersion=1&sendUpdates=all", new JsonObject
        {
            ["summary"] = "TutorCruncher demo with Amelia Hart", ["description"] = "Hello",
            ["start"] = new JsonObject { ["dateTime"] = "2026-12-01T10:00:00+00:00", ["timeZone"] = "UTC" },
            ["end"] = new JsonObject { ["dateTime"] = "2026-12-01T10:30:00+00:00", ["timeZone"] = "UTC" },
            ["attendees"] = new JsonArray(new JsonObject { ["email"] = Amelia }, new JsonObject { ["email"] = "brian@junes.com" }),
            ["reminders"] = new JsonObject { ["useDefault"] = true },
            ["conferenceData"] = new JsonObject
            {
                ["createRequest"] = new JsonObject { ["requestId"] = "4f1c2a", ["conferenceSolutionKey"] = new JsonObject { ["type"] = "hangoutsMeet" } },
            },
        }, token);
        var freeBusy = await Calendar("/freeBusy", new JsonObject
        {
            ["timeMin"] = "2026-12-01T00:00:00Z", ["timeMax"] = "2026-12-02T00:00:00Z", ["items"] = new JsonArray(new JsonObject { ["id"] = Amelia }),
        }, token);

        var meet = GoogleCalendarSimulator.MeetCode(1);
        var eid = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("ev00000001 amelia@example.com"));
        Assert.Matches("^[a-z]{3}-[a-z]{4}-[a-z]{3}$", meet);
        JsonAssert.Equal($$"""
            {"kind":"calendar#event","etag":"\"3500000000000001\"","id":"ev00000001","status":"confirmed",
             "htmlLink":"https://www.google.com/calendar/event?eid={{eid}}","created":"2026-11-24T09:30:00.000Z","updated":"2026-11-24T09:30:00.000Z",
             "summary":"TutorCruncher demo with Amelia Hart","description":"Hello",
             "creator":{"email":"amelia@example.com","self":true},"organizer":{"email":"amelia@example.com","self":true},
             "start":{"dateTime":"2026-12-01T10:00:00+00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-01T10:30:00+00:00","timeZone":"UTC"},
             "iCalUID":"ev00000001@google.com","sequence":0,
             "attendees":[{"email":"amelia@example.com","organizer":true,"self":true,"responseStatus":"accepted"},
                          {"email":"brian@junes.com","responseStatus":"needsAction"}],
             "hangoutLink":"https://meet.google.com/{{meet}}",
             "conferenceData":{"createRequest":{"requestId":"4f1c2a","conferenceSolutionKey":{"type":"hangoutsMeet"},"status":{"statusCode":"success"} },
               "entryPoints":[{"entryPointType":"video","uri":"https://meet.google.com/{{meet}}","label":"meet.google.com/{{meet}}"}],
               "conferenceSolution":{"key":{"type":"hangoutsMeet"},"name":"Google Meet",
                 "iconUri":"https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"},
               "conferenceId":"{{meet}}"},
             "reminders":{"useDefault":true},"eventType":"default"}
            """, inserted.Json);
        JsonAssert.Equal("""
            {"kind":"calendar#freeBusy","timeMin":"2026-12-01T00:00:00.000Z","timeMax":"2026-12-02T00:00:00.000Z",
             "calendars":{"amelia@example.com":{"busy":[{"start":"2026-12-01T10:00:00Z","end":"2026-12-01T10:30:00Z"}]}}}
            """, freeBusy.Json);
    }

    [Fact]
    public async Task Without_conference_data_version_1_there_is_no_meet_link()
    {
        var token = await TokenFor(Amelia);
        var inserted = await Calendar("/calendars/primary/events", new JsonObject
        {
            ["start"] = new JsonObject { ["dateTime"] = "2026-12-01T10:00:00", ["timeZone"] = "Europe/London" },
            ["end"] = new JsonObject { ["dateTime"] = "2026-12-01T10:30:00", ["timeZone"] = "Europe/London" },
            ["conferenceData"] = new JsonObject { ["createRequest"] = new JsonObject { ["requestId"] = "x", ["conferenceSolutionKey"] = new JsonObject { ["type"] = "hangoutsMeet" } } },
        }, token);

        Assert.Equal((200, null, null), (inserted.Status, inserted.Json!["hangoutLink"], inserted.Json["conferenceData"]));
        Assert.Equal([(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 10, 30, 0, TimeSpan.Zero))],
            _sim.Host.Google.BusyPeriods(Amelia));
    }

    [Fact]
    public async Task A_token_may_not_write_to_another_users_calendar()
    {
        var token = await TokenFor(Amelia);
        var reply = await Calendar($"/calendars/{Ben}/events?conferenceDataVersion=1", new JsonObject
        {
            ["start"] = new JsonObject { ["dateTime"] = "2026-12-01T10:00:00Z" }, ["end"] = new JsonObject { ["dateTime"] = "2026-12-01T10:30:00Z" },
        }, token);

        Assert.Equal(403, reply.Status);
        JsonAssert.Equal("""
            {"error":{"code":403,"message":"You need to have writer access to this calendar.",
             "errors":[{"message":"You need to have writer access to this calendar.","domain":"global","reason":"requiredAccessLevel"}],"status":"PERMISSION_DENIED"}}
            """, reply.Json);
        Assert.Empty(_sim.Host.Google.Events(Ben));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ya29.made-up")]
    public async Task Calendar_calls_without_a_valid_token_are_401(string? token)
    {
        var reply = await Calendar("/freeBusy", new JsonObject { ["timeMin"] = "2026-12-01T00:00:00Z", ["timeMax"] = "2026-12-02T00:00:00Z" }, token);

        Assert.Equal(401, reply.Status);
        JsonAssert.Equal("""
            {"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
             "errors":[{"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
               "domain":"global","reason":"authError","location":"Authorization","locationType":"header"}],"status":"UNAUTHENTICATED"}}
            """, reply.Json);
    }

    [Fact]
    public async Task Tokens_expire_after_an_hour_and_need_a_calendar_scope()
    {
        var token = await TokenFor(Amelia);
        var driveToken = await TokenFor(Amelia, "https://www.googleapis.com/auth/drive");
        var body = new JsonObject { ["timeMin"] = "2026-12-01T00:00:00Z", ["timeMax"] = "2026-12-02T00:00:00Z" };

        var wrongScope = await Calendar("/freeBusy", body, driveToken);
        _sim.Clock.Advance(TimeSpan.FromHours(1));
        var expired = await Calendar("/freeBusy", body, token);

        Assert.Equal(403, wrongScope.Status);
        JsonAssert.Equal("""
            {"error":{"code":403,"message":"Request had insufficient authentication scopes.",
             "errors":[{"message":"Request had insufficient authentication scopes.","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED"}}
            """, wrongScope.Json);
        Assert.Equal(401, expired.Status);
    }

    string Jwt(RSA key, Action<JsonObject>? change = null)
    {
        var now = SimulatorFixture.Start.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = _key.ClientEmail, ["scope"] = "https://www.googleapis.com/auth/calendar", ["aud"] = _sim.Host.GoogleTokenUri,
            ["exp"] = now + 3600, ["iat"] = now, ["sub"] = Amelia,
        };
        change?.Invoke(claims);
        string Part(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));
        var signed = Part(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" }) + "." + Part(claims);
        return signed + "." + Base64Url.EncodeToString(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    Task<Reply> PostToken(string grantType, string assertion) =>
        _sim.SendAsync(HttpMethod.Post, _sim.Host.GoogleTokenUri, null, null, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grantType, ["assertion"] = assertion,
        }));

    [Fact]
    public async Task A_hand_made_jwt_with_the_right_key_gets_a_bearer_token()
    {
        using var key = RSA.Create();
        key.ImportFromPem(_key.PrivateKeyPem);

        var reply = await PostToken("urn:ietf:params:oauth:grant-type:jwt-bearer", Jwt(key));

        Assert.Equal(200, reply.Status);
        var token = reply.Json!["access_token"]!.GetValue<string>();
        JsonAssert.Equal(new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" }, reply.Json);
    }

    public static TheoryData<string, string, string> BadAssertions => new()
    {
        { "other-key", "invalid_grant", "Invalid JWT Signature." },
        { "expired", "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim." },
        { "two-hours", "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim." },
        { "unknown-account", "invalid_grant", "Invalid grant: account not found" },
        { "no-scope", "invalid_scope", "Invalid OAuth scope or ID token audience provided." },
        { "not-a-jwt", "invalid_grant", "Invalid JWT" },
        { "wrong-grant", "unsupported_grant_type", "Invalid grant_type: client_credentials" },
    };

    [Theory]
    [MemberData(nameof(BadAssertions))]
    public async Task Bad_assertions_are_refused_as_google_does(string problem, string error, string description)
    {
        using var key = RSA.Create();
        key.ImportFromPem(_key.PrivateKeyPem);
        using var otherKey = RSA.Create(2048);
        var now = SimulatorFixture.Start.ToUnixTimeSeconds();
        var (grant, assertion) = problem switch
        {
            "other-key" => ("urn:ietf:params:oauth:grant-type:jwt-bearer", Jwt(otherKey)),
            "expired" => ("urn:ietf:params:oauth:grant-type:jwt-bearer", Jwt(key, c => { c["iat"] = now - 3700; c["exp"] = now - 100; })),
            "two-hours" => ("urn:ietf:params:oauth:grant-type:jwt-bearer", Jwt(key, c => c["exp"] = now + 7200)),
            "unknown-account" => ("urn:ietf:params:oauth:grant-type:jwt-bearer", Jwt(key, c => c["iss"] = "someone@else.iam.gserviceaccount.com")),
            "no-scope" => ("urn:ietf:params:oauth:grant-type:jwt-bearer", Jwt(key, c => c.Remove("scope"))),
            "not-a-jwt" => ("urn:ietf:params:oauth:grant-type:jwt-bearer", "abc.def"),
            _ => ("client_credentials", Jwt(key)),
        };

        var reply = await PostToken(grant, assertion);

        Assert.Equal(400, reply.Status);
        JsonAssert.Equal(new JsonObject { ["error"] = error, ["error_description"] = description }, reply.Json);
    }

    [Theory]
    [InlineData("https://oauth2.googleapis.com/token", 200)] // what Google.Apis.Auth signs, whatever URL it posts to
    [InlineData("https://www.googleapis.com/oauth2/v4/token", 200)]
    [InlineData("simulator", 200)]
    [InlineData("https://example.com/token", 400)]
    public async Task The_audience_must_be_a_google_token_uri(string audience, int status)
    {
        using var key = RSA.Create();
        key.ImportFromPem(_key.PrivateKeyPem);

        var reply = await PostToken("urn:ietf:params:oauth:grant-type:jwt-bearer",
            Jwt(key, c => c["aud"] = audience == "simulator" ? _sim.Host.GoogleTokenUri : audience));

        Assert.Equal(status, reply.Status);
        if (status == 400)
            JsonAssert.Equal("""
                {"error":"invalid_grant","error_description":"Invalid JWT: Failed audience check. The right audience is https://oauth2.googleapis.com/token"}
                """, reply.Json);
    }

    [Fact]
    public async Task Events_that_end_before_they_start_are_refused()
    {
        var token = await TokenFor(Amelia);
        var reply = await Calendar($"/calendars/{Amelia}/events", new JsonObject
        {
            ["start"] = new JsonObject { ["dateTime"] = "2026-12-01T10:30:00Z" }, ["end"] = new JsonObject { ["dateTime"] = "2026-12-01T10:00:00Z" },
        }, token);

        Assert.Equal(400, reply.Status);
        JsonAssert.Equal("""
            {"error":{"code":400,"message":"The specified time range is empty.",
             "errors":[{"message":"The specified time range is empty.","domain":"global","reason":"timeRangeEmpty"}],"status":"INVALID_ARGUMENT"}}
            """, reply.Json);
    }
}

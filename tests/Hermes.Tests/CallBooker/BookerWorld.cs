using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Tests.CallBooker;

/// <summary>
/// Hermes pointed at the in-process simulators over real HTTP: Google Calendar (which trusts Hermes's test service
/// account key), TC2 (with Hermes's TC2 key) and Pipedrive. The simulators keep real time, as Google checks a JWT's
/// times against the wall clock; Hermes runs on its fake clock.
/// </summary>
public sealed class BookerWorld : IAsyncDisposable
{
    public const string ServiceAccount = "hermes@hermes-test.iam.gserviceaccount.com";

    public required SimulatorHost Sim { get; init; }
    public required HermesInstance Hermes { get; init; }
    /// <summary>False when the simulators were handed in (shared by several Hermes processes); their owner stops them.</summary>
    public bool OwnsSimulators { get; init; } = true;

    public FakeTimeProvider Clock => Hermes.Clock;
    public DateTime Now => Clock.GetUtcNow().UtcDateTime;
    public HermesDb Db() => Hermes.Db();

    public static async Task<BookerWorld> StartAsync(
        Action<Dictionary<string, string?>>? settings = null, FakeTimeProvider? clock = null, DatabaseUrl? db = null, SimulatorHost? sim = null)
    {
        var owns = sim is null;
        // The simulators keep Hermes's time, as Google would agree with a correct clock: a test that moves the clock
        // to 2027 still gets service-account tokens (their assertion is signed at Hermes's "now").
        clock ??= new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        sim ??= await StartSimulatorsAsync(clock);
        var hermes = await HermesInstance.StartAsync(s =>
        {
            s["GOOGLE_CALENDAR_BASE_URL"] = sim.GoogleCalendarBaseUrl;
            s["G_TOKEN_URI"] = sim.GoogleTokenUri;
            s["TC2_BASE_URL"] = sim.Tc2BaseUrl;
            s["PD_BASE_URL"] = sim.PipedriveBaseUrl;
            s["PD_API_KEY"] = sim.Pipedrive.Options.ApiToken;
            settings?.Invoke(s);
        }, db: db, clock: clock);
        return new BookerWorld { Sim = sim, Hermes = hermes, OwnsSimulators = owns };
    }

    public static async Task<SimulatorHost> StartSimulatorsAsync(TimeProvider? time = null)
    {
        var sim = await SimulatorHost.StartAsync(o =>
        {
            o.Tc2.ApiKey = "test-tc2-key";
            if (time is not null) o.Time = time;
        });
        using var rsa = RSA.Create();
        rsa.ImportFromPem(HermesInstance.TestGooglePrivateKey);
        sim.Google.TrustServiceAccount(ServiceAccount, rsa.ExportSubjectPublicKeyInfoPem(), "test-key-id");
        return sim;
    }

    /// <summary>A weekday <paramref name="days"/> or more days from the fake clock's today, at the given UTC time.</summary>
    public DateTime WeekdayAt(int days, int hour, int minute = 0)
    {
        var day = Now.Date.AddDays(days);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        return DateTime.SpecifyKind(day.AddHours(hour).AddMinutes(minute), DateTimeKind.Utc);
    }

    public Task<T> Add<T>(T entity) where T : class => Hermes.Add(entity);

    public Task<HttpResponseMessage> Post(string path, JsonNode body) => Hermes.PostJson(path, body.ToJsonString());

    /// <summary>Every job queued, oldest first, as (kind, payload, ordering key, status).</summary>
    public async Task<List<(string Kind, string Payload, string? Key, string Status)>> JobsAsync()
    {
        await using var db = Db();
        return (await db.Jobs.OrderBy(j => j.Id).ToListAsync()).Select(j => (j.Kind, j.Payload, j.OrderingKey, j.Status)).ToList();
    }

    public IReadOnlyList<RecordedRequest> GoogleRequests(string method, string path) => Sim.Google.Requests.Matching(method, path);

    /// <summary>The claims of the JWT in a recorded token request (who Hermes asked to act as).</summary>
    public static JsonObject JwtClaims(RecordedRequest tokenRequest)
    {
        var assertion = QueryHelpers.ParseQuery(tokenRequest.Body)["assertion"].ToString();
        return JsonNode.Parse(Base64Url.DecodeFromChars(assertion.Split('.')[1]))!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        await Hermes.DisposeAsync();
        if (OwnsSimulators) await Sim.DisposeAsync();
    }
}

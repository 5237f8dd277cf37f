using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Hermes.Configuration;
using Hermes.Sandbox.Pipedrive;
using Hermes.Tests.Infrastructure;
using Hermes.Tests.Sandbox.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Sandbox;

/// <summary>
/// Hermes started as a sandbox (no credentials, SQLite, port 0): demo data seeded once, settings pointing at the
/// simulators on Hermes's own port, and Pipedrive's webhooks delivered to Hermes's own callback.
/// </summary>
public sealed class SandboxModeTests
{
    static Task<HermesInstance> StartSandbox(DatabaseUrl db, bool webhookCredentials = true) => HermesInstance.StartAsync(db: db, settings: s =>
    {
        foreach (var key in new[] { "PD_API_KEY", "PD_BASE_URL", "TC2_API_KEY", "TC2_BASE_URL", "G_PRIVATE_KEY", "G_CLIENT_EMAIL", "G_PRIVATE_KEY_ID" })
            s.Remove(key);
        if (!webhookCredentials)
        {
            s.Remove("PD_WEBHOOK_USERNAME");
            s.Remove("PD_WEBHOOK_PASSWORD");
        }
        s["SANDBOX"] = "true";
    });

    static async Task<Dictionary<string, string[]>> Rows(HermesInstance hermes)
    {
        await using var db = hermes.Db();
        return new Dictionary<string, string[]>
        {
            ["admin"] = await db.Admins.OrderBy(a => a.Id).Select(a =>
                $"{a.Id} {a.FirstName} {a.LastName} {a.Username} {a.Timezone} pd={a.PdOwnerId} tc2={a.Tc2AdminId} sales={a.IsSalesPerson} support={a.IsSupportPerson} " +
                $"bdr={a.IsBdrPerson} payg={a.SellsPayg} startup={a.SellsStartup} enterprise={a.SellsEnterprise} gb={a.SellsGb} us={a.SellsUs}").ToArrayAsync(),
            ["pipeline"] = await db.Pipelines.OrderBy(p => p.Id).Select(p => $"{p.Id} {p.Name} pd={p.PdPipelineId} entry={p.DftEntryStage!.PdStageId}").ToArrayAsync(),
            ["stage"] = await db.Stages.OrderBy(s => s.Id).Select(s => $"{s.Id} {s.Name} pd={s.PdStageId}").ToArrayAsync(),
            ["config"] = await db.Configs.Select(c => $"{c.Id} payg={c.PaygPipeline!.Name} startup={c.StartupPipeline!.Name} enterprise={c.EnterprisePipeline!.Name} {c.MeetingDurMins}min").ToArrayAsync(),
            ["customfield"] = await db.CustomFields.OrderBy(c => c.Id).Select(c =>
                $"{c.Id} {c.Name} {c.MachineName} {c.FieldType} {c.HermesFieldName} {c.Tc2MachineName} {c.PdFieldId} {c.LinkedObjectType}").ToArrayAsync(),
        };
    }

    [Fact]
    public async Task A_fresh_database_is_seeded_once_and_a_second_start_adds_nothing()
    {
        var db = TestSqlite.NewFile();
        Dictionary<string, string[]> first, second;
        JsonNode? pipelines, stages;
        await using (var hermes = await StartSandbox(db))
        {
            first = await Rows(hermes);
            pipelines = (await Pipedrive(hermes, "pipelines"))["data"];
        }
        await using (var hermes = await StartSandbox(db))
        {
            second = await Rows(hermes);
            stages = (await Pipedrive(hermes, "stages?pipeline_id=3"))["data"];
        }

        Assert.Equal([
            "1 Amelia Hart amelia.hart@example.com Europe/London pd=10001 tc2=501 sales=True support=False bdr=False payg=True startup=True enterprise=False gb=True us=True",
            "2 Ben Carter ben.carter@example.com America/New_York pd=10002 tc2=502 sales=True support=False bdr=False payg=False startup=False enterprise=True gb=True us=True",
            "3 Chloe Singh chloe.singh@example.com Europe/London pd=10003 tc2=503 sales=False support=True bdr=False payg=False startup=False enterprise=False gb=False us=False",
            "4 Daniel Okafor daniel.okafor@example.com Australia/Sydney pd=10004 tc2=504 sales=False support=True bdr=False payg=False startup=False enterprise=False gb=False us=False",
            "5 Ella Novak ella.novak@example.com Europe/London pd=10005 tc2=505 sales=False support=False bdr=True payg=False startup=False enterprise=False gb=False us=False",
        ], first["admin"]);
        Assert.Equal(["1 PAYG pd=1 entry=1", "2 Startup pd=2 entry=5", "3 Enterprise pd=3 entry=9"], first["pipeline"]);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"{i} {new[] { "Prospect", "Demo booked", "Trial", "Closing", "Prospect", "Demo booked", "Trial", "Closing", "Qualified", "Demo booked", "Proposal", "Negotiation" }[i - 1]} pd={i}"),
            first["stage"]);
        Assert.Equal(["1 payg=PAYG startup=Startup enterprise=Enterprise 30min"], first["config"]);
        Assert.Equal([
            "1 Hermes ID hermes_id fk_field id hermes_id 7f8959760703808f36b3795c15310566b74f5134 Company",
            "2 Hermes ID hermes_id fk_field id hermes_id 8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d Contact",
            "3 Hermes ID hermes_id fk_field id hermes_id 5be1188db52a8c7f0ea49331eb391ae54aeabafc Deal",
        ], first["customfield"]);
        Assert.Equal(first, second);

        // The Pipedrive simulator starts empty each time and is given the same pipelines and stages, under the same ids.
        Assert.Equal([(1L, "PAYG"), (2L, "Startup"), (3L, "Enterprise")], pipelines!.AsArray().Select(p => (p!["id"]!.GetValue<long>(), p["name"]!.GetValue<string>())));
        Assert.Equal([(9L, "Qualified", 1L), (10L, "Demo booked", 2L), (11L, "Proposal", 3L), (12L, "Negotiation", 4L)],
            stages!.AsArray().Select(s => (s!["id"]!.GetValue<long>(), s["name"]!.GetValue<string>(), s["order_nr"]!.GetValue<long>())));
    }

    static async Task<JsonNode> Pipedrive(HermesInstance hermes, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{hermes.Settings.PdBaseUrl}/api/v2/{path}");
        request.Headers.Add("x-api-token", hermes.Settings.PdApiKey);
        using var response = await hermes.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task The_settings_point_at_the_simulators_on_hermes_own_port_and_the_google_key_works()
    {
        await using var hermes = await StartSandbox(TestSqlite.NewFile(), webhookCredentials: false);
        var s = hermes.Settings;
        var origin = hermes.BaseAddress.ToString().TrimEnd('/');

        Assert.Equal((true, $"{origin}/sandbox/pipedrive", $"{origin}/sandbox/tc2", $"{origin}/sandbox/google/calendar/v3", $"{origin}/sandbox/google/token"),
            (s.Sandbox, s.PdBaseUrl, s.Tc2BaseUrl, s.GoogleCalendarBaseUrl, s.Google.TokenUri));
        Assert.Equal(("sandbox-pipedrive-token", "sandbox-tc2-key", "hermes-sandbox@hermes-sandbox.iam.gserviceaccount.com", "hermes-sandbox"),
            (s.PdApiKey, s.Tc2ApiKey, s.Google.ClientEmail, s.PdWebhookUsername));
        Assert.Matches("^[0-9a-f]{32}$", s.PdWebhookPassword);

        // What the Hermes side will do: a service-account token for an admin from G_TOKEN_URI, then Calendar v3 under its base URL.
        var credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(s.Google.ClientEmail, s.Google.TokenUri)
        {
            User = "amelia.hart@example.com", Scopes = ["https://www.googleapis.com/auth/calendar"], KeyId = s.Google.PrivateKeyId,
            Clock = new FakeClock(hermes),
        }.FromPrivateKey(s.Google.PrivateKey));
        var token = await credential.GetAccessTokenForRequestAsync();
        // From the next midnight (UTC) for a week: whole lunches only, whatever time of day the test runs.
        var from = new DateTimeOffset(hermes.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        using var request = new HttpRequestMessage(HttpMethod.Post, s.GoogleCalendarBaseUrl + "/freeBusy")
        {
            Content = new StringContent(new JsonObject
            {
                ["timeMin"] = from.ToString("o"), ["timeMax"] = from.AddDays(7).ToString("o"), ["items"] = new JsonArray(new JsonObject { ["id"] = "amelia.hart@example.com" }),
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await hermes.Http.SendAsync(request);
        var busy = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["calendars"]!["amelia.hart@example.com"]!["busy"]!.AsArray();

        // The demo calendar has lunch (12:00–13:00 London time) on every weekday.
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(5, busy.Count);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        Assert.All(busy, b => Assert.Equal(("12:00", "13:00"),
            (TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(b!["start"]!.GetValue<string>()), london).ToString("HH:mm"),
             TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(b["end"]!.GetValue<string>()), london).ToString("HH:mm"))));
    }

    sealed class FakeClock(HermesInstance hermes) : global::Google.Apis.Util.IClock
    {
        public DateTime Now => hermes.Clock.GetLocalNow().DateTime;
        public DateTime UtcNow => hermes.Clock.GetUtcNow().UtcDateTime;
    }

    [Fact]
    public async Task An_organization_created_in_the_pipedrive_simulator_reaches_hermes_callback_with_basic_credentials()
    {
        await using var hermes = await StartSandbox(TestSqlite.NewFile());
        var pipedrive = hermes.App.Services.GetRequiredService<PipedriveSimulator>();
        var delivered = pipedrive.Webhooks.WaitForAttemptAsync(_ => true);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{hermes.Settings.PdBaseUrl}/api/v2/organizations")
        {
            Content = new StringContent("""{"name":"Junes Ltd","owner_id":10001}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-token", hermes.Settings.PdApiKey);
        using var created = await hermes.Http.SendAsync(request);
        var attempt = await delivered.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(200, (int)created.StatusCode);
        Assert.Equal(($"{hermes.BaseAddress}pipedrive/callback/", 200, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("pipedrive:webhook-secret"))),
            (attempt.Url, attempt.StatusCode ?? 0, attempt.Authorization));
        Assert.Equal(("create", "organization", "1"),
            (attempt.Json!["meta"]!["action"]!.GetValue<string>(), attempt.Json["meta"]!["entity"]!.GetValue<string>(), attempt.Json["meta"]!["entity_id"]!.GetValue<string>()));
        await using var db = hermes.Db();
        Assert.Equal([("Junes Ltd", (int?)1, "amelia.hart@example.com")],
            await db.Companies.Select(c => ValueTuple.Create(c.Name, c.PdOrgId, c.SalesPerson!.Username)).ToListAsync());
    }
}

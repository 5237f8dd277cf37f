using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Hermes.IngestBench;

/// <summary>
/// The load: Pipedrive v2 organization-update webhooks (a new name, the owner, the website custom field and the
/// company's hermes_id, update_time now) for random companies 1..N, whose pd_org_id is their id. The same body goes
/// to wrk (as a Lua script), to the open-loop generator and, as its size, to the pgbench bound.
/// </summary>
static class Webhooks
{
    public const string OrgHermesId = "7f8959760703808f36b3795c15310566b74f5134";
    public const string PersonHermesId = "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d";
    public const string DealHermesId = "5be1188db52a8c7f0ea49331eb391ae54aeabafc";
    public const string OrgTc2Status = "a100000000000000000000000000000000000001";
    public const string OrgWebsite = "a400000000000000000000000000000000000004";

    /// <summary>{ID}, {V} (a counter: the new name), {OWNER} (10 or 11), {TS} (update_time) and {UUID} are filled per request.</summary>
    public static readonly string Template = string.Concat("""
        {"meta":{"action":"change","entity":"organization","entity_id":"{ID}","company_id":"7001","id":"{UUID}","version":"2.0",
        "timestamp":"{TS}","type":"general","user_id":"10","change_source":"app","attempt":1,"is_bulk_edit":false,
        "host":"tutorcruncher.pipedrive.com","webhook_id":"42","permitted_user_ids":["10"]},
        "data":{"id":{ID},"name":"Tutors {ID} v{V}","owner_id":{OWNER},"update_time":"{TS}","add_time":"2026-01-05T09:30:00Z",
        "visible_to":3,"label_ids":[],"address":null,"people_count":1,"open_deals_count":1,
        "custom_fields":{"{ORG}":{"type":"varchar","value":"{ID}"},"{STATUS}":{"type":"varchar","value":"trial"},
        "{WEBSITE}":{"type":"varchar","value":"https://tutors{ID}.example.com"}}},"previous":{"name":"Tutors {ID}"}}
        """.Split('\n'));

    static string Fixed => Template.Replace("{ORG}", OrgHermesId).Replace("{STATUS}", OrgTc2Status).Replace("{WEBSITE}", OrgWebsite);

    public static string Body(int id, long v, DateTime now) => Fixed.Replace("{ID}", id.ToString(CultureInfo.InvariantCulture))
        .Replace("{V}", v.ToString(CultureInfo.InvariantCulture)).Replace("{OWNER}", v % 2 == 0 ? "10" : "11")
        .Replace("{TS}", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Replace("{UUID}", Guid.NewGuid().ToString());

    public static string Authorization => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{HermesProcess.WebhookUser}:{HermesProcess.WebhookPassword}"));

    /// <summary>Hermes's seed: two admins (Pipedrive owners 10 and 11), its custom fields, N companies and their Pipedrive state.</summary>
    public static string SeedSql(int companies) => $"""
        INSERT INTO admin (id, username, first_name, last_name, tc2_admin_id, pd_owner_id, is_sales_person)
            VALUES (1, 'brian@tc.com', 'Brain', 'Johnson', 30, 10, true), (2, 'sue@tc.com', 'Sue', 'Porter', 31, 11, true);
        SELECT setval(pg_get_serial_sequence('admin', 'id'), 2);
        INSERT INTO customfield (name, machine_name, field_type, hermes_field_name, tc2_machine_name, pd_field_id, linked_object_type) VALUES
            ('Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{OrgHermesId}', 'Company'),
            ('Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{PersonHermesId}', 'Contact'),
            ('Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{DealHermesId}', 'Deal'),
            ('TC2 status', 'tc2_status', 'str', 'tc2_status', NULL, '{OrgTc2Status}', 'Company'),
            ('Website', 'website', 'str', 'website', NULL, '{OrgWebsite}', 'Company');
        INSERT INTO company (name, pd_org_id, sales_person_id, created, tc2_status, website)
            SELECT 'Tutors ' || i, i, 1 + i % 2, now() - interval '30 days', 'trial', 'https://tutors' || i || '.example.com' FROM generate_series(1, {companies}) i;
        INSERT INTO pipedrive_object (entity, pd_id, updated_at) SELECT 'organization', i, now() - interval '7 days' FROM generate_series(1, {companies}) i;
        """;

    /// <summary>wrk's Lua: a fresh body per request, and one RESULT line with the figures at the end.</summary>
    public static string WrkScript(int companies) => $$"""
        local template = [[{{Fixed}}]]
        local n = {{companies}}
        local counter = 0
        local auth = "{{Authorization}}"
        local seed = 1
        local threads = {}
        function setup(thread)
          table.insert(threads, thread)
          thread:set("seed", #threads)
        end
        function init(args)
          math.randomseed(os.time() * 100 + seed)
        end
        function request()
          counter = counter + 1
          local id = tostring(math.random(1, n))
          local ts = os.date("!%Y-%m-%dT%H:%M:%SZ")
          local uuid = string.format("%08x-0000-4000-8000-%012x", math.random(0, 2147483646), seed * 1000000000 + counter)
          local body = template:gsub("{ID}", id):gsub("{V}", tostring(counter)):gsub("{OWNER}", (counter % 2 == 0) and "10" or "11"):gsub("{TS}", ts):gsub("{UUID}", uuid)
          return wrk.format("POST", "/pipedrive/callback/", { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
        end
        function done(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f\n", summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
            summary.duration, latency:percentile(50), latency:percentile(99), latency.mean))
        end
        """;

    /// <summary>The least SQL a correct organization update needs, as one pgbench transaction (see the README).</summary>
    public static string BoundScript(int companies)
    {
        // pgbench reads ":name" as a variable anywhere, quotes included: the body keeps its size, not its colons.
        var body = Body(1, 1, DateTime.UtcNow).Replace(":", "= ");
        return $"""
            \set id random(1, {companies})
            BEGIN;
            INSERT INTO hermes_webhook (source, received_at, object, action, object_ids, outcome, body) VALUES ('pipedrive', now(), 'organization', 'change', :id, 'pending', '{body}') RETURNING id AS wid \gset
            SELECT id, name, machine_name, field_type, hermes_field_name, tc2_machine_name, pd_field_id, linked_object_type FROM customfield;
            SELECT id FROM admin WHERE pd_owner_id = 10 + :id % 2;
            SELECT updated_at, deleted_at FROM pipedrive_object WHERE entity = 'organization' AND pd_id = :id FOR UPDATE;
            SELECT * FROM company WHERE pd_org_id = :id FOR UPDATE;
            UPDATE company SET name = 'Tutors ' || :id || ' v2', sales_person_id = 1 + :id % 2, website = 'https://tutors' || :id || '.example.com' WHERE pd_org_id = :id;
            UPDATE pipedrive_object SET updated_at = now() WHERE entity = 'organization' AND pd_id = :id;
            UPDATE hermes_webhook SET outcome = 'processed', error = 'company ' || :id || ' updated' WHERE id = :wid;
            END;
            """;
    }

    public sealed record WrkResult(long Requests, long Non2xx, long SocketErrors, double Seconds, double P50Ms, double P99Ms, double MeanMs)
    {
        public double Rate => Requests / Seconds;
    }

    public static WrkResult Wrk(Uri baseAddress, string script, int connections, int seconds)
    {
        var wrk = Shell.Which("wrk") ?? (Shell.AptInstall("wrk") is var _ ? Shell.Which("wrk") : null) ?? throw new InvalidOperationException("no wrk");
        var output = Shell.Run(wrk, $"-t 2 -c {connections} -d {seconds}s --timeout 10s -s {script} {baseAddress}");
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal)) ?? throw new InvalidOperationException(output);
        var f = line.Split(' ').Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new WrkResult((long)f[0], (long)f[1], (long)f[2], f[3] / 1e6, f[4] / 1000, f[5] / 1000, f[6] / 1000);
    }

    /// <summary>
    /// Open loop at a fixed rate: request k is due at start + k/rate whatever the earlier ones did, and its latency runs
    /// from when it was due (so a stall is not hidden by the generator waiting for it).
    /// </summary>
    public static async Task<(double Rate, double P50Ms, double P99Ms, int Failed)> OpenLoopAsync(Uri baseAddress, int companies, double rate, int seconds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(Authorization);
        var latencies = new ConcurrentBag<double>();
        var failed = 0;
        var total = (int)(rate * seconds);
        var random = new Random(42);
        var clock = Stopwatch.StartNew();
        var running = new List<Task>(total);
        for (var k = 0; k < total; k++)
        {
            var due = TimeSpan.FromSeconds(k / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var body = Body(random.Next(1, companies + 1), k, DateTime.UtcNow);
            running.Add(Task.Run(async () =>
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("/pipedrive/callback/", content);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
                latencies.Add((clock.Elapsed - due).TotalMilliseconds);
            }));
        }
        await Task.WhenAll(running);
        var sorted = latencies.Order().ToArray();
        return (total / clock.Elapsed.TotalSeconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99), failed);
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

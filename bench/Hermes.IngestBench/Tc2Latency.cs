using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Sandbox;
using Hermes.Sandbox.Tc2;

namespace Hermes.IngestBench;

/// <summary>
/// TC2 client webhook → organization created in the Pipedrive simulator, one client at a time (the job workers are idle
/// when each webhook arrives): from the moment the TC2 simulator sends the webhook to the moment the Pipedrive simulator
/// records Hermes's POST /organizations. With <c>separateWorker</c>, the webhook goes to a web process with no job
/// workers and a second Hermes process on the same database runs the jobs (the case PostgreSQL's NOTIFY serves).
/// </summary>
static class Tc2Latency
{
    public static async Task<(double P50, double P99, double Max)> RunAsync(string root, Cluster cluster, string database, int clients, bool separateWorker)
    {
        await using var sims = await SimulatorHost.StartAsync(o => o.Time = TimeProvider.System);
        var pd = sims.Pipedrive;
        pd.RateLimits.General = 100_000;
        pd.RateLimits.Search = 100_000;
        pd.AddUser(10, "Brain Johnson", "brian@tc.com");
        pd.DefineCustomField("organization", Webhooks.OrgHermesId, "Hermes ID");
        pd.DefineCustomField("person", Webhooks.PersonHermesId, "Hermes ID");
        pd.DefineCustomField("deal", Webhooks.DealHermesId, "Hermes ID");
        var pipeline = pd.Create("pipelines", new JsonObject { ["name"] = "PAYG" }, notify: false)["id"]!.GetValue<long>();
        var stage = pd.Create("stages", new JsonObject { ["name"] = "New", ["pipeline_id"] = pipeline }, notify: false)["id"]!.GetValue<long>();
        sims.Tc2.AddAdmin(new Tc2Admin(30, "Brain", "Johnson", "brian@tc.com"));

        await cluster.CreateDatabaseAsync(database);
        var url = cluster.Url(database);
        HermesProcess.Migrate(root, url);
        await cluster.ExecAsync(database, $"""
            INSERT INTO admin (id, username, first_name, last_name, tc2_admin_id, pd_owner_id, is_sales_person) VALUES (1, 'brian@tc.com', 'Brain', 'Johnson', 30, 10, true);
            INSERT INTO stage (id, pd_stage_id, name) VALUES (1, {stage}, 'New');
            INSERT INTO pipeline (id, pd_pipeline_id, name, dft_entry_stage_id) VALUES (1, {pipeline}, 'PAYG', 1);
            INSERT INTO config (payg_pipeline_id, startup_pipeline_id, enterprise_pipeline_id) VALUES (1, 1, 1);
            INSERT INTO customfield (name, machine_name, field_type, hermes_field_name, tc2_machine_name, pd_field_id, linked_object_type) VALUES
                ('Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{Webhooks.OrgHermesId}', 'Company'),
                ('Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{Webhooks.PersonHermesId}', 'Contact'),
                ('Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{Webhooks.DealHermesId}', 'Deal');
            """);

        var settings = new Dictionary<string, string>
        {
            ["TC2_BASE_URL"] = sims.Tc2BaseUrl, ["TC2_API_KEY"] = sims.Tc2.Options.ApiKey,
            ["PD_BASE_URL"] = sims.PipedriveBaseUrl, ["PD_API_KEY"] = pd.Options.ApiToken,
            ["PD_RATE_LIMIT_BURST"] = "1000", ["PD_RATE_LIMIT_SEARCH"] = "500",
        };
        await using var web = await HermesProcess.StartAsync(root, url, new Dictionary<string, string>(settings) { ["JOB_WORKERS"] = separateWorker ? "0" : "4" });
        await using var worker = separateWorker ? await HermesProcess.StartAsync(root, url, new Dictionary<string, string>(settings) { ["JOB_WORKERS"] = "4" }) : null;
        sims.Tc2.Webhooks.Url = () => new Uri(web.BaseAddress, "/tc2/callback/");

        var latencies = new List<double>();
        for (var i = 0; i < clients + 5; i++)
        {
            var id = 1000 + i;
            sims.Tc2.PutClient(new SimulatedClient
            {
                Id = id, FirstName = "Mary", LastName = $"Booth {i}", Email = $"mary{i}@booth.com", Status = "live",
                Agency = new Tc2Agency { Id = 5000 + i, Name = $"Tutors {i}", Created = DateTimeOffset.UtcNow.AddDays(-1), Website = $"https://tutors{i}.example.com" },
                SalesPerson = new Tc2Admin(30, "Brain", "Johnson", "brian@tc.com"),
                PaidRecipients = [new Tc2Recipient(9000 + i, "Mary", $"Booth {i}", $"mary{i}@booth.com")],
            });
            var before = Organizations(pd);
            // Idle workers: give the previous client's person and deal time to be made, so nothing is queued now.
            await Task.Delay(30);
            var sent = DateTimeOffset.UtcNow;
            var delivery = await sims.Tc2.Webhooks.EmitClientEventAsync("CREATED_A_CLIENT", id);
            if (delivery.StatusCode != 200) throw new InvalidOperationException($"TC2 webhook answered {delivery.StatusCode}: {delivery.ResponseBody}");
            var waited = Stopwatch.StartNew();
            RecordedRequestTime? created;
            while ((created = OrganizationCreatedAfter(pd, before)) is null)
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"client {id} never reached Pipedrive");
                await Task.Delay(1);
            }
            if (i >= 5) latencies.Add((created.Time - sent).TotalMilliseconds); // the first five warm Hermes up
        }
        var sorted = latencies.Order().ToArray();
        return (Webhooks.Percentile(sorted, 0.5), Webhooks.Percentile(sorted, 0.99), sorted[^1]);
    }

    sealed record RecordedRequestTime(DateTimeOffset Time);

    static int Organizations(Hermes.Sandbox.Pipedrive.PipedriveSimulator pd) =>
        pd.Requests.All.Count(r => r.Method == "POST" && r.Path.EndsWith("/organizations", StringComparison.Ordinal));

    static RecordedRequestTime? OrganizationCreatedAfter(Hermes.Sandbox.Pipedrive.PipedriveSimulator pd, int before) =>
        pd.Requests.All.Where(r => r.Method == "POST" && r.Path.EndsWith("/organizations", StringComparison.Ordinal)).Skip(before)
            .Select(r => new RecordedRequestTime(r.Time)).FirstOrDefault();
}

// How fast does Hermes drain a backlog of Pipedrive syncs, against the burst limit Pipedrive allows?
//
//   dotnet run -c Release --project bench/Hermes.SyncBench -- [--burst 20] [--companies 200] [--workers 4] [--hosts 1]
//   dotnet run --project bench/Hermes.SyncBench -- serve            (only the simulators, to try Hermes by hand)
//
// With DATABASE_URL pointing at a PostgreSQL server the benchmark makes a database of its own there (and drops it), so
// the shared limiter is measured; without, Hermes runs on a temporary SQLite file with the in-process limiter.
// The Pipedrive simulator enforces the same burst (general and search/2) on the wall clock and records every request;
// the figures come from its record. Nothing is asserted.

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hermes;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Hermes.Sandbox;
using Hermes.Sandbox.Pipedrive;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

var options = Args.Parse(args);
if (options.Serve)
{
    await using var sims = await SimulatorHost.StartAsync();
    Seed.PipedriveUsersAndFields(sims.Pipedrive);
    Console.WriteLine($"Pipedrive simulator: {sims.PipedriveBaseUrl}  (PD_API_KEY={sims.Pipedrive.Options.ApiToken})");
    Console.WriteLine($"TC2 simulator:       {sims.Tc2BaseUrl}  (TC2_API_KEY={sims.Tc2.Options.ApiKey})");
    Console.WriteLine($"State: GET {sims.PipedriveBaseUrl}/_control/state — Ctrl+C to stop");
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
    await stop.Task;
    return;
}

Console.WriteLine($"Hermes sync benchmark: burst {options.Burst} per 2 s (search {options.Burst / 2}), {options.Companies} companies per scenario, " +
                  $"{options.Hosts} Hermes host(s) × {options.Workers} workers");
foreach (var scenario in new[] { Scenario.Updates, Scenario.Creates })
    await Run(scenario, options);

static async Task Run(Scenario scenario, Args options)
{
    await using var sims = await SimulatorHost.StartAsync();
    var pd = sims.Pipedrive;
    pd.RateLimits.General = options.Burst;
    pd.RateLimits.Search = Math.Max(1, options.Burst / 2);
    Seed.PipedriveUsersAndFields(pd);
    var pipeline = pd.Create("pipelines", new JsonObject { ["name"] = "PAYG" }, notify: false)["id"]!.GetValue<long>();
    var stage = pd.Create("stages", new JsonObject { ["name"] = "New", ["pipeline_id"] = pipeline }, notify: false)["id"]!.GetValue<long>();

    var (database, drop) = await Database.CreateAsync();
    var hosts = new List<WebApplication>();
    try
    {
        for (var i = 0; i < options.Hosts; i++) hosts.Add(await StartHermes(database, sims, options, workers: 0));
        var dbs = hosts[0].Services.GetRequiredService<IDbContextFactory<HermesDb>>();
        await Seed.HermesAsync(dbs, pd, scenario, options.Companies, (int)pipeline, (int)stage);
        pd.Requests.Clear();

        // The backlog: one sync per company, queued at once; then the workers start.
        var clock = Stopwatch.StartNew();
        await using (var db = await dbs.CreateDbContextAsync())
        {
            var queue = hosts[0].Services.GetRequiredService<JobQueue>();
            foreach (var id in await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync()) queue.Enqueue(db, new SyncCompany(id));
            await db.SaveChangesAsync();
        }
        clock.Restart();
        await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<JobRunner>().RunUntilIdleAsync(options.Workers)));
        var elapsed = clock.Elapsed;

        await using var check = await dbs.CreateDbContextAsync();
        var notDone = await check.Jobs.CountAsync(j => j.Status != Job.Done);
        var postponed = await check.Jobs.CountAsync(j => j.LastError != null);
        var requests = pd.Requests.All.Where(r => !r.Path.EndsWith("Fields", StringComparison.Ordinal)).ToList();
        var first = requests.Min(r => r.Time);
        var last = requests.Max(r => r.Time);
        var span = (last - first).TotalSeconds;
        var perWindow = span > 0 ? (requests.Count - 1) / span * 2 : 0;
        var most = MostInAnyWindow(requests);
        var searches = requests.Where(r => r.Path.EndsWith("/search", StringComparison.Ordinal)).ToList();
        Console.WriteLine();
        Console.WriteLine($"{scenario}: {options.Companies} syncs, {requests.Count} Pipedrive requests ({searches.Count} searches) in {elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"  rate:                 {perWindow:0.0} requests per 2 s = {perWindow / options.Burst:P0} of the burst ({options.Burst})");
        Console.WriteLine($"  busiest 2 s window:   {most} requests (burst {options.Burst}); searches {MostInAnyWindow(searches)} (limit {Math.Max(1, options.Burst / 2)})");
        Console.WriteLine($"  over the limit:       {Math.Max(0, most - options.Burst)} requests; jobs postponed by Pipedrive: {postponed}; jobs not done: {notDone}");
        Console.WriteLine($"  syncs per second:     {options.Companies / elapsed.TotalSeconds:0.0}");
        if (Environment.GetEnvironmentVariable("BENCH_WINDOWS") is not null)
            Console.WriteLine("  per 2 s from the first request: " + string.Join(" ", requests.GroupBy(r => (int)((r.Time - first).TotalSeconds / 2)).OrderBy(g => g.Key).Select(g => g.Count())));
    }
    finally
    {
        foreach (var host in hosts)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
        await drop();
    }
}

static async Task<WebApplication> StartHermes(DatabaseUrl database, SimulatorHost sims, Args options, int workers)
{
    var settings = new Dictionary<string, string?>
    {
        ["DATABASE_URL"] = database.Kind == DatabaseKind.Sqlite ? "sqlite:///" + database.ConnectionString["Data Source=".Length..] : database.ConnectionString,
        ["urls"] = "http://127.0.0.1:0",
        ["SANDBOX"] = "false",
        ["DEV_MODE"] = "true",
        ["LOG_LEVEL"] = "ERROR",
        ["PD_BASE_URL"] = sims.PipedriveBaseUrl,
        ["PD_API_KEY"] = sims.Pipedrive.Options.ApiToken,
        ["TC2_BASE_URL"] = sims.Tc2BaseUrl,
        ["TC2_API_KEY"] = sims.Tc2.Options.ApiKey,
        ["PD_RATE_LIMIT_BURST"] = options.Burst.ToString(CultureInfo.InvariantCulture),
        ["PD_RATE_LIMIT_SEARCH"] = Math.Max(1, options.Burst / 2).ToString(CultureInfo.InvariantCulture),
        ["JOB_WORKERS"] = workers.ToString(CultureInfo.InvariantCulture),
    };
    var app = HermesApp.Build([], config => config.AddInMemoryCollection(settings));
    await HermesApp.PrepareAsync(app);
    await app.StartAsync();
    return app;
}

static int MostInAnyWindow(IReadOnlyList<RecordedRequest> requests)
{
    var times = requests.Select(r => r.Time).Order().ToArray();
    var most = 0;
    for (int i = 0, j = 0; i < times.Length; i++)
    {
        while (j < times.Length && times[j] < times[i] + TimeSpan.FromSeconds(2)) j++;
        most = Math.Max(most, j - i);
    }
    return most;
}

enum Scenario
{
    /// <summary>Companies already in Pipedrive whose TC2 facts changed: GET and PATCH of the organization each.</summary>
    Updates,
    /// <summary>New companies with a contact and a deal: a person search, then organization, person and deal created.</summary>
    Creates,
}

sealed record Args(int Burst, int Companies, int Workers, int Hosts, bool Serve)
{
    public static Args Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
        }
        return new Args(Int("--burst", 20), Int("--companies", 200), Int("--workers", 4), Int("--hosts", 1), args.Contains("serve"));
    }
}

static class Seed
{
    public const string OrgHermesId = "7f8959760703808f36b3795c15310566b74f5134";
    public const string PersonHermesId = "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d";
    public const string DealHermesId = "5be1188db52a8c7f0ea49331eb391ae54aeabafc";
    public const string OrgTc2Status = "a100000000000000000000000000000000000001";

    public static void PipedriveUsersAndFields(PipedriveSimulator pd)
    {
        pd.AddUser(10, "Brain Johnson", "brian@tc.com");
        pd.DefineCustomField("organization", OrgHermesId, "Hermes ID");
        pd.DefineCustomField("person", PersonHermesId, "Hermes ID");
        pd.DefineCustomField("deal", DealHermesId, "Hermes ID");
        pd.DefineCustomField("organization", OrgTc2Status, "TC2 status");
    }

    public static async Task HermesAsync(IDbContextFactory<HermesDb> dbs, PipedriveSimulator pd, Scenario scenario, int count, int pdPipeline, int pdStage)
    {
        await using var db = await dbs.CreateDbContextAsync();
        var sales = new Admin { Username = "brian@tc.com", FirstName = "Brain", LastName = "Johnson", Tc2AdminId = 30, PdOwnerId = 10, IsSalesPerson = true };
        var stage = new Stage { PdStageId = pdStage, Name = "New" };
        var pipeline = new Pipeline { PdPipelineId = pdPipeline, Name = "PAYG", DftEntryStage = stage };
        db.AddRange(sales, stage, pipeline, new Config { PaygPipeline = pipeline });
        foreach (var (type, key) in new[] { ("Company", OrgHermesId), ("Contact", PersonHermesId), ("Deal", DealHermesId) })
            db.CustomFields.Add(new CustomField { Name = "Hermes ID", MachineName = "hermes_id", FieldType = CustomField.TypeFk, HermesFieldName = "id", PdFieldId = key, LinkedObjectType = type });
        db.CustomFields.Add(new CustomField { Name = "TC2 status", MachineName = "tc2_status", FieldType = CustomField.TypeStr, HermesFieldName = "tc2_status", PdFieldId = OrgTc2Status, LinkedObjectType = "Company" });
        await db.SaveChangesAsync();

        for (var i = 0; i < count; i++)
        {
            var company = new Company { Name = $"Tutors {i:000}", SalesPersonId = sales.Id, Created = DateTime.UtcNow, Tc2Status = "active" };
            db.Companies.Add(company);
            await db.SaveChangesAsync();
            if (scenario == Scenario.Updates)
            {
                // In Pipedrive already, with last week's TC2 status.
                company.PdOrgId = (int)pd.Create("organizations", new JsonObject
                {
                    ["name"] = company.Name, ["owner_id"] = 10,
                    ["custom_fields"] = new JsonObject { [OrgHermesId] = company.Id.ToString(CultureInfo.InvariantCulture), [OrgTc2Status] = "trial" },
                }, notify: false)["id"]!.GetValue<long>();
            }
            else
            {
                var contact = new Contact { FirstName = "Owner", LastName = $"Number {i}", Email = $"owner{i}@tutors.com", CompanyId = company.Id, Created = DateTime.UtcNow };
                db.Contacts.Add(contact);
                await db.SaveChangesAsync();
                db.Deals.Add(new Deal { Name = company.Name, AdminId = sales.Id, CompanyId = company.Id, ContactId = contact.Id, PipelineId = pipeline.Id, StageId = stage.Id });
            }
        }
        await db.SaveChangesAsync();
    }
}

static class Database
{
    /// <summary>A fresh database on DATABASE_URL's PostgreSQL server (dropped afterwards), or a temporary SQLite file.</summary>
    public static async Task<(DatabaseUrl Url, Func<Task> Drop)> CreateAsync()
    {
        var url = Environment.GetEnvironmentVariable("DATABASE_URL");
        if (string.IsNullOrEmpty(url))
        {
            var path = Path.Combine(Path.GetTempPath(), $"hermes-bench-{Guid.NewGuid():N}.db");
            return (new DatabaseUrl(DatabaseKind.Sqlite, $"Data Source={path}"), () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
                return Task.CompletedTask;
            });
        }
        var server = new NpgsqlConnectionStringBuilder(DatabaseUrl.Parse(url, Directory.GetCurrentDirectory()).ConnectionString) { Database = "postgres", Pooling = false };
        var name = $"hermes_bench_{Guid.NewGuid():N}"[..40];
        await Exec(server, $"CREATE DATABASE \"{name}\"");
        var db = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = true };
        return (new DatabaseUrl(DatabaseKind.Postgres, db.ConnectionString), async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await Exec(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        });
    }

    static async Task Exec(NpgsqlConnectionStringBuilder server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

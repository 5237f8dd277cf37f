// Pipedrive webhook ingest against what its PostgreSQL can do, in one run on one machine:
//
//   dotnet run -c Release --project bench/Hermes.IngestBench -- [--seconds 20] [--companies 100000] [--no-scaling] [--million]
//       [--clients 200] [--no-sqlite] [--no-tc2] [--only-tc2] [--only-sqlite] [--no-build | --dll PATH/Hermes.dll] [--trace FILE.nettrace]
//
// 1. starts its own PostgreSQL (fsync on), migrates a database with Hermes's `migrate` and loads N companies;
// 2. the bound: pgbench, 8 clients, running the least SQL a correct organization update needs (Webhooks.BoundScript),
//    and the CPU each transaction cost PostgreSQL and pgbench; measured again after step 3, and Hermes compared with the mean;
// 3. Hermes (Release, its own process, production settings) under wrk with 8 connections: rate, p50/p99, Hermes's CPU
//    per webhook (/proc) beside PostgreSQL's and wrk's (the two cores are shared: the ratio to the bound is about the
//    bound's CPU per transaction over the sum of these three), resident memory, and the ratio to the bound; then an
//    open loop at half that rate (p50/p99);
// 4. the per-webhook cost with 10 k and with 1 M companies (--million; loading 1 M takes a minute or two), then 10 k again;
// 5. TC2 client webhook → organization created in the Pipedrive simulator, one client at a time: p50/p99, Hermes alone
//    and as a web process beside a separate worker process;
// 6. the same webhooks on the SQLite default.
// Prints figures and the machine's load; asserts nothing.

using System.Globalization;
using Hermes.IngestBench;

var options = Options.Parse(args);
var root = FindRoot();
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"Hermes ingest benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {Load()}");
if (Array.IndexOf(args, "--trace") is var t and >= 0 && t + 1 < args.Length) Ingest.TraceFile = Path.GetFullPath(args[t + 1]);
if (Array.IndexOf(args, "--dll") is var d and >= 0 && d + 1 < args.Length) HermesProcess.UseBuilt(Path.GetFullPath(args[d + 1]));
else if (args.Contains("--no-build")) HermesProcess.UseBuilt(Path.Combine(root, "src/Hermes/bin/Release/net10.0/Hermes.dll"));
else HermesProcess.Build(root);
await using var cluster = await Cluster.StartAsync();
Console.WriteLine($"PostgreSQL {await cluster.ScalarAsync<string>("postgres", "SHOW server_version")} on port {cluster.Port}, " +
                  $"fsync={await cluster.ScalarAsync<string>("postgres", "SHOW fsync")}, synchronous_commit={await cluster.ScalarAsync<string>("postgres", "SHOW synchronous_commit")}");

if (!options.OnlyTc2 && !args.Contains("--only-sqlite"))
{
    var db = await Ingest.PrepareAsync(root, cluster, "bench", options.Companies);
    var bound = await Ingest.BoundAsync(cluster, db, options.Companies, options.Seconds);
    Console.WriteLine();
    Console.WriteLine($"Bound (pgbench, 8 clients, {options.Companies:N0} companies): {bound.Tps:0} tx/s   [load {Load()}]");
    Console.WriteLine($"  CPU per transaction: PostgreSQL {bound.DbCpuMs:0.00} ms, pgbench {bound.PgBenchCpuMs:0.00} ms");
    var logged = cluster.LogSince(0).Length;
    var main = await Ingest.HermesAsync(root, cluster, db, options.Companies, options.Seconds, halfRate: true);
    var meanwhile = cluster.LogSince(logged).Summary;
    // The bound again, after Hermes: this machine's speed drifts by a quarter within minutes, so Hermes is compared with
    // the mean of the bound measured either side of it rather than with whichever side it happened to follow.
    var after = await Ingest.BoundAsync(cluster, db, options.Companies, options.Seconds);
    var boundTps = (bound.Tps + after.Tps) / 2;
    Console.WriteLine($"Bound again after Hermes: {after.Tps:0} tx/s (PostgreSQL {after.DbCpuMs:0.00} ms per transaction); mean of both {boundTps:0} tx/s   [load {Load()}]");
    Console.WriteLine($"Hermes (wrk, 8 connections):          {main.Rate:0} webhooks/s = {main.Rate / boundTps:P0} of the bound's mean (target ≥ 60 %; of the first alone {main.Rate / bound.Tps:P0})   [load {main.Load}]");
    Console.WriteLine($"  latency p50 {main.P50:0.0} ms, p99 {main.P99:0.0} ms; CPU {main.CpuMs:0.00} ms per webhook (target ≤ 1); RSS {main.Rss:0} MB, peak {main.Peak:0} MB (target < 250)");
    Console.WriteLine($"  CPU per webhook of the others meanwhile: PostgreSQL {main.DbCpuMs:0.00} ms (per bound transaction: {bound.DbCpuMs:0.00}), wrk {main.WrkCpuMs:0.00} ms");
    Console.WriteLine($"  after a {main.WarmUpSeconds} s warm-up, until the runtime had compiled the hot code; its compiler's CPU per webhook during the run: {main.JitCpuMs:0.000} ms");
    Console.WriteLine($"  at half that rate (open loop, {main.HalfRate:0}/s): p50 {main.HalfP50:0.0} ms, p99 {main.HalfP99:0.0} ms (target < 50)");
    Console.WriteLine($"  answered non-2xx: {main.Failed}; webhook log: {main.Outcomes}");
    Console.WriteLine($"  {meanwhile}");

    if (options.Scaling)
    {
        var smallDb = await Ingest.PrepareAsync(root, cluster, "bench_10k", 10_000);
        var small = await Ingest.HermesAsync(root, cluster, smallDb, 10_000, options.Seconds, halfRate: false);
        Console.WriteLine();
        Console.WriteLine($"10 k companies:  {small.Rate:0} webhooks/s, CPU {small.CpuMs:0.00} ms per webhook, p50 {small.P50:0.0} ms   [load {small.Load}]");
        if (options.Million)
        {
            var large = await Ingest.HermesAsync(root, cluster, await Ingest.PrepareAsync(root, cluster, "bench_1m", 1_000_000), 1_000_000, options.Seconds, halfRate: false);
            Console.WriteLine($"1 M companies:   {large.Rate:0} webhooks/s, CPU {large.CpuMs:0.00} ms per webhook, p50 {large.P50:0.0} ms   [load {large.Load}]");
            // 10 k again, after 1 M: the machine's speed drifts over the minutes loading a million takes, so 1 M is
            // compared with the mean of the 10 k runs either side of it.
            var smallAgain = await Ingest.HermesAsync(root, cluster, smallDb, 10_000, options.Seconds, halfRate: false);
            Console.WriteLine($"10 k again:      {smallAgain.Rate:0} webhooks/s, CPU {smallAgain.CpuMs:0.00} ms per webhook, p50 {smallAgain.P50:0.0} ms   [load {smallAgain.Load}]");
            var (smallRate, smallCpu) = ((small.Rate + smallAgain.Rate) / 2, (small.CpuMs + smallAgain.CpuMs) / 2);
            Console.WriteLine($"  1 M vs the mean of 10 k: time per webhook ×{smallRate / large.Rate:0.00}, CPU per webhook ×{large.CpuMs / smallCpu:0.00} (target ≤ 1.2); " +
                              $"vs the first 10 k alone ×{small.Rate / large.Rate:0.00} and ×{large.CpuMs / small.CpuMs:0.00}");
        }
        else Console.WriteLine("1 M companies:   skipped (--million to run it)");
    }
}

if (options.Tc2 && !args.Contains("--only-sqlite"))
{
    Console.WriteLine();
    var alone = await Tc2Latency.RunAsync(root, cluster, "bench_tc2", options.Clients, separateWorker: false);
    Console.WriteLine($"TC2 client → Pipedrive organization, {options.Clients} clients, one Hermes process: p50 {alone.P50:0} ms, p99 {alone.P99:0} ms, max {alone.Max:0} ms (target p50 < 100)   [load {Load()}]");
    var apart = await Tc2Latency.RunAsync(root, cluster, "bench_tc2_apart", options.Clients, separateWorker: true);
    Console.WriteLine($"  web process + a separate worker process:  p50 {apart.P50:0} ms, p99 {apart.P99:0} ms, max {apart.Max:0} ms   [load {Load()}]");
}

if (options.Sqlite && !options.OnlyTc2)
{
    var sqlite = await Ingest.SqliteAsync(root, options.Companies, options.Seconds);
    Console.WriteLine();
    Console.WriteLine($"SQLite ({options.Companies:N0} companies, wrk 8 connections): {sqlite.Rate:0} webhooks/s, p50 {sqlite.P50:0.0} ms, p99 {sqlite.P99:0.0} ms, " +
                      $"CPU {sqlite.CpuMs:0.00} ms per webhook, non-2xx {sqlite.Failed}   [load {sqlite.Load}]");
}

static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Hermes.slnx"))) return dir.FullName;
    throw new InvalidOperationException("run from inside the repository");
}

sealed record Options(int Seconds, int Companies, bool Scaling, bool Million, int Clients, bool Sqlite, bool Tc2, bool OnlyTc2)
{
    public static Options Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
        }
        return new Options(Int("--seconds", 20), Int("--companies", 100_000), !args.Contains("--no-scaling"), args.Contains("--million"),
            Int("--clients", 200), !args.Contains("--no-sqlite"), !args.Contains("--no-tc2"), args.Contains("--only-tc2"));
    }
}

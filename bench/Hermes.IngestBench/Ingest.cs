using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Hermes.IngestBench;

/// <summary>
/// <paramref name="DbCpuMs"/>: PostgreSQL's CPU per webhook over the same run (0 on SQLite, which runs inside Hermes);
/// <paramref name="WrkCpuMs"/>: the load generator's. <paramref name="JitCpuMs"/>: the part of <paramref name="CpuMs"/> the
/// runtime's background compiler spent recompiling hot code (near zero once warm).
/// </summary>
sealed record IngestFigures(double Rate, double P50, double P99, double CpuMs, double DbCpuMs, double WrkCpuMs, double Rss, double Peak, long Failed, string Outcomes, string Load,
    double HalfRate = 0, double HalfP50 = 0, double HalfP99 = 0, int WarmUpSeconds = 0, double JitCpuMs = 0);

/// <summary>The bound's rate, and the CPU each of its transactions cost PostgreSQL and pgbench.</summary>
sealed record BoundFigures(double Tps, double DbCpuMs, double PgBenchCpuMs);

static class Ingest
{
    /// <summary>--trace FILE: a sampled CPU trace of Hermes during the main measured run (dotnet-trace), its top methods printed.</summary>
    public static string? TraceFile { get; set; }

    /// <summary>A migrated database with the seed (admins, custom fields, N companies); returns its name.</summary>
    public static async Task<string> PrepareAsync(string root, Cluster cluster, string database, int companies)
    {
        await cluster.CreateDatabaseAsync(database);
        HermesProcess.Migrate(root, cluster.Url(database));
        await cluster.ExecAsync(database, Webhooks.SeedSql(companies));
        await cluster.ExecAsync(database, "VACUUM ANALYZE");
        await cluster.ExecAsync(database, "CHECKPOINT");
        return database;
    }

    public static async Task<BoundFigures> BoundAsync(Cluster cluster, string database, int companies, int seconds)
    {
        var script = Path.Combine(Path.GetTempPath(), $"hermes-bound-{Guid.NewGuid():N}.sql");
        File.WriteAllText(script, Webhooks.BoundScript(companies));
        try
        {
            var processes = cluster.Processes;
            cluster.PgBench(database, script, 8, Math.Max(3, seconds / 4)); // warm the cache as Hermes's warm-up does
            await cluster.SettleAsync(processes);
            var (db, pgbench) = (cluster.Cpu(), ProcessCpu.ExitedChildrenOfSelf());
            var tps = cluster.PgBench(database, script, 8, seconds).Tps;
            await cluster.SettleAsync(processes);
            // Over the whole run (connection set-up included, a few ms), per transaction at the measured rate.
            var transactions = tps * seconds;
            var figures = new BoundFigures(tps, (cluster.Cpu() - db).TotalMilliseconds / transactions, (ProcessCpu.ExitedChildrenOfSelf() - pgbench).TotalMilliseconds / transactions);
            foreach (var sql in new[] { "TRUNCATE hermes_webhook", "VACUUM ANALYZE", "CHECKPOINT" }) await cluster.ExecAsync(database, sql); // Hermes's log counted alone
            return figures;
        }
        finally { File.Delete(script); }
    }

    public static async Task<IngestFigures> HermesAsync(string root, Cluster cluster, string database, int companies, int seconds, bool halfRate)
    {
        var figures = await UnderWrkAsync(root, cluster.Url(database), companies, seconds, halfRate, cluster);
        var outcomes = await cluster.CountsAsync(database, "SELECT outcome, count(*) FROM hermes_webhook WHERE source = 'pipedrive' GROUP BY outcome ORDER BY 1");
        return figures with { Outcomes = string.Join(", ", outcomes.Select(o => $"{o.Item1} {o.Item2}")) };
    }

    public static async Task<IngestFigures> SqliteAsync(string root, int companies, int seconds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hermes-ingest-{Guid.NewGuid():N}.db");
        try
        {
            var url = "sqlite:///" + path;
            HermesProcess.Migrate(root, url);
            await using (var conn = new SqliteConnection($"Data Source={path}"))
            {
                await conn.OpenAsync();
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = Webhooks.SeedSql(companies)
                    .Replace("SELECT setval(pg_get_serial_sequence('admin', 'id'), 2);", "")
                    .Replace("FROM generate_series(1, " + companies + ") i", "FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " + companies + ") SELECT i FROM s)")
                    .Replace("now() - interval '30 days'", "strftime('%Y-%m-%d %H:%M:%S', 'now', '-30 days')")
                    .Replace("now() - interval '7 days'", "strftime('%Y-%m-%d %H:%M:%S', 'now', '-7 days')");
                await cmd.ExecuteNonQueryAsync();
            }
            SqliteConnection.ClearAllPools();
            return await UnderWrkAsync(root, url, companies, seconds, halfRate: false);
        }
        finally
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        }
    }

    /// <summary>
    /// Loads Hermes until its hot code is compiled for good, and returns how long that took. The runtime compiles a
    /// method quickly first and again, optimised, once it is hot, on a background thread; under this load that thread
    /// was busy for about ten seconds (about 4 s of CPU), so a 3-second warm-up left a tenth of a millisecond of
    /// compiling in every measured webhook. A service compiles once and then runs for days: the steady state is what
    /// the CPU per webhook is meant to say. Stops when the compiler used under 2 % of Hermes's CPU in 3 s, at most 30 s.
    /// </summary>
    static int WarmUp(HermesProcess hermes, string script, int seconds)
    {
        Webhooks.Wrk(hermes.BaseAddress, script, 8, seconds); // JIT, pools, caches
        while (seconds < 30)
        {
            var (cpu, jit) = (hermes.Cpu(), hermes.JitCpu());
            Webhooks.Wrk(hermes.BaseAddress, script, 8, 3);
            seconds += 3;
            // The thread exits when it has nothing left to compile: its time then reads as zero, which also ends this.
            if ((hermes.JitCpu() - jit) < (hermes.Cpu() - cpu) * 0.02) break;
        }
        return seconds;
    }

    static async Task<IngestFigures> UnderWrkAsync(string root, string databaseUrl, int companies, int seconds, bool halfRate, Cluster? cluster = null)
    {
        var script = Path.Combine(Path.GetTempPath(), $"hermes-wrk-{Guid.NewGuid():N}.lua");
        File.WriteAllText(script, Webhooks.WrkScript(companies));
        try
        {
            await using var hermes = await HermesProcess.StartAsync(root, databaseUrl);
            var warmUp = WarmUp(hermes, script, Math.Max(3, seconds / 4));
            var trace = TraceFile is { } file ? Profiler.Start(hermes, file, seconds) : null;
            var (cpu, jit, db, wrk) = (hermes.Cpu(), hermes.JitCpu(), cluster?.Cpu() ?? TimeSpan.Zero, ProcessCpu.ExitedChildrenOfSelf());
            var run = Webhooks.Wrk(hermes.BaseAddress, script, 8, seconds);
            var (cpuMs, dbCpuMs, wrkCpuMs) = ((hermes.Cpu() - cpu).TotalMilliseconds / run.Requests, ((cluster?.Cpu() ?? TimeSpan.Zero) - db).TotalMilliseconds / run.Requests,
                (ProcessCpu.ExitedChildrenOfSelf() - wrk).TotalMilliseconds / run.Requests);
            var jitCpuMs = Math.Max(0, (hermes.JitCpu() - jit).TotalMilliseconds) / run.Requests;
            if (trace is not null) Profiler.Report(trace, TraceFile!);
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var (rss, peak) = hermes.Rss();
            var figures = new IngestFigures(run.Rate, run.P50Ms, run.P99Ms, cpuMs, dbCpuMs, wrkCpuMs, rss, peak, run.Non2xx + run.SocketErrors, "", load,
                WarmUpSeconds: warmUp, JitCpuMs: jitCpuMs);
            if (!halfRate) return figures;
            // The generator warms up too (its HTTP client's code is compiled on first use, its connections opened): a cold
            // start fell up to a second behind, then fired its backlog at once, and that was counted as Hermes's latency.
            await Webhooks.OpenLoopAsync(hermes.BaseAddress, companies, run.Rate / 2, Math.Max(3, seconds / 4));
            var half = await Webhooks.OpenLoopAsync(hermes.BaseAddress, companies, run.Rate / 2, seconds);
            var (rss2, peak2) = hermes.Rss();
            return figures with { HalfRate = half.Rate, HalfP50 = half.P50Ms, HalfP99 = half.P99Ms, Failed = figures.Failed + half.Failed, Rss = Math.Max(rss, rss2), Peak = peak2 };
        }
        finally { File.Delete(script); }
    }
}

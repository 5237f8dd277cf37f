using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Hermes.IngestBench;

/// <summary>
/// A PostgreSQL cluster of the benchmark's own, as production runs it (fsync and synchronous_commit on), on a free local
/// port in a temporary directory; stopped and removed on dispose. Installs Debian's server when initdb is missing.
/// </summary>
sealed class Cluster : IAsyncDisposable
{
    public required string Dir { get; init; }
    public required string Bin { get; init; }
    public required int Port { get; init; }

    public string Url(string database) => $"postgres://postgres@127.0.0.1:{Port}/{database}";
    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=30;Command Timeout=600";

    public static async Task<Cluster> StartAsync()
    {
        var bin = PgBin() ?? (Shell.AptInstall("postgresql") is var _ ? PgBin() : null) ?? throw new InvalidOperationException("no PostgreSQL server");
        var dir = Directory.CreateTempSubdirectory("hermes-ingest-pg.").FullName;
        var port = FreePort();
        var root = Environment.UserName == "root";
        if (root) Shell.Run("chown", $"postgres:postgres {dir}");
        Shell.RunAs(root, $"{bin}/initdb", $"-D {dir}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8");
        // Production's durability: fsync, synchronous_commit and full_page_writes stay at their defaults (on).
        Shell.RunAs(root, $"{bin}/pg_ctl", $"-D {dir}/data -l {dir}/server.log -w -o \"-p {port} -c listen_addresses=127.0.0.1 -k {dir} " +
                                            "-c max_connections=200 -c shared_buffers=256MB -c log_checkpoints=on -c log_min_duration_statement=200\" start");
        var cluster = new Cluster { Dir = dir, Bin = bin, Port = port };
        await cluster.ExecAsync("postgres", "SELECT 1");
        return cluster;
    }

    public async Task CreateDatabaseAsync(string name)
    {
        await ExecAsync("postgres", $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await ExecAsync("postgres", $"CREATE DATABASE \"{name}\"");
    }

    public async Task ExecAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 1800 };
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<List<(string, long)>> CountsAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
        return rows;
    }

    /// <summary>Runs pgbench with a script file; returns its tps (excluding connection set-up) and its output.</summary>
    public (double Tps, string Output) PgBench(string database, string script, int clients, int seconds)
    {
        var pgbench = File.Exists($"{Bin}/pgbench") ? $"{Bin}/pgbench" : "pgbench";
        var output = Shell.Run(pgbench, $"-h 127.0.0.1 -p {Port} -U postgres -n -M prepared -c {clients} -j 2 -T {seconds} -f {script} {database}");
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal)) ?? throw new InvalidOperationException(output);
        return (double.Parse(line.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture), output);
    }

    /// <summary>
    /// The CPU the server has used: the postmaster, the processes alive under it (backends, writers), and those that have
    /// exited (the postmaster reaps them, so theirs is added to its children's time).
    /// </summary>
    public TimeSpan Cpu()
    {
        var total = ProcessCpu.Of(Postmaster, withExitedChildren: true);
        foreach (var child in ProcessCpu.ChildrenOf(Postmaster)) total += ProcessCpu.Of(child);
        return total;
    }

    /// <summary>The server's processes: its background ones, and a backend per open connection.</summary>
    public int Processes => ProcessCpu.ChildrenOf(Postmaster).Count();

    /// <summary>
    /// Waits until the backends of connections that closed have gone (up to 5 s): a backend still exiting, or exited and
    /// not yet reaped, shows in neither the live processes' time nor the postmaster's children's.
    /// </summary>
    public async Task SettleAsync(int processes)
    {
        for (var waited = 0; Processes > processes && waited < 5000; waited += 20) await Task.Delay(20);
    }

    int Postmaster => int.Parse(File.ReadLines(Path.Combine(Dir, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What PostgreSQL logged since <paramref name="offset"/> (a length of its log): checkpoints and statements slower than 200 ms.</summary>
    public (long Length, string Summary) LogSince(long offset)
    {
        var text = File.ReadAllText(Path.Combine(Dir, "server.log"));
        var lines = text[(int)Math.Min(offset, text.Length)..].Split('\n');
        var slow = lines.Where(l => l.Contains("duration: ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.IndexOf("duration: ", StringComparison.Ordinal) + 10)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var checkpoints = lines.Count(l => l.Contains("checkpoint complete", StringComparison.Ordinal));
        return (text.Length, $"PostgreSQL meanwhile: {checkpoints} checkpoint(s), {slow.Count} statement(s) over 200 ms" + (slow.Count > 0 ? $" (longest {slow.Max():0} ms)" : ""));
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { Shell.RunAs(Environment.UserName == "root", $"{Bin}/pg_ctl", $"-D {Dir}/data -m fast -w stop"); }
        catch (Exception e) { Console.Error.WriteLine($"stopping PostgreSQL: {e.Message}"); }
        Directory.Delete(Dir, recursive: true);
        await Task.CompletedTask;
    }

    static string? PgBin() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
        : null;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>CPU time from /proc: user + system, and optionally that of the children the process has waited for.</summary>
static class ProcessCpu
{
    static readonly long ClockTicks = long.Parse(Shell.Run("getconf", "CLK_TCK").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static TimeSpan Of(int pid, bool withExitedChildren = false)
    {
        var fields = Fields(pid);
        if (fields is null) return TimeSpan.Zero; // exited meanwhile: its time is its parent's now
        var ticks = Tick(fields, 11) + Tick(fields, 12) + (withExitedChildren ? Tick(fields, 13) + Tick(fields, 14) : 0);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicks);
    }

    /// <summary>The CPU time of a process's threads whose name starts with <paramref name="name"/>, while they run.</summary>
    public static TimeSpan OfThreads(int pid, string name)
    {
        var ticks = 0L;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(name, StringComparison.Ordinal)) continue;
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += Tick(fields, 11) + Tick(fields, 12);
                }
                catch (IOException) { } // the thread ended meanwhile
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return TimeSpan.FromSeconds(ticks / (double)ClockTicks);
    }

    /// <summary>This process's children that have exited and been waited for (pgbench, wrk): their CPU so far.</summary>
    public static TimeSpan ExitedChildrenOfSelf()
    {
        var fields = Fields(Environment.ProcessId)!;
        return TimeSpan.FromSeconds((Tick(fields, 13) + Tick(fields, 14)) / (double)ClockTicks);
    }

    public static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid => Fields(pid) is { } f && f[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The fields of /proc/PID/stat after the command name (state first), or null when it is gone.</summary>
    static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    static long Tick(string[] fields, int i) => long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture);
}

static class Shell
{
    public static string Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var text = stdout.Result + stderr.Result;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {text}");
        return text;
    }

    /// <summary>PostgreSQL refuses to run as root: as root the server commands run as the postgres user.</summary>
    public static string RunAs(bool asPostgres, string file, string arguments) =>
        asPostgres ? Run("runuser", $"-u postgres -- {file} {arguments}") : Run(file, arguments);

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Installs a Debian package when the command it brings is missing (the benchmark's own set-up).</summary>
    public static string AptInstall(string package)
    {
        Console.WriteLine($"installing {package} from Debian's packages");
        var sudo = Environment.UserName == "root" ? "" : "sudo ";
        return Run("sh", $"-c \"{sudo}apt-get update -qq && DEBIAN_FRONTEND=noninteractive {sudo}apt-get install -y -qq --no-install-recommends {package}\"");
    }
}

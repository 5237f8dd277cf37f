using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Hermes.ScaleBench;

/// <summary>
/// A throwaway PostgreSQL cluster of the benchmark's own (as <c>test.sh</c> starts one), with fsync and synchronous
/// commit on as in production, or the server <c>SCALE_DATABASE_URL</c> names (a Npgsql connection string to a database
/// the benchmark may create databases from).
/// </summary>
sealed class Cluster : IAsyncDisposable
{
    public required string Server { get; init; }
    public required string Description { get; init; }
    string? _dir;
    string? _bin;

    public static async Task<Cluster> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("SCALE_DATABASE_URL") is { Length: > 0 } given)
            return new Cluster { Server = given, Description = "the server SCALE_DATABASE_URL names" };

        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).LastOrDefault()
            ?? throw new InvalidOperationException("No PostgreSQL server in /usr/lib/postgresql: run ./test.sh once (it installs one) or set SCALE_DATABASE_URL");
        var dir = Directory.CreateTempSubdirectory("hermes-scale-pg.").FullName;
        if (Environment.IsPrivilegedProcess) await Run("chown", "postgres:postgres", dir);
        var port = FreePort();
        await RunPg(bin, "initdb", "-D", $"{dir}/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8");
        // Production-like: fsync and synchronous commit on (the defaults). 1 GB of shared buffers, as a server holding a
        // million companies would be given; WAL large enough that the load does not checkpoint every few seconds.
        await RunPg(bin, "pg_ctl", "-D", $"{dir}/data", "-l", $"{dir}/server.log", "-w", "start", "-o",
            $"-p {port} -c listen_addresses=127.0.0.1 -k {dir} -c shared_buffers=1GB -c max_wal_size=8GB -c max_connections=100");
        var cluster = new Cluster
        {
            Server = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres",
            Description = $"its own PostgreSQL {Path.GetFileName(Path.GetDirectoryName(bin))} on port {port} (fsync on, synchronous_commit on, shared_buffers 1GB)",
        };
        cluster._dir = dir;
        cluster._bin = bin;
        return cluster;
    }

    public string Database(string name) => new NpgsqlConnectionStringBuilder(Server) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;

    public async Task ExecAsync(string database, string sql, int timeoutSeconds = 0)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Database = database, Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = timeoutSeconds };
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<List<string>> QueryAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Database = database, Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_dir is null || _bin is null) return;
        try { await RunPg(_bin, "pg_ctl", "-D", $"{_dir}/data", "-m", "fast", "-w", "stop"); }
        finally { Directory.Delete(_dir, recursive: true); }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>PostgreSQL refuses to run as root: as root, its programs run as the postgres user.</summary>
    static Task RunPg(string bin, string program, params string[] args) => Environment.IsPrivilegedProcess
        ? Run("runuser", ["-u", "postgres", "--", Path.Combine(bin, program), .. args])
        : Run(Path.Combine(bin, program), args);

    static async Task Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Hermes.IngestBench;

/// <summary>
/// Hermes built in Release and started as its own process (as production runs it: JSON logs at INFO to a file), so its
/// CPU time and resident memory can be read from /proc and nothing of the benchmark's own work is counted.
/// </summary>
sealed class HermesProcess : IAsyncDisposable
{
    public const string WebhookUser = "pipedrive", WebhookPassword = "webhook-secret", Tc2Key = "bench-tc2-key";
    static string? _dll;

    public required Process Process { get; init; }
    public required Uri BaseAddress { get; init; }
    public required string Log { get; init; }

    /// <summary>Builds src/Hermes in Release once per benchmark run.</summary>
    public static string Build(string root)
    {
        if (_dll is not null) return _dll;
        Console.WriteLine("building Hermes (Release)…");
        // No build servers: they would outlive the build holding its output open.
        Shell.Run("dotnet", $"build {root}/src/Hermes/Hermes.csproj -c Release -nologo -v q --disable-build-servers");
        return _dll = Path.Combine(root, "src/Hermes/bin/Release/net10.0/Hermes.dll");
    }

    /// <summary>A build already there (e.g. one made before the sources changed, to compare).</summary>
    public static void UseBuilt(string dll) => _dll = dll;

    /// <summary>Brings the schema up to date (Hermes's own <c>migrate</c> command).</summary>
    public static void Migrate(string root, string databaseUrl)
    {
        var info = new ProcessStartInfo("dotnet", $"{Build(root)} migrate") { WorkingDirectory = Path.GetTempPath(), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in Settings(databaseUrl, 0)) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"migrate exited {process.ExitCode}: {output.Result}{error.Result}");
    }

    public static async Task<HermesProcess> StartAsync(string root, string databaseUrl, IDictionary<string, string>? more = null)
    {
        var dll = Build(root);
        var port = Cluster.FreePort();
        var log = Path.Combine(Path.GetTempPath(), $"hermes-ingest-{port}.log");
        var info = new ProcessStartInfo("sh", $"-c \"exec dotnet {dll} > {log} 2>&1\"") { WorkingDirectory = Path.GetTempPath() };
        var env = Settings(databaseUrl, port);
        foreach (var (k, v) in more ?? new Dictionary<string, string>()) env[k] = v;
        foreach (var (k, v) in env) info.Environment[k] = v;
        var process = Process.Start(info)!;
        var hermes = new HermesProcess { Process = process, BaseAddress = new Uri($"http://127.0.0.1:{port}"), Log = log };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Hermes exited {process.ExitCode}: {File.ReadAllText(log)}");
            try
            {
                if ((await http.GetAsync(new Uri(hermes.BaseAddress, "/health/live"))).IsSuccessStatusCode) return hermes;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"Hermes did not start: {File.ReadAllText(log)}");
            await Task.Delay(100);
        }
    }

    static Dictionary<string, string> Settings(string databaseUrl, int port)
    {
        return new Dictionary<string, string>
        {
            ["DATABASE_URL"] = databaseUrl, ["HOST"] = "127.0.0.1", ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["SANDBOX"] = "false", ["DEV_MODE"] = "false", ["LOG_LEVEL"] = "INFO", ["SIGNING_KEY"] = "bench-signing-key",
            ["TC2_API_KEY"] = Tc2Key, ["TC2_BASE_URL"] = "http://127.0.0.1:9", ["PD_API_KEY"] = "bench-pd-key", ["PD_BASE_URL"] = "http://127.0.0.1:9",
            ["PD_WEBHOOK_USERNAME"] = WebhookUser, ["PD_WEBHOOK_PASSWORD"] = WebhookPassword,
            ["G_PRIVATE_KEY"] = GoogleKey, ["G_CLIENT_EMAIL"] = "bench@hermes-bench.iam.gserviceaccount.com", ["G_PRIVATE_KEY_ID"] = "bench",
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production",
        };
    }

    static readonly string GoogleKey = System.Security.Cryptography.RSA.Create(2048).ExportPkcs8PrivateKeyPem();

    /// <summary>User + system CPU time of the process so far.</summary>
    public TimeSpan Cpu() => ProcessCpu.Of(Process.Id);

    /// <summary>CPU time of the runtime's background compiler thread (tiered compilation), zero while it has none.</summary>
    public TimeSpan JitCpu() => ProcessCpu.OfThreads(Process.Id, ".NET Tiered Com");

    /// <summary>Resident memory now and its peak, in MB.</summary>
    public (double Now, double Peak) Rss()
    {
        double Kb(string name) => double.Parse(File.ReadAllLines($"/proc/{Process.Id}/status").First(l => l.StartsWith(name, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (Kb("VmRSS:") / 1024, Kb("VmHWM:") / 1024);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Shell.Run("kill", $"-TERM {Process.Id}");
            if (!Process.WaitForExit(30_000)) Process.Kill();
        }
        await Process.WaitForExitAsync();
        Process.Dispose();
        File.Delete(Log);
    }
}

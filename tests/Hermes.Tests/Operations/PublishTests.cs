using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hermes.Configuration;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Operations;

/// <summary>
/// <c>dotnet publish src/Hermes -c Release -o out</c> gives a folder that runs with the .NET runtime alone: the release
/// step (<c>dotnet Hermes.dll migrate</c>) builds the schema, and the web process answers <c>/health</c> and serves
/// the booker from its wwwroot, started from another working directory. Publishing takes a while, so this is the one
/// test that does it.
/// </summary>
public class PublishTests
{
    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Hermes.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Hermes.slnx not found above the test assembly");
    }

    static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, IDictionary<string, string?> env, params string[] args)
    {
        using var process = Start(workingDirectory, env, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        return (process.ExitCode, await stdout + await stderr);
    }

    static Process Start(string workingDirectory, IDictionary<string, string?> env, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task The_published_folder_migrates_starts_and_answers_health_with_only_the_runtime()
    {
        var output = Path.Combine(Path.GetTempPath(), $"hermes-publish-{Guid.NewGuid():N}");
        var elsewhere = Directory.CreateTempSubdirectory("hermes-run-").FullName;
        try
        {
            var publish = await RunAsync(RepositoryRoot(), new Dictionary<string, string?>(), "publish", "src/Hermes", "-c", "Release", "-o", output, "--nologo");
            Assert.True(publish.Exit == 0, publish.Output);
            Assert.True(File.Exists(Path.Combine(output, "Hermes.dll")));
            Assert.True(File.Exists(Path.Combine(output, "wwwroot", "book-a-call", "index.html")));

            var db = await TestDatabase.CreateEmptyAsync();
            var env = HermesInstance.DefaultSettings(db);
            env.Remove("urls");
            env["HOST"] = "127.0.0.1";
            env["PORT"] = FreePort().ToString();
            env["LOG_LEVEL"] = "INFO";

            var migrate = await RunAsync(elsewhere, env, Path.Combine(output, "Hermes.dll"), "migrate");
            Assert.True(migrate.Exit == 0, migrate.Output);
            Assert.Contains("Applied 0001_hermes_v2_baseline", migrate.Output);

            using var web = Start(elsewhere, env, Path.Combine(output, "Hermes.dll"));
            try
            {
                var listening = new TaskCompletionSource();
                web.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Now listening on", StringComparison.Ordinal) == true) listening.TrySetResult(); };
                web.ErrorDataReceived += (_, _) => { };
                web.BeginOutputReadLine();
                web.BeginErrorReadLine();
                await listening.Task.WaitAsync(TimeSpan.FromMinutes(1));

                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{env["PORT"]}") };
                Assert.Equal("""{"status":"ok","database":"ok","jobs":{"pending":0,"running":0,"failed":0,"due":0,"oldestDueAgeSeconds":null},"error":null,"problems":[]}""",
                    await http.GetStringAsync("/health"));
                Assert.Equal("""{"status":"ok"}""", await http.GetStringAsync("/health/live"));
                using var booker = await http.GetAsync("/book-a-call/");
                Assert.Equal(HttpStatusCode.OK, booker.StatusCode);
                Assert.Contains("<html", await booker.Content.ReadAsStringAsync());
            }
            finally
            {
                web.Kill(entireProcessTree: true);
                await web.WaitForExitAsync();
            }
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}

using System.Diagnostics;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Operations;

/// <summary>
/// <c>dotnet Hermes.dll …</c> as an operator (or the Procfile's release step) runs it: a separate process with its
/// settings in the environment. The exit code, standard output (the report only) and standard error are checked.
/// </summary>
public class CommandProcessTests : IAsyncLifetime
{
    HermesInstance _hermes = null!;

    public async Task InitializeAsync() => _hermes = await HermesInstance.StartAsync();

    public async Task DisposeAsync() => await _hermes.DisposeAsync();

    async Task<(int Exit, string Output, string Error)> Hermes(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(HermesApp).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in HermesInstance.DefaultSettings(_hermes.Database)) start.Environment[key] = value;
        start.Environment["LOG_LEVEL"] = "INFO";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output).ReplaceLineEndings("\n"), (await error).ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task The_binary_runs_a_maintenance_command_printing_only_its_report_and_exits_0_or_1_and_migrate_still_works()
    {
        var list = await Hermes("jobs", "list", "--status", "failed");
        Assert.Equal((0, """
            Jobs (status failed), newest first: 0 of 0

            | Id | Kind | Key | Status | Attempts | Due / finished (UTC) | Last error |
            |----|------|-----|--------|----------|----------------------|------------|

            Summary
            | Status    | Jobs |
            |-----------|------|
            | failed    | 0    |
            | pending   | 0    |
            | running   | 0    |
            | done      | 0    |
            | cancelled | 0    |

            """, ""), list);

        var cancel = await Hermes("jobs", "cancel", "7", "--apply");
        Assert.Equal(1, cancel.Exit);
        Assert.StartsWith("| Id | Kind | Key | Status | Result             |\n|----|------|-----|--------|--------------------|\n| 7  |      |     |        | error: no such job |\n", cancel.Output);

        var unknown = await Hermes("jobs", "frobnicate");
        Assert.Equal((1, "Required command was not provided.\nUnrecognized command or argument 'frobnicate'."), (unknown.Exit, unknown.Error.Trim()));

        var help = await Hermes("--help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("""
            Commands:
              migrate    Bring the database schema up to date and exit (the release step).
              jobs       The durable job queue (outbound work for Pipedrive, TC2 and Google).
              webhooks   The stored webhooks from Pipedrive and TC2 (the webhook log).
              pipedrive  Hermes and Pipedrive side by side.
            """, help.Output);

        var migrate = await Hermes("migrate");
        Assert.Equal((0, "The database schema is up to date.\n"), (migrate.Exit, migrate.Output));
    }
}

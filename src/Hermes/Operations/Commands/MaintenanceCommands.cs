using System.CommandLine;
using Hermes.Configuration;
using Hermes.Sandbox;
using Microsoft.Extensions.Logging.Console;

namespace Hermes.Operations.Commands;

/// <summary>
/// <c>dotnet Hermes.dll &lt;group&gt; &lt;command&gt;</c>: the maintenance commands (System.CommandLine), in the same binary and
/// with the same settings, database and services as the web app (<see cref="HermesApp.Build"/>), which is built but
/// never started. Commands that write are dry runs unless given <c>--apply</c>; each ends with a summary table and exits
/// 0, or 1 when something failed (a bad argument, an unreachable service, an item that could not be done).
/// <c>migrate</c> and serving (no command) stay with <see cref="HermesApp.RunAsync"/>.
/// </summary>
public static class MaintenanceCommands
{
    static readonly string[] Groups = ["jobs", "webhooks", "pipedrive", "help", "--help", "-h", "-?"];

    /// <summary>Whether these arguments name a maintenance command (or ask for help) rather than serving or migrating.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Groups.Contains(args[0]);

    /// <summary>
    /// Runs one command. Tests pass their settings and services (a fake clock) as the web app's tests do, and read
    /// what the command printed from <paramref name="output"/>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        Action<IConfigurationBuilder>? configureSettings = null, Action<IServiceCollection>? configureServices = null, CancellationToken ct = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        await using var host = new CommandHost(configureSettings, configureServices);
        var root = new RootCommand("Hermes. With no command it serves (a sandbox when nothing is configured); the commands below maintain it.");
        var migrate = new Command("migrate", "Bring the database schema up to date and exit (the release step).");
        migrate.SetAction((_, _) => HermesApp.RunAsync(["migrate"]));
        root.Subcommands.Add(migrate);
        root.Subcommands.Add(JobsCommands.Build(host, output));
        root.Subcommands.Add(WebhooksCommands.Build(host, output));
        root.Subcommands.Add(PipedriveCommands.Build(host, output));

        var parsed = root.Parse(args is ["help", .. var rest] ? [.. rest, "--help"] : args);
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (SettingsException e)
        {
            await error.WriteLineAsync($"Hermes cannot run the command: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync($"The command failed: {e.GetType().Name}: {e.Message}");
        }
        return 1;
    }

    /// <summary>The option every writing command has.</summary>
    internal static Option<bool> ApplyOption(string what) => new("--apply") { Description = $"{what} (without it: a dry run that changes nothing)" };

    /// <summary>The last line of a writing command's output.</summary>
    internal static void WriteMode(TextWriter output, bool apply, string what)
    {
        output.WriteLine();
        output.WriteLine(apply ? "Applied." : $"Dry run: nothing was changed. Run again with --apply to {what}.");
    }

    internal static void WriteSummary(TextWriter output, ReportTable summary)
    {
        output.WriteLine();
        output.WriteLine("Summary");
        summary.WriteTo(output);
    }
}

/// <summary>
/// The web app's services for a command, built on first use (so <c>--help</c> needs no settings): settings from the
/// environment and <c>.env</c>, logs on standard error (warnings and worse), and in sandbox mode the simulators of the
/// sandbox Hermes serving at <c>HOST</c>:<c>PORT</c> (the command's own process has empty ones).
/// </summary>
public sealed class CommandHost(Action<IConfigurationBuilder>? configureSettings, Action<IServiceCollection>? configureServices) : IAsyncDisposable
{
    WebApplication? _app;

    public IServiceProvider Services => (_app ??= Build()).Services;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    WebApplication Build()
    {
        var app = HermesApp.Build([], configureSettings, services =>
        {
            services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            services.Configure<LoggerFilterOptions>(o =>
            {
                o.MinLevel = LogLevel.Warning;
                // A failed query is reported once, by the command, not also as EF Core's stack trace.
                o.Rules.Add(new LoggerFilterRule(null, "Microsoft.EntityFrameworkCore", LogLevel.Critical, null));
            });
            configureServices?.Invoke(services);
        });
        if (app.Services.GetService<SandboxKeys>() is { } keys)
        {
            var settings = app.Services.GetRequiredService<HermesSettings>();
            var host = settings.Host is "0.0.0.0" or "::" or "[::]" or "*" or "+" or "localhost" ? "127.0.0.1" : settings.Host;
            keys.Self.ResolveWith(() => $"http://{host}:{settings.Port}");
        }
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

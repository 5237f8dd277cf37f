using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Sandbox.Google;
using Hermes.Sandbox.Pipedrive;
using Hermes.Sandbox.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Sandbox;

/// <summary>
/// The sandbox's part of start-up and shutdown: before Kestrel takes requests, seed the demo data (once) and give the
/// simulators their state; once Hermes listens, subscribe Hermes's own <c>/pipedrive/callback/</c> to the Pipedrive
/// simulator's webhooks, start delivering them, and say plainly in the log that this is a sandbox and where things are.
/// </summary>
sealed class SandboxLifecycle(
    IDbContextFactory<HermesDb> dbs, HermesSettings settings, SandboxKeys keys, PipedriveSimulator pipedrive, Tc2Simulator tc2,
    GoogleCalendarSimulator google, TimeProvider time, ILoggerFactory logs) : IHostedLifecycleService
{
    readonly ILogger _log = logs.CreateLogger("Hermes.Sandbox");
    readonly CancellationTokenSource _stop = new();
    Task _pump = Task.CompletedTask;

    public async Task StartingAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var added = await SandboxSeed.SeedAsync(db, ct);
        if (added.Count > 0) _log.LogInformation("Sandbox: seeded demo data ({Added})", string.Join(", ", added));
        await new SandboxMirror(pipedrive, tc2, google, time, logs.CreateLogger<SandboxMirror>()).MirrorAsync(db, ct);
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken ct)
    {
        pipedrive.Webhooks.Subscribe(() => keys.Self.Value is { } origin ? new Uri(origin + "/pipedrive/callback/") : null,
            "2.0", settings.PdWebhookUsername, settings.PdWebhookPassword);
        _pump = Task.Run(() => pipedrive.Webhooks.RunPumpAsync(_stop.Token), CancellationToken.None);

        var o = keys.Self.Value ?? SelfOrigin.Placeholder;
        string pd = o + SandboxMode.PipedrivePrefix, tc = o + SandboxMode.Tc2Prefix, g = o + SandboxMode.GooglePrefix;
        // Warnings so that they show at every LOG_LEVEL (nobody should mistake a sandbox for the real thing), one line
        // each because the console log writes every message on a single line.
        string[] banner =
        [
            "This Hermes is a SANDBOX: Pipedrive, TC2 and Google Calendar are simulated inside this process and nothing reaches the real services.",
            $"  Booker:    {o}/book-a-call/",
            $"  Admin UI:  {o}/",
            $"  API docs:  {o}/scalar/v1",
            $"  Pipedrive: {pd}/api/v2/… (header x-api-token: {SandboxMode.PipedriveToken}); state and controls under {pd}/_control/ (e.g. GET {pd}/_control/state)",
            $"  TC2:       {tc}/api/clients/… (header Authorization: token {SandboxMode.Tc2Key}); send a webhook to Hermes with POST {tc}/_control/webhooks",
            $"  Google:    {g}/calendar/v3 (service account tokens from {g}/token)",
            $"  Pipedrive webhooks (v2) go to {o}/pipedrive/callback/ as HTTP Basic user '{settings.PdWebhookUsername}'; deliveries at {pd}/_control/webhooks",
        ];
        foreach (var line in banner) _log.LogWarning("{Sandbox}", line);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _pump;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken ct)
    {
        _stop.Dispose();
        return Task.CompletedTask;
    }
}

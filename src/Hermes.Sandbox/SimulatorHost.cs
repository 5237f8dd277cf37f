using Hermes.Sandbox.Google;
using Hermes.Sandbox.Pipedrive;
using Hermes.Sandbox.Tc2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hermes.Sandbox;

public sealed class SimulatorOptions
{
    /// <summary>The simulators' clock: rate-limit windows, token expiry, timestamps, fault windows and delays.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
    public PipedriveOptions Pipedrive { get; } = new();
    public Tc2Options Tc2 { get; } = new();
}

/// <summary>
/// Runs the Pipedrive, TC2 and Google Calendar simulators in-process on one Kestrel server at
/// <c>http://127.0.0.1:{free port}</c>, under <c>/pipedrive</c>, <c>/tc2</c> and <c>/google</c>, for tests.
/// Point Hermes at <see cref="PipedriveBaseUrl"/> (PD_BASE_URL), <see cref="Tc2BaseUrl"/> (TC2_BASE_URL),
/// <see cref="GoogleCalendarBaseUrl"/> (GOOGLE_CALENDAR_BASE_URL) and <see cref="GoogleTokenUri"/> (G_TOKEN_URI).
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    readonly WebApplication _app;

    SimulatorHost(WebApplication app, PipedriveSimulator pipedrive, Tc2Simulator tc2, GoogleCalendarSimulator google, Uri baseAddress)
    {
        _app = app;
        Pipedrive = pipedrive;
        Tc2 = tc2;
        Google = google;
        BaseAddress = baseAddress;
    }

    public PipedriveSimulator Pipedrive { get; }
    public Tc2Simulator Tc2 { get; }
    public GoogleCalendarSimulator Google { get; }

    /// <summary><c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    public string PipedriveBaseUrl => new Uri(BaseAddress, "pipedrive").ToString();
    public string Tc2BaseUrl => new Uri(BaseAddress, "tc2").ToString();
    public string GoogleCalendarBaseUrl => new Uri(BaseAddress, "google/calendar/v3").ToString();
    public string GoogleTokenUri => new Uri(BaseAddress, "google/token").ToString();

    public static async Task<SimulatorHost> StartAsync(Action<SimulatorOptions>? configure = null, CancellationToken ct = default)
    {
        var options = new SimulatorOptions();
        configure?.Invoke(options);
        var pipedrive = new PipedriveSimulator(options.Pipedrive, options.Time);
        var tc2 = new Tc2Simulator(options.Tc2, options.Time);
        var google = new GoogleCalendarSimulator(options.Time);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.MapSimulator("/pipedrive", pipedrive);
        app.MapSimulator("/tc2", tc2);
        app.MapSimulator("/google", google);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorHost(app, pipedrive, tc2, google, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Forgets every simulator's state, recorded requests and fault rules.</summary>
    public void Reset()
    {
        Pipedrive.Reset();
        Tc2.Reset();
        Google.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Pipedrive.Dispose();
        Tc2.Dispose();
    }
}

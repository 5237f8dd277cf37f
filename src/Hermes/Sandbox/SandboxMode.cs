using System.Security.Cryptography;
using Hermes.Configuration;
using Hermes.Sandbox.Google;
using Hermes.Sandbox.Pipedrive;
using Hermes.Sandbox.Tc2;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Hermes.Sandbox;

/// <summary>
/// Sandbox mode (contract.md §1 <c>SANDBOX</c>): Hermes serves simulators of Pipedrive, TC2 and Google Calendar on its
/// own port under <c>/sandbox/…</c> and talks to them as it would to the real services. Its effective settings point
/// there, with fake keys and a service account key made at start-up whose public half the Google simulator trusts.
/// The Pipedrive simulator's webhooks go to Hermes's own <c>/pipedrive/callback/</c> with the webhook credentials
/// (PD_WEBHOOK_USERNAME/PASSWORD, or generated ones). Demo data is seeded once (<see cref="SandboxSeed"/>).
/// </summary>
public static class SandboxMode
{
    public const string PipedrivePrefix = "/sandbox/pipedrive";
    public const string Tc2Prefix = "/sandbox/tc2";
    public const string GooglePrefix = "/sandbox/google";
    public const string PipedriveToken = "sandbox-pipedrive-token";
    public const string Tc2Key = "sandbox-tc2-key";
    public const string ServiceAccountEmail = "hermes-sandbox@hermes-sandbox.iam.gserviceaccount.com";

    /// <summary>Outside the sandbox: the settings as they are. In it: settings pointing at the simulators, which get registered.</summary>
    public static HermesSettings Configure(WebApplicationBuilder builder, HermesSettings settings)
    {
        if (!settings.Sandbox) return settings;

        var self = new SelfOrigin();
        var key = GoogleServiceAccountKey.Generate(ServiceAccountEmail);
        var effective = settings with
        {
            Self = self,
            PdApiKey = PipedriveToken,
            PdBaseUrl = SelfOrigin.Placeholder + PipedrivePrefix,
            Tc2ApiKey = Tc2Key,
            Tc2BaseUrl = SelfOrigin.Placeholder + Tc2Prefix,
            GoogleCalendarBaseUrl = SelfOrigin.Placeholder + GooglePrefix + "/calendar/v3",
            Google = new GoogleServiceAccount
            {
                PrivateKey = key.PrivateKeyPem, PrivateKeyId = key.PrivateKeyId, ClientEmail = key.ClientEmail, ClientId = key.ClientId,
                ProjectId = key.ProjectId, TokenUri = SelfOrigin.Placeholder + GooglePrefix + "/token", Self = self,
            },
            // Support links lead to the sandbox's own booker pages unless CALLBOOKER_BASE_URL says otherwise.
            CallbookerBaseUrl = string.IsNullOrWhiteSpace(builder.Configuration["CALLBOOKER_BASE_URL"])
                ? SelfOrigin.Placeholder + "/book-a-call" : settings.CallbookerBaseUrl,
            // Support links need a key; a fixed one keeps sandbox links valid across restarts.
            SigningKey = settings.SigningKey.Length > 0 ? settings.SigningKey : "sandbox-signing-key",
            PdWebhookUsername = settings.PdWebhookUsername.Length > 0 ? settings.PdWebhookUsername : "hermes-sandbox",
            PdWebhookPassword = settings.PdWebhookPassword.Length > 0 ? settings.PdWebhookPassword : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };

        var services = builder.Services;
        services.AddSingleton(new SandboxKeys(self, key));
        services.AddSingleton(sp => new PipedriveSimulator(new PipedriveOptions { ApiToken = PipedriveToken }, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new Tc2Simulator(new Tc2Options { ApiKey = Tc2Key }, sp.GetRequiredService<TimeProvider>())
        {
            Webhooks = { Url = () => self.Value is { } origin ? new Uri(origin + "/tc2/callback/") : null },
        });
        services.AddSingleton(sp =>
        {
            var google = new GoogleCalendarSimulator(sp.GetRequiredService<TimeProvider>());
            google.TrustServiceAccount(key.ClientEmail, key.PublicKeyPem, key.PrivateKeyId);
            return google;
        });
        services.AddHostedService<SandboxLifecycle>();
        return effective;
    }

    /// <summary>Mounts the simulators (sandbox only) and tells the settings where Hermes listens once it does.</summary>
    public static void MapSandbox(this WebApplication app)
    {
        if (app.Services.GetService<SandboxKeys>() is not { } keys) return;
        var server = app.Services.GetRequiredService<IServer>();
        keys.Self.ResolveWith(() => ListeningOrigin(server));
        app.MapSimulator(PipedrivePrefix, app.Services.GetRequiredService<PipedriveSimulator>());
        app.MapSimulator(Tc2Prefix, app.Services.GetRequiredService<Tc2Simulator>());
        app.MapSimulator(GooglePrefix, app.Services.GetRequiredService<GoogleCalendarSimulator>());
    }

    /// <summary><c>http://127.0.0.1:{port}</c> of the first bound HTTP address; null before Kestrel has bound one.</summary>
    static string? ListeningOrigin(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            if (!address.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) continue;
            var hostAndPort = address["http://".Length..].TrimEnd('/');
            var colon = hostAndPort.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(hostAndPort[(colon + 1)..], out var port) || port == 0) continue;
            var host = hostAndPort[..colon];
            if (host is "0.0.0.0" or "[::]" or "+" or "*" or "localhost") host = "127.0.0.1";
            return $"http://{host}:{port}";
        }
        return null;
    }
}

/// <summary>What the sandbox made at start-up: Hermes's own origin (resolved once it listens) and the service account key.</summary>
public sealed record SandboxKeys(SelfOrigin Self, GoogleServiceAccountKey ServiceAccount);

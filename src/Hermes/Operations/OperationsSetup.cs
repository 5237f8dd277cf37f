using Hermes.Configuration;
using Hermes.Jobs;

namespace Hermes.Operations;

/// <summary>Running Hermes in production: telemetry, error reports, health, retention and shared sign-in, in one call.</summary>
public static class OperationsSetup
{
    /// <summary>Call after the logging providers are set up (telemetry and Sentry add their own).</summary>
    public static void AddOperations(this WebApplicationBuilder builder, HermesSettings settings)
    {
        TelemetrySetup.Configure(builder, settings);
        ErrorReports.Configure(builder, settings);
        builder.Services.AddHealth();
        builder.Services.AddWebhookConcurrency();
        builder.Services.AddSharedSignIn(settings);
        builder.Services.AddRecurringJob<Retention>(Retention.Kind, Retention.Every);
    }
}

using Hermes.Configuration;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Hermes.Operations;

/// <summary>
/// OpenTelemetry traces, metrics and logs over OTLP (<see cref="TelemetrySettings"/>): Hermes's own spans and metrics
/// (<see cref="Telemetry"/>), ASP.NET Core, HttpClient and Npgsql, the .NET runtime's metrics, and every log line.
/// With neither <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> nor <c>LOGFIRE_TOKEN</c> set, none of it is registered.
/// </summary>
public static class TelemetrySetup
{
    public static void Configure(WebApplicationBuilder builder, HermesSettings settings)
    {
        var t = settings.Operations.Telemetry;
        if (!t.Enabled) return;
        builder.Services.AddSingleton<QueueMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(t.ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(Telemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.RecordException = true)
                .AddHttpClientInstrumentation(o => o.RecordException = true)
                .AddNpgsql()
                .AddOtlpExporter(o => Export(o, t, "traces")))
            .WithMetrics(metrics => metrics
                .AddMeter(Telemetry.Name)
                .AddInstrumentation(sp => sp.GetRequiredService<QueueMetrics>())
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddOtlpExporter(o => Export(o, t, "metrics")))
            .WithLogging(logging => logging.AddOtlpExporter(o => Export(o, t, "logs")), o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
            });
    }

    /// <summary>
    /// Set in code, the exporter takes the endpoint as the whole URL, so the OTLP/HTTP signal path is added here as the
    /// SDK would for the environment variable.
    /// </summary>
    static void Export(OtlpExporterOptions o, TelemetrySettings t, string signal)
    {
        var http = t.Protocol == TelemetrySettings.HttpProtobuf;
        o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        o.Endpoint = new Uri(http ? $"{t.Endpoint}/v1/{signal}" : t.Endpoint);
        if (t.Headers.Length > 0) o.Headers = t.Headers;
    }
}

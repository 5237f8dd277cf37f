using Hermes.Configuration;
using Hermes.Jobs;
using Hermes.Sandbox;
using Hermes.Tests.Infrastructure;
using Hermes.Tests.Tc2;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Hermes.Tests.Operations;

/// <summary>
/// Hermes exporting to an OTLP/HTTP collector (<see cref="OtlpReceiver"/>) while TC2, Hermes and Pipedrive (the
/// simulators) do real work. Other tests run in this process at the same time and Hermes's ActivitySource is
/// process-wide, so spans are picked by this instance's port and then by trace id.
/// </summary>
[Collection(TelemetryCollection.Name)]
public class TelemetryTests : Tc2Test
{
    OtlpReceiver _otlp = null!;

    public override async Task InitializeAsync()
    {
        _otlp = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    protected override void Settings(Dictionary<string, string?> settings)
    {
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = _otlp.BaseAddress.ToString();
        settings["OTEL_SERVICE_NAME"] = "hermes-under-test";
        settings["LOG_LEVEL"] = "INFO";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _otlp.DisposeAsync();
    }

    /// <summary>Exports everything recorded so far; the receiver has it when this returns.</summary>
    void Flush()
    {
        Assert.True(Hermes.App.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        Assert.True(Hermes.App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        Assert.True(Hermes.App.Services.GetRequiredService<LoggerProvider>().ForceFlush(10_000));
    }

    string TraceOfRequest(string path) => Assert.Single(_otlp.Spans, s =>
        s.Kind == 2 && Equals(s.Attributes.GetValueOrDefault("url.path"), path) &&
        Equals(s.Attributes.GetValueOrDefault("server.port"), (long)Hermes.BaseAddress.Port)).TraceId;

    [Fact]
    public async Task One_trace_shows_a_TC2_webhook_the_company_saved_and_the_Pipedrive_organization_created()
    {
        await Send(Client());
        await RunJobs();
        Assert.Single(Pd.List("organizations"));
        Flush();

        var traceId = TraceOfRequest("/tc2/callback/");
        var trace = _otlp.Trace(traceId).ToList();
        var server = Assert.Single(trace, s => s.Kind == 2 && s.Name == "POST /tc2/callback/");
        Assert.Equal("hermes-under-test", server.Resource["service.name"]);

        var webhook = Assert.Single(trace, s => s.Name == "webhook tc2");
        Assert.Equal(server.SpanId, webhook.ParentSpanId);
        Assert.Equal(("Client", "CREATED_A_CLIENT", "processed"), (webhook.Attributes["hermes.webhook.entity"], webhook.Attributes["hermes.webhook.action"], webhook.Attributes["hermes.webhook.outcome"]));

        // The company row is written inside the webhook's span (Npgsql's client spans carry the statement).
        Assert.Contains(trace, s => s.Scope == "Npgsql" && s.Attributes.Values.OfType<string>().Any(v => v.Contains("INSERT INTO company", StringComparison.Ordinal)));

        var job = Assert.Single(trace, s => s.Name == "job pipedrive.sync_company");
        Assert.Equal(webhook.SpanId, job.ParentSpanId);
        Assert.Equal(("pipedrive.sync_company", 1L, "done"), (job.Attributes["hermes.job.kind"], job.Attributes["hermes.job.attempt"], job.Attributes["hermes.job.outcome"]));

        var create = Assert.Single(trace, s => s.Kind == 3 && s.Scope == "System.Net.Http" && Equals(s.Attributes.GetValueOrDefault("http.request.method"), "POST") &&
                                               ((string)s.Attributes["url.full"]!).EndsWith("/api/v2/organizations", StringComparison.Ordinal));
        Assert.Equal(200L, create.Attributes["http.response.status_code"]);
        Assert.True(IsWithin(create, job, trace), "the organization was created inside the job's span");

        // The log lines of the webhook carry the trace too.
        Assert.Contains(_otlp.Logs, l => l.TraceId == traceId && l.Body is { } b && b.StartsWith("TC2 Client CREATED_A_CLIENT", StringComparison.Ordinal));
        Assert.All(_otlp.Requests, r => Assert.Equal("application/x-protobuf", r.Headers["Content-Type"]));
    }

    static bool IsWithin(OtlpReceiver.Span span, OtlpReceiver.Span ancestor, List<OtlpReceiver.Span> trace)
    {
        for (var current = span; current is not null; current = trace.FirstOrDefault(s => s.SpanId == current.ParentSpanId))
            if (current.SpanId == ancestor.SpanId) return true;
        return false;
    }

    [Fact]
    public async Task Metrics_count_webhooks_job_runs_rate_limits_and_the_queue()
    {
        Pd.Faults.Next(1, Fault.RateLimited(), "/api/v2/organizations", "POST");
        await Send(Client(recipients: []));
        await Hermes.RunJobsAsync(); // rate limited: the job is postponed
        Flush();

        double Sum(string name, params (string Key, object Value)[] attributes) => _otlp.Metrics.Where(m => m.Name == name)
            .SelectMany(m => m.Points).Where(p => attributes.All(a => Equals(p.Attributes.GetValueOrDefault(a.Key), a.Value)))
            .Select(p => p.Value ?? 0).DefaultIfEmpty().Max();

        Assert.True(Sum("hermes.webhooks", ("hermes.webhook.source", "tc2"), ("hermes.webhook.outcome", "processed")) >= 1);
        Assert.True(Sum("hermes.job.runs", ("hermes.job.kind", "pipedrive.sync_company"), ("hermes.job.outcome", "postponed")) >= 1);
        Assert.True(Sum("hermes.pipedrive.rate_limited", ("http.response.status_code", 429L)) >= 1);
        Assert.Contains(_otlp.Metrics, m => m.Name == "hermes.job.duration" && m.Points.Any(p => p.Count >= 1 && Equals(p.Attributes["hermes.job.kind"], "pipedrive.sync_company")));
        // This instance's queue: the postponed job is pending and not due yet.
        Assert.Equal(1, Sum("hermes.jobs.queue_depth", ("hermes.job.status", Job.Pending)));
        Assert.Equal(0, Sum("hermes.jobs.queue_depth", ("hermes.job.status", "due")));
        Assert.Contains(_otlp.Metrics, m => m.Name == "hermes.jobs.oldest_due_age");

        // Waiting it out: Hermes's own rate limiter holds the next request back until Pipedrive's reset has passed.
        Hermes.Clock.Advance(TimeSpan.FromSeconds(2));
        await RunJobs();
        _otlp.Metrics.Clear(); // counters are cumulative; the gauges must be read afresh
        Flush();
        Assert.True(Sum("hermes.job.runs", ("hermes.job.kind", "pipedrive.sync_company"), ("hermes.job.outcome", "done")) >= 1);
        Assert.True(Sum("hermes.pipedrive.rate_limit.waits") >= 1);
        Assert.Equal(0, Sum("hermes.jobs.queue_depth", ("hermes.job.status", Job.Pending)));
    }

    [Fact]
    public async Task LOGFIRE_TOKEN_is_sent_as_the_Authorization_header_and_an_explicit_endpoint_says_where()
    {
        await using var hermes = await StartHermesAsync(more: s => s["LOGFIRE_TOKEN"] = "pylf_v1_eu_test-write-token");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await hermes.Http.GetAsync("/health")).StatusCode);
        Assert.True(hermes.App.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        Assert.Contains(_otlp.Requests, r => r.Path == "/v1/traces" && r.Headers.GetValueOrDefault("Authorization") == "pylf_v1_eu_test-write-token");
    }
}

/// <summary>Where telemetry goes, from the settings alone.</summary>
public class TelemetrySettingsTests
{
    static TelemetrySettings Load(params (string Key, string Value)[] values) =>
        TelemetrySettings.Load(k => values.FirstOrDefault(v => v.Key == k).Value);

    [Fact]
    public void Nothing_is_exported_when_neither_an_endpoint_nor_a_Logfire_token_is_set() => Assert.False(Load().Enabled);

    [Theory]
    [InlineData("pylf_v1_eu_abc", "https://logfire-eu.pydantic.dev")]
    [InlineData("pylf_v1_us_abc", "https://logfire-us.pydantic.dev")]
    [InlineData("an-older-token", "https://logfire-api.pydantic.dev")]
    public void LOGFIRE_TOKEN_alone_sends_to_Logfire_over_OTLP_HTTP_with_the_token_as_Authorization(string token, string endpoint) =>
        Assert.Equal((true, endpoint, "http/protobuf", $"Authorization={token}", "hermes"),
            Load(("LOGFIRE_TOKEN", token)) is var t ? (t.Enabled, t.Endpoint, t.Protocol, t.Headers, t.ServiceName) : default);

    [Fact]
    public void The_standard_variables_win_over_Logfire_and_name_the_service() =>
        Assert.Equal(("http://collector:4318", "grpc", "x-team=sales,Authorization=pylf_v1_eu_abc", "hermes-eu"),
            Load(("LOGFIRE_TOKEN", "pylf_v1_eu_abc"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_HEADERS", "x-team=sales"), ("OTEL_SERVICE_NAME", "hermes-eu")) is var t ? (t.Endpoint, t.Protocol, t.Headers, t.ServiceName) : default);

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    public void A_malformed_telemetry_setting_stops_start_up_naming_it(string key, string value) =>
        Assert.Equal(key, Assert.Throws<SettingsException>(() => Load((key, value))).Variable);

    [Fact]
    public void Logfire_over_gRPC_stops_start_up_as_Logfire_takes_HTTP_only() =>
        Assert.Equal("OTEL_EXPORTER_OTLP_PROTOCOL",
            Assert.Throws<SettingsException>(() => Load(("LOGFIRE_TOKEN", "pylf_v1_eu_abc"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"))).Variable);

    [Fact]
    public async Task Without_an_endpoint_or_a_DSN_neither_OpenTelemetry_nor_Sentry_is_registered()
    {
        await using var hermes = await HermesInstance.StartAsync();
        Assert.Null(hermes.App.Services.GetService<TracerProvider>());
        Assert.Null(hermes.App.Services.GetService<MeterProvider>());
        Assert.Null(hermes.App.Services.GetService<Sentry.IHub>());
    }
}

/// <summary>
/// The tests whose Hermes exports metrics run one at a time: every MeterProvider in the process observes every meter
/// named Hermes, so one test's queue gauges would show another's jobs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Hermes.Configuration;

/// <summary>
/// What running Hermes in production needs beyond its integrations: where telemetry and error reports go, how long
/// the webhook log and finished jobs are kept, and which proxies may say how a request arrived.
/// </summary>
public sealed record OperationsSettings
{
    /// <summary>OpenTelemetry export (OTLP); <see cref="TelemetrySettings.Enabled"/> is false when nothing is configured.</summary>
    public TelemetrySettings Telemetry { get; init; } = new();
    /// <summary><c>SENTRY_DSN</c>: unhandled errors and jobs that fail for good are reported there; empty = not at all.</summary>
    public string SentryDsn { get; init; } = "";
    /// <summary><c>RETENTION_DAYS</c>: webhook log rows and finished jobs older than this are deleted (failed jobs stay).</summary>
    public int RetentionDays { get; init; } = 90;
    /// <summary>
    /// <c>FORWARDED_ALLOW_IPS</c> (uvicorn's name, which hermes_v2 ran under): the peers whose <c>X-Forwarded-Proto</c>
    /// and <c>X-Forwarded-For</c> are believed. <c>*</c> = any peer (Heroku's router, whose addresses are not fixed: set
    /// by default when <c>DYNO</c> says this is a Heroku dyno); otherwise addresses or CIDR networks, comma separated.
    /// Default: loopback only.
    /// </summary>
    public ForwardedTrust Forwarded { get; init; } = ForwardedTrust.LoopbackOnly;

    public static OperationsSettings Load(Func<string, string?> get)
    {
        string Str(string name) => get(name)?.Trim() ?? "";
        var dsn = Str("SENTRY_DSN");
        if (dsn.Length > 0 && (!Uri.TryCreate(dsn, UriKind.Absolute, out var d) || d.Scheme is not ("http" or "https") || d.UserInfo.Length == 0))
            throw new SettingsException("SENTRY_DSN", "is not a Sentry DSN (https://<key>@<host>/<project>)");
        var days = Str("RETENTION_DAYS");
        var retention = 90;
        if (days.Length > 0 && (!int.TryParse(days, NumberStyles.Integer, CultureInfo.InvariantCulture, out retention) || retention < 1 || retention > 36500))
            throw new SettingsException("RETENTION_DAYS", $"'{days}' is not a whole number of days from 1 to 36500");
        return new OperationsSettings
        {
            Telemetry = TelemetrySettings.Load(get),
            SentryDsn = dsn,
            RetentionDays = retention,
            Forwarded = ForwardedTrust.Parse(Str("FORWARDED_ALLOW_IPS"), onHeroku: Str("DYNO").Length > 0),
        };
    }
}

/// <summary>
/// The standard OpenTelemetry variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>_PROTOCOL</c>, <c>_HEADERS</c>,
/// <c>OTEL_SERVICE_NAME</c>) and hermes_v2's <c>LOGFIRE_TOKEN</c>, which sends to Logfire's OTLP/HTTP endpoint with the
/// token as the <c>Authorization</c> header. An explicit endpoint wins over Logfire's.
/// </summary>
public sealed record TelemetrySettings
{
    public const string HttpProtobuf = "http/protobuf";
    public const string Grpc = "grpc";

    /// <summary>The OTLP base URL (signal paths <c>/v1/traces</c> etc. are added for HTTP); empty = nothing is exported.</summary>
    public string Endpoint { get; init; } = "";
    /// <summary><c>http/protobuf</c> (the OpenTelemetry default, and the only one Logfire takes) or <c>grpc</c>.</summary>
    public string Protocol { get; init; } = HttpProtobuf;
    /// <summary>Extra request headers, in the variable's own <c>key=value,key2=value2</c> form.</summary>
    public string Headers { get; init; } = "";
    public string ServiceName { get; init; } = "hermes";

    public bool Enabled => Endpoint.Length > 0;

    static readonly Regex LogfireRegion = new(@"^pylf_v\d+_(?<region>[a-z]+)_", RegexOptions.CultureInvariant);

    public static TelemetrySettings Load(Func<string, string?> get)
    {
        string Str(string name) => get(name)?.Trim() ?? "";
        var token = Str("LOGFIRE_TOKEN");
        var endpoint = Str("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (endpoint.Length > 0 && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new SettingsException("OTEL_EXPORTER_OTLP_ENDPOINT", $"'{endpoint}' is not an http(s) URL");
        if (endpoint.Length == 0 && token.Length > 0) endpoint = LogfireEndpoint(token);

        var protocol = Str("OTEL_EXPORTER_OTLP_PROTOCOL").ToLowerInvariant();
        if (protocol.Length == 0) protocol = HttpProtobuf;
        if (protocol is not (HttpProtobuf or Grpc))
            throw new SettingsException("OTEL_EXPORTER_OTLP_PROTOCOL", $"'{protocol}' is not supported; use http/protobuf or grpc");
        if (protocol == Grpc && Str("OTEL_EXPORTER_OTLP_ENDPOINT").Length == 0 && token.Length > 0)
            throw new SettingsException("OTEL_EXPORTER_OTLP_PROTOCOL", "Logfire takes OTLP over HTTP only; use http/protobuf (the default) with LOGFIRE_TOKEN");

        var headers = Str("OTEL_EXPORTER_OTLP_HEADERS");
        if (token.Length > 0 && !headers.Split(',').Any(h => h.Split('=')[0].Trim().Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
            headers = headers.Length == 0 ? $"Authorization={token}" : $"{headers},Authorization={token}";

        return new TelemetrySettings
        {
            Endpoint = endpoint.TrimEnd('/'),
            Protocol = protocol,
            Headers = headers,
            ServiceName = Str("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : "hermes",
        };
    }

    /// <summary>Logfire's write tokens name their region (<c>pylf_v1_eu_…</c>); older tokens go to the original endpoint.</summary>
    public static string LogfireEndpoint(string token) =>
        LogfireRegion.Match(token) is { Success: true } m ? $"https://logfire-{m.Groups["region"].Value}.pydantic.dev" : "https://logfire-api.pydantic.dev";
}

/// <summary>Which peers' <c>X-Forwarded-*</c> headers are believed (see <see cref="OperationsSettings.Forwarded"/>).</summary>
public sealed record ForwardedTrust(bool Any, IReadOnlyList<IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> Networks)
{
    /// <summary>ASP.NET Core's own default: 127.0.0.0/8 and ::1.</summary>
    public static readonly ForwardedTrust LoopbackOnly = new(false, [IPAddress.IPv6Loopback], [System.Net.IPNetwork.Parse("127.0.0.0/8")]);

    public static ForwardedTrust Parse(string value, bool onHeroku)
    {
        if (value.Length == 0) return onHeroku ? new ForwardedTrust(true, [], []) : LoopbackOnly;
        if (value == "*") return new ForwardedTrust(true, [], []);
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Contains('/') && System.Net.IPNetwork.TryParse(part, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(part, out var ip)) proxies.Add(ip);
            else throw new SettingsException("FORWARDED_ALLOW_IPS", $"'{part}' is not an IP address or CIDR network (or use * to trust any peer)");
        }
        return new ForwardedTrust(false, proxies, networks);
    }
}

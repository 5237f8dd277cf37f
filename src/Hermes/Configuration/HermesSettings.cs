using System.Globalization;

namespace Hermes.Configuration;

/// <summary>
/// Every setting Hermes reads, under hermes_v2's environment variable names (contract.md §1). Built once at start-up;
/// a missing or malformed value throws <see cref="SettingsException"/> naming the variable.
/// </summary>
public sealed record HermesSettings
{
    public required DatabaseUrl Database { get; init; }
    public bool DevMode { get; init; }
    public string LogLevel { get; init; } = "INFO";
    public string Host { get; init; } = "0.0.0.0";
    public int Port { get; init; } = 8000;
    public string SigningKey { get; init; } = "";
    public int SupportTtlDays { get; init; } = 4;
    public string CallbookerBaseUrl { get => Late(_callbookerBaseUrl); init => _callbookerBaseUrl = value; }
    public string DefaultTimezone { get; init; } = "Europe/London";

    public string Tc2ApiKey { get; init; } = "";
    public string Tc2BaseUrl { get => Late(_tc2BaseUrl); init => _tc2BaseUrl = value; }
    public string PdApiKey { get; init; } = "";
    public string PdBaseUrl { get => Late(_pdBaseUrl); init => _pdBaseUrl = value; }
    public string PdWebhookUsername { get; init; } = "";
    public string PdWebhookPassword { get; init; } = "";
    /// <summary>True only when <c>PD_WEBHOOK_AUTH=none</c>: webhooks accepted without credentials.</summary>
    public bool PdWebhookAuthDisabled { get; init; }
    /// <summary>Requests to Pipedrive per rolling 2 s window, shared by every Hermes process (<c>PD_RATE_LIMIT_BURST</c>).</summary>
    public int PdRateLimitBurst { get; init; } = 10;
    /// <summary>Search requests per rolling 2 s window, within the burst (<c>PD_RATE_LIMIT_SEARCH</c>).</summary>
    public int PdRateLimitSearch { get; init; } = 5;

    public GoogleServiceAccount Google { get; init; } = new();
    public string GoogleCalendarBaseUrl { get => Late(_googleCalendarBaseUrl); init => _googleCalendarBaseUrl = value; }

    public bool Sandbox { get; init; }

    /// <summary>Sandbox only: Hermes's own address, which the simulators' URLs above are resolved against (see <see cref="SelfOrigin"/>).</summary>
    public SelfOrigin? Self { get; init; }

    string _callbookerBaseUrl = "https://tutorcruncher.com/book-a-call";
    string _tc2BaseUrl = "";
    string _pdBaseUrl = "";
    string _googleCalendarBaseUrl = "https://www.googleapis.com/calendar/v3";
    string Late(string url) => Self?.Resolve(url) ?? url;

    /// <summary>Website origins allowed by CORS (comma separated <c>CORS_ORIGINS</c>).</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = ["https://tutorcruncher.com", "https://new.tutorcruncher.com"];

    public JobSettings Jobs { get; init; } = new();

    /// <summary>Telemetry, error reports, retention and proxies (<see cref="OperationsSettings"/>).</summary>
    public OperationsSettings Operations { get; init; } = new();

    /// <summary>The website booker's reps file (<c>BOOKER_REPS_FILE</c>); unset: the one shipped in wwwroot/book-a-call.</summary>
    public string BookerRepsFile { get; init; } = "";

    public static HermesSettings Load(Func<string, string?> get, string contentRoot)
    {
        string Str(string name, string fallback = "") => get(name)?.Trim() is { Length: > 0 } v ? v : fallback;

        var pdApiKey = Str("PD_API_KEY");
        var tc2ApiKey = Str("TC2_API_KEY");
        var google = new GoogleServiceAccount
        {
            PrivateKey = Str("G_PRIVATE_KEY").Replace("\\n", "\n"),
            PrivateKeyId = Str("G_PRIVATE_KEY_ID"),
            ClientEmail = Str("G_CLIENT_EMAIL"),
            ClientId = Str("G_CLIENT_ID"),
            ProjectId = Str("G_PROJECT_ID"),
            TokenUri = Str("G_TOKEN_URI", "https://oauth2.googleapis.com/token"),
        };
        var anyRealCredential = pdApiKey.Length > 0 || tc2ApiKey.Length > 0 || google.PrivateKey.Length > 0;
        var sandboxSetting = ParseBool(get, "SANDBOX");
        if (sandboxSetting == true && anyRealCredential)
            throw new SettingsException("SANDBOX", "SANDBOX=true cannot be combined with real credentials (PD_API_KEY, TC2_API_KEY or G_PRIVATE_KEY); unset one or the other");
        var sandbox = sandboxSetting ?? !anyRealCredential;
        var devMode = ParseBool(get, "DEV_MODE") ?? false;

        var webhookAuth = Str("PD_WEBHOOK_AUTH").ToLowerInvariant();
        if (webhookAuth is not ("" or "none" or "basic"))
            throw new SettingsException("PD_WEBHOOK_AUTH", $"'{webhookAuth}' is not valid; use 'none' or leave it unset");

        var settings = new HermesSettings
        {
            Database = DatabaseUrl.Parse(get("DATABASE_URL"), contentRoot),
            DevMode = devMode,
            LogLevel = Str("LOG_LEVEL", "INFO").ToUpperInvariant(),
            Host = Str("HOST", "0.0.0.0"),
            Port = ParseInt(get, "PORT", 8000, min: 0, max: 65535),
            SigningKey = Str("SIGNING_KEY"),
            SupportTtlDays = ParseInt(get, "SUPPORT_TTL_DAYS", 4, min: 1, max: 365),
            CallbookerBaseUrl = ParseUrl(get, "CALLBOOKER_BASE_URL", "https://tutorcruncher.com/book-a-call").TrimEnd('/'),
            DefaultTimezone = ParseTimezone(get, "DFT_TIMEZONE"),
            Tc2ApiKey = tc2ApiKey,
            Tc2BaseUrl = ParseUrl(get, "TC2_BASE_URL", "").TrimEnd('/'),
            PdApiKey = pdApiKey,
            PdBaseUrl = ParseUrl(get, "PD_BASE_URL", "").TrimEnd('/'),
            PdWebhookUsername = Str("PD_WEBHOOK_USERNAME"),
            PdWebhookPassword = Str("PD_WEBHOOK_PASSWORD"),
            PdWebhookAuthDisabled = webhookAuth == "none",
            PdRateLimitBurst = ParseInt(get, "PD_RATE_LIMIT_BURST", 10, min: 1, max: 1000),
            PdRateLimitSearch = ParseInt(get, "PD_RATE_LIMIT_SEARCH", 5, min: 1, max: 1000),
            Google = google,
            GoogleCalendarBaseUrl = ParseUrl(get, "GOOGLE_CALENDAR_BASE_URL", "https://www.googleapis.com/calendar/v3").TrimEnd('/'),
            Sandbox = sandbox,
            CorsOrigins = Str("CORS_ORIGINS") is { Length: > 0 } origins
                ? origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : ["https://tutorcruncher.com", "https://new.tutorcruncher.com"],
            BookerRepsFile = Str("BOOKER_REPS_FILE"),
            Jobs = new JobSettings
            {
                Workers = ParseInt(get, "JOB_WORKERS", 4, min: 0, max: 64),
                MaxAttempts = ParseInt(get, "JOB_MAX_ATTEMPTS", 10, min: 1, max: 1000),
                LeaseSeconds = ParseInt(get, "JOB_LEASE_SECONDS", 300, min: 5, max: 86400),
                PollMilliseconds = ParseInt(get, "JOB_POLL_MS", 1000, min: 10, max: 60000),
            },
            Operations = OperationsSettings.Load(get),
        };
        if (!sandbox) settings.RequireProductionSettings();
        return settings;
    }

    /// <summary>Outside the sandbox every integration needs its credentials; in dev mode some may be left out.</summary>
    void RequireProductionSettings()
    {
        if (DevMode) return;
        if (SigningKey.Length == 0) throw new SettingsException("SIGNING_KEY", "must be set outside the sandbox (it signs support links)");
        foreach (var (name, value) in new[]
                 {
                     ("TC2_API_KEY", Tc2ApiKey), ("TC2_BASE_URL", Tc2BaseUrl), ("PD_API_KEY", PdApiKey),
                     ("PD_BASE_URL", PdBaseUrl), ("G_PRIVATE_KEY", Google.PrivateKey), ("G_CLIENT_EMAIL", Google.ClientEmail),
                 })
            if (value.Length == 0) throw new SettingsException(name, "must be set outside the sandbox");
        if (PdWebhookUsername.Length == 0 && !PdWebhookAuthDisabled)
            throw new SettingsException("PD_WEBHOOK_USERNAME",
                "Pipedrive webhooks must be authenticated: set PD_WEBHOOK_USERNAME and PD_WEBHOOK_PASSWORD (and the same in Pipedrive), or PD_WEBHOOK_AUTH=none to accept them unauthenticated");
        if (PdWebhookUsername.Length > 0 && PdWebhookPassword.Length == 0)
            throw new SettingsException("PD_WEBHOOK_PASSWORD", "must be set when PD_WEBHOOK_USERNAME is");
    }

    static bool? ParseBool(Func<string, string?> get, string name)
    {
        var value = get(name)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        return value.ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new SettingsException(name, $"'{value}' is not a boolean; use true or false"),
        };
    }

    static int ParseInt(Func<string, string?> get, string name, int fallback, int min, int max)
    {
        var value = get(name)?.Trim();
        if (string.IsNullOrEmpty(value)) return fallback;
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new SettingsException(name, $"'{value}' is not a whole number from {min} to {max}");
        return n;
    }

    static string ParseUrl(Func<string, string?> get, string name, string fallback)
    {
        var value = get(name)?.Trim();
        if (string.IsNullOrEmpty(value)) return fallback;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SettingsException(name, $"'{value}' is not an http(s) URL");
        return value;
    }

    static string ParseTimezone(Func<string, string?> get, string name)
    {
        var value = get(name)?.Trim();
        if (string.IsNullOrEmpty(value)) return "Europe/London";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(value, out _))
            throw new SettingsException(name, $"'{value}' is not an IANA time zone (e.g. Europe/London)");
        return value;
    }
}

public sealed record GoogleServiceAccount
{
    public string PrivateKey { get; init; } = "";
    public string PrivateKeyId { get; init; } = "";
    public string ClientEmail { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string ProjectId { get; init; } = "";
    public string TokenUri { get => Self?.Resolve(_tokenUri) ?? _tokenUri; init => _tokenUri = value; }
    /// <summary>Sandbox only: resolves a token URI on Hermes's own port (see <see cref="SelfOrigin"/>).</summary>
    public SelfOrigin? Self { get; init; }

    string _tokenUri = "https://oauth2.googleapis.com/token";
}

public sealed record JobSettings
{
    /// <summary>Concurrent job loops in this process (0: this process only enqueues).</summary>
    public int Workers { get; init; } = 4;
    public int MaxAttempts { get; init; } = 10;
    /// <summary>How long a claimed job stays owned by its worker; after that another worker may take it again.</summary>
    public int LeaseSeconds { get; init; } = 300;
    public int PollMilliseconds { get; init; } = 1000;
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Hermes.Sandbox.Google;

/// <summary>
/// Google's OAuth token endpoint for service accounts and the Calendar v3 calls Hermes makes
/// (research/external_apis.md §E): <c>POST {prefix}/token</c> (JWT bearer grant, signature checked against a trusted
/// key, each token bound to the JWT's <c>sub</c>), <c>POST {prefix}/calendar/v3/freeBusy</c>,
/// <c>POST {prefix}/calendar/v3/calendars/{calendarId}/events</c> (with <c>conferenceDataVersion=1</c> a Meet link is
/// created) and <c>GET|PATCH|DELETE …/events/{eventId}</c>. A token only sees its own user's calendar. Busy periods are
/// set by tests and the sandbox; created events are busy too, until they are cancelled (deleted).
/// </summary>
public sealed partial class GoogleCalendarSimulator : Simulator
{
    const string CalendarScope = "https://www.googleapis.com/auth/calendar";
    const string GoogleTokenUri = "https://oauth2.googleapis.com/token";
    static readonly string[] FreeBusyScopes =
        [CalendarScope, CalendarScope + ".readonly", CalendarScope + ".events", CalendarScope + ".events.readonly", CalendarScope + ".events.freebusy", CalendarScope + ".freebusy"];
    static readonly string[] InsertScopes = [CalendarScope, CalendarScope + ".events", CalendarScope + ".events.owned"];
    static readonly string[] ReadScopes = [CalendarScope, CalendarScope + ".readonly", CalendarScope + ".events", CalendarScope + ".events.readonly", CalendarScope + ".events.owned"];

    readonly Dictionary<string, (RSA Key, string? KeyId)> _accounts = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, IssuedToken> _tokens = new();
    readonly Dictionary<string, CalendarState> _calendars = new(StringComparer.OrdinalIgnoreCase);
    long _lastToken;
    long _lastEvent;

    sealed record IssuedToken(string Subject, string[] Scopes, DateTimeOffset Expires);

    sealed class CalendarState
    {
        public List<(DateTimeOffset Start, DateTimeOffset End)> Busy { get; } = [];
        public List<(JsonObject Event, DateTimeOffset Start, DateTimeOffset End)> Events { get; } = [];
    }

    public GoogleCalendarSimulator(TimeProvider? time = null) : base(time ?? TimeProvider.System) { }

    public override string Name => "google";

    /// <summary>How long issued access tokens live.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    protected override void ResetState()
    {
        _tokens.Clear();
        _calendars.Clear();
        _lastEvent = 0;
    }

    // ---- C# control surface ----

    /// <summary>Trusts JWTs signed for this service account with this public key (PEM). Kept across <see cref="Simulator.Reset"/>.</summary>
    public void TrustServiceAccount(string clientEmail, string publicKeyPem, string? keyId = null)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        lock (Gate) _accounts[clientEmail] = (rsa, keyId);
    }

    /// <summary>Makes a service account key at run time and trusts it.</summary>
    public GoogleServiceAccountKey CreateServiceAccount(string clientEmail = "hermes-tests@hermes-sandbox.iam.gserviceaccount.com")
    {
        var key = GoogleServiceAccountKey.Generate(clientEmail);
        TrustServiceAccount(key.ClientEmail, key.PublicKeyPem, key.PrivateKeyId);
        return key;
    }

    /// <summary>Replaces the calendar's busy periods (events created through the API stay busy as well).</summary>
    public void SetBusy(string calendarId, params (DateTimeOffset Start, DateTimeOffset End)[] periods)
    {
        foreach (var (start, end) in periods)
            if (end <= start) throw new ArgumentException($"busy period {start:o}–{end:o} ends before it starts", nameof(periods));
        lock (Gate)
        {
            var calendar = Calendar(calendarId);
            calendar.Busy.Clear();
            calendar.Busy.AddRange(periods);
        }
    }

    public void AddBusy(string calendarId, DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start) throw new ArgumentException("a busy period must end after it starts", nameof(end));
        lock (Gate) Calendar(calendarId).Busy.Add((start, end));
    }

    /// <summary>The events created in this calendar through the API, as the API returned them.</summary>
    public IReadOnlyList<JsonObject> Events(string calendarId) { lock (Gate) return Calendar(calendarId).Events.Select(e => (JsonObject)e.Event.DeepClone()).ToArray(); }

    /// <summary>Cancels an event as its owner deleting it in Google Calendar would (it stays readable, status <c>cancelled</c>).</summary>
    public bool CancelEvent(string calendarId, string eventId)
    {
        lock (Gate)
        {
            var ev = Calendar(calendarId).Events.Select(e => e.Event).FirstOrDefault(e => e["id"]?.GetValue<string>() == eventId);
            if (ev is null) return false;
            ev["status"] = "cancelled";
            return true;
        }
    }

    /// <summary>Busy periods (set ones and events), merged and in order.</summary>
    public IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> BusyPeriods(string calendarId)
    {
        lock (Gate) return Busy(calendarId, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
    }

    CalendarState Calendar(string id)
    {
        if (!_calendars.TryGetValue(id, out var calendar)) _calendars[id] = calendar = new CalendarState();
        return calendar;
    }

    List<(DateTimeOffset Start, DateTimeOffset End)> Busy(string calendarId, DateTimeOffset from, DateTimeOffset to)
    {
        var calendar = Calendar(calendarId);
        // A cancelled (deleted) event no longer makes its time busy.
        var periods = calendar.Busy.Concat(calendar.Events.Where(e => e.Event["status"]?.GetValue<string>() != "cancelled").Select(e => (e.Start, e.End)))
            .Select(p => (Start: p.Start < from ? from : p.Start, End: p.End > to ? to : p.End))
            .Where(p => p.End > p.Start)
            .OrderBy(p => p.Start);
        var merged = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var p in periods)
            if (merged.Count > 0 && p.Start <= merged[^1].End)
                merged[^1] = (merged[^1].Start, p.End > merged[^1].End ? p.End : merged[^1].End);
            else merged.Add(p);
        return merged;
    }

    // ---- errors in Google's shapes ----

    static Task OAuthError(HttpContext context, int status, string error, string description) =>
        Json.WriteAsync(context, status, new JsonObject { ["error"] = error, ["error_description"] = description });

    static Task ApiError(HttpContext context, int status, string reason, string message, string apiStatus, string? location = null)
    {
        var detail = new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason };
        if (location is not null) { detail["location"] = location; detail["locationType"] = "header"; }
        return Json.WriteAsync(context, status, new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = status, ["message"] = message, ["errors"] = new JsonArray(detail), ["status"] = apiStatus },
        });
    }

    protected override Task WriteServerErrorAsync(HttpContext context, int status) =>
        ApiError(context, status, "backendError", "Backend Error", status == 503 ? "UNAVAILABLE" : "INTERNAL");

    protected override Task WriteRateLimitedAsync(HttpContext context) =>
        Json.WriteAsync(context, 429, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = 429, ["message"] = "Rate Limit Exceeded",
                ["errors"] = new JsonArray(new JsonObject { ["message"] = "Rate Limit Exceeded", ["domain"] = "usageLimits", ["reason"] = "rateLimitExceeded" }),
                ["status"] = "RESOURCE_EXHAUSTED",
            },
        });

    // ---- the API ----

    protected override async Task HandleApiAsync(SimRequest request)
    {
        switch (request.Segments)
        {
            case ["token"] when request.Is("POST"):
                await TokenAsync(request);
                return;
            case ["calendar", "v3", "freeBusy"] when request.Is("POST"):
                if (Authenticate(request) is not { } fbToken) await Unauthorized(request);
                else if (!HasScope(fbToken, FreeBusyScopes)) await InsufficientScopes(request);
                else await FreeBusyAsync(request, fbToken);
                return;
            case ["calendar", "v3", "calendars", var calendarId, "events"] when request.Is("POST"):
                if (Authenticate(request) is not { } evToken) await Unauthorized(request);
                else if (!HasScope(evToken, InsertScopes)) await InsufficientScopes(request);
                else await InsertEventAsync(request, evToken, Uri.UnescapeDataString(calendarId));
                return;
            case ["calendar", "v3", "calendars", var calendarId, "events", var eventId] when request.Is("GET") || request.Is("PATCH") || request.Is("DELETE"):
                if (Authenticate(request) is not { } oneToken) await Unauthorized(request);
                else if (!HasScope(oneToken, request.Is("GET") ? ReadScopes : InsertScopes))
                    await InsufficientScopes(request);
                else await EventAsync(request, oneToken, Uri.UnescapeDataString(calendarId), Uri.UnescapeDataString(eventId));
                return;
            default:
                await ApiError(request.Context, 404, "notFound", "Not Found", "NOT_FOUND");
                return;
        }
    }

    /// <summary>The JWT bearer grant: checks the assertion and issues a token bound to its <c>sub</c>.</summary>
    async Task TokenAsync(SimRequest request)
    {
        var context = request.Context;
        if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            await OAuthError(context, 400, "invalid_request", "Bad Request");
            return;
        }
        var form = QueryHelpers.ParseQuery(request.Body);
        var grantType = form.TryGetValue("grant_type", out var g) ? g.ToString() : "";
        if (grantType != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            await OAuthError(context, 400, "unsupported_grant_type", $"Invalid grant_type: {grantType}");
            return;
        }
        if (!form.TryGetValue("assertion", out var assertionText) || string.IsNullOrEmpty(assertionText))
        {
            await OAuthError(context, 400, "invalid_request", "Missing required parameter: assertion");
            return;
        }
        var jwt = JwtAssertion.Parse(assertionText.ToString());
        if (jwt is null || jwt.Header["alg"]?.GetValue<string>() != "RS256")
        {
            await OAuthError(context, 400, "invalid_grant", "Invalid JWT");
            return;
        }
        (RSA Key, string? KeyId) account;
        lock (Gate)
            if (jwt.Claim("iss") is not { } iss || !_accounts.TryGetValue(iss, out account))
                account = default;
        if (account.Key is null)
        {
            await OAuthError(context, 400, "invalid_grant", "Invalid grant: account not found");
            return;
        }
        var kid = jwt.Header["kid"]?.GetValue<string>();
        if ((kid is not null && account.KeyId is not null && kid != account.KeyId) || !jwt.IsSignedBy(account.Key))
        {
            await OAuthError(context, 400, "invalid_grant", "Invalid JWT Signature.");
            return;
        }
        // Google.Apis.Auth (1.78) signs aud = Google's token URI whatever URL it posts to, and Google accepts that and
        // its older v4 URI; a client that puts this endpoint's own URL in aud is accepted too.
        var audience = jwt.Claim("aud");
        if (audience is not (GoogleTokenUri or "https://www.googleapis.com/oauth2/v4/token") && audience != $"{request.BaseUrl}/token")
        {
            await OAuthError(context, 400, "invalid_grant", $"Invalid JWT: Failed audience check. The right audience is {GoogleTokenUri}");
            return;
        }
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        if (jwt.NumericClaim("iat") is not { } iat || jwt.NumericClaim("exp") is not { } exp || exp <= now || iat > now + 300 || exp - iat > 3600)
        {
            await OAuthError(context, 400, "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
            return;
        }
        if (jwt.Claim("scope") is not { Length: > 0 } scope)
        {
            await OAuthError(context, 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
            return;
        }
        string token;
        lock (Gate)
        {
            token = $"ya29.sandbox-{++_lastToken}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            _tokens[token] = new IssuedToken(jwt.Claim("sub") ?? jwt.Claim("iss")!, scope.Split(' ', StringSplitOptions.RemoveEmptyEntries), Time.GetUtcNow() + TokenLifetime);
        }
        await Json.WriteAsync(context, 200, new JsonObject
        {
            ["access_token"] = token, ["expires_in"] = (int)TokenLifetime.TotalSeconds - 1, ["token_type"] = "Bearer",
        });
    }

    /// <summary>The token behind a valid, unexpired bearer token.</summary>
    IssuedToken? Authenticate(SimRequest request)
    {
        var auth = request.Header("Authorization");
        if (auth is null || !auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        lock (Gate)
            return _tokens.TryGetValue(auth[7..].Trim(), out var token) && token.Expires > Time.GetUtcNow() ? token : null;
    }

    static bool HasScope(IssuedToken token, string[] scopes) => token.Scopes.Any(scopes.Contains);

    Task Unauthorized(SimRequest request) =>
        ApiError(request.Context, 401, "authError",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "UNAUTHENTICATED", "Authorization");

    static Task InsufficientScopes(SimRequest request) =>
        ApiError(request.Context, 403, "insufficientPermissions", "Request had insufficient authentication scopes.", "PERMISSION_DENIED");

    static DateTimeOffset? Rfc3339(JsonNode? node) =>
        Json.IsString(node, out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && HasOffset(s) ? t : null;

    static bool HasOffset(string s) => s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 6 && s[^6] is '+' or '-' && s[^3] == ':');

}

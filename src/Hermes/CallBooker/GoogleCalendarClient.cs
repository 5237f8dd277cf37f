using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Hermes.Configuration;

namespace Hermes.CallBooker;

/// <summary>Google Calendar could not be read or written; the booking or availability request fails with a clear error.</summary>
public sealed class GoogleCalendarException(string message, Exception? inner = null, int? status = null) : Exception(message, inner)
{
    /// <summary>Google's HTTP status when it answered with an error (404/410: the event is gone), else null.</summary>
    public int? Status { get; } = status;
}

public sealed record BusyPeriod(DateTime Start, DateTime End);

public sealed record CalendarEventRequest(
    string AdminEmail, string ContactEmail, string Summary, string Description, DateTime Start, DateTime End);

public sealed record CalendarEvent(string Id, string? MeetLink, string? HtmlLink);

/// <summary>
/// Service-account access tokens that impersonate one admin each (domain-wide delegation: the JWT's <c>sub</c> is the
/// admin's email). Google.Apis.Auth signs the assertion with <c>G_PRIVATE_KEY</c>, posts it to <c>G_TOKEN_URI</c> and
/// caches the token until shortly before it expires; one credential per admin is kept for the process's life.
/// The assertion's iat/exp and the cache's expiry follow Hermes's <see cref="TimeProvider"/>, so a test clock moved
/// forward (or a sandbox on one) still gets tokens the issuer accepts.
/// </summary>
public sealed class GoogleTokenSource(HermesSettings settings, TimeProvider time)
{
    public const string CalendarScope = "https://www.googleapis.com/auth/calendar";
    readonly ConcurrentDictionary<string, Lazy<ServiceAccountCredential>> _credentials = new(StringComparer.OrdinalIgnoreCase);

    public async Task<string> AccessTokenAsync(string adminEmail, CancellationToken ct)
    {
        var google = settings.Google;
        if (google.PrivateKey.Length == 0 || google.ClientEmail.Length == 0)
            throw new GoogleCalendarException("the Google service account is not configured (G_PRIVATE_KEY, G_CLIENT_EMAIL)");
        var credential = _credentials.GetOrAdd(adminEmail, email => new Lazy<ServiceAccountCredential>(() =>
        {
            var initializer = new ServiceAccountCredential.Initializer(google.ClientEmail, google.TokenUri)
            {
                User = email,
                Scopes = [CalendarScope],
                KeyId = google.PrivateKeyId.Length > 0 ? google.PrivateKeyId : null,
                Clock = new ClockFromTimeProvider(time),
            };
            return new ServiceAccountCredential(initializer.FromPrivateKey(google.PrivateKey));
        })).Value;
        try
        {
            return await credential.GetAccessTokenForRequestAsync(cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new GoogleCalendarException($"Google refused a token for {adminEmail}: {e.Message}", e);
        }
    }
}

/// <summary>Google.Apis' clock interface over Hermes's <see cref="TimeProvider"/>.</summary>
sealed class ClockFromTimeProvider(TimeProvider time) : Google.Apis.Util.IClock
{
    public DateTime Now => time.GetLocalNow().DateTime;
    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
}

/// <summary>
/// The Calendar v3 calls Hermes makes, over REST (the generated Google.Apis.Calendar.v3 package is not available):
/// <c>POST {GOOGLE_CALENDAR_BASE_URL}/freeBusy</c> and
/// <c>POST {base}/calendars/{admin}/events?conferenceDataVersion=1</c> with a Google Meet link, both in the admin's own
/// calendar through impersonation (moving and cancelling an event: GoogleCalendarEventChanges.cs). Any failure is a
/// <see cref="GoogleCalendarException"/>.
/// </summary>
public sealed partial class GoogleCalendarClient(HttpClient http, GoogleTokenSource tokens, HermesSettings settings, ILogger<GoogleCalendarClient> log)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    string Base => settings.GoogleCalendarBaseUrl.TrimEnd('/');

    /// <summary>The admin's busy periods between <paramref name="from"/> and <paramref name="to"/>, in UTC.</summary>
    public async Task<IReadOnlyList<BusyPeriod>> FreeBusyAsync(string adminEmail, DateTime from, DateTime to, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["timeMin"] = Rfc3339(from),
            ["timeMax"] = Rfc3339(to),
            ["timeZone"] = "UTC",
            ["groupExpansionMax"] = 100,
            ["items"] = new JsonArray(new JsonObject { ["id"] = adminEmail }),
        };
        var response = await SendAsync(adminEmail, HttpMethod.Post, $"{Base}/freeBusy", body, ct);
        var calendar = response?["calendars"]?[adminEmail] ?? FindCalendar(response, adminEmail);
        if (calendar is null)
            throw new GoogleCalendarException($"Google's free/busy answer has no calendar for {adminEmail}");
        if (calendar["errors"] is JsonArray { Count: > 0 } errors)
            throw new GoogleCalendarException($"Google could not read the calendar of {adminEmail}: {errors.ToJsonString()}");
        var busy = new List<BusyPeriod>();
        foreach (var period in calendar["busy"] as JsonArray ?? [])
        {
            var start = Dates.Parse(period?["start"]?.GetValue<string>());
            var end = Dates.Parse(period?["end"]?.GetValue<string>());
            if (start is null || end is null)
                throw new GoogleCalendarException($"Google's free/busy answer has an unreadable period: {period?.ToJsonString()}");
            busy.Add(new BusyPeriod(start.Value, end.Value));
        }
        return busy;
    }

    /// <summary>Creates the event in the admin's calendar, inviting the prospect, with a Google Meet conference.</summary>
    public async Task<CalendarEvent> CreateEventAsync(CalendarEventRequest request, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["summary"] = request.Summary,
            ["description"] = request.Description,
            ["start"] = new JsonObject { ["dateTime"] = Rfc3339(request.Start), ["timeZone"] = "UTC" },
            ["end"] = new JsonObject { ["dateTime"] = Rfc3339(request.End), ["timeZone"] = "UTC" },
            ["attendees"] = new JsonArray(new JsonObject { ["email"] = request.AdminEmail }, new JsonObject { ["email"] = request.ContactEmail }),
            ["reminders"] = new JsonObject { ["useDefault"] = true },
            ["conferenceData"] = new JsonObject
            {
                ["createRequest"] = new JsonObject
                {
                    ["requestId"] = Guid.NewGuid().ToString("N"),
                    ["conferenceSolutionKey"] = new JsonObject { ["type"] = "hangoutsMeet" },
                },
            },
        };
        var url = $"{Base}/calendars/{Uri.EscapeDataString(request.AdminEmail)}/events?conferenceDataVersion=1&sendUpdates=all";
        var created = await SendAsync(request.AdminEmail, HttpMethod.Post, url, body, ct);
        var id = created?["id"]?.GetValue<string>();
        if (string.IsNullOrEmpty(id)) throw new GoogleCalendarException("Google's answer to the event insert has no event id");
        var meet = created!["hangoutLink"]?.GetValue<string>()
                   ?? (created["conferenceData"]?["entryPoints"] as JsonArray)?
                       .FirstOrDefault(p => p?["entryPointType"]?.GetValue<string>() == "video")?["uri"]?.GetValue<string>();
        return new CalendarEvent(id, meet, created["htmlLink"]?.GetValue<string>());
    }

    /// <summary>Removes an event Hermes created but could not record (best effort: failures are logged, not thrown).</summary>
    public async Task DeleteEventAsync(string adminEmail, string eventId, CancellationToken ct)
    {
        try
        {
            await SendAsync(adminEmail, HttpMethod.Delete,
                $"{Base}/calendars/{Uri.EscapeDataString(adminEmail)}/events/{Uri.EscapeDataString(eventId)}?sendUpdates=all", null, ct);
        }
        catch (GoogleCalendarException e)
        {
            log.LogError(e, "Could not delete Google event {EventId} of {Admin}; delete it by hand", eventId, adminEmail);
        }
    }

    async Task<JsonNode?> SendAsync(string adminEmail, HttpMethod method, string url, JsonNode? body, CancellationToken ct)
    {
        var token = await tokens.AccessTokenAsync(adminEmail, ct);
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new GoogleCalendarException($"Google Calendar did not answer {method} {url}: {e.Message}", e);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new GoogleCalendarException(
                    $"Google Calendar answered {(int)response.StatusCode} to {method} {url}: {Truncate(text)}", status: (int)response.StatusCode);
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return JsonNode.Parse(text); }
            catch (JsonException e) { throw new GoogleCalendarException($"Google Calendar's answer is not JSON: {Truncate(text)}", e); }
        }
    }

    /// <summary>Google may echo a calendar id in another case than it was asked for.</summary>
    static JsonNode? FindCalendar(JsonNode? response, string email) =>
        (response?["calendars"] as JsonObject)?.FirstOrDefault(kv => string.Equals(kv.Key, email, StringComparison.OrdinalIgnoreCase)).Value;

    static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    static string Truncate(string text) => text.Length > 500 ? text[..500] + "…" : text;
}

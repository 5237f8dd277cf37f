using System.Text.Json.Nodes;

namespace Hermes.CallBooker;

/// <summary>The event Hermes made is gone from the admin's calendar (Google answered 404 or 410).</summary>
public sealed class GoogleEventGoneException(string eventId, Exception inner)
    : Exception($"Google Calendar event {eventId} no longer exists", inner);

/// <summary>
/// Moving and cancelling a booked call's event: <c>PATCH …/events/{id}</c> (only the fields sent change, so the
/// attendees and the Meet conference stay; <c>conferenceDataVersion=1</c> so Google keeps the conference as it is) and
/// <c>DELETE …/events/{id}</c>, which Google treats as cancelling: the event stays readable with status
/// <c>cancelled</c> and a second delete answers 410. Both with <c>sendUpdates=all</c>, so the prospect is told.
/// </summary>
public sealed partial class GoogleCalendarClient
{
    /// <summary>Moves the event to a new time and replaces its description (which holds the manage link for that time).</summary>
    public async Task<CalendarEvent> MoveEventAsync(string adminEmail, string eventId, DateTime start, DateTime end, string description, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["start"] = new JsonObject { ["dateTime"] = Rfc3339(start), ["timeZone"] = "UTC" },
            ["end"] = new JsonObject { ["dateTime"] = Rfc3339(end), ["timeZone"] = "UTC" },
            ["description"] = description,
        };
        JsonNode? moved;
        try
        {
            moved = await SendAsync(adminEmail, HttpMethod.Patch, $"{EventUrl(adminEmail, eventId)}?conferenceDataVersion=1&sendUpdates=all", body, ct);
        }
        catch (GoogleCalendarException e) when (e.Status is 404 or 410)
        {
            throw new GoogleEventGoneException(eventId, e);
        }
        if (moved?["status"]?.GetValue<string>() == "cancelled")
            throw new GoogleEventGoneException(eventId, new GoogleCalendarException("the event was cancelled in Google Calendar"));
        return new CalendarEvent(eventId, moved?["hangoutLink"]?.GetValue<string>(), moved?["htmlLink"]?.GetValue<string>());
    }

    /// <summary>Cancels the event, telling the guests. True when it was cancelled now, false when it was already gone.</summary>
    public async Task<bool> CancelEventAsync(string adminEmail, string eventId, CancellationToken ct)
    {
        try
        {
            await SendAsync(adminEmail, HttpMethod.Delete, $"{EventUrl(adminEmail, eventId)}?sendUpdates=all", null, ct);
            return true;
        }
        catch (GoogleCalendarException e) when (e.Status is 404 or 410)
        {
            log.LogInformation("Google event {EventId} of {Admin} was already deleted", eventId, adminEmail);
            return false;
        }
    }

    string EventUrl(string adminEmail, string eventId) =>
        $"{Base}/calendars/{Uri.EscapeDataString(adminEmail)}/events/{Uri.EscapeDataString(eventId)}";
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox.Google;

/// <summary>
/// events.get, events.patch and events.delete on one event. As Google does: a PATCH replaces the fields it sends and
/// keeps the rest (arrays are replaced whole; <c>conferenceData</c> only with <c>conferenceDataVersion=1</c>), bumping
/// <c>sequence</c> when the time moves; a DELETE answers 204 with no body and marks the event <c>cancelled</c> (it stays
/// readable, and no longer makes its time busy), and deleting it again answers 410.
/// </summary>
public sealed partial class GoogleCalendarSimulator
{
    /// <summary>Fields Google sets itself: a PATCH that sends them does not change them.</summary>
    static readonly HashSet<string> ReadOnlyEventFields =
        ["kind", "etag", "id", "htmlLink", "created", "updated", "creator", "organizer", "iCalUID", "hangoutLink", "sequence", "eventType"];

    async Task EventAsync(SimRequest request, IssuedToken token, string calendarId, string eventId)
    {
        var context = request.Context;
        if (calendarId == "primary") calendarId = token.Subject;
        if (!calendarId.Equals(token.Subject, StringComparison.OrdinalIgnoreCase))
        {
            await NotFound(context);
            return;
        }
        if (!request.Is("GET") && request.Query("sendUpdates") is { } sendUpdates && sendUpdates is not ("all" or "externalOnly" or "none"))
        {
            await BadRequest(context, "invalidParameter", "Invalid value for: sendUpdates");
            return;
        }
        JsonObject? body = null;
        if (request.Is("PATCH") && (body = request.Json() as JsonObject) is null)
        {
            await BadRequest(context, "parseError", "Parse Error");
            return;
        }

        JsonObject answer;
        int status;
        lock (Gate)
        {
            var events = Calendar(calendarId).Events;
            var index = events.FindIndex(e => e.Event["id"]?.GetValue<string>() == eventId);
            if (index < 0) { status = 404; answer = null!; }
            else if (request.Is("GET")) { status = 200; answer = (JsonObject)events[index].Event.DeepClone(); }
            else if (request.Is("DELETE"))
            {
                var ev = events[index].Event;
                if (ev["status"]?.GetValue<string>() == "cancelled") { status = 410; answer = null!; }
                else
                {
                    ev["status"] = "cancelled";
                    Touch(ev, index + 1);
                    status = 204;
                    answer = null!;
                }
            }
            else
            {
                (status, answer) = Patch(events, index, body!, calendarId, request.Query("conferenceDataVersion") == "1");
            }
        }
        switch (status)
        {
            case 200: await Json.WriteAsync(context, 200, answer); break;
            case 204: context.Response.StatusCode = 204; break;
            case 404: await NotFound(context); break;
            case 410: await ApiError(context, 410, "deleted", "Resource has been deleted", "GONE"); break;
            default: await BadRequest(context, answer["reason"]!.GetValue<string>(), answer["message"]!.GetValue<string>()); break;
        }
    }

    /// <summary>Applies a PATCH; (200, the event) or (400, {reason, message}).</summary>
    (int Status, JsonObject Answer) Patch(List<(JsonObject Event, DateTimeOffset Start, DateTimeOffset End)> events, int index, JsonObject body,
        string calendarId, bool conferenceData)
    {
        var (ev, start, end) = events[index];
        var newStart = start;
        var newEnd = end;
        try
        {
            if (body.ContainsKey("start")) newStart = When(body["start"], "start");
            if (body.ContainsKey("end")) newEnd = When(body["end"], "end");
        }
        catch (ArgumentException e)
        {
            return (400, new JsonObject { ["reason"] = e.ParamName == "required" ? "required" : "invalid", ["message"] = e.Message.Split(" (")[0] });
        }
        if (newEnd <= newStart) return (400, new JsonObject { ["reason"] = "timeRangeEmpty", ["message"] = "The specified time range is empty." });
        if (body["status"] is { } statusNode && (!Json.IsString(statusNode, out var status) || status is not ("confirmed" or "tentative" or "cancelled")))
            return (400, new JsonObject { ["reason"] = "invalid", ["message"] = "Invalid value for: status" });

        var updated = (JsonObject)ev.DeepClone();
        foreach (var (key, value) in body)
        {
            if (ReadOnlyEventFields.Contains(key) || (key == "conferenceData" && !conferenceData)) continue;
            if (key == "attendees" && value is JsonArray attendees) updated["attendees"] = Attendees(attendees, calendarId);
            else if (value is null) updated.Remove(key);
            else updated[key] = value.DeepClone();
        }
        if (newStart != start || newEnd != end) updated["sequence"] = (updated["sequence"]?.GetValue<int>() ?? 0) + 1;
        Touch(updated, index + 1);
        events[index] = (updated, newStart, newEnd);
        return (200, (JsonObject)updated.DeepClone());
    }

    /// <summary>A change: a new <c>updated</c> time and etag.</summary>
    void Touch(JsonObject ev, int number)
    {
        ev["updated"] = GoogleTime(Time.GetUtcNow());
        var etag = long.Parse(ev["etag"]!.GetValue<string>().Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
        ev["etag"] = $"\"{etag + 1_000 + number}\"";
    }

    /// <summary>The attendees as Google keeps them: the calendar's owner is the organizer and has accepted; the others are asked.</summary>
    static JsonArray Attendees(JsonArray attendees, string calendarId) => Json.Array(attendees.Select(a =>
    {
        var email = a?["email"]?.GetValue<string>() ?? "";
        var attendee = new JsonObject { ["email"] = email };
        if (email.Equals(calendarId, StringComparison.OrdinalIgnoreCase))
        {
            attendee["organizer"] = true;
            attendee["self"] = true;
            attendee["responseStatus"] = "accepted";
        }
        else attendee["responseStatus"] = "needsAction";
        return (JsonNode)attendee;
    }));

    /// <summary>
    /// Puts an event that exists already (the sandbox gives back, at start, the events Hermes made before a restart):
    /// kept as given with its id; later inserts get ids after it.
    /// </summary>
    public void PutEvent(string calendarId, JsonObject ev)
    {
        var id = ev["id"]?.GetValue<string>() ?? throw new ArgumentException("the event needs an id", nameof(ev));
        var start = When(ev["start"], "start");
        var end = When(ev["end"], "end");
        lock (Gate)
        {
            var events = Calendar(calendarId).Events;
            events.RemoveAll(e => e.Event["id"]?.GetValue<string>() == id);
            events.Add(((JsonObject)ev.DeepClone(), start, end));
            if (id.StartsWith("ev", StringComparison.Ordinal) && long.TryParse(id[2..], out var number) && number > _lastEvent) _lastEvent = number;
        }
    }

    static Task NotFound(HttpContext context) => ApiError(context, 404, "notFound", "Not Found", "NOT_FOUND");
}

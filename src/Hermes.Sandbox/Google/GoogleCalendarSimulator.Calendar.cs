using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox.Google;

/// <summary>freebusy.query, events.insert and the HTTP control surface (events.get, patch and delete: GoogleCalendarSimulator.Events.cs).</summary>
public sealed partial class GoogleCalendarSimulator
{
    /// <summary>The Meet code of the n-th event created since the last reset (deterministic, so tests can expect it).</summary>
    public static string MeetCode(long eventNumber)
    {
        var value = (eventNumber * 7_919 + 123_456_789) % 141_167_095_653_376L; // 26^10
        var letters = new char[10];
        for (var i = 9; i >= 0; i--, value /= 26) letters[i] = (char)('a' + value % 26);
        var code = new string(letters);
        return $"{code[..3]}-{code[3..7]}-{code[7..]}";
    }

    /// <summary>The event id of the n-th event created since the last reset.</summary>
    public static string EventId(long eventNumber) => $"ev{eventNumber:D8}";

    static string GoogleTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static Task BadRequest(HttpContext context, string reason, string message) => ApiError(context, 400, reason, message, "INVALID_ARGUMENT");

    async Task FreeBusyAsync(SimRequest request, IssuedToken token)
    {
        var context = request.Context;
        if (request.Json() is not JsonObject body)
        {
            await BadRequest(context, "parseError", "Parse Error");
            return;
        }
        if (!body.ContainsKey("timeMin") || !body.ContainsKey("timeMax"))
        {
            await BadRequest(context, "required", body.ContainsKey("timeMin") ? "Missing timeMax parameter." : "Missing timeMin parameter.");
            return;
        }
        if (Rfc3339(body["timeMin"]) is not { } timeMin || Rfc3339(body["timeMax"]) is not { } timeMax)
        {
            await BadRequest(context, "badRequest", "Bad Request");
            return;
        }
        if (timeMax <= timeMin)
        {
            await BadRequest(context, "timeRangeEmpty", "The specified time range is empty.");
            return;
        }
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (Json.IsString(body["timeZone"], out var zoneName) && !zoneName.Equals("utc", StringComparison.OrdinalIgnoreCase)
            && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out zone!))
        {
            await BadRequest(context, "invalid", $"Invalid time zone: {zoneName}");
            return;
        }
        string Format(DateTimeOffset t) => zone == TimeZoneInfo.Utc
            ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

        var calendars = new JsonObject();
        lock (Gate)
            foreach (var item in body["items"] as JsonArray ?? [])
            {
                if (!Json.IsString(item?["id"], out var id) || calendars.ContainsKey(id)) continue;
                // A calendar the token's user cannot see is not an error of the request: Google answers 200 and says so per calendar.
                calendars[id] = id.Equals(token.Subject, StringComparison.OrdinalIgnoreCase)
                    ? new JsonObject { ["busy"] = Json.Array(Busy(id, timeMin, timeMax).Select(p => (JsonNode)new JsonObject { ["start"] = Format(p.Start), ["end"] = Format(p.End) })) }
                    : new JsonObject
                    {
                        ["errors"] = new JsonArray(new JsonObject { ["domain"] = "global", ["reason"] = "notFound" }),
                        ["busy"] = new JsonArray(),
                    };
            }
        await Json.WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = "calendar#freeBusy", ["timeMin"] = GoogleTime(timeMin), ["timeMax"] = GoogleTime(timeMax), ["calendars"] = calendars,
        });
    }

    async Task InsertEventAsync(SimRequest request, IssuedToken token, string calendarId)
    {
        var context = request.Context;
        if (calendarId == "primary") calendarId = token.Subject;
        if (!calendarId.Equals(token.Subject, StringComparison.OrdinalIgnoreCase))
        {
            await ApiError(context, 403, "requiredAccessLevel", "You need to have writer access to this calendar.", "PERMISSION_DENIED");
            return;
        }
        if (request.Json() is not JsonObject body)
        {
            await BadRequest(context, "parseError", "Parse Error");
            return;
        }
        if (request.Query("sendUpdates") is { } sendUpdates && sendUpdates is not ("all" or "externalOnly" or "none"))
        {
            await BadRequest(context, "invalidParameter", "Invalid value for: sendUpdates");
            return;
        }
        DateTimeOffset start, end;
        try
        {
            start = When(body["start"], "start");
            end = When(body["end"], "end");
        }
        catch (ArgumentException e)
        {
            await BadRequest(context, e.ParamName == "required" ? "required" : "invalid", e.Message.Split(" (")[0]);
            return;
        }
        if (end <= start)
        {
            await BadRequest(context, "timeRangeEmpty", "The specified time range is empty.");
            return;
        }
        var createRequest = request.Query("conferenceDataVersion") == "1" ? body["conferenceData"]?["createRequest"] as JsonObject : null;
        if (createRequest is not null)
        {
            if (!Json.IsString(createRequest["requestId"], out _))
            {
                await BadRequest(context, "required", "Missing conference request id.");
                return;
            }
            if (createRequest["conferenceSolutionKey"]?["type"]?.GetValue<string>() != "hangoutsMeet")
            {
                await BadRequest(context, "invalid", "Invalid conference type value.");
                return;
            }
        }

        JsonObject created;
        lock (Gate)
        {
            var number = ++_lastEvent;
            var id = EventId(number);
            var now = GoogleTime(Time.GetUtcNow());
            created = new JsonObject
            {
                ["kind"] = "calendar#event",
                ["etag"] = $"\"{3_500_000_000_000_000L + number}\"",
                ["id"] = id,
                ["status"] = "confirmed",
                ["htmlLink"] = "https://www.google.com/calendar/event?eid=" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{id} {calendarId}")),
                ["created"] = now,
                ["updated"] = now,
            };
            if (body["summary"] is { } summary) created["summary"] = summary.DeepClone();
            if (body["description"] is { } description) created["description"] = description.DeepClone();
            created["creator"] = new JsonObject { ["email"] = token.Subject, ["self"] = true };
            created["organizer"] = new JsonObject { ["email"] = calendarId, ["self"] = true };
            created["start"] = body["start"]!.DeepClone();
            created["end"] = body["end"]!.DeepClone();
            created["iCalUID"] = $"{id}@google.com";
            created["sequence"] = 0;
            if (body["attendees"] is JsonArray attendees) created["attendees"] = Attendees(attendees, calendarId);
            if (createRequest is not null)
            {
                var code = MeetCode(number);
                created["hangoutLink"] = $"https://meet.google.com/{code}";
                created["conferenceData"] = new JsonObject
                {
                    ["createRequest"] = new JsonObject
                    {
                        ["requestId"] = createRequest["requestId"]!.DeepClone(),
                        ["conferenceSolutionKey"] = new JsonObject { ["type"] = "hangoutsMeet" },
                        ["status"] = new JsonObject { ["statusCode"] = "success" },
                    },
                    ["entryPoints"] = new JsonArray(new JsonObject
                    {
                        ["entryPointType"] = "video", ["uri"] = $"https://meet.google.com/{code}", ["label"] = $"meet.google.com/{code}",
                    }),
                    ["conferenceSolution"] = new JsonObject
                    {
                        ["key"] = new JsonObject { ["type"] = "hangoutsMeet" }, ["name"] = "Google Meet",
                        ["iconUri"] = "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
                    },
                    ["conferenceId"] = code,
                };
            }
            created["reminders"] = body["reminders"]?.DeepClone() ?? new JsonObject { ["useDefault"] = true };
            created["eventType"] = "default";
            Calendar(calendarId).Events.Add((created, start, end));
            created = (JsonObject)created.DeepClone();
        }
        await Json.WriteAsync(context, 200, created);
    }

    /// <summary>An event's start or end: a <c>dateTime</c> with an offset, or without one plus a <c>timeZone</c>, or an all-day <c>date</c>.</summary>
    static DateTimeOffset When(JsonNode? time, string which)
    {
        if (time is not JsonObject obj) throw new ArgumentException($"Missing {which} time.", "required");
        if (Json.IsString(obj["dateTime"], out var text))
        {
            if (Rfc3339(obj["dateTime"]) is { } withOffset) return withOffset;
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) throw new ArgumentException($"Invalid {which} time.", "invalid");
            if (!Json.IsString(obj["timeZone"], out var zoneName) || !TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out var zone))
                throw new ArgumentException($"Missing time zone definition for {which} time.", "invalid");
            return new DateTimeOffset(local, zone.GetUtcOffset(local));
        }
        if (Json.IsString(obj["date"], out var date) && DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        throw new ArgumentException($"Missing {which} time.", "required");
    }

    // ---- HTTP control surface ----

    protected override async Task<bool> HandleControlAsync(SimRequest request)
    {
        var context = request.Context;
        switch (request.Segments)
        {
            case ["calendars", var id] when request.Is("GET"):
                JsonObject calendar;
                lock (Gate) calendar = CalendarJson(Uri.UnescapeDataString(id));
                await Json.WriteAsync(context, 200, calendar);
                return true;
            case ["calendars", var id, "busy"] when request.Is("PUT") || request.Is("POST"):
                var calendarId = Uri.UnescapeDataString(id);
                var periods = (request.Json() as JsonArray ?? throw new ControlException("the body must be an array of {start, end}"))
                    .Select(p => p as JsonObject ?? throw new ControlException("each busy period is an object {start, end}"))
                    .Select(p => (Start: Control.Time(p, "start"), End: Control.Time(p, "end")))
                    .ToArray();
                try
                {
                    if (request.Is("PUT")) SetBusy(calendarId, periods);
                    else foreach (var p in periods) AddBusy(calendarId, p.Start, p.End);
                }
                catch (ArgumentException e) { throw new ControlException(e.Message); }
                lock (Gate) calendar = CalendarJson(calendarId);
                await Json.WriteAsync(context, 200, calendar);
                return true;
            case ["service_accounts"] when request.Is("POST"):
                var body = request.Json() as JsonObject ?? throw new ControlException("the body must be a JSON object");
                try
                {
                    TrustServiceAccount(Control.String(body, "client_email") ?? throw new ControlException("'client_email' is required"),
                        Control.String(body, "public_key_pem") ?? throw new ControlException("'public_key_pem' is required"), Control.String(body, "key_id"));
                }
                catch (ArgumentException e) { throw new ControlException($"public_key_pem: {e.Message}"); }
                await Json.WriteAsync(context, 200, new JsonObject { ["trusted"] = Control.String(body, "client_email") });
                return true;
            default:
                return false;
        }
    }

    JsonObject CalendarJson(string id) => new()
    {
        ["busy"] = Json.Array(Calendar(id).Busy.OrderBy(p => p.Start).Select(p => (JsonNode)new JsonObject { ["start"] = GoogleTime(p.Start), ["end"] = GoogleTime(p.End) })),
        ["events"] = Json.Array(Calendar(id).Events.Select(e => e.Event.DeepClone())),
    };

    public override JsonObject DumpState() => new()
    {
        ["service_accounts"] = Json.Array(_accounts.Keys.Order().Select(k => (JsonNode)k)),
        ["tokens"] = Json.Array(_tokens.Values.Select(t => (JsonNode)new JsonObject
        {
            ["subject"] = t.Subject, ["scopes"] = Json.Array(t.Scopes.Select(s => (JsonNode)s)), ["expires"] = GoogleTime(t.Expires),
        })),
        ["calendars"] = new JsonObject(_calendars.Keys.Order().Select(k => KeyValuePair.Create(k, (JsonNode?)CalendarJson(k)))),
    };
}

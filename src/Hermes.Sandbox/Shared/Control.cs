using System.Text.Json.Nodes;

namespace Hermes.Sandbox;

/// <summary>A bad request to a control endpoint (answered 400 with the message).</summary>
public sealed class ControlException(string message) : Exception(message);

/// <summary>Reading the control surface's small JSON bodies.</summary>
public static class Control
{
    public static string? String(JsonObject body, string name) =>
        body[name] switch
        {
            null => null,
            JsonValue v when Json.IsString(v, out var s) => s,
            _ => throw new ControlException($"'{name}' must be a string"),
        };

    public static int? Int(JsonObject body, string name) => Long(body, name) is { } l ? checked((int)l) : null;

    public static long? Long(JsonObject body, string name) =>
        body[name] switch
        {
            null => null,
            var n when Json.TryGetLong(n, out var l) => l,
            _ => throw new ControlException($"'{name}' must be a whole number"),
        };

    public static DateTimeOffset Time(JsonObject body, string name) =>
        String(body, name) is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw new ControlException($"'{name}' must be an ISO 8601 date-time");
}

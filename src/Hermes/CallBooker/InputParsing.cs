using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.Operations.Input;
using Hermes.Operations;

namespace Hermes.CallBooker;

/// <summary>
/// Reads a JSON request body field by field, the way pydantic's lax mode did for hermes_v2: a missing field, a wrong
/// type or an unparsable value each become one entry of the 422 list instead of an exception.
/// </summary>
public sealed class JsonBody(JsonObject body, ValidationErrors errors)
{
    public JsonObject Raw => body;
    public ValidationErrors Errors => errors;

    /// <summary>Parses the request body as a JSON object; on failure the 422 to answer with.</summary>
    public static async Task<(JsonBody? Body, IResult? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        byte[] bytes;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, ct);
            bytes = buffer.ToArray();
        }
        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            return (null, ValidationErrors.Single(["body"], "missing", "Field required"));
        var (node, problem) = StrictJson.Parse(bytes);
        if (problem is not null)
            return (null, problem.Type == JsonProblem.Invalid
                ? ValidationErrors.Single(["body", (problem.BytePosition ?? 0).ToString(CultureInfo.InvariantCulture)], "json_invalid", "JSON decode error")
                : ValidationErrors.Single(["body", .. problem.Path], problem.Type, problem.Sentence));
        if (node is not JsonObject obj)
            return (null, ValidationErrors.Single(["body"], "model_attributes_type",
                "Input should be a valid dictionary or object to extract fields from", node?.DeepClone()));
        return (new JsonBody(obj, new ValidationErrors()), null);
    }

    JsonNode? Get(string field) => body.TryGetPropertyValue(field, out var v) ? v : null;

    bool Missing(string field, bool required)
    {
        var value = Get(field);
        if (value is not null) return false;
        if (required) errors.Body(field, "missing", "Field required", body.ContainsKey(field) ? null : body);
        return true;
    }

    /// <summary>A string, trimmed. Empty after trimming counts as absent for optional fields.</summary>
    public string? String(string field, bool required, int maxLength = 255)
    {
        if (Missing(field, required)) return null;
        var node = Get(field)!;
        if (node.GetValueKind() != JsonValueKind.String)
        {
            errors.Body(field, "string_type", "Input should be a valid string", node);
            return null;
        }
        var value = node.GetValue<string>().Trim();
        if (value.Length == 0)
        {
            if (required) errors.Body(field, "string_too_short", "String should have at least 1 character", node);
            return null;
        }
        if (value.Length > maxLength)
        {
            errors.Body(field, "string_too_long", $"String should have at most {maxLength} characters", node);
            return null;
        }
        return value;
    }

    /// <summary>A string or a number, kept as text (<c>estimated_income</c>: 1000 and "1000" are the same).</summary>
    public string? StringOrNumber(string field, bool required)
    {
        if (Missing(field, required)) return null;
        var node = Get(field)!;
        if (node.GetValueKind() == JsonValueKind.Number) return node.ToJsonString();
        return String(field, required);
    }

    /// <summary>An integer, also given as a numeric string (the website sends <c>company_id</c> as one). "" is absent.</summary>
    public int? Int(string field, bool required)
    {
        if (Missing(field, required)) return null;
        var node = Get(field)!;
        switch (node.GetValueKind())
        {
            case JsonValueKind.Number:
                if (node.AsValue().TryGetValue<int>(out var n)) return n;
                if (node.AsValue().TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue) return (int)d;
                errors.Body(field, "int_from_float", "Input should be a valid integer, got a number with a fractional part", node);
                return null;
            case JsonValueKind.String:
                var text = node.GetValue<string>().Trim();
                if (text.Length == 0 && !required) return null;
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                errors.Body(field, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", node);
                return null;
            default:
                errors.Body(field, "int_type", "Input should be a valid integer", node);
                return null;
        }
    }

    /// <summary>A point in time: unix seconds, ISO 8601 with or without offset (naive = UTC), or 'YYYY-MM-DD HH:MM'.</summary>
    public DateTime? DateTime(string field, bool required)
    {
        if (Missing(field, required)) return null;
        var node = Get(field)!;
        DateTime? value = node.GetValueKind() switch
        {
            JsonValueKind.Number => Dates.FromUnix(node.GetValue<double>()),
            JsonValueKind.String => Dates.Parse(node.GetValue<string>()),
            _ => null,
        };
        if (value is null)
            errors.Body(field, "datetime_parsing",
                "Input should be a valid datetime: a unix timestamp, ISO 8601 (e.g. 2026-07-03T09:00:00+00:00) or 'YYYY-MM-DD HH:MM'", node);
        return value;
    }

    /// <summary>Where a validation rule beyond the type failed, e.g. "meeting_dt must be in the future".</summary>
    public void Invalid(string field, string message) => errors.ValueError(["body", field], message, Get(field));
}

/// <summary>Date and time inputs of the call booker endpoints.</summary>
public static partial class Dates
{
    static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd' 'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd' 'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzzz",
    ];

    /// <summary>Unix seconds (or milliseconds, for values too large to be seconds, as pydantic does) to UTC.</summary>
    public static DateTime? FromUnix(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds)) return null;
        if (Math.Abs(seconds) > 2e10) seconds /= 1000;
        if (seconds is < -62135596800 or > 253402300799) return null;
        return System.DateTime.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>Parses a string date-time to UTC; null when it isn't one.</summary>
    public static DateTime? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return FromUnix(number);
        // An unencoded '+' in a query string arrives as a space: "2026-07-08T09:00:00 01:00".
        text = SpacedOffset().Replace(text, "$1+$2");
        if (text.EndsWith('z')) text = text[..^1] + "Z";
        return DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed.UtcDateTime
            : null;
    }

    /// <summary>hermes_v2's slot format: <c>2026-12-01T10:00:00+00:00</c>.</summary>
    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")]
    private static partial Regex SpacedOffset();
}

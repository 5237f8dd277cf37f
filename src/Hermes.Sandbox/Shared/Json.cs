using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox;

/// <summary>JSON reading and writing shared by the simulators (System.Text.Json nodes, compact, readable escaping).</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    /// <summary>The body parsed as JSON, or null when it is empty or not JSON.</summary>
    public static JsonNode? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return null; }
    }

    public static async Task WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Serialize(body), context.RequestAborted);
    }

    /// <summary>A JSON array from any sequence of nodes (the nodes must not have a parent yet).</summary>
    public static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An integer, whether parsed from JSON text or put in from C# as an int or a long.</summary>
    public static bool TryGetLong(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out value)) return true;
        if (v.TryGetValue(out int i)) { value = i; return true; }
        return false;
    }

    public static long AsLong(this JsonNode node) =>
        TryGetLong(node, out var value) ? value : throw new InvalidOperationException($"{node.ToJsonString()} is not an integer");

    public static bool IsString(JsonNode? node, out string value)
    {
        value = "";
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) { value = v.GetValue<string>(); return true; }
        return false;
    }
}

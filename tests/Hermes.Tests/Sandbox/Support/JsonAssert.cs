using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Tests.Sandbox.Support;

/// <summary>Whole-document JSON comparison with both documents printed on a mismatch.</summary>
public static class JsonAssert
{
    static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Equal(string expectedJson, JsonNode? actual) => Equal(JsonNode.Parse(expectedJson), actual);

    public static void Equal(JsonNode? expected, JsonNode? actual)
    {
        // Compare parsed forms so that 1 and 1.0 written differently by the two sides don't matter, but order of arrays does.
        var e = Normalise(expected);
        var a = Normalise(actual);
        if (!JsonNode.DeepEquals(e, a))
            Assert.Fail($"JSON differs.\nExpected:\n{e?.ToJsonString(Pretty) ?? "null"}\nActual:\n{a?.ToJsonString(Pretty) ?? "null"}");
    }

    static JsonNode? Normalise(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString());
}

/// <summary>Whole error bodies of the simulated services, for assertions.</summary>
public static class Errors
{
    public static System.Text.Json.Nodes.JsonObject Pipedrive(string error) => new()
    {
        ["success"] = false, ["error"] = error, ["error_info"] = "Please check developers.pipedrive.com", ["data"] = null, ["additional_data"] = null,
    };
}

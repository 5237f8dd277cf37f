using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Hermes.Sandbox;

/// <summary>
/// One request a simulator received: method, path below the simulator's prefix, query string, headers (names in
/// lower case), raw body, and the fault it was answered with, if any.
/// </summary>
public sealed record RecordedRequest(
    long Sequence,
    DateTimeOffset Time,
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    string? Fault)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;

    public string? Query(string name) =>
        QueryHelpers.ParseQuery(QueryString).TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>The body as JSON (null when empty or not JSON).</summary>
    public JsonNode? Json => Sandbox.Json.TryParse(Body);

    public override string ToString() => $"{Method} {Path}{QueryString}{(Fault is null ? "" : $" [{Fault}]")}";
}

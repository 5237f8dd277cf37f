using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox;

/// <summary>A request as a simulator's handler sees it: the path below the simulator's prefix and the buffered body.</summary>
public sealed class SimRequest(HttpContext context, string path, string body)
{
    public HttpContext Context { get; } = context;
    public string Path { get; } = path;
    public string Body { get; } = body;
    public string Method => Context.Request.Method;
    public string[] Segments { get; } = path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    public string? Query(string name) => Context.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
    public string? Header(string name) => Context.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
    public JsonNode? Json() => Sandbox.Json.TryParse(Body);

    /// <summary>The origin and prefix this simulator was reached at, e.g. <c>http://127.0.0.1:5001/pipedrive</c>.</summary>
    public string BaseUrl => $"{Context.Request.Scheme}://{Context.Request.Host}{Context.Request.PathBase}";

    public bool Is(string method) => Method.Equals(method, StringComparison.OrdinalIgnoreCase);
}

using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes.Tests.Operations;

/// <summary>
/// Sentry's ingestion endpoint for tests: a DSN <c>http://key@127.0.0.1:port/42</c> makes the SDK post envelopes
/// (newline-separated JSON: envelope header, then item header and payload pairs) to <c>/api/42/envelope/</c>. Keeps
/// the payload of every <c>event</c> item.
/// </summary>
public sealed class FakeSentry : IAsyncDisposable
{
    const string Project = "42";
    readonly WebApplication _app;
    public ConcurrentQueue<JsonObject> Events { get; } = new();
    public string Dsn { get; private set; } = "";

    FakeSentry(WebApplication app) => _app = app;

    public static async Task<FakeSentry> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var sentry = new FakeSentry(app);
        app.MapPost($"/api/{Project}/envelope/", async (HttpRequest request) =>
        {
            var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
            using var reader = new StreamReader(body);
            var lines = (await reader.ReadToEndAsync()).Split('\n');
            for (var i = 1; i + 1 < lines.Length; i += 2)
                if (JsonNode.Parse(lines[i])?["type"]?.GetValue<string>() == "event" && JsonNode.Parse(lines[i + 1]) is JsonObject payload)
                    sentry.Events.Enqueue(payload);
            return Results.Ok(new { id = Guid.NewGuid().ToString("N") });
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        sentry.Dsn = $"http://0123456789abcdef0123456789abcdef@{address.Host}:{address.Port}/{Project}";
        return sentry;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes.Tests.Sandbox.Support;

/// <summary>A received webhook: the exact body bytes as text and the headers (names in lower case).</summary>
public sealed record ReceivedWebhook(string Path, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A tiny Kestrel endpoint standing in for Hermes's callbacks: it records every POST and answers with
/// <see cref="Status"/>. Tests await the next request instead of sleeping.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();

    WebhookReceiver(WebApplication app) => _app = app;

    public int Status { get; set; } = 200;
    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            await receiver._received.Writer.WriteAsync(new ReceivedWebhook(context.Request.Path, body, headers));
            context.Response.StatusCode = receiver.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"status":"ok"}""");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/callback/");
        return receiver;
    }

    /// <summary>The next request received (waits for it, up to 30 s so a broken test fails instead of hanging).</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Everything received and not yet taken by <see cref="NextAsync"/>.</summary>
    public IReadOnlyList<ReceivedWebhook> Drain()
    {
        var list = new List<ReceivedWebhook>();
        while (_received.Reader.TryRead(out var item)) list.Add(item);
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

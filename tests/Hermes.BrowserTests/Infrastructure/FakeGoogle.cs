using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hermes.BrowserTests.Infrastructure;

/// <summary>
/// The two Google endpoints availability needs, on a free local port: the service-account token exchange and
/// Calendar's <c>freeBusy</c>, answering every calendar as free. Records the calendars asked about.
/// </summary>
public sealed class FakeGoogle : IAsyncDisposable
{
    readonly WebApplication _app;
    public Uri BaseAddress { get; }
    public ConcurrentQueue<string> FreeBusyCalendars { get; } = new();

    FakeGoogle(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<FakeGoogle> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeGoogle? self = null;
        app.MapPost("/token", () => Results.Json(new { access_token = "fake-token", token_type = "Bearer", expires_in = 3600 }));
        app.MapPost("/calendar/v3/freeBusy", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            var calendars = new JsonObject();
            foreach (var item in body?["items"] as JsonArray ?? [])
            {
                var id = item!["id"]!.GetValue<string>();
                self!.FreeBusyCalendars.Enqueue(id);
                calendars[id] = new JsonObject { ["busy"] = new JsonArray() };
            }
            return Results.Json(new JsonObject { ["kind"] = "calendar#freeBusy", ["calendars"] = calendars });
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        self = new FakeGoogle(app, address);
        return self;
    }

    public void Configure(Dictionary<string, string?> settings)
    {
        settings["G_TOKEN_URI"] = new Uri(BaseAddress, "/token").ToString();
        settings["GOOGLE_CALENDAR_BASE_URL"] = new Uri(BaseAddress, "/calendar/v3").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

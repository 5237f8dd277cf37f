using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Tests.Sandbox.Support;

/// <summary>A reply read whole: status, headers and body (as JSON when it is JSON).</summary>
public sealed record Reply(int Status, string Text, JsonNode? Json, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public string Header(string name) => Headers.TryGetValues(name, out var v) ? string.Join(",", v) : ContentHeaders.TryGetValues(name, out var c) ? string.Join(",", c) : "";
}

/// <summary>
/// The three simulators on a real Kestrel port with a fake clock fixed at <see cref="Start"/>, and an HTTP client.
/// One per test, so tests don't share state.
/// </summary>
public sealed class SimulatorFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    SimulatorFixture(SimulatorHost host, FakeTimeProvider clock)
    {
        Host = host;
        Clock = clock;
    }

    public SimulatorHost Host { get; }
    public FakeTimeProvider Clock { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<SimulatorFixture> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(Start);
        var host = await SimulatorHost.StartAsync(o =>
        {
            o.Time = clock;
            configure?.Invoke(o);
        });
        return new SimulatorFixture(host, clock);
    }

    /// <summary>A Pipedrive API call with the right token unless another is given ("" sends none).</summary>
    public Task<Reply> Pipedrive(HttpMethod method, string path, object? body = null, string? token = null)
    {
        var headers = new Dictionary<string, string>();
        token ??= Host.Pipedrive.Options.ApiToken;
        if (token.Length > 0) headers["x-api-token"] = token;
        return SendAsync(method, Host.PipedriveBaseUrl + path, body, headers);
    }

    public Task<Reply> Tc2(HttpMethod method, string path, object? body = null, string? authorization = null)
    {
        var headers = new Dictionary<string, string>();
        authorization ??= "token " + Host.Tc2.Options.ApiKey;
        if (authorization.Length > 0) headers["Authorization"] = authorization;
        return SendAsync(method, Host.Tc2BaseUrl + path, body, headers);
    }

    public async Task<Reply> SendAsync(HttpMethod method, string url, object? body = null, IDictionary<string, string>? headers = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (content is not null) request.Content = content;
        else if (body is not null)
            request.Content = new StringContent(body is string s ? s : body is JsonNode n ? n.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body),
                Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json") json = JsonNode.Parse(text);
        return new Reply((int)response.StatusCode, text, json, response.Headers, response.Content.Headers);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}

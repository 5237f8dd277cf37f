using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Configuration;

namespace Hermes.Tc2;

/// <summary>
/// TC2's API (<c>{TC2_BASE_URL}/api/…</c>, <c>Authorization: token &lt;TC2_API_KEY&gt;</c>): read a client, write one back.
/// Failures are typed by status code: 404 → <see cref="Tc2NotFoundException"/>, 429 → <see cref="Tc2RateLimitedException"/>,
/// other errors and empty answers → <see cref="Tc2Exception"/>; what a job does about each is <see cref="Tc2ErrorPolicy"/>.
/// </summary>
public sealed class Tc2Client(HttpClient http, HermesSettings settings)
{
    /// <summary><c>GET clients/{id}/</c>: the client in the shape Hermes reads (<see cref="Tc2Cligency"/> parses it).</summary>
    public async Task<JsonObject> GetClientAsync(int cligencyId, CancellationToken ct) =>
        await SendAsync(HttpMethod.Get, $"clients/{cligencyId}/", null, ct);

    /// <summary><c>POST clients/</c>: TC2 updates the client with the body's <c>user.email</c> (how hermes_v2 wrote back).</summary>
    public async Task<JsonObject> PostClientAsync(JsonObject body, CancellationToken ct) =>
        await SendAsync(HttpMethod.Post, "clients/", body, ct);

    async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        if (settings.Tc2BaseUrl.Length == 0) throw new Tc2NotConfiguredException();
        using var request = new HttpRequestMessage(method, $"{settings.Tc2BaseUrl}/api/{path}");
        request.Headers.TryAddWithoutValidation("Authorization", $"token {settings.Tc2ApiKey}");
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

        HttpResponseMessage response;
        string text;
        try
        {
            response = await http.SendAsync(request, ct);
            text = await response.Content.ReadAsStringAsync(ct);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new Tc2Exception(null, method.Method, path, "no answer within the timeout", e);
        }
        catch (HttpRequestException e)
        {
            throw new Tc2Exception(null, method.Method, path, e.Message, e);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new Tc2RateLimitedException(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(10), $"TC2 {method} {path} answered 429: rate limited");
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                throw new Tc2NotFoundException(method.Method, path);
            if (!response.IsSuccessStatusCode)
                throw new Tc2Exception(response.StatusCode, method.Method, path, text.Length > 500 ? text[..500] : text);
            try
            {
                return JsonNode.Parse(text) as JsonObject ?? throw new Tc2Exception(response.StatusCode, method.Method, path, "the answer is not a JSON object");
            }
            catch (JsonException)
            {
                throw new Tc2Exception(response.StatusCode, method.Method, path, "the answer is empty or not JSON");
            }
        }
    }
}

public class Tc2Exception(HttpStatusCode? status, string method, string path, string detail, Exception? inner = null)
    : Exception($"TC2 {method} {path}{(status is { } s ? $" answered {(int)s}" : "")}: {detail}", inner)
{
    public HttpStatusCode? Status { get; } = status;
}

public sealed class Tc2NotFoundException(string method, string path) : Tc2Exception(HttpStatusCode.NotFound, method, path, "not found");

/// <summary>429: TC2 asks Hermes to wait.</summary>
public sealed class Tc2RateLimitedException(TimeSpan retryAfter, string reason) : Exception(reason)
{
    public TimeSpan Delay { get; } = retryAfter;
}

/// <summary>No <c>TC2_BASE_URL</c>: nothing to call.</summary>
public sealed class Tc2NotConfiguredException() : Exception("TC2_BASE_URL is not set");

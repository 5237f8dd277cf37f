using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Configuration;

namespace Hermes.Pipedrive;

/// <summary>
/// Pipedrive API v2 (<c>{PD_BASE_URL}/api/v2/…</c>, <c>x-api-token</c>): v1 organizations/persons/deals/activities/search
/// went out of support on 2026-08-01. Answers are the <c>data</c> of Pipedrive's envelope; failures are typed
/// exceptions chosen by status code (PipedriveErrors.cs).
/// </summary>
public sealed class PipedriveClient(HttpClient http, HermesSettings settings, IPipedriveRateLimit rateLimit)
{
    public const string Organizations = "organizations";
    public const string Persons = "persons";
    public const string Deals = "deals";
    public const string Activities = "activities";
    public const string Pipelines = "pipelines";
    public const string Stages = "stages";

    /// <summary>The object, or <see cref="PipedriveGoneException"/> when Pipedrive no longer has it.</summary>
    public async Task<JsonObject> GetAsync(string entity, int id, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, $"{entity}/{id}", null, search: false, ct))!.AsObject();

    public async Task<JsonObject> CreateAsync(string entity, JsonObject body, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Post, entity, body, search: false, ct))!.AsObject();

    public async Task<JsonObject> UpdateAsync(string entity, int id, JsonObject body, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Patch, $"{entity}/{id}", body, search: false, ct))!.AsObject();

    public async Task DeleteAsync(string entity, int id, CancellationToken ct) =>
        await SendAsync(HttpMethod.Delete, $"{entity}/{id}", null, search: false, ct);

    /// <summary><c>GET /{entity}/search</c>: the found items (each the <c>item</c> of a search result).</summary>
    public async Task<IReadOnlyList<JsonObject>> SearchAsync(string entity, string term, string? fields, bool exactMatch, int limit, CancellationToken ct)
    {
        var query = $"term={Uri.EscapeDataString(term)}&exact_match={(exactMatch ? "true" : "false")}&limit={limit}"
                    + (fields is null ? "" : $"&fields={Uri.EscapeDataString(fields)}");
        var data = await SendAsync(HttpMethod.Get, $"{entity}/search?{query}", null, search: true, ct);
        return data?["items"]?.AsArray().Select(i => i?["item"]?.AsObject()).OfType<JsonObject>().ToList() ?? [];
    }

    async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, bool search, CancellationToken ct)
    {
        await rateLimit.WaitAsync(search, ct);
        using var request = new HttpRequestMessage(method, $"{settings.PdBaseUrl}/api/v2/{path}");
        request.Headers.Add("x-api-token", settings.PdApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

        using var response = await http.SendAsync(request, ct);
        rateLimit.Observe(search, response);
        var text = await response.Content.ReadAsStringAsync(ct);
        var status = response.StatusCode;
        var shortPath = path.Split('?')[0];

        if (status is HttpStatusCode.TooManyRequests ||
            (status is HttpStatusCode.Forbidden && !LooksLikeJson(text)))
            throw new PipedriveRateLimitedException(RetryAfter(response), $"Pipedrive {method} {shortPath} answered {(int)status}: rate limited");
        if (status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            throw new PipedriveGoneException(status, method.Method, shortPath, text);
        if (!response.IsSuccessStatusCode)
            throw new PipedriveException(status, method.Method, shortPath, text);

        JsonNode? envelope;
        try { envelope = JsonNode.Parse(text); }
        catch (JsonException) { envelope = null; }
        if (envelope is not JsonObject obj)
            throw new PipedriveEmptyResponseException(method.Method, shortPath, (int)status);
        if (obj["success"]?.GetValueKind() == JsonValueKind.False)
            throw new PipedriveException(status, method.Method, shortPath, text);
        return obj["data"]?.DeepClone();
    }

    static bool LooksLikeJson(string text) => text.TrimStart().StartsWith('{');

    /// <summary>Pipedrive says when its 2-second window resets in <c>x-ratelimit-reset</c> (seconds); otherwise wait a little.</summary>
    static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-ratelimit-reset", out var values) &&
            double.TryParse(values.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600));
        if (response.Headers.RetryAfter?.Delta is { } delta) return delta;
        return TimeSpan.FromSeconds(2);
    }
}

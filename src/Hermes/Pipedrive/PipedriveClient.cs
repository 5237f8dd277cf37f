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
/// exceptions chosen by status code (PipedriveErrors.cs). Every request goes through the rate limiter.
/// Bodies: updates are PATCHes of only the fields given, custom fields travel in a <c>custom_fields</c> object, and
/// persons' <c>emails</c>/<c>phones</c> are <c>[{value, label, primary}]</c> lists (see <see cref="ContactList"/>).
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
        Object(await SendAsync(HttpMethod.Get, $"{entity}/{id}", null, search: false, ct), HttpMethod.Get, entity);

    public async Task<JsonObject> CreateAsync(string entity, JsonObject body, CancellationToken ct) =>
        Object(await SendAsync(HttpMethod.Post, entity, body, search: false, ct), HttpMethod.Post, entity);

    /// <summary>PATCH: Pipedrive changes only the fields in <paramref name="body"/>.</summary>
    public async Task<JsonObject> UpdateAsync(string entity, int id, JsonObject body, CancellationToken ct) =>
        Object(await SendAsync(HttpMethod.Patch, $"{entity}/{id}", body, search: false, ct), HttpMethod.Patch, entity);

    public async Task DeleteAsync(string entity, int id, CancellationToken ct) =>
        await SendAsync(HttpMethod.Delete, $"{entity}/{id}", null, search: false, ct);

    /// <summary><c>GET /{entity}/search</c>: the found items (each the <c>item</c> of a search result).</summary>
    public async Task<IReadOnlyList<JsonObject>> SearchAsync(string entity, string term, string? fields, bool exactMatch, int limit, CancellationToken ct)
    {
        var query = $"term={Uri.EscapeDataString(term)}&exact_match={(exactMatch ? "true" : "false")}&limit={limit}"
                    + (fields is null ? "" : $"&fields={Uri.EscapeDataString(fields)}");
        var data = await SendAsync(HttpMethod.Get, $"{entity}/search?{query}", null, search: true, ct);
        return data?["items"] is JsonArray items ? items.Select(i => i?["item"] as JsonObject).OfType<JsonObject>().ToList() : [];
    }

    /// <summary>
    /// A filtered list (<c>GET /{entity}?org_id=…</c>), following <c>next_cursor</c> for at most
    /// <paramref name="maxPages"/> pages of 100.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string entity, IReadOnlyDictionary<string, string> filters, CancellationToken ct, int maxPages = 5)
    {
        var result = new List<JsonObject>();
        string? cursor = null;
        for (var page = 0; page < maxPages; page++)
        {
            var query = string.Join("&", filters.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}").Append("limit=100")
                .Concat(cursor is null ? [] : [$"cursor={Uri.EscapeDataString(cursor)}"]));
            var (data, additional) = await SendWithAdditionalAsync(HttpMethod.Get, $"{entity}?{query}", null, search: false, ct);
            if (data is JsonArray rows) result.AddRange(rows.OfType<JsonObject>());
            cursor = additional?["next_cursor"]?.GetValueKind() == JsonValueKind.String ? additional["next_cursor"]!.GetValue<string>() : null;
            if (cursor is null) break;
        }
        return result;
    }

    /// <summary>
    /// Every object of a kind (<c>GET /{entity}?limit=500</c>, then each <c>next_cursor</c> page until there is none),
    /// page by page, for walks that must see everything (the reconcile, the set-up import). Deleted objects are not
    /// listed (API v2 leaves them out; deals too unless asked for). A page answered 429 is asked again once the rate
    /// limit's window has passed (up to five times), so a long walk survives other Hermes processes' traffic.
    /// </summary>
    public async IAsyncEnumerable<JsonObject> ListAllAsync(string entity, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? cursor = null;
        do
        {
            var path = $"{entity}?limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            JsonNode? data;
            JsonObject? additional;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    (data, additional) = await SendWithAdditionalAsync(HttpMethod.Get, path, null, search: false, ct);
                    break;
                }
                catch (PipedriveRateLimitedException e) when (attempt < 5)
                {
                    await Task.Delay(e.Delay, ct);
                }
            }
            foreach (var row in (data as JsonArray ?? []).OfType<JsonObject>()) yield return row;
            cursor = additional?["next_cursor"]?.GetValueKind() == JsonValueKind.String ? additional["next_cursor"]!.GetValue<string>() : null;
        } while (cursor is not null);
    }

    /// <summary>
    /// <c>GET /api/v1/users</c>: the company's users (owners) with <c>id</c>, <c>name</c>, <c>email</c> and
    /// <c>active_flag</c>. Users have no API v2 endpoint; v1 answers them all in one list.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> UsersAsync(CancellationToken ct)
    {
        var (data, _) = await SendWithAdditionalAsync(HttpMethod.Get, "users", null, search: false, ct, apiVersion: "v1");
        return (data as JsonArray ?? []).OfType<JsonObject>().ToList();
    }

    /// <summary><c>GET /{organization|person|deal}Fields</c>: each custom field's key and Pipedrive type.</summary>
    public async Task<IReadOnlyDictionary<string, string>> FieldTypesAsync(string objectName, CancellationToken ct)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var page = 0; page < 10; page++)
        {
            var path = $"{objectName}Fields?limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var (data, additional) = await SendWithAdditionalAsync(HttpMethod.Get, path, null, search: false, ct);
            foreach (var field in (data as JsonArray ?? []).OfType<JsonObject>())
                if ((field["field_code"] ?? field["key"])?.GetValue<string>() is { } code && (field["field_type"] ?? field["type"]) is JsonValue type)
                    types[code] = type.GetValue<string>();
            cursor = additional?["next_cursor"]?.GetValueKind() == JsonValueKind.String ? additional["next_cursor"]!.GetValue<string>() : null;
            if (cursor is null) break;
        }
        return types;
    }

    /// <summary>
    /// <c>emails</c>/<c>phones</c> as API v2 wants them: <c>[{value, label: "work", primary: true}]</c>, or null when
    /// there is no value (Pipedrive answers 400 to an entry with an empty value).
    /// </summary>
    public static JsonArray? ContactList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : [new JsonObject { ["value"] = value.Trim(), ["label"] = "work", ["primary"] = true }];

    /// <summary>Cloudflare's HTML 403, which Pipedrive serves to clients that keep going after a 429.</summary>
    public static bool IsCloudflareBlock(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Forbidden && response.Content.Headers.ContentType?.MediaType is not "application/json";

    static JsonObject Object(JsonNode? data, HttpMethod method, string path) =>
        data as JsonObject ?? throw new PipedriveEmptyResponseException(method.Method, path, 200);

    async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, bool search, CancellationToken ct) =>
        (await SendWithAdditionalAsync(method, path, body, search, ct)).Data;

    async Task<(JsonNode? Data, JsonObject? Additional)> SendWithAdditionalAsync(HttpMethod method, string path, JsonObject? body, bool search,
        CancellationToken ct, string apiVersion = "v2")
    {
        var shortPath = path.Split('?')[0];
        var permit = await rateLimit.AcquireAsync(search, ct);
        HttpResponseMessage? response = null;
        string text;
        try
        {
            using var request = new HttpRequestMessage(method, $"{settings.PdBaseUrl}/api/{apiVersion}/{path}");
            request.Headers.Add("x-api-token", settings.PdApiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            try
            {
                response = await http.SendAsync(request, ct);
                text = await response.Content.ReadAsStringAsync(ct);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new PipedriveUnavailableException(method.Method, shortPath, "no answer within the timeout", e);
            }
            catch (HttpRequestException e)
            {
                throw new PipedriveUnavailableException(method.Method, shortPath, e.Message, e);
            }
        }
        finally
        {
            await permit.CompleteAsync(response);
        }

        using (response)
        {
            var status = response.StatusCode;
            if (status is HttpStatusCode.TooManyRequests || (status is HttpStatusCode.Forbidden && (IsCloudflareBlock(response) || !LooksLikeJson(text))))
            {
                Operations.Telemetry.PipedriveRateLimited((int)status);
                throw new PipedriveRateLimitedException(RetryAfter(response), $"Pipedrive {method} {shortPath} answered {(int)status}: rate limited");
            }
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
            return (obj["data"]?.DeepClone(), obj["additional_data"]?.DeepClone() as JsonObject);
        }
    }

    static bool LooksLikeJson(string text) => text.TrimStart().StartsWith('{');

    /// <summary>Pipedrive says when its 2-second window resets in <c>x-ratelimit-reset</c> (seconds); otherwise wait a little.</summary>
    static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-ratelimit-reset", out var values) &&
            double.TryParse(values.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600));
        if (response.Headers.RetryAfter?.Delta is { } delta) return delta;
        return response.StatusCode == HttpStatusCode.Forbidden ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(2);
    }
}

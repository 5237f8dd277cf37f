using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// A Pipedrive company behind API v2 (research/external_apis.md §B, §C): organizations, persons, deals, activities,
/// pipelines and stages with create/get/list (cursor paging)/update (PATCH)/delete, organization and person search,
/// the <c>{success, data, additional_data}</c> envelope and Pipedrive's error bodies, <c>x-api-token</c>
/// authentication, the burst rate limits with their <c>x-ratelimit-*</c> headers, and webhooks for every change
/// (<see cref="Webhooks"/>). Tests drive it through the C# methods here or over HTTP under <c>_control/</c>.
/// </summary>
public sealed partial class PipedriveSimulator : Simulator, IDisposable
{
    readonly PipedriveData _data;
    readonly RollingWindowLimiter _general;
    readonly RollingWindowLimiter _search;

    public PipedriveSimulator(PipedriveOptions? options = null, TimeProvider? time = null) : base(time ?? TimeProvider.System)
    {
        Options = options ?? new PipedriveOptions();
        _data = new PipedriveData(Options, Time);
        _general = new RollingWindowLimiter(() => RateLimits.General, () => RateLimits.Window);
        _search = new RollingWindowLimiter(() => RateLimits.Search, () => RateLimits.Window);
        Webhooks = new PipedriveWebhooks(Options, Time);
    }

    public override string Name => "pipedrive";
    public PipedriveOptions Options { get; }
    public PipedriveRateLimits RateLimits { get; } = new();
    public PipedriveWebhooks Webhooks { get; }

    protected override void ResetState()
    {
        _data.Clear();
        _general.Clear();
        _search.Clear();
        Webhooks.Clear();
    }

    public void Dispose() => Webhooks.Dispose();

    // ---- C# control surface: changes made here are "made in the web app" (webhooks say change_source "app") ----

    public void AddUser(long id, string name, string email, bool active = true)
    {
        lock (Gate) _data.Users[id] = new PdUser(id, name, email, active);
    }

    public IReadOnlyList<PdUser> Users { get { lock (Gate) return _data.Users.Values.OrderBy(u => u.Id).ToArray(); } }

    /// <summary>Defines a custom field of organizations, persons or deals under its 40-hex key.</summary>
    public void DefineCustomField(string entity, string key, string name, string type = "varchar")
    {
        lock (Gate) _data.DefineCustomField(Entity(entity), new PdCustomField(key, name, type));
    }

    public IReadOnlyList<PdCustomField> CustomFields(string entity) { lock (Gate) return _data.CustomFields(Entity(entity)).ToArray(); }

    /// <summary>Creates an object as a user would in the web app; <paramref name="id"/> picks its id. <paramref name="notify"/>: send webhooks.</summary>
    public JsonObject Create(string entity, JsonObject body, long? id = null, bool notify = true) =>
        Mutate(notify, changes => _data.Create(Entity(entity), body, PdChange.SourceApp, changes, id));

    public JsonObject Update(string entity, long id, JsonObject body, bool notify = true) =>
        Mutate(notify, changes => _data.Update(Entity(entity), id, body, PdChange.SourceApp, changes));

    public void Delete(string entity, long id, bool notify = true) =>
        Mutate<object?>(notify, changes => { _data.Delete(Entity(entity), id, PdChange.SourceApp, changes); return null; });

    /// <summary>Merges <paramref name="fromId"/> into <paramref name="intoId"/> (organizations, persons or deals) and sends the merge webhooks.</summary>
    public JsonObject Merge(string entity, long fromId, long intoId, bool notify = true) =>
        Mutate(notify, changes => _data.Merge(Entity(entity), fromId, intoId, PdChange.SourceApp, changes));

    /// <summary>A live object in its API v2 shape, or null when there is none (or it was deleted).</summary>
    public JsonObject? Get(string entity, long id) { lock (Gate) return (JsonObject?)_data.Find(Entity(entity), id)?.DeepClone(); }

    /// <summary>Every live object of the kind, in id order.</summary>
    public IReadOnlyList<JsonObject> List(string entity) { lock (Gate) return _data.Live(Entity(entity)).Select(r => (JsonObject)r.DeepClone()).ToArray(); }

    static PdEntity Entity(string name) => PdEntity.FromName(name) ?? throw new ArgumentException($"no such Pipedrive object kind '{name}'", nameof(name));

    T Mutate<T>(bool notify, Func<List<PdChange>, T> change)
    {
        lock (Gate)
        {
            var changes = new List<PdChange>();
            var result = change(changes);
            if (notify) Webhooks.Enqueue(changes, _data.CustomFields);
            return result is JsonObject obj ? (T)(object)obj.DeepClone() : result;
        }
    }

    // ---- the API ----

    protected override (int Limit, int ResetSeconds) RateLimitFigures => (RateLimits.General, (int)RateLimits.Window.TotalSeconds);

    protected override Task WriteServerErrorAsync(HttpContext context, int status) =>
        WriteErrorAsync(context, status, status == 503 ? "Service Unavailable" : "Internal server error");

    protected override Task WriteRateLimitedAsync(HttpContext context) => WriteErrorAsync(context, 429, "Request over limit");

    static Task WriteErrorAsync(HttpContext context, int status, string error) =>
        Json.WriteAsync(context, status, new JsonObject
        {
            ["success"] = false, ["error"] = error, ["error_info"] = "Please check developers.pipedrive.com", ["data"] = null, ["additional_data"] = null,
        });

    protected override async Task HandleApiAsync(SimRequest request)
    {
        var context = request.Context;
        var isSearch = request.Segments is ["api", "v2", _, "search"];
        var limiter = isSearch ? _search : _general;
        var now = Time.GetUtcNow();

        if (request.Header("x-api-token") != Options.ApiToken)
        {
            (int, int) peek;
            lock (Gate) peek = limiter.Peek(now);
            SetRateHeaders(context, limiter.Limit, peek.Item1, peek.Item2);
            await WriteErrorAsync(context, 401, "unauthorized access");
            return;
        }

        if (RateLimits.Enabled)
        {
            (bool Allowed, int Remaining, int Reset) slot;
            lock (Gate) slot = limiter.TryAcquire(now);
            SetRateHeaders(context, limiter.Limit, slot.Remaining, slot.Reset);
            if (!slot.Allowed)
            {
                await WriteErrorAsync(context, 429, "Request over limit");
                return;
            }
        }
        else SetRateHeaders(context, limiter.Limit, limiter.Limit, (int)RateLimits.Window.TotalSeconds);

        int status;
        JsonNode body;
        try
        {
            lock (Gate) (status, body) = Route(request);
        }
        catch (PdValidationException e)
        {
            await WriteErrorAsync(context, 400, "Validation failed: " + e.Message);
            return;
        }
        catch (PdNotFoundException e)
        {
            await WriteErrorAsync(context, 404, e.Message);
            return;
        }
        if (status >= 400) await WriteErrorAsync(context, status, body.GetValue<string>());
        else await Json.WriteAsync(context, status, body);
    }

    static void SetRateHeaders(HttpContext context, int limit, int remaining, int reset)
    {
        context.Response.Headers["x-ratelimit-limit"] = limit.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["x-ratelimit-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["x-ratelimit-reset"] = reset.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Answers under the lock: a status with the response body, or for errors the message.</summary>
    (int Status, JsonNode Body) Route(SimRequest request)
    {
        switch (request.Segments)
        {
            case ["api", "v2", var plural, "search"] when plural is "organizations" or "persons":
                if (!request.Is("GET")) return (405, "Method not allowed");
                return (200, Search(PdEntity.FromPlural(plural)!, request));
            case ["api", "v2", var plural] when PdEntity.FromPlural(plural) is { } entity:
                if (request.Is("GET")) return (200, ListPage(entity, request));
                if (!request.Is("POST")) return (405, "Method not allowed");
                return (200, Envelope(ApiMutation(changes => _data.Create(entity, Body(request), PdChange.SourceApi, changes))));
            case ["api", "v2", var plural, var idText] when PdEntity.FromPlural(plural) is { } entity:
                var id = Id(idText);
                if (request.Is("GET")) return (200, Envelope(_data.Get(entity, id).DeepClone()));
                if (request.Is("PATCH"))
                    return (200, Envelope(ApiMutation(changes => _data.Update(entity, id, Body(request), PdChange.SourceApi, changes))));
                if (request.Is("DELETE"))
                {
                    ApiMutation(changes => { _data.Delete(entity, id, PdChange.SourceApi, changes); return new JsonObject(); });
                    return (200, Envelope(new JsonObject { ["id"] = id }));
                }
                return (405, "Method not allowed");
            case ["api", "v1", "users"]:
                // Users have no API v2 endpoint (research §B.7): v1 lists them all at once, in its own shape.
                if (!request.Is("GET")) return (405, "Method not allowed");
                return (200, new JsonObject
                {
                    ["success"] = true,
                    ["data"] = new JsonArray(_data.Users.Values.OrderBy(u => u.Id).Select(u => (JsonNode)V1User(u)).ToArray()),
                    ["additional_data"] = new JsonObject(),
                });
            case ["v1", var plural, var idText, "merge"] when plural is "organizations" or "persons" or "deals":
                // Merging is still API v1 only (research §B.5): PUT /v1/{objects}/{id}/merge {merge_with_id}; {id} disappears.
                if (!request.Is("PUT")) return (405, "Method not allowed");
                var body = Body(request);
                if (!Json.TryGetLong(body["merge_with_id"], out var survivor)) throw new PdValidationException("merge_with_id: must be an integer");
                var entityToMerge = PdEntity.FromPlural(plural)!;
                var merged = ApiMutation(changes => _data.Merge(entityToMerge, Id(idText), survivor, PdChange.SourceApi, changes));
                return (200, Envelope(entityToMerge == PdEntity.Organization ? new JsonObject { ["id"] = survivor } : merged.DeepClone()));
            case ["api", "v2", var fieldsOf] when fieldsOf.EndsWith("Fields", StringComparison.Ordinal)
                                                  && PdEntity.FromName(fieldsOf[..^"Fields".Length]) is { HasCustomFields: true } fieldEntity:
                // The Fields API v2 (research §B.4): the custom fields with their codes and types, in one page.
                if (!request.Is("GET")) return (405, "Method not allowed");
                return (200, new JsonObject
                {
                    ["success"] = true,
                    ["data"] = new JsonArray(_data.CustomFields(fieldEntity).Select(f => (JsonNode)new JsonObject
                    {
                        ["field_code"] = f.Key, ["field_name"] = f.Name, ["field_type"] = f.Type, ["is_custom_field"] = true,
                    }).ToArray()),
                    ["additional_data"] = new JsonObject { ["next_cursor"] = null },
                });
            default:
                return (404, "Unknown method .");
        }
    }

    /// <summary>A user as <c>GET /v1/users</c> shows one (the fields Pipedrive documents that the simulator knows).</summary>
    JsonObject V1User(PdUser u) => new()
    {
        ["id"] = u.Id, ["name"] = u.Name, ["email"] = u.Email, ["phone"] = null, ["default_currency"] = Options.DefaultCurrency,
        ["locale"] = "en_GB", ["lang"] = 1, ["activated"] = u.Active, ["active_flag"] = u.Active, ["is_deleted"] = false,
        ["is_you"] = u.Id == Options.ApiUserId, ["has_created_company"] = u.Id == Options.ApiUserId, ["role_id"] = 1,
        ["timezone_name"] = "Europe/London", ["icon_url"] = null,
        ["access"] = new JsonArray(new JsonObject { ["app"] = "sales", ["admin"] = u.Id == Options.ApiUserId }),
    };

    JsonObject ApiMutation(Func<List<PdChange>, JsonObject> change)
    {
        var changes = new List<PdChange>();
        var result = change(changes);
        Webhooks.Enqueue(changes, _data.CustomFields);
        return result;
    }

    static JsonObject Envelope(JsonNode data) => new() { ["success"] = true, ["data"] = data.DeepClone() };

    static JsonObject Body(SimRequest request) =>
        request.Json() as JsonObject ?? throw new PdValidationException("the request body must be a JSON object");

    static long Id(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : throw new PdValidationException("id: must be a positive integer");

    JsonObject ListPage(PdEntity entity, SimRequest request)
    {
        var rows = entity == PdEntity.Deal && request.Query("status") is { } statuses && statuses.Split(',').Contains("deleted")
            ? _data.All(entity)
            : _data.Live(entity);

        foreach (var field in new[] { "owner_id", "org_id", "person_id", "deal_id", "pipeline_id", "stage_id" })
            if (request.Query(field) is { } text)
            {
                var value = Id(text);
                rows = rows.Where(r => r.ContainsKey(field) && r[field]?.AsLong() == value);
            }
        if (request.Query("ids") is { } ids)
        {
            var wanted = ids.Split(',', StringSplitOptions.TrimEntries).Select(Id).ToHashSet();
            rows = rows.Where(r => wanted.Contains(r["id"]!.AsLong()));
        }
        if (entity == PdEntity.Deal && request.Query("status") is { } status)
        {
            var wanted = status.Split(',', StringSplitOptions.TrimEntries);
            if (wanted.Any(s => s is not ("open" or "won" or "lost" or "deleted"))) throw new PdValidationException("status: must be open, won, lost or deleted");
            rows = rows.Where(r => wanted.Contains(r["is_deleted"]!.GetValue<bool>() ? "deleted" : r["status"]!.GetValue<string>()));
        }
        if (entity == PdEntity.Activity && request.Query("done") is { } done)
        {
            var wanted = done switch { "true" => true, "false" => false, _ => throw new PdValidationException("done: must be true or false") };
            rows = rows.Where(r => r["done"]!.GetValue<bool>() == wanted);
        }
        if (request.Query("updated_since") is { } since) rows = rows.Where(r => TimeOf(r, "update_time") >= Instant(since, "updated_since"));
        if (request.Query("updated_until") is { } until) rows = rows.Where(r => TimeOf(r, "update_time") < Instant(until, "updated_until"));

        var sortBy = request.Query("sort_by") ?? "id";
        if (sortBy is not ("id" or "update_time" or "add_time")) throw new PdValidationException("sort_by: must be id, update_time or add_time");
        var descending = (request.Query("sort_direction") ?? "asc") switch
        {
            "asc" => false, "desc" => true, _ => throw new PdValidationException("sort_direction: must be asc or desc"),
        };
        var sorted = sortBy == "id"
            ? rows.OrderBy(r => r["id"]!.AsLong())
            : rows.OrderBy(r => TimeOf(r, sortBy)).ThenBy(r => r["id"]!.AsLong());
        var list = (descending ? sorted.Reverse() : sorted).ToList();
        return Page(list, request, row => row.DeepClone());
    }

    JsonObject Search(PdEntity entity, SimRequest request)
    {
        var results = PipedriveSearch.Run(entity, _data, request.Query("term"), request.Query("fields"), request.Query("exact_match"),
            request.Query("organization_id"));
        var page = Page(results.ToList(), request, r => new JsonObject { ["result_score"] = r.Score, ["item"] = r.Item });
        return new JsonObject
        {
            ["success"] = true, ["data"] = new JsonObject { ["items"] = page["data"]!.DeepClone() }, ["additional_data"] = page["additional_data"]!.DeepClone(),
        };
    }

    /// <summary>Cursor paging: <c>limit</c> (default 100, at most 500) and an opaque <c>cursor</c>; <c>next_cursor</c> is null on the last page.</summary>
    static JsonObject Page<T>(List<T> items, SimRequest request, Func<T, JsonNode> render)
    {
        var limit = request.Query("limit") is { } limitText
            ? int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= 500 ? l : throw new PdValidationException("limit: must be an integer from 1 to 500")
            : 100;
        var offset = 0;
        if (request.Query("cursor") is { } cursor)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
                offset = decoded.StartsWith("offset:") ? int.Parse(decoded[7..], CultureInfo.InvariantCulture) : throw new FormatException();
            }
            catch (FormatException)
            {
                throw new PdValidationException("cursor: invalid");
            }
        }
        var page = items.Skip(offset).Take(limit).Select(render).ToArray();
        var next = offset + limit < items.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset + limit}")) : null;
        return new JsonObject { ["success"] = true, ["data"] = new JsonArray(page), ["additional_data"] = new JsonObject { ["next_cursor"] = next } };
    }

    static DateTimeOffset TimeOf(JsonObject row, string field) => DateTimeOffset.Parse(row[field]!.GetValue<string>(), CultureInfo.InvariantCulture);

    static DateTimeOffset Instant(string text, string name) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : throw new PdValidationException($"{name}: must be an RFC 3339 date-time");
}

using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// The HTTP control surface under <c>{prefix}/_control/</c> (besides reset, state, requests and faults, which every
/// simulator has): users, custom fields, objects changed "in the web app", merges, webhook subscriptions and
/// deliveries, rate limits. Object changes and merges take <c>?notify=false</c> to send no webhook.
/// </summary>
public sealed partial class PipedriveSimulator
{
    protected override async Task<bool> HandleControlAsync(SimRequest request)
    {
        var context = request.Context;
        var body = request.Body.Length > 0 ? request.Json() as JsonObject ?? throw new ControlException("the body must be a JSON object") : new JsonObject();
        // ?notify=false: a change Hermes never hears of (a lost webhook), to put the two out of step on purpose.
        var notify = request.Query("notify") is not ("false" or "0");
        try
        {
            switch (request.Segments)
            {
                case ["users"] when request.Is("POST"):
                    AddUser(Control.Long(body, "id") ?? throw new ControlException("'id' is required"),
                        Control.String(body, "name") ?? "", Control.String(body, "email") ?? "", body["active"]?.GetValue<bool>() ?? true);
                    await Json.WriteAsync(context, 200, Json.Array(Users.Select(u => (JsonNode)UserJson(u))));
                    return true;
                case ["custom_fields"] when request.Is("POST"):
                    var entity = Control.String(body, "entity") ?? throw new ControlException("'entity' is required (organization, person or deal)");
                    DefineCustomField(entity, Control.String(body, "key") ?? throw new ControlException("'key' is required (40 hex characters)"),
                        Control.String(body, "name") ?? "", Control.String(body, "type") ?? "varchar");
                    await Json.WriteAsync(context, 200, Json.Array(CustomFields(entity).Select(f => (JsonNode)FieldJson(f))));
                    return true;
                case ["merge"] when request.Is("POST"):
                    var merged = Merge(Control.String(body, "entity") ?? "organization",
                        Control.Long(body, "from_id") ?? throw new ControlException("'from_id' is required (the object that disappears)"),
                        Control.Long(body, "into_id") ?? throw new ControlException("'into_id' is required (the object that stays)"), notify);
                    await Json.WriteAsync(context, 200, merged);
                    return true;
                case ["webhooks"] when request.Is("GET"):
                    await Json.WriteAsync(context, 200, WebhooksJson());
                    return true;
                case ["webhooks", "deliver"] when request.Is("POST"):
                    var attempts = await Webhooks.DeliverPendingAsync(context.RequestAborted);
                    await Json.WriteAsync(context, 200, Json.Array(attempts.Select(a => (JsonNode)a.ToJson())));
                    return true;
                case ["webhooks", "subscriptions"] when request.Is("POST"):
                    var url = Control.String(body, "url") is { } u && Uri.TryCreate(u, UriKind.Absolute, out var parsed)
                        ? parsed
                        : throw new ControlException("'url' must be an absolute URL");
                    Webhooks.Subscribe(url, Control.String(body, "version") ?? "2.0", Control.String(body, "username"), Control.String(body, "password"));
                    await Json.WriteAsync(context, 200, WebhooksJson());
                    return true;
                case ["webhooks", "subscriptions"] when request.Is("DELETE"):
                    foreach (var s in Webhooks.Subscriptions) Webhooks.Unsubscribe(s);
                    await Json.WriteAsync(context, 200, WebhooksJson());
                    return true;
                case ["webhooks", "version"] when request.Is("POST"):
                    var version = Control.String(body, "version");
                    if (version is not ("1.0" or "2.0")) throw new ControlException("'version' must be 1.0 or 2.0");
                    foreach (var s in Webhooks.Subscriptions) s.Version = version;
                    await Json.WriteAsync(context, 200, WebhooksJson());
                    return true;
                case ["rate_limits"] when request.Is("POST"):
                    if (body["enabled"] is { } enabled) RateLimits.Enabled = enabled.GetValue<bool>();
                    if (Control.Int(body, "general") is { } general) RateLimits.General = general;
                    if (Control.Int(body, "search") is { } search) RateLimits.Search = search;
                    if (Control.Int(body, "window_seconds") is { } window) RateLimits.Window = TimeSpan.FromSeconds(window);
                    await Json.WriteAsync(context, 200, RateLimitsJson());
                    return true;
                case [var plural] when PdEntity.FromPlural(plural) is not null && request.Is("POST"):
                    long? id = Control.Long(body, "id");
                    body.Remove("id");
                    await Json.WriteAsync(context, 200, Create(plural, body, id, notify));
                    return true;
                case [var plural, var idText] when PdEntity.FromPlural(plural) is not null && long.TryParse(idText, out var objectId):
                    if (request.Is("PATCH")) await Json.WriteAsync(context, 200, Update(plural, objectId, body, notify));
                    else if (request.Is("DELETE"))
                    {
                        Delete(plural, objectId, notify);
                        await Json.WriteAsync(context, 200, new JsonObject { ["id"] = objectId });
                    }
                    else return false;
                    return true;
                default:
                    return false;
            }
        }
        catch (Exception e) when (e is PdValidationException or PdNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new ControlException(e.Message);
        }
    }

    public override JsonObject DumpState()
    {
        var state = new JsonObject
        {
            ["users"] = Json.Array(_data.Users.Values.OrderBy(u => u.Id).Select(u => (JsonNode)UserJson(u))),
            ["custom_fields"] = new JsonObject(PdEntity.All.Where(e => e.HasCustomFields).Select(e =>
                KeyValuePair.Create(e.Name, (JsonNode?)Json.Array(_data.CustomFields(e).Select(f => (JsonNode)FieldJson(f)))))),
        };
        foreach (var entity in PdEntity.All) state[entity.Plural] = Json.Array(_data.All(entity).Select(r => r.DeepClone()));
        state["webhooks"] = WebhooksJson();
        state["rate_limits"] = RateLimitsJson();
        return state;
    }

    JsonObject WebhooksJson() => new()
    {
        ["subscriptions"] = Json.Array(Webhooks.Subscriptions.Select(s => (JsonNode)s.ToJson())),
        ["deliveries"] = Json.Array(Webhooks.Deliveries.Select(d => (JsonNode)d.ToJson())),
    };

    JsonObject RateLimitsJson() => new()
    {
        ["enabled"] = RateLimits.Enabled, ["general"] = RateLimits.General, ["search"] = RateLimits.Search,
        ["window_seconds"] = RateLimits.Window.TotalSeconds,
    };

    static JsonObject UserJson(PdUser u) => new() { ["id"] = u.Id, ["name"] = u.Name, ["email"] = u.Email, ["active"] = u.Active };

    static JsonObject FieldJson(PdCustomField f) => new() { ["key"] = f.Key, ["name"] = f.Name, ["type"] = f.Type };
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Pipedrive;

/// <summary>What a Pipedrive webhook asks of Hermes: an object was created or changed (upsert), or deleted.</summary>
public enum PipedriveAction { Upsert, Delete }

/// <summary>
/// One Pipedrive webhook, v1 or v2, reduced to the same shape before any rule runs. Objects are flat: custom fields sit
/// at the root under their Pipedrive key with plain values, person emails/phones are the primary value, owner and
/// related ids are plain ints, and deals carry their owner as <c>owner_id</c> whichever version sent it.
/// </summary>
public sealed record PipedriveEvent(
    string Version,
    string Entity,
    string RawAction,
    PipedriveAction Action,
    int? Id,
    PipedriveObjectData? Current,
    PipedriveObjectData? Previous,
    int? MergedToId,
    int? MergedFromId,
    string? ChangeSource)
{
    public static readonly string[] Entities = ["organization", "person", "deal", "pipeline", "stage"];

    public bool IsKnownEntity => Entities.Contains(Entity);

    /// <summary>When the object last changed in Pipedrive, per this event (absent in some payloads).</summary>
    public DateTime? UpdateTime => Current?.Time("update_time") ?? Previous?.Time("update_time");
}

/// <summary>A Pipedrive object's fields, normalised. Absent and null are different: null means Pipedrive cleared it.</summary>
public sealed class PipedriveObjectData(Dictionary<string, JsonNode?> fields)
{
    public IReadOnlyDictionary<string, JsonNode?> Fields => fields;

    public bool Has(string key) => fields.ContainsKey(key);

    public JsonNode? this[string key] => fields.GetValueOrDefault(key);

    public int? Int(string key) => PipedriveWebhookParser.AsInt(this[key]);

    public string? Str(string key) => this[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        var other => other.ToJsonString(),
    };

    /// <summary>A plain value for storing: strings as they are, numbers and booleans as .NET values, anything else as JSON text.</summary>
    public object? Value(string key) => this[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => other.ToJsonString(),
    };

    public DateTime? Time(string key)
    {
        var text = Str(key);
        return text is not null && DateTime.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;
    }
}

/// <summary>The payload was not a Pipedrive webhook Hermes can read; the message says why (answered 400).</summary>
public sealed class InvalidWebhookException(string message) : Exception(message);

/// <summary>A field of a webhook names something that must exist in Hermes and doesn't (answered 422, FastAPI's shape).</summary>
public sealed class WebhookValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

public static class PipedriveWebhookParser
{
    /// <summary>A person's every email and phone (<c>email</c>/<c>phone</c> hold the primary one), as lists of strings.</summary>
    public const string AllEmails = "hermes:all_emails", AllPhones = "hermes:all_phones";

    public static PipedriveEvent Parse(JsonNode? root)
    {
        if (root is not JsonObject body) throw new InvalidWebhookException("the body must be a JSON object");
        if (body["meta"] is not JsonObject meta) throw new InvalidWebhookException("meta is missing");

        var v2 = meta["entity"] is not null || body.ContainsKey("data");
        var entity = (Text(meta[v2 ? "entity" : "object"]) ?? Text(meta["object"]) ?? Text(meta["entity"]))?.ToLowerInvariant()
                     ?? throw new InvalidWebhookException(v2 ? "meta.entity is missing" : "meta.object is missing");
        var action = Text(meta["action"])?.ToLowerInvariant() ?? "";

        var currentNode = v2 ? body["data"] : body["current"];
        var previousNode = body["previous"];
        if (currentNode is not (null or JsonObject)) throw new InvalidWebhookException($"{(v2 ? "data" : "current")} must be an object or null");
        if (previousNode is not (null or JsonObject)) throw new InvalidWebhookException("previous must be an object or null");

        var current = currentNode is JsonObject c ? Normalise(c, entity) : null;
        var previousRaw = previousNode is JsonObject p && p.Count > 0 ? p : null;
        var previous = previousRaw is null ? null : Normalise(previousRaw, entity);

        var delete = current is null || action is "deleted" or "delete";
        if (delete && previous is null && AsInt(meta["id"] ?? meta["entity_id"]) is null)
            throw new InvalidWebhookException("a delete must say which object (previous or meta.id)");

        if ((current is not null && current.Has("id") && current.Int("id") is null) || (previous is not null && previous.Has("id") && previous.Int("id") is null))
            throw new InvalidWebhookException("id must be a number");
        var id = current?.Int("id") ?? previous?.Int("id") ?? AsInt(meta["entity_id"]) ?? AsInt(meta["id"]);
        if (id is null && entity is "organization" or "person" or "deal" or "pipeline" or "stage")
            throw new InvalidWebhookException("the object's id is missing");

        return new PipedriveEvent(
            v2 ? "2" : "1", entity, action, delete ? PipedriveAction.Delete : PipedriveAction.Upsert, id,
            delete ? null : current, previous,
            AsInt(meta["merged_to_id"]), AsInt(meta["merged_from_id"]), Text(meta["change_source"]));
    }

    /// <summary>Flattens one object: custom fields to the root, wrapped values unwrapped, contact lists to their primary value.</summary>
    static PipedriveObjectData Normalise(JsonObject source, string entity)
    {
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            if (key == "custom_fields" && value is JsonObject custom)
            {
                foreach (var (cfKey, cfValue) in custom) fields[cfKey] = Unwrap(cfValue);
                continue;
            }
            fields[key] = value?.DeepClone();
        }

        // v1 sends related objects as {value: id, name: …}; v2 as plain ids (sometimes strings).
        foreach (var key in new[] { "id", "owner_id", "user_id", "org_id", "person_id", "pipeline_id", "stage_id", "creator_user_id" })
            if (fields.TryGetValue(key, out var node) && node is not null)
                fields[key] = AsInt(node) is { } i ? JsonValue.Create(i) : node;

        if (entity == "deal" && !fields.ContainsKey("owner_id") && fields.TryGetValue("user_id", out var user))
            fields["owner_id"] = user?.DeepClone();

        if (entity == "person")
        {
            if (fields.Remove("emails", out var emails) || fields.Remove("email", out emails))
                (fields["email"], fields[AllEmails]) = (Primary(emails), Every(emails));
            if (fields.Remove("phones", out var phones) || fields.Remove("phone", out phones))
                (fields["phone"], fields[AllPhones]) = (Primary(phones), Every(phones));
            if (!fields.ContainsKey("name") && (fields.ContainsKey("first_name") || fields.ContainsKey("last_name")))
                fields["name"] = JsonValue.Create($"{Text(fields.GetValueOrDefault("first_name"))} {Text(fields.GetValueOrDefault("last_name"))}".Trim());
        }
        return new PipedriveObjectData(fields);
    }

    /// <summary>v2 webhook custom fields come wrapped: {type, value}, {id, type} for options/people, {values:[{id}]} for sets.</summary>
    static JsonNode? Unwrap(JsonNode? node) => node switch
    {
        JsonObject o when o.ContainsKey("value") => o["value"]?.DeepClone(),
        JsonObject o when o.ContainsKey("id") => o["id"]?.DeepClone(),
        JsonObject o when o["values"] is JsonArray values =>
            JsonValue.Create(string.Join(",", values.Select(v => Text(v is JsonObject vo ? vo["id"] : v)).Where(v => v is not null))),
        _ => node?.DeepClone(),
    };

    /// <summary>Every non-empty value of an email/phone list (or the plain string), for matching a person made by hand.</summary>
    static JsonArray Every(JsonNode? node) =>
        new((node is JsonArray list ? list.Select(e => Text(e is JsonObject o ? o["value"] : e)) : [Text(node)])
            .Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => (JsonNode?)JsonValue.Create(v!.Trim())).ToArray());

    /// <summary>The primary entry of an email/phone list (else the first non-empty one), or a plain string as it is.</summary>
    static JsonNode? Primary(JsonNode? node)
    {
        if (node is JsonArray list)
        {
            var entries = list.Select(e => e is JsonObject o
                    ? (Value: Text(o["value"]), Primary: o["primary"] is JsonValue pv && (pv.GetValueKind() == JsonValueKind.True || Text(pv) == "true"))
                    : (Value: Text(e), Primary: false))
                .Where(e => !string.IsNullOrWhiteSpace(e.Value)).ToList();
            var chosen = entries.FirstOrDefault(e => e.Primary).Value ?? entries.FirstOrDefault().Value;
            return chosen is null ? null : JsonValue.Create(chosen);
        }
        return Text(node) is { Length: > 0 } s ? JsonValue.Create(s) : null;
    }

    public static int? AsInt(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
        JsonObject o => AsInt(o["value"] ?? o["id"]),
        _ => null,
    };

    static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        _ => null,
    };
}

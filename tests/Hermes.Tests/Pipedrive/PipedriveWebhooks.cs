using System.Text.Json.Nodes;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// Builds webhooks as Pipedrive sends them, in both versions (research/external_apis.md §A): v1 with
/// <c>meta.object</c>/<c>current</c>/<c>previous</c> (full objects, custom fields flat, related ids as objects) and v2 with
/// <c>meta.entity</c>/<c>data</c>/<c>previous</c> (only changed fields, custom fields wrapped as {type, value}, string ids in meta).
/// An object is described once as flat fields; the builder renders it in the version asked for.
/// </summary>
public static class PipedriveWebhooks
{
    public const string V1 = "v1";
    public const string V2 = "v2";

    public static JsonObject Create(string version, string entity, Dictionary<string, object?> data) =>
        version == V1
            ? V1Body("added", entity, ToV1(entity, data), null)
            : V2Body("create", entity, Id(data), ToV2(entity, data), null);

    public static JsonObject Update(string version, string entity, Dictionary<string, object?> previous, Dictionary<string, object?> current, int? mergedFromId = null)
    {
        if (version == V1)
            return V1Body(mergedFromId is null ? "updated" : "merged", entity, ToV1(entity, current), ToV1(entity, previous));
        // v2's previous holds only the fields that changed, in the same wrapped shape as data.
        var changed = previous.Where(p => !current.TryGetValue(p.Key, out var now) || !JsonNode.DeepEquals(Json(now), Json(p.Value)))
            .ToDictionary(p => p.Key, p => p.Value);
        foreach (var key in current.Keys.Where(k => !previous.ContainsKey(k))) changed[key] = null;
        var body = V2Body("change", entity, Id(current), ToV2(entity, current), ToV2(entity, changed, partial: true));
        if (mergedFromId is not null) body["meta"]!["merged_from_id"] = mergedFromId.ToString();
        return body;
    }

    public static JsonObject Delete(string version, string entity, Dictionary<string, object?> previous, int? mergedToId = null)
    {
        if (version == V1) return V1Body("deleted", entity, null, ToV1(entity, previous));
        var body = V2Body("delete", entity, Id(previous), null, ToV2(entity, previous));
        if (mergedToId is not null) body["meta"]!["merged_to_id"] = mergedToId.ToString();
        return body;
    }

    static int Id(Dictionary<string, object?> data) => (int)data["id"]!;

    static JsonObject V1Body(string action, string entity, JsonObject? current, JsonObject? previous)
    {
        var id = (current ?? previous)!["id"]!.GetValue<int>();
        return new JsonObject
        {
            ["v"] = 1,
            ["matches_filters"] = new JsonObject { ["current"] = new JsonArray() },
            ["meta"] = new JsonObject
            {
                ["v"] = 1, ["action"] = action, ["object"] = entity, ["id"] = id, ["company_id"] = 7001, ["user_id"] = 10,
                ["host"] = "tutorcruncher.pipedrive.com", ["timestamp"] = 1_790_000_000, ["change_source"] = "app", ["is_bulk_update"] = false,
            },
            ["retry"] = 0,
            ["current"] = current,
            ["previous"] = previous,
            ["event"] = $"{action}.{entity}",
        };
    }

    static JsonObject V2Body(string action, string entity, int id, JsonObject? data, JsonObject? previous) => new()
    {
        ["meta"] = new JsonObject
        {
            ["action"] = action, ["entity"] = entity, ["entity_id"] = id.ToString(), ["company_id"] = "7001",
            ["id"] = Guid.NewGuid().ToString(), ["version"] = "2.0", ["timestamp"] = "2026-11-23T10:00:00.000Z",
            ["type"] = "general", ["user_id"] = "10", ["change_source"] = "app", ["attempt"] = 1, ["is_bulk_edit"] = false,
            ["host"] = "tutorcruncher.pipedrive.com", ["webhook_id"] = "42", ["permitted_user_ids"] = new JsonArray("10"),
        },
        ["data"] = data,
        ["previous"] = previous,
    };

    static bool IsCustomField(string key) => key.Length == 40 || key.Contains("_hermes_id_") || key.StartsWith("cf_", StringComparison.Ordinal);

    /// <summary>v1: custom fields flat; person email/phone as lists; deal owner as user_id object; org owner as object.</summary>
    static JsonObject ToV1(string entity, Dictionary<string, object?> data)
    {
        var o = new JsonObject();
        foreach (var (key, value) in data)
        {
            switch (entity, key)
            {
                case ("person", "email"):
                    o["email"] = new JsonArray(new JsonObject { ["label"] = "work", ["value"] = Json(value ?? ""), ["primary"] = true });
                    break;
                case ("person", "phone"):
                    o["phone"] = new JsonArray(new JsonObject { ["label"] = "work", ["value"] = Json(value ?? ""), ["primary"] = true });
                    break;
                case ("deal", "owner_id"):
                    o["user_id"] = value is null ? null : new JsonObject { ["id"] = Json(value), ["name"] = "Owner", ["value"] = Json(value) };
                    break;
                case (_, "owner_id"):
                    o["owner_id"] = value is null ? null : new JsonObject { ["id"] = Json(value), ["name"] = "Owner", ["value"] = Json(value) };
                    break;
                case (_, "org_id"):
                    o["org_id"] = value is null ? null : new JsonObject { ["name"] = "Org", ["value"] = Json(value) };
                    break;
                default:
                    o[key] = Json(value);
                    break;
            }
        }
        if (data.ContainsKey("update_time") && data["update_time"] is DateTime t) o["update_time"] = t.ToString("yyyy-MM-dd HH:mm:ss");
        return o;
    }

    /// <summary>v2: custom fields under custom_fields wrapped with their type; person emails/phones as lists; plain ids.</summary>
    static JsonObject ToV2(string entity, Dictionary<string, object?> data, bool partial = false)
    {
        var o = new JsonObject();
        var custom = new JsonObject();
        foreach (var (key, value) in data)
        {
            if (IsCustomField(key))
            {
                custom[key] = value is null ? null : new JsonObject { ["type"] = value is int or double ? "double" : "varchar", ["value"] = Json(value) };
                continue;
            }
            switch (entity, key)
            {
                case ("person", "email"):
                    o["emails"] = value is null ? new JsonArray() : new JsonArray(new JsonObject { ["label"] = "work", ["value"] = Json(value), ["primary"] = true });
                    break;
                case ("person", "phone"):
                    o["phones"] = value is null ? new JsonArray() : new JsonArray(new JsonObject { ["label"] = "work", ["value"] = Json(value), ["primary"] = true });
                    break;
                case (_, "update_time") when value is DateTime t:
                    o["update_time"] = t.ToString("yyyy-MM-ddTHH:mm:ssZ");
                    break;
                default:
                    o[key] = Json(value);
                    break;
            }
        }
        if (custom.Count > 0 || !partial) o["custom_fields"] = custom;
        return o;
    }

    static JsonNode? Json(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        string s => JsonValue.Create(s),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        DateTime t => JsonValue.Create(t.ToString("yyyy-MM-ddTHH:mm:ssZ")),
        _ => JsonValue.Create(value.ToString()),
    };
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// Renders a <see cref="PdChange"/> as the body Pipedrive posts, in webhooks v1 or v2 format
/// (research/external_apis.md §A.2–A.3): v2 carries a reduced object under <c>data</c>, only the changed fields under
/// <c>previous</c> and custom fields wrapped as <c>{type, value}</c>; v1 carries whole v1-style objects under
/// <c>current</c>/<c>previous</c> with custom fields flat at the root.
/// </summary>
static class WebhookPayloads
{
    public static JsonObject V2(PdChange change, int attempt, long webhookId, PipedriveOptions options, Func<PdEntity, IReadOnlyList<PdCustomField>> fields)
    {
        var meta = new JsonObject
        {
            ["action"] = change.Action,
            ["company_id"] = options.CompanyId.ToString(CultureInfo.InvariantCulture),
            ["correlation_id"] = Uuid('c', change.CorrelationSequence),
            ["entity_id"] = change.Id.ToString(CultureInfo.InvariantCulture),
            ["entity"] = change.Entity.Name,
            ["id"] = Uuid('e', change.Sequence),
            ["is_bulk_edit"] = false,
            ["timestamp"] = change.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["type"] = "general",
            ["user_id"] = options.ApiUserId.ToString(CultureInfo.InvariantCulture),
            ["version"] = "2.0",
            ["webhook_id"] = webhookId.ToString(CultureInfo.InvariantCulture),
            ["webhook_owner_id"] = options.ApiUserId.ToString(CultureInfo.InvariantCulture),
            ["change_source"] = change.ChangeSource,
            ["permitted_user_ids"] = Json.Array(PermittedUsers(change, options).Select(u => (JsonNode)u.ToString(CultureInfo.InvariantCulture))),
            ["attempt"] = attempt,
            ["host"] = $"{options.CompanyDomain}.pipedrive.com",
        };
        if (change.MergedToId is { } to) meta["merged_to_id"] = to.ToString(CultureInfo.InvariantCulture);
        if (change.MergedFromId is { } from) meta["merged_from_id"] = from.ToString(CultureInfo.InvariantCulture);

        var customFields = change.Entity.HasCustomFields ? fields(change.Entity) : [];
        var after = change.After is null ? null : V2Data(change.Entity, change.After, customFields);
        var before = change.Before is null ? null : V2Data(change.Entity, change.Before, customFields);
        JsonObject? previous = change.Action switch
        {
            PdChange.Create => null,
            PdChange.Delete => before,
            _ => ChangedFields(before!, after!),
        };
        return new JsonObject { ["data"] = change.Action == PdChange.Delete ? null : after, ["previous"] = previous, ["meta"] = meta };
    }

    public static JsonObject V1(PdChange change, int attempt, long webhookId, PipedriveOptions options, Func<PdEntity, IReadOnlyList<PdCustomField>> fields)
    {
        var action = change.Action switch
        {
            PdChange.Create => "added",
            PdChange.Delete => "deleted",
            _ => change.MergedFromId is null ? "updated" : "merged",
        };
        var customFields = change.Entity.HasCustomFields ? fields(change.Entity) : [];
        var seconds = change.Time.ToUnixTimeSeconds();
        var meta = new JsonObject
        {
            ["v"] = 1,
            ["action"] = action,
            ["object"] = change.Entity.Name,
            ["id"] = change.Id,
            ["company_id"] = options.CompanyId,
            ["user_id"] = options.ApiUserId,
            ["host"] = $"{options.CompanyDomain}.pipedrive.com",
            ["timestamp"] = seconds,
            ["timestamp_micro"] = change.Time.ToUnixTimeMilliseconds() * 1000,
            ["permitted_user_ids"] = Json.Array(PermittedUsers(change, options).Select(u => (JsonNode)u)),
            ["trans_pending"] = false,
            ["is_bulk_update"] = false,
            ["pipedrive_service_name"] = false,
            ["change_source"] = change.ChangeSource,
            ["matches_filters"] = new JsonObject { ["current"] = new JsonArray(), ["previous"] = new JsonArray() },
            ["webhook_id"] = webhookId.ToString(CultureInfo.InvariantCulture),
        };
        return new JsonObject
        {
            ["v"] = 1,
            ["matches_filters"] = new JsonObject { ["current"] = new JsonArray(), ["previous"] = new JsonArray() },
            ["meta"] = meta,
            ["retry"] = attempt - 1,
            ["current"] = change.After is null ? null : V1Object(change.Entity, change.After, customFields, options),
            ["previous"] = change.Before is null ? null : V1Object(change.Entity, change.Before, customFields, options),
            ["event"] = $"{action}.{change.Entity.Name}",
        };
    }

    static IEnumerable<long> PermittedUsers(PdChange change, PipedriveOptions options) =>
        new[] { options.ApiUserId, change.OwnerId ?? options.ApiUserId }.Distinct();

    static string Uuid(char kind, long sequence) => $"{(kind == 'c' ? "c0ffee00" : "e7e7e700")}-0000-4000-8000-{sequence:x12}";

    /// <summary>The reduced v2 webhook object for a REST object.</summary>
    static JsonObject V2Data(PdEntity entity, JsonObject rest, IReadOnlyList<PdCustomField> fields)
    {
        JsonNode? F(string name) => rest[name]?.DeepClone();
        string VisibleTo() => rest["visible_to"]!.AsLong().ToString(CultureInfo.InvariantCulture);
        if (entity == PdEntity.Organization)
            return new JsonObject
            {
                ["add_time"] = F("add_time"), ["address"] = F("address"), ["country_code"] = rest["address"]?["country"]?.DeepClone(),
                ["custom_fields"] = WrappedCustomFields(rest, fields), ["id"] = F("id"), ["label"] = null, ["label_ids"] = F("label_ids"),
                ["name"] = F("name"), ["owner_id"] = F("owner_id"), ["picture_id"] = null, ["update_time"] = F("update_time"),
                ["visible_to"] = VisibleTo(),
            };
        if (entity == PdEntity.Person)
            return new JsonObject
            {
                ["add_time"] = F("add_time"), ["custom_fields"] = WrappedCustomFields(rest, fields), ["emails"] = F("emails"),
                ["first_name"] = F("first_name"), ["id"] = F("id"), ["label"] = null, ["label_ids"] = F("label_ids"),
                ["last_name"] = F("last_name"), ["name"] = F("name"), ["org_id"] = F("org_id"), ["owner_id"] = F("owner_id"),
                ["phones"] = F("phones"), ["picture_id"] = null, ["update_time"] = F("update_time"), ["visible_to"] = VisibleTo(),
            };
        if (entity == PdEntity.Deal)
            return new JsonObject
            {
                ["add_time"] = F("add_time"), ["archive_time"] = F("archive_time"), ["channel"] = null, ["channel_id"] = null,
                ["close_time"] = F("close_time"), ["creator_user_id"] = F("creator_user_id"), ["currency"] = F("currency"),
                ["custom_fields"] = WrappedCustomFields(rest, fields), ["expected_close_date"] = F("expected_close_date"),
                ["first_won_time"] = F("won_time"), ["id"] = F("id"), ["is_archived"] = F("is_archived"), ["label_ids"] = F("label_ids"),
                ["lost_reason"] = F("lost_reason"), ["lost_time"] = F("lost_time"), ["org_id"] = F("org_id"), ["origin"] = "API",
                ["origin_id"] = null, ["owner_id"] = F("owner_id"), ["person_id"] = F("person_id"), ["pipeline_id"] = F("pipeline_id"),
                ["probability"] = F("probability"), ["stage_change_time"] = F("stage_change_time"), ["stage_id"] = F("stage_id"),
                ["status"] = F("status"), ["title"] = F("title"), ["update_time"] = F("update_time"), ["value"] = F("value"),
                ["visible_to"] = VisibleTo(), ["won_time"] = F("won_time"),
            };
        if (entity == PdEntity.Pipeline)
            return new JsonObject
            {
                ["id"] = F("id"), ["name"] = F("name"), ["url_title"] = UrlTitle(rest["name"]!.GetValue<string>()), ["order_nr"] = F("order_nr"),
                ["active_flag"] = !rest["is_deleted"]!.GetValue<bool>(), ["deal_probability"] = F("is_deal_probability_enabled"),
                ["add_time"] = F("add_time"), ["update_time"] = F("update_time"),
            };
        return new JsonObject
        {
            ["id"] = F("id"), ["name"] = F("name"), ["active_flag"] = !rest["is_deleted"]!.GetValue<bool>(), ["rotten_days"] = F("days_to_rotten"),
            ["order_nr"] = F("order_nr"), ["deal_probability"] = F("deal_probability"), ["rotten_flag"] = F("is_deal_rot_enabled"),
            ["add_time"] = F("add_time"), ["pipeline_id"] = F("pipeline_id"), ["update_time"] = F("update_time"),
        };
    }

    /// <summary>v2 webhooks wrap each custom field with its type; unset fields are null.</summary>
    static JsonObject WrappedCustomFields(JsonObject rest, IReadOnlyList<PdCustomField> fields)
    {
        var values = (JsonObject)rest["custom_fields"]!;
        var result = new JsonObject();
        foreach (var field in fields)
        {
            var value = values[field.Key];
            result[field.Key] = value is null ? null : field.Type switch
            {
                "enum" or "user" or "org" or "people" => new JsonObject { ["id"] = value.DeepClone(), ["type"] = field.Type },
                "set" => new JsonObject { ["values"] = Json.Array(value.AsArray().Select(v => (JsonNode)new JsonObject { ["id"] = v!.DeepClone() })), ["type"] = "set" },
                "monetary" => new JsonObject { ["currency"] = value["currency"]!.DeepClone(), ["type"] = "monetary", ["value"] = value["value"]!.DeepClone() },
                _ => new JsonObject { ["type"] = field.Type, ["value"] = value.DeepClone() },
            };
        }
        return result;
    }

    /// <summary>v2 <c>previous</c>: only what changed (custom fields key by key), never the update time.</summary>
    static JsonObject ChangedFields(JsonObject before, JsonObject after)
    {
        var previous = new JsonObject();
        foreach (var (key, old) in before)
        {
            if (key == "update_time") continue;
            if (key == "custom_fields" && old is JsonObject oldFields && after[key] is JsonObject newFields)
            {
                var changed = new JsonObject();
                foreach (var (fieldKey, oldValue) in oldFields)
                    if (!JsonNode.DeepEquals(oldValue, newFields[fieldKey])) changed[fieldKey] = oldValue?.DeepClone();
                if (changed.Count > 0) previous[key] = changed;
            }
            else if (!JsonNode.DeepEquals(old, after[key])) previous[key] = old?.DeepClone();
        }
        return previous;
    }

    /// <summary>The v1 REST object: <c>owner_id</c>/<c>user_id</c>, <c>email</c>/<c>phone</c> lists, "YYYY-MM-DD HH:MM:SS" times, flat custom fields.</summary>
    static JsonObject V1Object(PdEntity entity, JsonObject rest, IReadOnlyList<PdCustomField> fields, PipedriveOptions options)
    {
        JsonNode? F(string name) => rest[name]?.DeepClone();
        JsonNode? T(string name) => rest[name] is { } t ? V1Time(t.GetValue<string>()) : null;
        var active = !rest["is_deleted"]!.GetValue<bool>();
        var visibleTo = rest["visible_to"]?.AsLong().ToString(CultureInfo.InvariantCulture);
        JsonObject result;
        if (entity == PdEntity.Organization)
            result = new JsonObject
            {
                ["id"] = F("id"), ["company_id"] = options.CompanyId, ["owner_id"] = F("owner_id"), ["name"] = F("name"),
                ["active_flag"] = active, ["label"] = null, ["address"] = rest["address"]?["value"]?.DeepClone(),
                ["address_country"] = rest["address"]?["country"]?.DeepClone(), ["visible_to"] = visibleTo,
                ["add_time"] = T("add_time"), ["update_time"] = T("update_time"),
                ["first_char"] = FirstChar(rest["name"]!.GetValue<string>()),
            };
        else if (entity == PdEntity.Person)
            result = new JsonObject
            {
                ["id"] = F("id"), ["company_id"] = options.CompanyId, ["owner_id"] = F("owner_id"), ["org_id"] = F("org_id"),
                ["name"] = F("name"), ["first_name"] = F("first_name"), ["last_name"] = F("last_name"),
                ["email"] = V1Contacts(rest["emails"]!), ["phone"] = V1Contacts(rest["phones"]!), ["active_flag"] = active,
                ["visible_to"] = visibleTo, ["add_time"] = T("add_time"), ["update_time"] = T("update_time"), ["label"] = null,
                ["first_char"] = FirstChar(rest["name"]!.GetValue<string>()),
            };
        else if (entity == PdEntity.Deal)
            result = new JsonObject
            {
                ["id"] = F("id"), ["creator_user_id"] = F("creator_user_id"), ["user_id"] = F("owner_id"), ["person_id"] = F("person_id"),
                ["org_id"] = F("org_id"), ["stage_id"] = F("stage_id"), ["title"] = F("title"), ["value"] = F("value"),
                ["currency"] = F("currency"), ["add_time"] = T("add_time"), ["update_time"] = T("update_time"),
                ["stage_change_time"] = T("stage_change_time"), ["active"] = active && rest["status"]!.GetValue<string>() == "open",
                ["deleted"] = !active, ["status"] = active ? F("status") : "deleted", ["probability"] = F("probability"),
                ["lost_reason"] = F("lost_reason"), ["visible_to"] = visibleTo, ["close_time"] = T("close_time"),
                ["pipeline_id"] = F("pipeline_id"), ["won_time"] = T("won_time"), ["lost_time"] = T("lost_time"),
                ["expected_close_date"] = F("expected_close_date"), ["label"] = null,
            };
        else if (entity == PdEntity.Pipeline)
            result = new JsonObject
            {
                ["id"] = F("id"), ["name"] = F("name"), ["url_title"] = UrlTitle(rest["name"]!.GetValue<string>()), ["order_nr"] = F("order_nr"),
                ["active"] = active, ["deal_probability"] = F("is_deal_probability_enabled"), ["add_time"] = T("add_time"),
                ["update_time"] = T("update_time"),
            };
        else
            result = new JsonObject
            {
                ["id"] = F("id"), ["order_nr"] = F("order_nr"), ["name"] = F("name"), ["active_flag"] = active,
                ["deal_probability"] = F("deal_probability"), ["pipeline_id"] = F("pipeline_id"), ["rotten_flag"] = F("is_deal_rot_enabled"),
                ["rotten_days"] = F("days_to_rotten"), ["add_time"] = T("add_time"), ["update_time"] = T("update_time"),
            };

        if (entity.HasCustomFields)
        {
            var values = (JsonObject)rest["custom_fields"]!;
            foreach (var field in fields)
            {
                var value = values[field.Key];
                switch (field.Type)
                {
                    case "monetary":
                        result[field.Key] = value?["value"]?.DeepClone();
                        result[field.Key + "_currency"] = value?["currency"]?.DeepClone();
                        break;
                    case "enum":
                        result[field.Key] = value is null ? null : value.AsLong().ToString(CultureInfo.InvariantCulture);
                        break;
                    case "set":
                        result[field.Key] = value is null ? null : string.Join(",", value.AsArray().Select(v => v!.AsLong()));
                        break;
                    default:
                        result[field.Key] = value?.DeepClone();
                        break;
                }
            }
        }
        return result;
    }

    static JsonArray V1Contacts(JsonNode list) =>
        Json.Array(list.AsArray().Select(c => (JsonNode)new JsonObject
        {
            ["label"] = c!["label"]!.DeepClone(), ["value"] = c["value"]!.DeepClone(), ["primary"] = c["primary"]!.DeepClone(),
        }));

    static string V1Time(string rfc3339) =>
        DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    static string? FirstChar(string name) => name.Length == 0 ? null : name[..1].ToLowerInvariant();

    static string UrlTitle(string name) => string.Join("-", name.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}

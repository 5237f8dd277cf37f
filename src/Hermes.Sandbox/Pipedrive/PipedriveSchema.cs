using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// API v2's strict request validation (research/external_apis.md §B.5–B.6): which fields each object accepts, their
/// types (no coercion of strings to numbers, booleans only true/false), references that must exist, persons'
/// <c>emails</c>/<c>phones</c> as <c>[{value,label,primary}]</c> with non-empty values, custom fields only under
/// <c>custom_fields</c> by known 40-hex keys. Fields v2 doesn't know (v1 names such as <c>email</c> or
/// <c>user_id</c>) are rejected rather than ignored, so a client using them fails loudly.
/// </summary>
static class PipedriveSchema
{
    delegate JsonNode? Rule(JsonNode? value, string field, PipedriveData data);

    static readonly string[] ActivityTypes = ["call", "meeting", "task", "deadline", "email", "lunch"];
    static readonly string[] AddressParts =
        ["value", "country", "admin_area_level_1", "admin_area_level_2", "locality", "sublocality", "route", "street_number", "subpremise", "postal_code"];

    /// <summary>Checks a create or update body and returns the normalised values to store.</summary>
    public static JsonObject Validate(PdEntity entity, JsonObject body, bool create, PipedriveData data)
    {
        var fields = Fields[entity];
        var result = new JsonObject();
        foreach (var (name, value) in body)
        {
            if (name == "custom_fields" && entity.HasCustomFields)
            {
                result[name] = CustomFields(entity, value, data);
                continue;
            }
            if (entity == PdEntity.Activity && name == "person_id")
                throw new PdValidationException("person_id is read-only in API v2; set the person as a primary participant");
            if (!fields.TryGetValue(name, out var rule))
                throw new PdValidationException($"{name}: unknown field for {entity.Plural}");
            result[name] = rule(value, name, data);
        }

        if (create)
        {
            var missing = entity switch
            {
                _ when entity == PdEntity.Organization => Missing(result, "name"),
                _ when entity == PdEntity.Person => result["name"] is null && result["first_name"] is null && result["last_name"] is null ? "name" : null,
                _ when entity == PdEntity.Deal => Missing(result, "title"),
                _ when entity == PdEntity.Pipeline => Missing(result, "name"),
                _ when entity == PdEntity.Stage => Missing(result, "name") ?? Missing(result, "pipeline_id"),
                _ => null,
            };
            if (missing is not null) throw new PdValidationException($"{missing}: required");
        }
        return result;
    }

    static string? Missing(JsonObject values, string name) => values[name] is null ? name : null;

    static JsonObject? CustomFields(PdEntity entity, JsonNode? value, PipedriveData data)
    {
        if (value is not JsonObject obj) throw new PdValidationException("custom_fields: must be an object keyed by field key");
        var result = new JsonObject();
        foreach (var (key, fieldValue) in obj)
        {
            var field = data.CustomField(entity, key)
                        ?? throw new PdValidationException($"custom_fields.{key}: not a custom field of {entity.Plural}");
            result[key] = CustomFieldValue(field, fieldValue, $"custom_fields.{key}");
        }
        return result;
    }

    static JsonNode? CustomFieldValue(PdCustomField field, JsonNode? value, string name)
    {
        if (value is null) return null; // null clears the field
        switch (field.Type)
        {
            case "varchar" or "text" or "varchar_auto" or "phone":
                return Text()(value, name, null!);
            case "double":
                return Number()(value, name, null!);
            case "date":
                return Date()(value, name, null!);
            case "enum" or "user" or "org" or "people":
                return Int()(value, name, null!);
            case "set":
                if (value is not JsonArray { Count: > 0 } set) throw new PdValidationException($"{name}: must be a non-empty array of option ids (null clears it)");
                return new JsonArray(set.Select((v, i) => Int(nullable: false)(v, $"{name}[{i}]", null!)).ToArray());
            case "monetary":
                if (value is not JsonObject money || money["value"] is null) throw new PdValidationException($"{name}: must be an object {{value, currency}}");
                return new JsonObject
                {
                    ["value"] = Number(nullable: false)(money["value"], $"{name}.value", null!),
                    ["currency"] = Text(nullable: false)(money["currency"], $"{name}.currency", null!),
                };
            default:
                return value.DeepClone();
        }
    }

    static Rule Text(bool nullable = true, bool nonEmpty = false) => (value, name, data) =>
    {
        if (value is null)
            return nullable ? null : throw new PdValidationException($"{name}: must be a string");
        if (!Json.IsString(value, out var s)) throw new PdValidationException($"{name}: must be a string");
        if (nonEmpty && s.Trim().Length == 0) throw new PdValidationException($"{name}: must not be empty");
        return s;
    };

    static Rule Int(bool nullable = true, long? min = null, long? max = null) => (value, name, data) =>
    {
        if (value is null)
            return nullable ? null : throw new PdValidationException($"{name}: must be an integer");
        if (!Json.TryGetLong(value, out var n)) throw new PdValidationException($"{name}: must be an integer");
        if (n < min || n > max) throw new PdValidationException($"{name}: must be between {min} and {max}");
        return n;
    };

    static Rule Number(bool nullable = true) => (value, name, data) =>
    {
        if (value is null)
            return nullable ? null : throw new PdValidationException($"{name}: must be a number");
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) throw new PdValidationException($"{name}: must be a number");
        return v.DeepClone();
    };

    static readonly Rule Bool = (value, name, data) =>
        value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>()
            : throw new PdValidationException($"{name}: must be true or false");

    static Rule OneOf(params string[] allowed) => (value, name, data) =>
        Json.IsString(value, out var s) && allowed.Contains(s)
            ? s
            : throw new PdValidationException($"{name}: must be one of {string.Join(", ", allowed)}");

    static readonly Rule VisibleTo = (value, name, data) =>
        Int(nullable: false)(value, name, data) is JsonValue v && v.AsLong() is 1 or 3 or 5 or 7
            ? v
            : throw new PdValidationException($"{name}: must be 1, 3, 5 or 7");

    static readonly Rule IntList = (value, name, data) =>
        value is JsonArray list
            ? new JsonArray(list.Select((v, i) => Int(nullable: false)(v, $"{name}[{i}]", data)).ToArray())
            : throw new PdValidationException($"{name}: must be an array of integers");

    static Rule Date() => (value, name, data) =>
    {
        if (value is null) return null;
        return Json.IsString(value, out var s) && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? s
            : throw new PdValidationException($"{name}: must be a date YYYY-MM-DD");
    };

    static readonly Rule TimeOfDay = (value, name, data) =>
    {
        if (value is null) return null;
        return Json.IsString(value, out var s) && TimeOnly.TryParseExact(s, new[] { "HH:mm", "HH:mm:ss" }, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? s
            : throw new PdValidationException($"{name}: must be a time HH:MM");
    };

    static Rule Timestamp(bool nullable = true) => (value, name, data) =>
    {
        if (value is null) return nullable ? null : throw new PdValidationException($"{name}: must be an RFC 3339 date-time");
        return Json.IsString(value, out var s) && DateTimeOffset.TryParseExact(s, new[] { "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK" },
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? Json.Rfc3339(t)
            : throw new PdValidationException($"{name}: must be an RFC 3339 date-time, e.g. 2026-01-01T00:00:00Z");
    };

    static readonly Rule UserRef = (value, name, data) =>
    {
        var id = Int(nullable: false)(value, name, data)!.AsLong();
        return data.Users.ContainsKey(id) ? id : throw new PdValidationException($"{name}: user {id} does not exist in this company");
    };

    static Rule Ref(PdEntity entity, bool nullable = true) => (value, name, data) =>
    {
        if (value is null)
            return nullable ? null : throw new PdValidationException($"{name}: must be an integer");
        var id = Int(nullable: false)(value, name, data)!.AsLong();
        return data.Find(entity, id) is not null ? id : throw new PdValidationException($"{name}: {entity.Name} {id} does not exist");
    };

    /// <summary><c>emails</c> / <c>phones</c>: objects with a non-empty <c>value</c>; label defaults to work; exactly one primary.</summary>
    static readonly Rule ContactList = (value, name, data) =>
    {
        if (value is not JsonArray list) throw new PdValidationException($"{name}: must be an array of {{value, label, primary}} objects");
        var result = new JsonArray();
        var primaries = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject item) throw new PdValidationException($"{name}[{i}]: must be an object {{value, label, primary}}");
            foreach (var (key, _) in item)
                if (key is not ("value" or "label" or "primary")) throw new PdValidationException($"{name}[{i}].{key}: unknown field");
            var text = Text(nullable: false, nonEmpty: true)(item["value"], $"{name}[{i}].value", null!)!.GetValue<string>();
            var label = item["label"] is null ? "work" : Text(nullable: false)(item["label"], $"{name}[{i}].label", null!)!.GetValue<string>();
            var primary = item["primary"] is not null && Bool(item["primary"], $"{name}[{i}].primary", null!)!.GetValue<bool>();
            if (primary) primaries++;
            result.Add(new JsonObject { ["value"] = text, ["label"] = label, ["primary"] = primary });
        }
        if (primaries > 1) throw new PdValidationException($"{name}: only one entry can be primary");
        if (primaries == 0 && result.Count > 0) result[0]!["primary"] = true;
        return result;
    };

    static readonly Rule Participants = (value, name, data) =>
    {
        if (value is not JsonArray list) throw new PdValidationException($"{name}: must be an array of {{person_id, primary}} objects");
        var result = new JsonArray();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject item) throw new PdValidationException($"{name}[{i}]: must be an object {{person_id, primary}}");
            var person = Ref(PdEntity.Person, nullable: false)(item["person_id"], $"{name}[{i}].person_id", data);
            var primary = item["primary"] is not null && Bool(item["primary"], $"{name}[{i}].primary", data)!.GetValue<bool>();
            result.Add(new JsonObject { ["person_id"] = person, ["primary"] = primary });
        }
        if (result.Count > 0 && result.All(p => !p!["primary"]!.GetValue<bool>())) result[0]!["primary"] = true;
        return result;
    };

    static readonly Rule Attendees = (value, name, data) =>
    {
        if (value is not JsonArray list) throw new PdValidationException($"{name}: must be an array of attendee objects");
        for (var i = 0; i < list.Count; i++)
            if (list[i] is not JsonObject item || !Json.IsString(item["email"], out _))
                throw new PdValidationException($"{name}[{i}].email: must be a string");
        return list.DeepClone();
    };

    /// <summary>Address objects: only <c>value</c> is required; every part comes back, null when not given.</summary>
    static readonly Rule Address = (value, name, data) =>
    {
        if (value is null) return null;
        if (value is not JsonObject obj) throw new PdValidationException($"{name}: must be an object with a value");
        foreach (var (key, _) in obj)
            if (!AddressParts.Contains(key)) throw new PdValidationException($"{name}.{key}: unknown field");
        var result = new JsonObject();
        foreach (var part in AddressParts)
            result[part] = Text(nullable: part != "value", nonEmpty: part == "value")(obj[part], $"{name}.{part}", data);
        return result;
    };

    // Declared last: static fields initialise in textual order and this table uses the rules above.
    static readonly Dictionary<PdEntity, Dictionary<string, Rule>> Fields = new()
    {
        [PdEntity.Organization] = new()
        {
            ["name"] = Text(nullable: false, nonEmpty: true), ["owner_id"] = UserRef, ["add_time"] = Timestamp(nullable: false),
            ["visible_to"] = VisibleTo, ["label_ids"] = IntList, ["address"] = Address, ["website"] = Text(), ["linkedin"] = Text(),
        },
        [PdEntity.Person] = new()
        {
            ["name"] = Text(nullable: false, nonEmpty: true), ["first_name"] = Text(), ["last_name"] = Text(), ["owner_id"] = UserRef,
            ["org_id"] = Ref(PdEntity.Organization), ["emails"] = ContactList, ["phones"] = ContactList, ["visible_to"] = VisibleTo,
            ["label_ids"] = IntList, ["marketing_status"] = OneOf("no_consent", "unsubscribed", "subscribed", "archived"),
            ["add_time"] = Timestamp(nullable: false),
        },
        [PdEntity.Deal] = new()
        {
            ["title"] = Text(nullable: false, nonEmpty: true), ["owner_id"] = UserRef, ["person_id"] = Ref(PdEntity.Person),
            ["org_id"] = Ref(PdEntity.Organization), ["pipeline_id"] = Ref(PdEntity.Pipeline, nullable: false),
            ["stage_id"] = Ref(PdEntity.Stage, nullable: false), ["value"] = Number(nullable: false), ["currency"] = Text(nullable: false),
            ["status"] = OneOf("open", "won", "lost"), ["probability"] = Number(), ["lost_reason"] = Text(), ["visible_to"] = VisibleTo,
            ["add_time"] = Timestamp(nullable: false), ["close_time"] = Timestamp(), ["won_time"] = Timestamp(), ["lost_time"] = Timestamp(),
            ["expected_close_date"] = Date(), ["label_ids"] = IntList, ["is_archived"] = Bool, ["archive_time"] = Timestamp(),
        },
        [PdEntity.Activity] = new()
        {
            ["subject"] = Text(nullable: false, nonEmpty: true), ["type"] = OneOf(ActivityTypes), ["owner_id"] = UserRef,
            ["deal_id"] = Ref(PdEntity.Deal), ["lead_id"] = Text(), ["org_id"] = Ref(PdEntity.Organization), ["project_id"] = Int(),
            ["due_date"] = Date(), ["due_time"] = TimeOfDay, ["duration"] = TimeOfDay, ["busy"] = Bool, ["done"] = Bool,
            ["location"] = Address, ["participants"] = Participants, ["attendees"] = Attendees, ["public_description"] = Text(),
            ["priority"] = Int(), ["note"] = Text(),
        },
        [PdEntity.Pipeline] = new()
        {
            ["name"] = Text(nullable: false, nonEmpty: true), ["is_deal_probability_enabled"] = Bool,
        },
        [PdEntity.Stage] = new()
        {
            ["name"] = Text(nullable: false, nonEmpty: true), ["pipeline_id"] = Ref(PdEntity.Pipeline, nullable: false),
            ["deal_probability"] = Int(nullable: false, min: 0, max: 100), ["is_deal_rot_enabled"] = Bool, ["days_to_rotten"] = Int(min: 1),
        },
    };
}

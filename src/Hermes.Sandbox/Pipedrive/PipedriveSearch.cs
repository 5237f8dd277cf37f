using System.Globalization;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// <c>GET /api/v2/organizations/search</c> and <c>/persons/search</c> (research/external_apis.md §B.5 "Search"):
/// <c>term</c> (at least 2 characters, 1 with <c>exact_match</c>), <c>fields</c>, <c>exact_match</c> (case-insensitive
/// equality instead of "contains"), cursor paging; items <c>{result_score, item}</c> in the search result shape, which
/// differs from the REST object (e.g. persons' <c>emails</c> are plain strings, the owner is <c>{id}</c>).
/// Only text-like custom fields are searchable, as in Pipedrive.
/// </summary>
static class PipedriveSearch
{
    static readonly string[] SearchableTypes = ["varchar", "text", "varchar_auto", "double", "monetary", "phone", "address"];

    public static IReadOnlyList<(double Score, JsonObject Item)> Run(PdEntity entity, PipedriveData data, string? term, string? fieldsParam,
        string? exactParam, string? organizationId)
    {
        var exact = exactParam switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw new PdValidationException("exact_match: must be true or false"),
        };
        if (string.IsNullOrEmpty(term)) throw new PdValidationException("term: required");
        if (term.Length < (exact ? 1 : 2)) throw new PdValidationException("term: must be at least 2 characters long (1 with exact_match)");

        var allowed = entity == PdEntity.Organization
            ? new[] { "name", "address", "notes", "custom_fields" }
            : new[] { "name", "email", "phone", "notes", "custom_fields" };
        var fields = fieldsParam is null ? allowed : fieldsParam.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var f in fields)
            if (!allowed.Contains(f)) throw new PdValidationException($"fields: '{f}' is not one of {string.Join(", ", allowed)}");
        long? orgFilter = null;
        if (organizationId is not null)
            orgFilter = long.TryParse(organizationId, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : throw new PdValidationException("organization_id: must be an integer");

        var customFields = data.CustomFields(entity).Where(f => SearchableTypes.Contains(f.Type)).ToArray();
        var results = new List<(double, JsonObject)>();
        foreach (var row in data.Live(entity))
        {
            if (orgFilter is { } org && row["org_id"]?.AsLong() != org) continue;
            var candidates = new List<string>();
            if (fields.Contains("name")) candidates.Add(row["name"]!.GetValue<string>());
            if (fields.Contains("address") && row["address"]?["value"] is { } address) candidates.Add(address.GetValue<string>());
            if (fields.Contains("email")) candidates.AddRange(Values(row["emails"]));
            if (fields.Contains("phone")) candidates.AddRange(Values(row["phones"]));
            if (fields.Contains("custom_fields")) candidates.AddRange(CustomValues(row, customFields));
            var score = candidates.Select(c => Score(c, term, exact)).DefaultIfEmpty(0).Max();
            if (score > 0) results.Add((score, Item(entity, row, data, customFields)));
        }
        return results.OrderByDescending(r => r.Item1).ThenBy(r => r.Item2["id"]!.AsLong()).ToArray();
    }

    static IEnumerable<string> Values(JsonNode? list) => list is JsonArray a ? a.Select(e => e!["value"]!.GetValue<string>()) : [];

    static IEnumerable<string> CustomValues(JsonObject row, IEnumerable<PdCustomField> fields)
    {
        var values = (JsonObject)row["custom_fields"]!;
        foreach (var field in fields)
            switch (values[field.Key])
            {
                case null: break;
                case JsonObject money when money["value"] is { } v: yield return v.ToJsonString(); break;
                case JsonValue v when Json.IsString(v, out var s): yield return s; break;
                case JsonValue v: yield return v.ToJsonString(); break;
            }
    }

    /// <summary>1 for an exact (case-insensitive) match; for "contains", the share of the value the term covers.</summary>
    static double Score(string value, string term, bool exact)
    {
        if (value.Equals(term, StringComparison.OrdinalIgnoreCase)) return 1;
        if (exact || !value.Contains(term, StringComparison.OrdinalIgnoreCase)) return 0;
        return Math.Round((double)term.Length / value.Length, 4);
    }

    static JsonObject Item(PdEntity entity, JsonObject row, PipedriveData data, IEnumerable<PdCustomField> customFields)
    {
        var owner = new JsonObject { ["id"] = row["owner_id"]!.AsLong() };
        var custom = Json.Array(CustomValues(row, customFields).Select(v => (JsonNode)v));
        if (entity == PdEntity.Organization)
            return new JsonObject
            {
                ["id"] = row["id"]!.AsLong(), ["type"] = "organization", ["name"] = row["name"]!.GetValue<string>(),
                ["address"] = row["address"]?["value"]?.DeepClone(), ["visible_to"] = row["visible_to"]!.AsLong(),
                ["owner"] = owner, ["custom_fields"] = custom, ["notes"] = new JsonArray(),
            };
        var org = row["org_id"] is { } orgId ? data.Find(PdEntity.Organization, orgId.AsLong()) : null;
        return new JsonObject
        {
            ["id"] = row["id"]!.AsLong(), ["type"] = "person", ["name"] = row["name"]!.GetValue<string>(),
            ["phones"] = Json.Array(Values(row["phones"]).Select(v => (JsonNode)v)),
            ["emails"] = Json.Array(Values(row["emails"]).Select(v => (JsonNode)v)),
            ["visible_to"] = row["visible_to"]!.AsLong(), ["owner"] = owner,
            ["organization"] = org is null ? null : new JsonObject
            {
                ["id"] = org["id"]!.AsLong(), ["name"] = org["name"]!.GetValue<string>(), ["address"] = org["address"]?["value"]?.DeepClone(),
            },
            ["custom_fields"] = custom, ["notes"] = new JsonArray(),
        };
    }
}

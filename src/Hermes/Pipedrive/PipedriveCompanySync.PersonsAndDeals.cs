using System.Net;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>The sync's persons and deals, and the steps all three kinds of object share.</summary>
public sealed partial class PipedriveCompanySync
{
    // ───────────────────────────── Person ─────────────────────────────

    async Task<int?> PersonAsync(Plan plan, PersonPlan person, int orgId, CancellationToken ct)
    {
        var contact = person.Contact;
        var body = (JsonObject)person.Body.DeepClone();
        body["org_id"] = orgId;
        if (contact.PdPersonId is { } linked)
        {
            if (await state.DeletedAsync(PipedriveObject.Person, linked, ct) is not null)
            {
                log.LogInformation("Contact {Contact}: person {Person} was deleted in Pipedrive; not recreated", contact.Id, linked);
                return null;
            }
            return await UpdateLinkedAsync(Entity.Person, linked, null, body, PersonFillOnly, ct);
        }

        if (await state.PersonDeletedForRecipientAsync(contact.Tc2SrId, ct) is { } deleted)
        {
            log.LogInformation("Contact {Contact}: TC2 recipient {Recipient}'s person {Person} was deleted in Pipedrive; not recreated",
                contact.Id, contact.Tc2SrId, deleted.PdId);
            return null;
        }

        if (await FindPersonAsync(plan, person, orgId, ct) is { } found)
            return await UpdateLinkedAsync(Entity.Person, await state.LinkAsync(PipedriveObject.Person, contact.Id, found, ct), null, body, PersonFillOnly, ct);

        var (id, result) = await CreateAndLinkAsync(Entity.Person, contact.Id, body, ct);
        log.LogInformation("Contact {Contact}: Pipedrive person {Person} created", contact.Id, id);
        return result;
    }

    /// <summary>A person that is this contact already: one a lost create made, else one with its email in this organization (or in none).</summary>
    async Task<int?> FindPersonAsync(Plan plan, PersonPlan person, int orgId, CancellationToken ct)
    {
        var contact = person.Contact;
        if (await state.CreateAttemptedAsync(PipedriveObject.Person, contact.Id, ct))
        {
            var inOrg = await pipedrive.ListAsync(PipedriveClient.Persons, new Dictionary<string, string> { ["org_id"] = orgId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, ct);
            var mine = inOrg.FirstOrDefault(p => plan.PersonHermesKey is { } key
                ? PipedriveValues.Same(JsonValue.Create(contact.Id), p["custom_fields"]?[key])
                : contact.Email is { } email && HasValue(p["emails"], email));
            if (mine is not null && IdOrNull(mine) is { } id && !await state.LinkedElsewhereAsync(PipedriveObject.Person, id, contact.Id, ct)) return id;
        }
        if (plan.OrgIsNew && !plan.PersonSearches.ContainsKey($"email:{contact.Email?.Trim()}")) return null; // a new organization has no persons yet
        if (string.IsNullOrWhiteSpace(contact.Email)) return null;
        foreach (var item in await SearchPersonsAsync(plan, "email", contact.Email.Trim(), ct))
        {
            if (IdOrNull(item) is not { } id) continue;
            var itsOrg = OrgIdOf(item);
            if (itsOrg is not null && itsOrg != orgId) continue;
            if (await state.LinkedElsewhereAsync(PipedriveObject.Person, id, contact.Id, ct)) continue;
            if (await state.DeletedAsync(PipedriveObject.Person, id, ct) is not null) continue;
            return id;
        }
        return null;
    }

    // ───────────────────────────── Deal ─────────────────────────────

    async Task<int?> DealAsync(Plan plan, DealPlan dealPlan, int orgId, int? personId, CancellationToken ct)
    {
        var deal = dealPlan.Deal;
        var body = (JsonObject)dealPlan.Body.DeepClone();
        body["org_id"] = orgId;
        if (personId is not null) body["person_id"] = personId;
        if (deal.PdDealId is { } linked)
        {
            if (await state.DeletedAsync(PipedriveObject.Deal, linked, ct) is not null) return null;
            var actual = await GetLiveAsync(Entity.Deal, linked, null, ct);
            if (actual is null) return null;
            if (actual["status"]?.GetValue<string>() is { } status && status != Deal.StatusOpen)
            {
                // Closed in Pipedrive: Pipedrive owns it now; only a wrong hermes_id is put right.
                if (plan.DealHermesKey is { } key && body["custom_fields"]?[key] is { } mine && !PipedriveValues.Same(mine, actual["custom_fields"]?[key]))
                    await pipedrive.UpdateAsync(PipedriveClient.Deals, linked, new JsonObject { ["custom_fields"] = new JsonObject { [key] = mine.DeepClone() } }, ct);
                return linked;
            }
            await UpdateIfDifferentAsync(Entity.Deal, linked, body, actual, DealFillOnly, ct);
            return linked;
        }
        if (deal.Status != Deal.StatusOpen) return null;

        if (await FindDealAsync(plan, deal, orgId, ct) is { } found)
            return await UpdateLinkedAsync(Entity.Deal, await state.LinkAsync(PipedriveObject.Deal, deal.Id, found, ct), null, body, DealFillOnly, ct);

        var (id, result) = await CreateAndLinkAsync(Entity.Deal, deal.Id, body, ct);
        log.LogInformation("Deal {Deal}: Pipedrive deal {PdDeal} created", deal.Id, id);
        return result;
    }

    /// <summary>
    /// A deal that is this one already: one a lost create made (its hermes_id), or, in an organization that existed
    /// before Hermes linked it, an open deal nobody in Hermes has.
    /// </summary>
    async Task<int?> FindDealAsync(Plan plan, Deal deal, int orgId, CancellationToken ct)
    {
        var attempted = await state.CreateAttemptedAsync(PipedriveObject.Deal, deal.Id, ct);
        if (plan.OrgIsNew && !attempted) return null;
        var open = await pipedrive.ListAsync(PipedriveClient.Deals, new Dictionary<string, string>
        {
            ["org_id"] = orgId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["status"] = Deal.StatusOpen,
        }, ct);
        foreach (var candidate in open.OrderBy(d => IdOrNull(d) ?? int.MaxValue))
        {
            if (IdOrNull(candidate) is not { } id) continue;
            var hermesId = plan.DealHermesKey is { } key ? PipedriveValues.Scalar(candidate["custom_fields"]?[key]) : null;
            var mine = hermesId is not null && PipedriveValues.Same(JsonValue.Create(deal.Id), JsonValue.Create(hermesId));
            if (!mine && (attempted || !string.IsNullOrEmpty(hermesId))) continue;
            if (await state.LinkedElsewhereAsync(PipedriveObject.Deal, id, deal.Id, ct)) continue;
            if (await state.DeletedAsync(PipedriveObject.Deal, id, ct) is not null) continue;
            return id;
        }
        return null;
    }

    // ───────────────────────────── Shared ─────────────────────────────

    enum Entity { Organization, Person, Deal }

    static string PathOf(Entity e) => e switch
    {
        Entity.Organization => PipedriveClient.Organizations,
        Entity.Person => PipedriveClient.Persons,
        _ => PipedriveClient.Deals,
    };

    static string StateOf(Entity e) => e switch
    {
        Entity.Organization => PipedriveObject.Organization,
        Entity.Person => PipedriveObject.Person,
        _ => PipedriveObject.Deal,
    };

    /// <summary>Pipedrive's copy of a linked object; null (and remembered as deleted there) when it answers 404/410 or shows it deleted.</summary>
    async Task<JsonObject?> GetLiveAsync(Entity entity, int id, Company? company, CancellationToken ct)
    {
        var found = await GetLiveOrNullAsync(entity, id, ct);
        if (found is null) await state.RecordNotFoundAsync(StateOf(entity), id, company, ct);
        return found;
    }

    async Task<JsonObject?> GetLiveOrNullAsync(Entity entity, int id, CancellationToken ct)
    {
        try
        {
            var found = await pipedrive.GetAsync(PathOf(entity), id, ct);
            return found["is_deleted"] is JsonValue d && d.GetValueKind() == System.Text.Json.JsonValueKind.True ? null : found;
        }
        catch (PipedriveGoneException)
        {
            return null;
        }
    }

    /// <summary>The row is linked (already, or just now) to this object: Pipedrive's copy is brought in line with it.</summary>
    async Task<int?> UpdateLinkedAsync(Entity entity, int? pdId, Company? company, JsonObject body, string[] fillOnly, CancellationToken ct)
    {
        if (pdId is not { } id || await GetLiveAsync(entity, id, company, ct) is not { } actual) return null;
        await UpdateIfDifferentAsync(entity, id, body, actual, fillOnly, ct);
        return id;
    }

    /// <summary>
    /// Creates the object and links the row to it. The attempt is written first and cleared once the id is saved, so a
    /// create whose answer was lost is looked for by the next run rather than made twice.
    /// </summary>
    async Task<(int Created, int? Linked)> CreateAndLinkAsync(Entity entity, int rowId, JsonObject body, CancellationToken ct)
    {
        var kind = StateOf(entity);
        await state.MarkCreateAttemptAsync(kind, rowId, ct);
        var id = IdOf(await pipedrive.CreateAsync(PathOf(entity), WithoutEmptyFields(body), ct));
        var linked = await state.LinkAsync(kind, rowId, id, ct);
        await state.ClearCreateAttemptAsync(kind, rowId, ct);
        return (id, linked);
    }

    /// <summary>PATCHes the fields whose values differ from Pipedrive's copy; nothing when all agree.</summary>
    async Task UpdateIfDifferentAsync(Entity entity, int id, JsonObject desired, JsonObject actual, string[] fillOnly, CancellationToken ct)
    {
        var patch = Difference(desired, actual, fillOnly);
        if (patch.Count == 0) return;
        await pipedrive.UpdateAsync(PathOf(entity), id, patch, ct);
        log.LogInformation("Pipedrive {Entity} {Id} updated: {Fields}", entity, id, string.Join(", ", patch.Select(p => p.Key)));
    }

    internal static JsonObject Difference(JsonObject desired, JsonObject actual, string[] fillOnly)
    {
        var patch = new JsonObject();
        foreach (var (key, value) in desired)
        {
            switch (key)
            {
                case "custom_fields":
                    var fields = new JsonObject();
                    foreach (var (fieldKey, fieldValue) in (JsonObject)value!)
                        if (!PipedriveValues.Same(fieldValue, actual["custom_fields"]?[fieldKey]))
                            fields[fieldKey] = fieldValue?.DeepClone();
                    if (fields.Count > 0) patch["custom_fields"] = fields;
                    break;
                case "emails" or "phones":
                    // Pipedrive may hold more than Hermes: add Hermes's value when it is missing, keep theirs.
                    var wanted = ((JsonArray)value!)[0]!["value"]!.GetValue<string>();
                    var list = actual[key] as JsonArray ?? [];
                    if (!HasValue(list, wanted))
                    {
                        var merged = new JsonArray(list.OfType<JsonObject>().Where(o => o["value"] is not null)
                            .Select(o => (JsonNode)new JsonObject { ["value"] = o["value"]!.DeepClone(), ["label"] = o["label"]?.DeepClone() ?? "work", ["primary"] = o["primary"]?.DeepClone() ?? false }).ToArray());
                        merged.Add(new JsonObject { ["value"] = wanted, ["label"] = "work", ["primary"] = merged.Count == 0 });
                        patch[key] = merged;
                    }
                    break;
                case "address":
                    if (string.IsNullOrEmpty(PipedriveValues.Scalar(actual["address"])))
                        patch[key] = value?.DeepClone();
                    break;
                default:
                    if (fillOnly.Contains(key))
                    {
                        if (string.IsNullOrEmpty(PipedriveValues.Scalar(actual[key])) && value is not null) patch[key] = value.DeepClone();
                    }
                    else if (!PipedriveValues.Same(value, actual[key]))
                        patch[key] = value?.DeepClone();
                    break;
            }
        }
        return patch;
    }

    /// <summary>A create leaves out custom fields without a value: Pipedrive starts them empty anyway.</summary>
    static JsonObject WithoutEmptyFields(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        if (copy["custom_fields"] is JsonObject fields)
            foreach (var key in fields.Where(f => f.Value is null).Select(f => f.Key).ToList()) fields.Remove(key);
        return copy;
    }

    static bool HasValue(JsonNode? list, string wanted) =>
        list is JsonArray items && items.Any(i => string.Equals(PipedriveValues.Scalar(i is JsonObject o ? o["value"] : i), wanted, StringComparison.OrdinalIgnoreCase));

    static int IdOf(JsonObject obj) => IdOrNull(obj) ?? throw new PipedriveEmptyResponseException("POST", "(create)", 200);

    static int? IdOrNull(JsonObject obj) => obj["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? (int)id : obj["id"] is JsonValue s && int.TryParse(PipedriveValues.Scalar(s), out var parsed) ? parsed : null;

    /// <summary>The organization of a person search item (<c>organization.id</c>) or of a person (<c>org_id</c>).</summary>
    static int? OrgIdOf(JsonObject person) =>
        person["organization"] is JsonObject org && org["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? (int)id
        : person["org_id"] is JsonValue o && o.TryGetValue<long>(out var orgId) ? (int)orgId
        : null;
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// Brings Pipedrive in line with one Company. Rows are read by id in a short DbContext and closed again before
/// Pipedrive is called; every step reads Pipedrive's copy before writing, so running it twice (a retry, a duplicate
/// job) changes nothing the second time.
/// <list type="bullet">
/// <item>Organization: linked by <c>pd_org_id</c>; otherwise looked for (a create Hermes may have sent already, the
///   cligency custom field, then persons with the contacts' emails, then phones; never one another Company has) and
///   linked, else created. An organization Pipedrive deleted (webhook, merge or 404) is never recreated, not even for
///   a Company TC2 brings back.</item>
/// <item>Persons and deals the same way, inside the organization.</item>
/// <item>Updates send only what differs from Pipedrive's copy. Fields Pipedrive owns (names, owners, address, a
///   deal's stage, pipeline and status) are only filled where Pipedrive has nothing, so a stale Hermes copy never
///   undoes an edit made there and an open deal never reopens a deal Pipedrive closed. Custom fields (hermes_id, the
///   TC2 and booking facts, a deal's fields inherited from its company) and missing emails/phones are pushed.</item>
/// </list>
/// </summary>
public sealed partial class PipedriveCompanySync(
    IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, PipedriveFieldTypes fieldTypes, PipedriveSyncState state,
    HermesSettings settings, ILogger<PipedriveCompanySync> log)
{
    /// <summary>Everything: organization, persons and deals (a TC2 event, a sales booking). OrganizationAndPersons: no deal (a support booking).</summary>
    public enum Scope { Everything, OrganizationAndPersons }

    /// <summary>The Pipedrive ids the company's rows have after the sync (absent: not in Pipedrive).</summary>
    public sealed record Result(int? OrgId, IReadOnlyDictionary<int, int> PersonIds, IReadOnlyDictionary<int, int> DealIds);

    static readonly string[] OrgFillOnly = ["name", "owner_id", "address"];
    static readonly string[] PersonFillOnly = ["name", "owner_id", "org_id"];
    static readonly string[] DealFillOnly = ["title", "owner_id", "org_id", "person_id", "pipeline_id", "stage_id", "status"];

    sealed record PersonPlan(Contact Contact, JsonObject Body);
    sealed record DealPlan(Deal Deal, JsonObject Body);

    sealed class Plan
    {
        public required Company Company { get; init; }
        public required JsonObject OrgBody { get; init; }
        public required List<PersonPlan> Persons { get; init; }
        public required List<DealPlan> Deals { get; init; }
        public string? OrgHermesKey { get; init; }
        public string? PersonHermesKey { get; init; }
        public string? DealHermesKey { get; init; }
        /// <summary>The organization custom field holding the TC2 client (its URL or id), and this company's value.</summary>
        public (string Key, string Value)? Cligency { get; init; }
        /// <summary>Persons found by email or phone while looking for the organization, reused when linking persons.</summary>
        public Dictionary<string, IReadOnlyList<JsonObject>> PersonSearches { get; } = new(StringComparer.OrdinalIgnoreCase);
        public bool OrgIsNew { get; set; }
    }

    /// <summary>Syncs the company (or just its organization and persons); null when the company is gone, narc or not to be in Pipedrive.</summary>
    public async Task<Result?> SyncAsync(int companyId, Scope scope, CancellationToken ct, int? onlyContactId = null)
    {
        var plan = await PlanAsync(companyId, onlyContactId, ct);
        if (plan is null) return null;
        var company = plan.Company;
        if (company.Narc == true)
        {
            log.LogInformation("Company {Company} is narc: not synced to Pipedrive", company.Id);
            return null;
        }

        var orgId = await OrganizationAsync(plan, ct);
        if (orgId is null) return new Result(null, new Dictionary<int, int>(), new Dictionary<int, int>());

        var errors = new List<Exception>();
        var personIds = new Dictionary<int, int>();
        foreach (var person in plan.Persons)
            await Step(errors, async () =>
            {
                if (await PersonAsync(plan, person, orgId.Value, ct) is { } id) personIds[person.Contact.Id] = id;
            });

        var dealIds = new Dictionary<int, int>();
        if (scope == Scope.Everything)
            foreach (var deal in plan.Deals)
                await Step(errors, async () =>
                {
                    int? personId = deal.Deal.ContactId is { } cid && personIds.TryGetValue(cid, out var p) ? p : null;
                    if (await DealAsync(plan, deal, orgId.Value, personId, ct) is { } id) dealIds[deal.Deal.Id] = id;
                });

        if (errors.Count > 0) throw errors.Count == 1 ? errors[0] : new AggregateException($"{errors.Count} Pipedrive steps failed for company {company.Id}", errors);
        return new Result(orgId, personIds, dealIds);
    }

    /// <summary>A person or deal that fails doesn't stop the others; rate limits stop everything (the job runs again later).</summary>
    static async Task Step(List<Exception> errors, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is PipedriveException or PipedriveEmptyResponseException or PipedriveUnavailableException or PipedriveLinkConflictException)
        {
            errors.Add(e);
        }
    }

    // ───────────────────────────── What Hermes wants Pipedrive to hold ─────────────────────────────

    async Task<Plan?> PlanAsync(int companyId, int? onlyContactId, CancellationToken ct)
    {
        // Field types first: an HTTP call, so before the DbContext opens.
        var orgTypes = await fieldTypes.ForAsync(pipedrive, "organization", ct);
        var personTypes = await fieldTypes.ForAsync(pipedrive, "person", ct);
        var dealTypes = await fieldTypes.ForAsync(pipedrive, "deal", ct);

        await using var db = await dbs.CreateDbContextAsync(ct);
        var company = await db.Companies.AsNoTracking().Include(c => c.SalesPerson).FirstOrDefaultAsync(c => c.Id == companyId, ct);
        if (company is null)
        {
            log.LogInformation("Company {Company} no longer exists: nothing to sync", companyId);
            return null;
        }
        var fields = await CustomFieldMap.LoadAsync(db, ct);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.CompanyId == companyId && (onlyContactId == null || c.Id == onlyContactId))
            .OrderBy(c => c.Id).ToListAsync(ct);
        // Deals Pipedrive should hold: open ones, and any it has already (hermes_v3's lesson: never push orphans).
        var deals = onlyContactId is not null ? [] : await db.Deals.AsNoTracking().Include(d => d.Admin).Include(d => d.Pipeline).Include(d => d.Stage)
            .Where(d => d.CompanyId == companyId && (d.Status == Deal.StatusOpen || d.PdDealId != null)).OrderBy(d => d.Id).ToListAsync(ct);
        var owner = company.SalesPerson?.PdOwnerId;

        var org = new JsonObject { ["name"] = company.Name };
        if (owner is not null) org["owner_id"] = owner;
        if (!string.IsNullOrWhiteSpace(company.Country)) org["address"] = new JsonObject { ["value"] = company.Country };
        org["custom_fields"] = await CustomFieldsAsync(db, fields, "Company", company, orgTypes, ct);

        var persons = new List<PersonPlan>();
        foreach (var contact in contacts)
        {
            var body = new JsonObject { ["name"] = contact.Name is { Length: > 0 } n ? n : contact.Email ?? $"Contact {contact.Id}" };
            if (owner is not null) body["owner_id"] = owner;
            if (PipedriveClient.ContactList(contact.Email) is { } emails) body["emails"] = emails;
            if (PipedriveClient.ContactList(contact.Phone) is { } phones) body["phones"] = phones;
            body["custom_fields"] = await CustomFieldsAsync(db, fields, "Contact", contact, personTypes, ct);
            persons.Add(new PersonPlan(contact, body));
        }

        var dealPlans = new List<DealPlan>();
        foreach (var deal in deals)
        {
            deal.Company = company;
            var body = new JsonObject { ["title"] = deal.Name is { Length: > 0 } t ? t : company.Name };
            if (deal.Admin?.PdOwnerId is { } dealOwner) body["owner_id"] = dealOwner;
            if (deal.Pipeline is { } pipeline) body["pipeline_id"] = pipeline.PdPipelineId;
            if (deal.Stage is { } stage) body["stage_id"] = stage.PdStageId;
            body["status"] = deal.Status is Deal.StatusWon or Deal.StatusLost ? deal.Status : Deal.StatusOpen;
            body["custom_fields"] = await CustomFieldsAsync(db, fields, "Deal", deal, dealTypes, ct);
            dealPlans.Add(new DealPlan(deal, body));
        }

        var cligencyField = fields.For("Company").FirstOrDefault(f => f.PdFieldId is { Length: > 0 } && f.HermesFieldName is "tc2_cligency_url" or "tc2_cligency_id");
        var cligencyValue = cligencyField is null ? null : PipedriveValues.Scalar(org["custom_fields"]?[cligencyField.PdFieldId!]);
        return new Plan
        {
            Company = company,
            OrgBody = org,
            Persons = persons,
            Deals = dealPlans,
            OrgHermesKey = fields.HermesId("Company")?.PdFieldId,
            PersonHermesKey = fields.HermesId("Contact")?.PdFieldId,
            DealHermesKey = fields.HermesId("Deal")?.PdFieldId,
            Cligency = cligencyField is not null && !string.IsNullOrEmpty(cligencyValue) ? (cligencyField.PdFieldId!, cligencyValue) : null,
        };
    }

    async Task<JsonObject> CustomFieldsAsync(HermesDb db, CustomFieldMap fields, string objectType, object entity, IReadOnlyDictionary<string, string>? types, CancellationToken ct)
    {
        var result = new JsonObject();
        foreach (var field in fields.For(objectType))
        {
            if (field.PdFieldId is not { Length: > 0 } key) continue;
            string? type = null;
            if (types is not null && !types.TryGetValue(key, out type))
            {
                log.LogWarning("Custom field {Field} ({Key}) is not a Pipedrive {Object} field; not sent", field.MachineName, key, objectType);
                continue;
            }
            if (field.HermesFieldName is { Length: > 0 } column && column != CustomFieldMap.HermesIdField &&
                !FieldAccess.Exists(entity.GetType(), column) && fields.InheritedFrom(field) is null)
            {
                log.LogWarning("Custom field {Field} names {Column}, which {Object} does not have; not sent", field.MachineName, column, objectType);
                continue;
            }
            var value = field.HermesFieldName == CustomFieldMap.HermesIdField
                ? entity switch { Company c => c.Id, Contact c => c.Id, Deal d => d.Id, _ => (object?)null }
                : await CustomFieldValues.GetAsync(db, fields, field, entity, settings, ct);
            result[key] = PipedriveValues.ToPipedrive(value, field, type);
        }
        return result;
    }

    // ───────────────────────────── Organization ─────────────────────────────

    async Task<int?> OrganizationAsync(Plan plan, CancellationToken ct)
    {
        var company = plan.Company;
        if (company.PdOrgId is { } linked)
        {
            if (await state.DeletedAsync(PipedriveObject.Organization, linked, ct) is { } gone)
            {
                log.LogInformation("Company {Company}: organization {Org} was deleted in Pipedrive ({Reason}); not recreated", company.Id, linked, gone.DeletedReason);
                return null;
            }
            return await UpdateLinkedAsync(Entity.Organization, linked, company, plan.OrgBody, OrgFillOnly, ct);
        }

        if (await state.OrganizationDeletedForClientAsync(company.Tc2CligencyId, ct) is { } deleted)
        {
            log.LogInformation("Company {Company}: TC2 client {Client}'s organization {Org} was deleted in Pipedrive; not recreated until staff link one",
                company.Id, company.Tc2CligencyId, deleted.PdId);
            return null;
        }

        if (await FindOrganizationAsync(plan, ct) is { } found)
        {
            var linkedNow = await state.LinkAsync(PipedriveObject.Organization, company.Id, found, ct);
            if (linkedNow is not null) log.LogInformation("Company {Company} linked to existing Pipedrive organization {Org}", company.Id, linkedNow);
            return await UpdateLinkedAsync(Entity.Organization, linkedNow, company, plan.OrgBody, OrgFillOnly, ct);
        }

        var (id, result) = await CreateAndLinkAsync(Entity.Organization, company.Id, plan.OrgBody, ct);
        plan.OrgIsNew = true;
        log.LogInformation("Company {Company}: Pipedrive organization {Org} created", company.Id, id);
        return result;
    }

    /// <summary>
    /// An organization that is this company already: one a lost create made (by hermes_id), the one carrying its TC2
    /// client, or the organization of a person with one of its contacts' emails, then phones (two of each at most:
    /// searches are rationed). Never one another Company has, nor one Pipedrive deleted.
    /// </summary>
    async Task<int?> FindOrganizationAsync(Plan plan, CancellationToken ct)
    {
        var company = plan.Company;
        if (plan.OrgHermesKey is { } hermesKey && await state.CreateAttemptedAsync(PipedriveObject.Organization, company.Id, ct))
        {
            foreach (var item in await pipedrive.SearchAsync(PipedriveClient.Organizations, company.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "custom_fields", true, 10, ct))
            {
                if (IdOrNull(item) is not { } candidate) continue;
                var org = await GetLiveOrNullAsync(Entity.Organization, candidate, ct);
                if (org is not null && PipedriveValues.Same(JsonValue.Create(company.Id), org["custom_fields"]?[hermesKey]) && await Usable(candidate))
                    return candidate;
            }
        }

        if (plan.Cligency is { } cligency)
            foreach (var item in await pipedrive.SearchAsync(PipedriveClient.Organizations, cligency.Value, "custom_fields", true, 10, ct))
                if (IdOrNull(item) is { } candidate && await Usable(candidate))
                {
                    // A search matches loosely; the field must hold exactly this client.
                    var org = await GetLiveOrNullAsync(Entity.Organization, candidate, ct);
                    if (org is not null && PipedriveValues.Same(JsonValue.Create(cligency.Value), org["custom_fields"]?[cligency.Key])) return candidate;
                }

        foreach (var (field, values) in new[] { ("email", plan.Persons.Select(p => p.Contact.Email)), ("phone", plan.Persons.Select(p => p.Contact.Phone)) })
            foreach (var value in values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Take(2))
            {
                var persons = await SearchPersonsAsync(plan, field, value, ct);
                foreach (var orgId in persons.Select(OrgIdOf).OfType<int>().Distinct().Order())
                    if (await Usable(orgId)) return orgId;
            }
        return null;

        async Task<bool> Usable(int orgId) =>
            !await state.LinkedElsewhereAsync(PipedriveObject.Organization, orgId, company.Id, ct)
            && await state.DeletedAsync(PipedriveObject.Organization, orgId, ct) is null;
    }

    async Task<IReadOnlyList<JsonObject>> SearchPersonsAsync(Plan plan, string field, string value, CancellationToken ct)
    {
        var cacheKey = $"{field}:{value}";
        if (plan.PersonSearches.TryGetValue(cacheKey, out var cached)) return cached;
        var found = await pipedrive.SearchAsync(PipedriveClient.Persons, value, field, true, 10, ct);
        plan.PersonSearches[cacheKey] = found;
        return found;
    }
}

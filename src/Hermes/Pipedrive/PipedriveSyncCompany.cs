using System.Net;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary><c>pipedrive.sync_company</c>: the Organization, its Persons and the company's Deals (behaviour.md §6).</summary>
public sealed class SyncCompanyHandler(PipedriveCompanySync sync) : JobHandler<SyncCompany>
{
    protected override Task RunAsync(SyncCompany job, CancellationToken ct) =>
        sync.SyncAsync(job.CompanyId, PipedriveCompanySync.Scope.Everything, ct);
}

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
public sealed class PipedriveCompanySync(
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
            var actual = await GetLiveAsync(Entity.Organization, linked, company, ct);
            if (actual is null) return null;
            await UpdateIfDifferentAsync(Entity.Organization, linked, plan.OrgBody, actual, OrgFillOnly, ct);
            return linked;
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
            if (linkedNow is null) return null;
            log.LogInformation("Company {Company} linked to existing Pipedrive organization {Org}", company.Id, linkedNow);
            var actual = await GetLiveAsync(Entity.Organization, linkedNow.Value, company, ct);
            if (actual is null) return null;
            await UpdateIfDifferentAsync(Entity.Organization, linkedNow.Value, plan.OrgBody, actual, OrgFillOnly, ct);
            return linkedNow;
        }

        await state.MarkCreateAttemptAsync(PipedriveObject.Organization, company.Id, ct);
        var created = await pipedrive.CreateAsync(PipedriveClient.Organizations, WithoutEmptyFields(plan.OrgBody), ct);
        var id = IdOf(created);
        var result = await state.LinkAsync(PipedriveObject.Organization, company.Id, id, ct);
        await state.ClearCreateAttemptAsync(PipedriveObject.Organization, company.Id, ct);
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
            var actual = await GetLiveAsync(Entity.Person, linked, null, ct);
            if (actual is null) return null;
            await UpdateIfDifferentAsync(Entity.Person, linked, body, actual, PersonFillOnly, ct);
            return linked;
        }

        if (await state.PersonDeletedForRecipientAsync(contact.Tc2SrId, ct) is { } deleted)
        {
            log.LogInformation("Contact {Contact}: TC2 recipient {Recipient}'s person {Person} was deleted in Pipedrive; not recreated",
                contact.Id, contact.Tc2SrId, deleted.PdId);
            return null;
        }

        if (await FindPersonAsync(plan, person, orgId, ct) is { } found)
        {
            var linkedNow = await state.LinkAsync(PipedriveObject.Person, contact.Id, found, ct);
            if (linkedNow is null) return null;
            var actual = await GetLiveAsync(Entity.Person, linkedNow.Value, null, ct);
            if (actual is null) return null;
            await UpdateIfDifferentAsync(Entity.Person, linkedNow.Value, body, actual, PersonFillOnly, ct);
            return linkedNow;
        }

        await state.MarkCreateAttemptAsync(PipedriveObject.Person, contact.Id, ct);
        var created = await pipedrive.CreateAsync(PipedriveClient.Persons, WithoutEmptyFields(body), ct);
        var id = IdOf(created);
        var result = await state.LinkAsync(PipedriveObject.Person, contact.Id, id, ct);
        await state.ClearCreateAttemptAsync(PipedriveObject.Person, contact.Id, ct);
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
        {
            var linkedNow = await state.LinkAsync(PipedriveObject.Deal, deal.Id, found, ct);
            if (linkedNow is null) return null;
            var actual = await GetLiveAsync(Entity.Deal, linkedNow.Value, null, ct);
            if (actual is null) return null;
            await UpdateIfDifferentAsync(Entity.Deal, linkedNow.Value, body, actual, DealFillOnly, ct);
            return linkedNow;
        }

        await state.MarkCreateAttemptAsync(PipedriveObject.Deal, deal.Id, ct);
        var created = await pipedrive.CreateAsync(PipedriveClient.Deals, WithoutEmptyFields(body), ct);
        var id = IdOf(created);
        var result = await state.LinkAsync(PipedriveObject.Deal, deal.Id, id, ct);
        await state.ClearCreateAttemptAsync(PipedriveObject.Deal, deal.Id, ct);
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

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations.Input;

namespace Hermes.Tc2;

/// <summary>An event Hermes cannot apply (a client whose sales person is no Hermes admin): logged, nothing changed.</summary>
public sealed class Tc2EventException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>
/// What Hermes does with a TC2 event (behaviour.md §3). Runs inside the caller's transaction, never calls TC2 or
/// Pipedrive; what must reach them is queued in the same transaction.
/// <list type="bullet">
/// <item>Client with an agency: create or update the Company, matched by <c>tc2_cligency_id</c>, then
///   <c>tc2_agency_id</c>, then the Pipedrive organization the client carries, then (new ones only) a contact email
///   Hermes already has — never a twin. A new Company gets every field; an existing one only the ones TC2 owns
///   (ids, status, billing, narc, questionnaire, support and BDR admins, TC2 custom fields), plus country and website
///   when it has none. Name and sales person belong to Pipedrive once set.</item>
/// <item>Contacts from <c>paid_recipients</c>, matched by <c>tc2_sr_id</c>, then by email within the company.</item>
/// <item>A Deal for a new prospect (no deal yet, 0 paid invoices, trial or pending_email_conf, created in TC2 within
///   90 days) in the pipeline <c>config</c> names for the price plan, at its default entry stage.</item>
/// <item>narc: no contacts or deals are kept and Pipedrive is purged. <c>DELETED_A_CLIENT</c>: the Company goes,
///   Pipedrive is left alone. Invoice events re-read the client from TC2 (a job). Anything else is ignored.</item>
/// </list>
/// </summary>
public sealed class Tc2Inbound(HermesDb db, JobQueue jobs, HermesSettings settings, TimeProvider clock, ILogger<Tc2Inbound> log)
{
    public static readonly TimeSpan NewProspectAge = TimeSpan.FromDays(90);

    /// <summary>Company columns a custom field from TC2 may not write on an existing company: Pipedrive and Hermes own them.</summary>
    static readonly HashSet<string> NotOwnedByTc2 = ["id", "name", "sales_person", "sales_person_id", "pd_org_id", "created"];

    /// <summary>Applies one webhook event; returns what happened (starting "ignored" when nothing was done).</summary>
    public async Task<EventOutcome> ApplyEventAsync(Tc2Event e, CancellationToken ct)
    {
        switch (e.Model)
        {
            case "Client" when e.Action == Tc2Event.AgreeTerms:
                return EventOutcome.Ignored("AGREE_TERMS events are not used");
            case "Client" when e.Subject["meta_agency"] is JsonObject:
                return await ApplyClientAsync(Tc2Cligency.Parse(e.Subject), createDeal: true, ct);
            case "Client" when e.Action == Tc2Event.DeletedAClient:
                return e.SubjectId is { } deletedId ? await DeleteClientAsync(deletedId, ct) : EventOutcome.Ignored("a deleted client without an id");
            case "Client":
                return EventOutcome.Ignored("a client without an agency");
            case "Invoice":
                if (Tc2Json.Int((e.Subject["client"] as JsonObject)?["id"]) is not { } clientId) return EventOutcome.Ignored("an invoice without a client");
                await QueueRefreshAsync(clientId, ct);
                return EventOutcome.Applied($"client {clientId} will be read again from TC2");
            default:
                return EventOutcome.Ignored($"Hermes does not use TC2 {e.Model ?? "unknown"} events");
        }
    }

    /// <summary>
    /// Creates or updates the Company (and its contacts, and maybe a deal) from a TC2 client, then queues the
    /// Pipedrive sync or purge when something changed. Used for webhooks and for clients read from TC2.
    /// </summary>
    public async Task<EventOutcome> ApplyClientAsync(Tc2Cligency client, bool createDeal, CancellationToken ct)
    {
        var agency = client.MetaAgency ?? throw new Tc2EventException("meta_agency", "the client has no agency");
        var fields = await CustomFieldMap.LoadAsync(db, ct);

        if (client.SalesPersonId is not { } salesTc2Id)
            throw new Tc2EventException("sales_person_id", $"client {client.Id} has no sales person");
        var sales = await AdminAsync(salesTc2Id, ct) ?? throw new Tc2EventException("sales_person_id", $"Admin with tc2_admin_id {salesTc2Id} does not exist");
        var support = await OptionalAdminAsync(client.AssociatedAdminId, "associated_admin", client.Id, ct);
        var bdr = await OptionalAdminAsync(client.BdrPersonId, "bdr_person", client.Id, ct);

        var carriedOrgId = await CarriedOrgIdAsync(client, fields, ct);
        var company = await FindCompanyAsync(client, agency, carriedOrgId, ct);
        var isNew = company is null;
        var now = clock.GetUtcNow().UtcDateTime;
        if (company is null)
        {
            company = new Company
            {
                Name = Truncate(agency.Name) ?? Truncate($"{client.User.FirstName} {client.User.LastName}") ?? $"Client {client.Id}",
                SalesPersonId = sales.Id,
                Created = now,
                Country = agency.CountryCode,
                Website = Truncate(agency.Website),
            };
            db.Companies.Add(company);
        }
        else
        {
            company.Country ??= agency.CountryCode;
            company.Website ??= Truncate(agency.Website);
        }

        // The fields TC2 owns.
        company.Tc2AgencyId = agency.Id;
        company.Tc2CligencyId = client.Id;
        company.Tc2Status = Truncate(agency.Status, 25) ?? company.Tc2Status;
        company.PaidInvoiceCount = agency.PaidInvoiceCount;
        company.PricePlan = agency.Plan;
        company.Narc = agency.Narc;
        company.HasSignedUp = true;
        if (support.Known) company.SupportPersonId = support.Admin?.Id;
        if (bdr.Known) company.BdrPersonId = bdr.Admin?.Id;
        SetQuestionnaire(company, agency.SignupQuestionnaire);
        if (carriedOrgId is { } orgId && company.PdOrgId != orgId)
        {
            if (await db.Companies.AnyAsync(c => c.PdOrgId == orgId && c.Id != company.Id, ct))
                log.LogWarning("TC2 client {Client} names Pipedrive organization {Org}, which another company is linked to; not linked", client.Id, orgId);
            else
            {
                log.LogInformation("TC2 client {Client} links company {Company} to Pipedrive organization {Org}", client.Id, company.Id, orgId);
                company.PdOrgId = orgId;
            }
        }

        var changed = db.ChangeTracker.HasChanges();
        await db.SaveChangesAsync(ct);
        changed |= await ApplyCustomFieldsAsync(client, fields, company, isNew, ct);

        var notes = new List<string>();
        if (agency.Narc)
        {
            changed |= await ForgetForNarcAsync(company, ct);
        }
        else
        {
            var contacts = await ApplyContactsAsync(client, company, ct);
            changed |= contacts.Changed;
            if (createDeal && await CreateDealIfNewProspectAsync(client, agency, company, sales, contacts.First, notes, ct)) changed = true;
            changed |= db.ChangeTracker.HasChanges();
            await db.SaveChangesAsync(ct);
            if (changed || await NeedsPushAsync(company, ct)) await QueueSyncAsync(company.Id, ct);
        }

        var what = isNew ? $"company {company.Id} created" : changed ? $"company {company.Id} updated" : $"company {company.Id} unchanged";
        return EventOutcome.Applied(notes.Count == 0 ? what : $"{what} ({string.Join("; ", notes)})");
    }

    async Task<EventOutcome> DeleteClientAsync(int cligencyId, CancellationToken ct)
    {
        var company = await db.Companies.AsNoTracking().FirstOrDefaultAsync(c => c.Tc2CligencyId == cligencyId, ct);
        if (company is null) return EventOutcome.Ignored($"no company has tc2_cligency_id {cligencyId}");
        // Contacts, deals, their meetings and custom field values go with it (the database cascades). Pipedrive is not told.
        await db.Companies.Where(c => c.Id == company.Id).ExecuteDeleteAsync(ct);
        return EventOutcome.Applied($"company {company.Id} deleted");
    }

    async Task<Admin?> AdminAsync(int tc2AdminId, CancellationToken ct) =>
        await db.Admins.FirstOrDefaultAsync(a => a.Tc2AdminId == tc2AdminId, ct);

    /// <summary>A null admin is known (it clears the field); an id Hermes doesn't know is not (the field is left as it was).</summary>
    async Task<(bool Known, Admin? Admin)> OptionalAdminAsync(int? tc2AdminId, string field, int clientId, CancellationToken ct)
    {
        if (tc2AdminId is not { } id) return (true, null);
        if (await AdminAsync(id, ct) is { } admin) return (true, admin);
        log.LogWarning("TC2 client {Client}: {Field} {AdminId} is no Hermes admin; left as it was", clientId, field, id);
        return (false, null);
    }

    async Task<Company?> FindCompanyAsync(Tc2Cligency client, Tc2Agency agency, int? carriedOrgId, CancellationToken ct)
    {
        var byCligency = await db.Companies.FirstOrDefaultAsync(c => c.Tc2CligencyId == client.Id, ct);
        if (byCligency is not null) return byCligency;
        var byAgency = await db.Companies.FirstOrDefaultAsync(c => c.Tc2AgencyId == agency.Id, ct);
        if (byAgency is not null) return byAgency;
        if (carriedOrgId is { } orgId &&
            await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == orgId && c.Tc2CligencyId == null, ct) is { } byOrg)
            return byOrg;

        // A prospect who booked a call (or was created in Pipedrive) before signing up: one of their emails is here already.
        var emails = client.PaidRecipients.Select(r => r.Email).Append(client.User.Email)
            .Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e!.Trim().ToLowerInvariant()).Distinct().ToList();
        if (emails.Count == 0) return null;
        var matches = (await db.Contacts.Where(c => c.Email != null && emails.Contains(c.Email.ToLower()) && c.Company!.Tc2CligencyId == null)
            .OrderByDescending(c => c.Id).Select(c => c.CompanyId).ToListAsync(ct)).Distinct().ToList();
        if (matches.Count == 0) return null;
        if (matches.Count > 1)
            log.LogWarning("TC2 client {Client}: emails match contacts of companies {Companies}; taking {Chosen}, the newest contact's", client.Id, matches, matches[0]);
        return await db.Companies.FirstAsync(c => c.Id == matches[0], ct);
    }

    /// <summary>
    /// The Pipedrive organization TC2 says this client is (the checklist's TODO: "if a company is changed in TC to have
    /// its PD org ID set, it should be linked"): <c>meta_agency.pipedrive_id</c>, the extra attribute a custom field maps
    /// to <c>pd_org_id</c> (or <c>pipedrive_id</c>), or a <c>pipedrive_url</c> in this Pipedrive company. An organization
    /// Pipedrive merged away is followed to its survivor; one deleted in Pipedrive is not linked.
    /// </summary>
    async Task<int?> CarriedOrgIdAsync(Tc2Cligency client, CustomFieldMap fields, CancellationToken ct)
    {
        int? id = client.MetaAgency?.PipedriveId;
        var mapped = fields.For("Company").FirstOrDefault(f => f.HermesFieldName == "pd_org_id" && f.Tc2MachineName is { Length: > 0 });
        if (id is null && mapped is not null && int.TryParse(client.Extra(mapped.Tc2MachineName!), out var viaField)) id = viaField;
        if (id is null && int.TryParse(client.Extra("pipedrive_id"), out var viaAttr)) id = viaAttr;
        if (id is null && client.Extra("pipedrive_url") is { } url && settings.PdBaseUrl.Length > 0)
        {
            var match = Regex.Match(url, "^" + Regex.Escape(settings.PdBaseUrl.ToLowerInvariant()) + @"/organization/(\d+)/?$");
            if (match.Success && int.TryParse(match.Groups[1].Value, out var viaUrl)) id = viaUrl;
        }
        for (var hops = 0; id is { } current && hops < 5; hops++)
        {
            var state = await db.PipedriveObjects.AsNoTracking().FirstOrDefaultAsync(o => o.Entity == PipedriveObject.Organization && o.PdId == current, ct);
            if (state?.DeletedAt is null) return current;
            if (state.MergedIntoPdId is { } survivor) { id = survivor; continue; }
            log.LogInformation("TC2 client {Client} names Pipedrive organization {Org}, which was deleted in Pipedrive; not linked", client.Id, current);
            return null;
        }
        return id;
    }

    /// <summary>TC2 sends the questionnaire as an object (or a JSON string); stored as JSON, compared by meaning so a re-send changes nothing.</summary>
    static void SetQuestionnaire(Company company, JsonNode? value)
    {
        JsonNode? node = value;
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var text = v.GetValue<string>();
            try { node = JsonNode.Parse(text) ?? value; }
            catch (JsonException) { node = value; }
        }
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            company.SignupQuestionnaire = null;
            return;
        }
        if (company.SignupQuestionnaire is { } existing)
        {
            try
            {
                if (JsonNode.DeepEquals(JsonNode.Parse(existing), node)) return;
            }
            catch (JsonException) { }
        }
        company.SignupQuestionnaire = node.ToJsonString();
    }

    /// <summary>Company custom fields TC2 fills from <c>extra_attrs</c> by <c>tc2_machine_name</c>. True when a value changed.</summary>
    async Task<bool> ApplyCustomFieldsAsync(Tc2Cligency client, CustomFieldMap fields, Company company, bool isNew, CancellationToken ct)
    {
        if (client.ExtraAttrs is null) return false;
        foreach (var field in fields.For("Company"))
        {
            if (field.Tc2MachineName is not { Length: > 0 } key) continue;
            if (field.HermesFieldName is { Length: > 0 } column && (column == CustomFieldMap.HermesIdField || column == "pd_org_id" ||
                                                                    (!isNew && NotOwnedByTc2.Contains(column)) || FieldAccess.IsComputed(column)))
                continue;
            var value = client.Extra(key);
            if (value is null && field.HermesFieldName is { Length: > 0 }) continue; // an absent value never blanks a column
            if (!await CustomFieldValues.SetAsync(db, field, company, value, ct))
                log.LogWarning("TC2 client {Client}: {Field} value {Value} does not fit; left as it was", client.Id, field.MachineName, value);
        }
        var changed = db.ChangeTracker.HasChanges();
        await db.SaveChangesAsync(ct);
        return changed;
    }

    sealed record ContactsResult(bool Changed, Contact? First);

    async Task<ContactsResult> ApplyContactsAsync(Tc2Cligency client, Company company, CancellationToken ct)
    {
        var existing = await db.Contacts.Where(c => c.CompanyId == company.Id).ToListAsync(ct);
        Contact? first = null;
        var now = clock.GetUtcNow().UtcDateTime;
        for (var i = 0; i < client.PaidRecipients.Count; i++)
        {
            var r = client.PaidRecipients[i];
            var email = Truncate(r.Email) ?? (i == 0 ? Truncate(client.User.Email) : null);
            var contact = db.Contacts.Local.FirstOrDefault(c => c.Tc2SrId == r.Id)
                          ?? await db.Contacts.FirstOrDefaultAsync(c => c.Tc2SrId == r.Id, ct)
                          ?? existing.FirstOrDefault(c => c.Tc2SrId is null && email is not null && string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));
            if (contact is null)
            {
                contact = new Contact
                {
                    Tc2SrId = r.Id,
                    FirstName = Truncate(r.FirstName),
                    LastName = Truncate(r.LastName),
                    Email = email,
                    Phone = i == 0 ? Truncate(client.User.Phone) : null,
                    CompanyId = company.Id,
                    Created = now,
                };
                db.Contacts.Add(contact);
                existing.Add(contact);
            }
            else
            {
                // Linked to TC2; what the person typed or Pipedrive holds is kept, blanks are filled.
                contact.Tc2SrId ??= r.Id;
                if (contact.CompanyId != company.Id)
                {
                    log.LogInformation("TC2 recipient {Recipient} moves from company {From} to {To}", r.Id, contact.CompanyId, company.Id);
                    contact.CompanyId = company.Id;
                }
                if (string.IsNullOrEmpty(contact.FirstName)) contact.FirstName = Truncate(r.FirstName);
                if (string.IsNullOrEmpty(contact.LastName)) contact.LastName = Truncate(r.LastName);
                if (string.IsNullOrEmpty(contact.Email)) contact.Email = email;
                if (string.IsNullOrEmpty(contact.Phone) && i == 0) contact.Phone = Truncate(client.User.Phone);
            }
            first ??= contact;
        }
        var changed = db.ChangeTracker.HasChanges();
        await db.SaveChangesAsync(ct);
        return new ContactsResult(changed, first);
    }

    async Task<bool> CreateDealIfNewProspectAsync(Tc2Cligency client, Tc2Agency agency, Company company, Admin sales, Contact? contact, List<string> notes, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var isNewProspect = agency.PaidInvoiceCount == 0
                            && agency.Status is Company.StatusTrial or Company.StatusPendingEmailConf
                            && agency.Created is { } created && created > now - NewProspectAge;
        if (!isNewProspect) return false;
        // Any deal counts, closed ones too: a lost deal is not reopened by TC2's periodic re-sends.
        if (await db.Deals.AnyAsync(d => d.CompanyId == company.Id, ct)) return false;
        // Nor is one the sales team deleted in Pipedrive (TC2 echoes the update that told it so).
        if (await db.PipedriveObjects.DeletedOnPurpose().AnyAsync(o => o.Entity == PipedriveObject.Deal && o.Tc2CligencyId == client.Id, ct))
        {
            notes.Add("no deal: its deal was deleted in Pipedrive");
            return false;
        }

        var config = await db.Configs.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        var pipelineId = config?.PipelineIdFor(company.PricePlan);
        var pipeline = pipelineId is null ? null : await db.Pipelines.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pipelineId, ct);
        if (pipeline?.DftEntryStageId is not { } stageId)
        {
            var why = pipeline is null ? $"the config names no pipeline for {company.PricePlan}" : $"pipeline {pipeline.Name} has no default entry stage";
            log.LogWarning("TC2 client {Client}: no deal created: {Why}", client.Id, why);
            notes.Add($"no deal: {why}");
            return false;
        }
        db.Deals.Add(new Deal
        {
            Name = company.Name,
            Status = Deal.StatusOpen,
            AdminId = sales.Id,
            CompanyId = company.Id,
            ContactId = contact?.Id,
            PipelineId = pipeline.Id,
            StageId = stageId,
        });
        notes.Add("deal created");
        return true;
    }

    /// <summary>
    /// A narc client: Hermes keeps the company but none of its contacts or deals, and Pipedrive gets rid of the
    /// organization, persons and deals (the purge job carries their ids, since the rows are gone by then).
    /// </summary>
    async Task<bool> ForgetForNarcAsync(Company company, CancellationToken ct)
    {
        var personIds = await db.Contacts.Where(c => c.CompanyId == company.Id && c.PdPersonId != null).Select(c => c.PdPersonId!.Value).ToListAsync(ct);
        var dealIds = await db.Deals.Where(d => d.CompanyId == company.Id && d.PdDealId != null).Select(d => d.PdDealId!.Value).ToListAsync(ct);
        var orgId = company.PdOrgId;
        var deleted = await db.Deals.Where(d => d.CompanyId == company.Id).ExecuteDeleteAsync(ct)
                      + await db.Contacts.Where(c => c.CompanyId == company.Id).ExecuteDeleteAsync(ct);
        company.PdOrgId = null;
        var changed = db.ChangeTracker.HasChanges() || deleted > 0;
        if (orgId is not null || personIds.Count > 0 || dealIds.Count > 0)
            jobs.Enqueue(db, new PurgeCompany(company.Id, orgId, personIds, dealIds));
        await db.SaveChangesAsync(ct);
        return changed;
    }

    /// <summary>Something Hermes has isn't in Pipedrive yet (a re-sent event must not leave it behind).</summary>
    async Task<bool> NeedsPushAsync(Company company, CancellationToken ct) =>
        company.PdOrgId is null
        || await db.Contacts.AnyAsync(c => c.CompanyId == company.Id && c.PdPersonId == null, ct)
        || await db.Deals.AnyAsync(d => d.CompanyId == company.Id && d.PdDealId == null && d.Status == Deal.StatusOpen, ct);

    /// <summary>Queues the company's Pipedrive sync unless one is already waiting (it will read the latest rows when it runs).</summary>
    Task QueueSyncAsync(int companyId, CancellationToken ct) => jobs.EnqueueUnlessWaitingAsync(db, new SyncCompany(companyId), ct);

    Task QueueRefreshAsync(int cligencyId, CancellationToken ct) => jobs.EnqueueUnlessWaitingAsync(db, new RefreshTc2Client(cligencyId), ct);

    static string? Truncate(string? s, int max = 255)
    {
        if (s is null) return null;
        s = s.Trim();
        return s.Length == 0 ? null : InputText.Clip(s, max);
    }
}

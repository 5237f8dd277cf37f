using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>A field of a webhook names something that must exist in Hermes and doesn't (answered 422, FastAPI's shape).</summary>
public sealed class WebhookValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// What Hermes does when Pipedrive tells it about an organization, person, deal, pipeline or stage (behaviour.md §2).
/// Runs inside the caller's transaction and never calls Pipedrive: an organization Hermes doesn't know yet is fetched
/// by a job, which then replays the event.
///
/// Rules shared by every object:
/// <list type="bullet">
/// <item>Matching: the <c>hermes_id</c> custom field first (several ids after a merge), then the Pipedrive id column, then
///   for an organization or person made by hand in Pipedrive the rules of <see cref="PipedriveMatching"/>.</item>
/// <item>Only fields Pipedrive owns are taken, from the object's current state in the event (only values present;
///   empty emails and phones never wipe Hermes's).</item>
/// <item>Out of order: an event older than the newest one applied to that object is skipped, so the newest state wins
///   whatever the arrival order; an object Pipedrive deleted stays deleted (<see cref="PipedriveObject"/>); a deal's
///   person, stage or pipeline that arrives after the deal is linked when it arrives.</item>
/// <item>Merges keep the row that matches the surviving Pipedrive object, move the loser's children onto it, delete the
///   loser and queue a clean <c>hermes_id</c> write-back.</item>
/// </list>
/// </summary>
public sealed class PipedriveInbound(HermesDb db, JobQueue jobs, TimeProvider clock, ILogger<PipedriveInbound> log)
{
    /// <summary>Company columns Pipedrive may not write: TC2 and Hermes own them (behaviour.md §1, principle 2).</summary>
    static readonly HashSet<string> NotOwnedByPipedrive =
    [
        "id", "pd_org_id", "tc2_agency_id", "tc2_cligency_id", "tc2_status", "paid_invoice_count", "price_plan", "narc",
        "signup_questionnaire", "created", "has_signed_up", "has_booked_call", "sales_person", "sales_person_id",
    ];

    CustomFieldMap _fields = new([]);
    bool _allowFetch = true;

    /// <summary>Applies one event; returns what happened, for the webhook log.</summary>
    public async Task<string> ProcessAsync(PipedriveEvent e, long webhookId, bool allowFetch, CancellationToken ct)
    {
        // Before anything about the object is read: events for one object are applied one at a time (the staleness
        // check and the write that follows are one step).
        await PipedriveEventOrder.LockAsync(db, e, ct);
        _fields = await CustomFieldMap.LoadAsync(db, ct);
        _allowFetch = allowFetch;
        var result = e.Entity switch
        {
            "organization" => e.Action == PipedriveAction.Delete ? await DeleteOrganization(e, ct) : await UpsertOrganization(e, webhookId, ct),
            "person" => e.Action == PipedriveAction.Delete ? await DeletePerson(e, ct) : await UpsertPerson(e, webhookId, ct),
            "deal" => e.Action == PipedriveAction.Delete ? await DeleteDeal(e, ct) : await UpsertDeal(e, webhookId, ct),
            "pipeline" => e.Action == PipedriveAction.Delete ? await DeletePipeline(e, ct) : await UpsertPipeline(e, ct),
            "stage" => e.Action == PipedriveAction.Delete ? await DeleteStage(e, ct) : await UpsertStage(e, ct),
            _ => $"ignored: Hermes does not keep Pipedrive {e.Entity} objects",
        };
        if (e.Entity == PipedriveObject.Organization)
            await PipedriveEventOrder.ReleaseWaitingAsync(db, jobs, new[] { e.Id, e.MergedToId, e.MergedFromId }.OfType<int>().ToList(), ct);
        return result;
    }

    // ───────────────────────────── Organization → Company ─────────────────────────────

    async Task<string> UpsertOrganization(PipedriveEvent e, long webhookId, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var cur = e.Current!;
        var state = await State(PipedriveObject.Organization, id, ct);
        if (state?.DeletedAt is not null) return $"ignored: organization {id} was deleted in Pipedrive";

        var hermesIds = HermesIds(e, "Company");
        var byPd = await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == id, ct);
        var listed = hermesIds.Count == 0 ? [] : await db.Companies.Where(c => hermesIds.Contains(c.Id)).ToListAsync(ct);
        var company = byPd ?? hermesIds.Select(h => listed.FirstOrDefault(c => c.Id == h)).FirstOrDefault(c => c is not null);
        if (IsStale(state, e)) return $"ignored: an older change of organization {id} than one already applied";
        string? matchedBy = null;
        if (company is null)
        {
            // Made by hand in Pipedrive: the company Hermes has already, rather than a twin (PipedriveMatching).
            var match = await PipedriveMatching.OrganizationAsync(db, _fields, cur, ct);
            if (match.Ambiguity is { } why) return $"ignored: organization {id} {why}; none linked, none created";
            (company, matchedBy) = (match.Row, match.Rule);
        }

        if (company is null)
        {
            var ownerId = cur.Int("owner_id");
            var owner = ownerId is null ? null : await db.Admins.FirstOrDefaultAsync(a => a.PdOwnerId == ownerId, ct);
            if (owner is null) throw new WebhookValidationException("owner_id", $"Admin with pd_owner_id {ownerId?.ToString() ?? "null"} does not exist");
            company = new Company
            {
                Name = Truncate(cur.Str("name")) ?? $"Organization {id}",
                PdOrgId = id,
                SalesPersonId = owner.Id,
                Created = Now,
            };
            db.Companies.Add(company);
            await db.SaveChangesAsync(ct);
            await ApplyCustomFields(e, "Company", company, ct);
            await Seen(PipedriveObject.Organization, id, e, ct);
            await db.SaveChangesAsync(ct);
            return $"company {company.Id} created";
        }

        company.PdOrgId = id;
        if (Truncate(cur.Str("name")) is { Length: > 0 } name) company.Name = name;
        if (cur.Int("owner_id") is { } ownerPdId)
        {
            var owner = await db.Admins.FirstOrDefaultAsync(a => a.PdOwnerId == ownerPdId, ct);
            if (owner is not null) company.SalesPersonId = owner.Id;
            else log.LogWarning("Organization {OrgId}: owner {Owner} is no Hermes admin; sales person left as it was", id, ownerPdId);
        }
        await ApplyCustomFields(e, "Company", company, ct);
        await db.SaveChangesAsync(ct);

        var merged = new List<int>();
        foreach (var loser in listed.Where(c => c.Id != company.Id))
            merged.Add(await MergeCompanies(company, loser, ct));
        if (e.MergedFromId is { } fromId && await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == fromId && c.Id != company.Id, ct) is { } absorbed)
            merged.Add(await MergeCompanies(company, absorbed, ct));
        if (merged.Count > 0 || hermesIds.Count > 1 || (hermesIds.Count == 1 && hermesIds[0] != company.Id) || matchedBy is not null)
            jobs.Enqueue(db, new WriteHermesId("Company", company.Id, company.Id));

        await Seen(PipedriveObject.Organization, id, e, ct);
        await db.SaveChangesAsync(ct);
        await QueueTc2Update(company.Id, ct);
        return merged.Count > 0 ? $"company {company.Id} updated; merged {string.Join(", ", merged)} into it"
            : matchedBy is not null ? $"company {company.Id} linked to organization {id} (matched by {matchedBy})"
            : $"company {company.Id} updated";
    }

    async Task<string> DeleteOrganization(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        if (e.MergedToId is { } mergedInto)
        {
            var loser = await FindCompany(e, id, ct);
            // What it was merged into may have been merged on, or deleted, since (its events can come first).
            var (survivorPdId, survivorGone) = await PipedriveEventOrder.SurvivorAsync(db, PipedriveObject.Organization, mergedInto, ct);
            var survivor = survivorGone ? null : await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == survivorPdId, ct);
            await Deleted(PipedriveObject.Organization, id, PipedriveDeletion.Merged, mergedInto, loser, ct);
            if (loser is null) return $"ignored: merged organization {id} is not in Hermes";
            if (survivorGone)
            {
                await db.SaveChangesAsync(ct);
                await db.Companies.Where(c => c.Id == loser.Id).ExecuteDeleteAsync(ct);
                db.Entry(loser).State = EntityState.Detached;
                return $"company {loser.Id} deleted: organization {id} was merged into {survivorPdId}, which was deleted in Pipedrive";
            }
            if (survivor is null || survivor.Id == loser.Id)
            {
                // The surviving organization isn't linked to a Company yet: this one carries on as it.
                loser.PdOrgId = survivorPdId;
                await db.SaveChangesAsync(ct);
                jobs.Enqueue(db, new WriteHermesId("Company", loser.Id, loser.Id));
                return $"company {loser.Id} now follows organization {survivorPdId}, which {id} was merged into";
            }
            var merged = await MergeCompanies(survivor, loser, ct);
            jobs.Enqueue(db, new WriteHermesId("Company", survivor.Id, survivor.Id));
            return $"company {merged} merged into company {survivor.Id}";
        }

        var company = await FindCompany(e, id, ct);
        await Deleted(PipedriveObject.Organization, id, PipedriveDeletion.Webhook, null, company, ct);
        if (company is null) return $"ignored: organization {id} is not in Hermes";
        // Contacts, deals, their meetings and custom field values go with it (the database cascades).
        await db.SaveChangesAsync(ct);
        await db.Companies.Where(c => c.Id == company.Id).ExecuteDeleteAsync(ct);
        return $"company {company.Id} deleted";
    }

    async Task<Company?> FindCompany(PipedriveEvent e, int pdId, CancellationToken ct)
    {
        var byPd = await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == pdId, ct);
        if (byPd is not null) return byPd;
        var ids = HermesIds(e, "Company");
        return ids.Count == 0 ? null : await db.Companies.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>Moves the loser's contacts and deals (meetings follow them) onto the survivor and deletes the loser.</summary>
    async Task<int> MergeCompanies(Company survivor, Company loser, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await db.Contacts.Where(c => c.CompanyId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.CompanyId, survivor.Id), ct);
        await db.Deals.Where(d => d.CompanyId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.CompanyId, survivor.Id), ct);
        if (loser.PdOrgId is { } loserPd)
            await Deleted(PipedriveObject.Organization, loserPd, PipedriveDeletion.Merged, survivor.PdOrgId, null, ct);
        await db.SaveChangesAsync(ct);
        await db.Companies.Where(c => c.Id == loser.Id).ExecuteDeleteAsync(ct);
        db.Entry(loser).State = EntityState.Detached;
        log.LogInformation("Merged company {Loser} into {Survivor}", loser.Id, survivor.Id);
        return loser.Id;
    }

    // ───────────────────────────── Person → Contact ─────────────────────────────

    async Task<string> UpsertPerson(PipedriveEvent e, long webhookId, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var cur = e.Current!;
        var state = await State(PipedriveObject.Person, id, ct);
        if (state?.DeletedAt is not null) return $"ignored: person {id} was deleted in Pipedrive";

        var hermesIds = HermesIds(e, "Contact");
        var byPd = await db.Contacts.FirstOrDefaultAsync(c => c.PdPersonId == id, ct);
        var listed = hermesIds.Count == 0 ? [] : await db.Contacts.Where(c => hermesIds.Contains(c.Id)).ToListAsync(ct);
        var contact = byPd ?? hermesIds.Select(h => listed.FirstOrDefault(c => c.Id == h)).FirstOrDefault(c => c is not null);
        if (IsStale(state, e)) return $"ignored: an older change of person {id} than one already applied";
        string? matchedBy = null;
        if (contact is null && cur.Int("org_id") is { } ownOrg && await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == ownOrg, ct) is { } ownCompany)
        {
            // Made by hand in Pipedrive: the company's contact Hermes has already, rather than a twin (PipedriveMatching).
            var match = await PipedriveMatching.PersonAsync(db, ownCompany.Id, cur, ct);
            if (match.Ambiguity is { } why) return $"ignored: person {id} {why}; none linked, none created";
            (contact, matchedBy) = (match.Row, match.Rule);
        }

        if (contact is null)
        {
            if (cur.Int("org_id") is not { } orgPdId) return $"ignored: person {id} has no organization";
            var target = await PipedriveEventOrder.OrganizationAsync(db, orgPdId, ct);
            if (target.Company is not { } company) return await AwaitOrganization(e, target.PdOrgId, webhookId, $"person {id}", ct);
            contact = new Contact { PdPersonId = id, CompanyId = company.Id, Created = Now };
            SetName(contact, cur.Str("name"));
            contact.Email = Truncate(cur.Str("email"));
            contact.Phone = Truncate(cur.Str("phone"));
            db.Contacts.Add(contact);
            await db.SaveChangesAsync(ct);
            await ApplyCustomFields(e, "Contact", contact, ct);
            await Seen(PipedriveObject.Person, id, e, ct);
            await db.SaveChangesAsync(ct);
            var waitingForPerson = await DealsWaitingFor(o => o.RefPersonId == id, ct);
            await db.Deals.Where(d => waitingForPerson.Contains(d.PdDealId) && d.ContactId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.ContactId, contact.Id), ct);
            return $"contact {contact.Id} created";
        }

        // A move waits for an organization Hermes doesn't have yet (and is then replayed whole); a move into one that
        // Pipedrive deleted takes the contact away, as that delete took the contacts already there.
        var movedTo = cur.Int("org_id") is { } newOrg ? await PipedriveEventOrder.OrganizationAsync(db, newOrg, ct) : null;
        if (movedTo is { Deleted: true })
        {
            await db.Contacts.Where(c => c.Id == contact.Id).ExecuteDeleteAsync(ct);
            db.Entry(contact).State = EntityState.Detached;
            await Seen(PipedriveObject.Person, id, e, ct);
            return $"contact {contact.Id} deleted: person {id} moved to organization {movedTo.PdOrgId}, which was deleted in Pipedrive";
        }
        if (movedTo is { Company: null }) return await AwaitOrganization(e, movedTo.PdOrgId, webhookId, $"person {id}", ct);

        contact.PdPersonId = id;
        if (!string.IsNullOrWhiteSpace(cur.Str("name"))) SetName(contact, cur.Str("name"));
        if (cur.Str("email") is { Length: > 0 } email) contact.Email = Truncate(email);
        if (cur.Str("phone") is { Length: > 0 } phone) contact.Phone = Truncate(phone);
        if (movedTo?.Company is { } newCompany) contact.CompanyId = newCompany.Id;
        await ApplyCustomFields(e, "Contact", contact, ct);
        await db.SaveChangesAsync(ct);

        var merged = new List<int>();
        foreach (var loser in listed.Where(c => c.Id != contact.Id)) merged.Add(await MergeContacts(contact, loser, ct));
        if (e.MergedFromId is { } fromId && await db.Contacts.FirstOrDefaultAsync(c => c.PdPersonId == fromId && c.Id != contact.Id, ct) is { } absorbed)
            merged.Add(await MergeContacts(contact, absorbed, ct));
        if (merged.Count > 0 || hermesIds.Count > 1 || (hermesIds.Count == 1 && hermesIds[0] != contact.Id) || matchedBy is not null)
            jobs.Enqueue(db, new WriteHermesId("Contact", contact.Id, contact.CompanyId));
        await Seen(PipedriveObject.Person, id, e, ct);
        await db.SaveChangesAsync(ct);
        if (matchedBy is not null)
        {
            // Deals that named this person before it was linked take it now, as they would a contact made for it.
            var waiting = await DealsWaitingFor(o => o.RefPersonId == id, ct);
            await db.Deals.Where(d => waiting.Contains(d.PdDealId) && d.ContactId == null).ExecuteUpdateAsync(u => u.SetProperty(d => d.ContactId, contact.Id), ct);
            return $"contact {contact.Id} linked to person {id} (matched by {matchedBy})";
        }
        return merged.Count > 0 ? $"contact {contact.Id} updated; merged {string.Join(", ", merged)} into it" : $"contact {contact.Id} updated";
    }

    async Task<string> DeletePerson(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.PdPersonId == id, ct)
                      ?? (HermesIds(e, "Contact") is { Count: > 0 } ids ? await db.Contacts.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).FirstOrDefaultAsync(ct) : null);
        if (e.MergedToId is { } mergedInto)
        {
            await Deleted(PipedriveObject.Person, id, PipedriveDeletion.Merged, mergedInto, null, ct);
            if (contact is null) return $"ignored: merged person {id} is not in Hermes";
            // What it was merged into may have been merged on, or deleted, since (its events can come first); or its
            // newest state, applied already, left it out of Hermes (its organization was deleted): this goes with it.
            var (survivorPdId, survivorGone) = await PipedriveEventOrder.SurvivorAsync(db, PipedriveObject.Person, mergedInto, ct);
            var survivor = survivorGone ? null : await db.Contacts.FirstOrDefaultAsync(c => c.PdPersonId == survivorPdId, ct);
            if (survivorGone || (survivor is null && (await State(PipedriveObject.Person, survivorPdId, ct))?.UpdatedAt is not null))
            {
                await db.SaveChangesAsync(ct);
                await db.Contacts.Where(c => c.Id == contact.Id).ExecuteDeleteAsync(ct);
                db.Entry(contact).State = EntityState.Detached;
                return $"contact {contact.Id} deleted: person {id} was merged into {survivorPdId}, which is not in Hermes since it was deleted (or its organization was) in Pipedrive";
            }
            if (survivor is null || survivor.Id == contact.Id)
            {
                contact.PdPersonId = survivorPdId;
                await db.SaveChangesAsync(ct);
                jobs.Enqueue(db, new WriteHermesId("Contact", contact.Id, contact.CompanyId));
                return $"contact {contact.Id} now follows person {survivorPdId}, which {id} was merged into";
            }
            var merged = await MergeContacts(survivor, contact, ct);
            jobs.Enqueue(db, new WriteHermesId("Contact", survivor.Id, survivor.CompanyId));
            return $"contact {merged} merged into contact {survivor.Id}";
        }
        await Deleted(PipedriveObject.Person, id, PipedriveDeletion.Webhook, null, null, ct, contact?.Tc2SrId);
        if (contact is null) return $"ignored: person {id} is not in Hermes";
        await db.SaveChangesAsync(ct);
        await db.Contacts.Where(c => c.Id == contact.Id).ExecuteDeleteAsync(ct);
        return $"contact {contact.Id} deleted";
    }

    async Task<int> MergeContacts(Contact survivor, Contact loser, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await db.Meetings.Where(m => m.ContactId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ContactId, survivor.Id), ct);
        await db.Deals.Where(d => d.ContactId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.ContactId, survivor.Id), ct);
        if (loser.PdPersonId is { } loserPd) await Deleted(PipedriveObject.Person, loserPd, PipedriveDeletion.Merged, survivor.PdPersonId, null, ct);
        await db.SaveChangesAsync(ct);
        await db.Contacts.Where(c => c.Id == loser.Id).ExecuteDeleteAsync(ct);
        db.Entry(loser).State = EntityState.Detached;
        return loser.Id;
    }

    static void SetName(Contact contact, string? name)
    {
        var parts = (name ?? "").Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        (contact.FirstName, contact.LastName) = parts.Length switch
        {
            0 => (contact.FirstName, contact.LastName),
            1 => (null, Truncate(parts[0])),
            _ => (Truncate(parts[0]), Truncate(parts[1])),
        };
    }

    // ───────────────────────────── Deal → Deal ─────────────────────────────

    async Task<string> UpsertDeal(PipedriveEvent e, long webhookId, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var cur = e.Current!;
        var state = await State(PipedriveObject.Deal, id, ct);
        if (state?.DeletedAt is not null) return $"ignored: deal {id} was deleted in Pipedrive";

        var hermesIds = HermesIds(e, "Deal");
        var byPd = await db.Deals.FirstOrDefaultAsync(d => d.PdDealId == id, ct);
        var listed = hermesIds.Count == 0 ? [] : await db.Deals.Where(d => hermesIds.Contains(d.Id)).ToListAsync(ct);
        var deal = byPd ?? hermesIds.Select(h => listed.FirstOrDefault(d => d.Id == h)).FirstOrDefault(d => d is not null);
        if (IsStale(state, e)) return $"ignored: an older change of deal {id} than one already applied";
        await PipedriveEventOrder.LockPersonAsync(db, cur.Int("person_id"), ct); // before the organization's: deal → person → organization

        if (deal is null)
        {
            if (cur.Int("org_id") is not { } orgPdId) return $"ignored: deal {id} has no organization";
            var target = await PipedriveEventOrder.OrganizationAsync(db, orgPdId, ct);
            if (target.Company is not { } owningCompany) return await AwaitOrganization(e, target.PdOrgId, webhookId, $"deal {id}", ct);
            var ownerId = cur.Int("owner_id");
            var owner = ownerId is null ? null : await db.Admins.FirstOrDefaultAsync(a => a.PdOwnerId == ownerId, ct);
            if (owner is null) throw new WebhookValidationException("user_id", $"Admin with pd_owner_id {ownerId?.ToString() ?? "null"} does not exist");
            deal = new Deal
            {
                PdDealId = id,
                Name = Truncate(cur.Str("title")),
                Status = Truncate(cur.Str("status")) ?? Deal.StatusOpen,
                AdminId = owner.Id,
                CompanyId = owningCompany.Id,
                ContactId = await ContactId(cur.Int("person_id"), ct),
                PipelineId = await PipelineId(cur.Int("pipeline_id"), ct),
                StageId = await StageId(cur.Int("stage_id"), ct),
            };
            db.Deals.Add(deal);
            await db.SaveChangesAsync(ct);
            await ApplyCustomFields(e, "Deal", deal, ct);
            await Seen(PipedriveObject.Deal, id, e, ct);
            await RememberReferences(id, cur, ct);
            await db.SaveChangesAsync(ct);
            await QueueTc2Update(owningCompany.Id, ct);
            return $"deal {deal.Id} created";
        }

        // A move waits for an organization Hermes doesn't have yet; a move into one Pipedrive deleted takes the deal away.
        var movedTo = cur.Int("org_id") is { } orgId ? await PipedriveEventOrder.OrganizationAsync(db, orgId, ct) : null;
        if (movedTo is { Deleted: true })
        {
            var left = await CompanyOf(deal, ct);
            await db.Deals.Where(d => d.Id == deal.Id).ExecuteDeleteAsync(ct);
            db.Entry(deal).State = EntityState.Detached;
            await Seen(PipedriveObject.Deal, id, e, ct);
            await RememberReferences(id, cur, ct);
            await db.SaveChangesAsync(ct);
            await QueueTc2Update(left.Id, ct);
            return $"deal {deal.Id} deleted: deal {id} moved to organization {movedTo.PdOrgId}, which was deleted in Pipedrive";
        }
        if (movedTo is { Company: null }) return await AwaitOrganization(e, movedTo.PdOrgId, webhookId, $"deal {id}", ct);

        var companyBefore = deal.CompanyId;
        deal.PdDealId = id;
        if (Truncate(cur.Str("title")) is { Length: > 0 } title) deal.Name = title;
        if (Truncate(cur.Str("status")) is { Length: > 0 } status) deal.Status = status;
        if (cur.Int("owner_id") is { } ownerPd && await db.Admins.FirstOrDefaultAsync(a => a.PdOwnerId == ownerPd, ct) is { } newOwner)
            deal.AdminId = newOwner.Id;
        if (cur.Has("person_id")) deal.ContactId = await ContactId(cur.Int("person_id"), ct);
        if (cur.Has("pipeline_id")) deal.PipelineId = await PipelineId(cur.Int("pipeline_id"), ct);
        if (cur.Has("stage_id")) deal.StageId = await StageId(cur.Int("stage_id"), ct);
        if (movedTo?.Company is { } newCompany) deal.CompanyId = newCompany.Id;
        await ApplyCustomFields(e, "Deal", deal, ct);
        await RememberReferences(id, cur, ct);
        await db.SaveChangesAsync(ct);

        var merged = new List<int>();
        foreach (var loser in listed.Where(d => d.Id != deal.Id)) merged.Add(await MergeDeals(deal, loser, ct));
        if (e.MergedFromId is { } fromId && await db.Deals.FirstOrDefaultAsync(d => d.PdDealId == fromId && d.Id != deal.Id, ct) is { } absorbed)
            merged.Add(await MergeDeals(deal, absorbed, ct));
        if (merged.Count > 0 || hermesIds.Count > 1 || (hermesIds.Count == 1 && hermesIds[0] != deal.Id))
            jobs.Enqueue(db, new WriteHermesId("Deal", deal.Id, deal.CompanyId));
        await Seen(PipedriveObject.Deal, id, e, ct);
        await db.SaveChangesAsync(ct);
        // A deal moved to another organization changes what TC2 shows of both clients.
        if (companyBefore != deal.CompanyId) await QueueTc2Update(companyBefore, ct);
        await QueueTc2Update(deal.CompanyId, ct);
        return merged.Count > 0 ? $"deal {deal.Id} updated; merged {string.Join(", ", merged)} into it" : $"deal {deal.Id} updated";
    }

    async Task<string> DeleteDeal(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var deal = await db.Deals.FirstOrDefaultAsync(d => d.PdDealId == id, ct)
                   ?? (HermesIds(e, "Deal") is { Count: > 0 } ids ? await db.Deals.Where(d => ids.Contains(d.Id)).OrderBy(d => d.Id).FirstOrDefaultAsync(ct) : null);
        if (e.MergedToId is { } mergedInto)
        {
            await Deleted(PipedriveObject.Deal, id, PipedriveDeletion.Merged, mergedInto, null, ct);
            if (deal is null) return $"ignored: merged deal {id} is not in Hermes";
            // What it was merged into may have been merged on, or deleted, since (its events can come first); or its
            // newest state, applied already, left it out of Hermes (its organization was deleted): this goes with it.
            var (survivorPdId, survivorGone) = await PipedriveEventOrder.SurvivorAsync(db, PipedriveObject.Deal, mergedInto, ct);
            var survivor = survivorGone ? null : await db.Deals.FirstOrDefaultAsync(d => d.PdDealId == survivorPdId, ct);
            if (survivorGone || (survivor is null && (await State(PipedriveObject.Deal, survivorPdId, ct))?.UpdatedAt is not null))
            {
                await db.SaveChangesAsync(ct);
                await db.Deals.Where(d => d.Id == deal.Id).ExecuteDeleteAsync(ct);
                db.Entry(deal).State = EntityState.Detached;
                return $"deal {deal.Id} deleted: deal {id} was merged into {survivorPdId}, which is not in Hermes since it was deleted (or its organization was) in Pipedrive";
            }
            if (survivor is null || survivor.Id == deal.Id)
            {
                deal.PdDealId = survivorPdId;
                await db.SaveChangesAsync(ct);
                jobs.Enqueue(db, new WriteHermesId("Deal", deal.Id, deal.CompanyId));
                return $"deal {deal.Id} now follows deal {survivorPdId}, which {id} was merged into";
            }
            var merged = await MergeDeals(survivor, deal, ct);
            jobs.Enqueue(db, new WriteHermesId("Deal", survivor.Id, survivor.CompanyId));
            return $"deal {merged} merged into deal {survivor.Id}";
        }
        // Remembered with the company's TC2 client, so TC2's next event for it does not make the deal again.
        var company = deal is null ? null : await CompanyOf(deal, ct);
        await Deleted(PipedriveObject.Deal, id, PipedriveDeletion.Webhook, null, company, ct);
        if (deal is null || company is null) return $"ignored: deal {id} is not in Hermes";
        await db.SaveChangesAsync(ct);
        // Only the deal: its company, contact and meetings stay (meetings lose the link).
        await db.Deals.Where(d => d.Id == deal.Id).ExecuteDeleteAsync(ct);
        db.Entry(deal).State = EntityState.Detached;
        await QueueTc2Update(company.Id, ct);
        return $"deal {deal.Id} deleted";
    }

    async Task<int> MergeDeals(Deal survivor, Deal loser, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await db.Meetings.Where(m => m.DealId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.DealId, survivor.Id), ct);
        if (loser.PdDealId is { } loserPd) await Deleted(PipedriveObject.Deal, loserPd, PipedriveDeletion.Merged, survivor.PdDealId, null, ct);
        await db.SaveChangesAsync(ct);
        await db.Deals.Where(d => d.Id == loser.Id).ExecuteDeleteAsync(ct);
        db.Entry(loser).State = EntityState.Detached;
        return loser.Id;
    }

    /// <summary>The deal's company; gone only when another transaction deleted it (and the deal) since the deal was read.</summary>
    async Task<Company> CompanyOf(Deal deal, CancellationToken ct) =>
        await db.Companies.FirstOrDefaultAsync(c => c.Id == deal.CompanyId, ct) ?? throw new RowGoneException($"company {deal.CompanyId} of deal {deal.Id}");

    async Task<int?> ContactId(int? pdPersonId, CancellationToken ct) =>
        await PipedriveEventOrder.LockPersonAsync(db, pdPersonId, ct) is { } survivor
            ? await db.Contacts.Where(c => c.PdPersonId == survivor).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct)
            : null;

    async Task<int?> PipelineId(int? pdPipelineId, CancellationToken ct) =>
        pdPipelineId is null ? null : await db.Pipelines.Where(p => p.PdPipelineId == pdPipelineId).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);

    async Task<int?> StageId(int? pdStageId, CancellationToken ct) =>
        pdStageId is null ? null : await db.Stages.Where(s => s.PdStageId == pdStageId).Select(s => (int?)s.Id).FirstOrDefaultAsync(ct);

    /// <summary>Keeps the Pipedrive ids a deal refers to, so a person, stage or pipeline that arrives later can be linked.</summary>
    async Task RememberReferences(int pdDealId, PipedriveObjectData cur, CancellationToken ct)
    {
        var state = await State(PipedriveObject.Deal, pdDealId, ct);
        if (state is null) db.PipedriveObjects.Add(state = new PipedriveObject { Entity = PipedriveObject.Deal, PdId = pdDealId });
        if (cur.Has("person_id")) state.RefPersonId = await PipedriveEventOrder.SurvivingPersonAsync(db, cur.Int("person_id"), ct);
        if (cur.Has("stage_id")) state.RefStageId = cur.Int("stage_id");
        if (cur.Has("pipeline_id")) state.RefPipelineId = cur.Int("pipeline_id");
    }

    /// <summary>The deals (by Pipedrive id) whose last known state names what just arrived.</summary>
    async Task<List<int?>> DealsWaitingFor(System.Linq.Expressions.Expression<Func<PipedriveObject, bool>> refersTo, CancellationToken ct) =>
        await db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Deal).Where(refersTo).Select(o => (int?)o.PdId).ToListAsync(ct);

    // ───────────────────────────── Pipeline and Stage ─────────────────────────────

    async Task<string> UpsertPipeline(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var pipeline = await db.Pipelines.FirstOrDefaultAsync(p => p.PdPipelineId == id, ct);
        var name = Truncate(e.Current!.Str("name"));
        if (pipeline is null)
        {
            db.Pipelines.Add(pipeline = new Pipeline { PdPipelineId = id, Name = name ?? $"Pipeline {id}" });
            await db.SaveChangesAsync(ct);
            var waitingForPipeline = await DealsWaitingFor(o => o.RefPipelineId == id, ct);
            await db.Deals.Where(d => waitingForPipeline.Contains(d.PdDealId) && d.PipelineId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.PipelineId, pipeline.Id), ct);
            return $"pipeline {pipeline.Id} created";
        }
        if (name is { Length: > 0 }) pipeline.Name = name;
        await db.SaveChangesAsync(ct);
        return $"pipeline {pipeline.Id} updated";
    }

    async Task<string> DeletePipeline(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        // Deals and the config keep existing; their reference to the pipeline becomes blank (ON DELETE SET NULL).
        var deleted = await db.Pipelines.Where(p => p.PdPipelineId == id).ExecuteDeleteAsync(ct);
        return deleted == 0 ? $"ignored: pipeline {id} is not in Hermes" : $"pipeline {id} deleted";
    }

    async Task<string> UpsertStage(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var stage = await db.Stages.FirstOrDefaultAsync(s => s.PdStageId == id, ct);
        var name = Truncate(e.Current!.Str("name"));
        if (stage is null)
        {
            db.Stages.Add(stage = new Stage { PdStageId = id, Name = name ?? $"Stage {id}" });
            await db.SaveChangesAsync(ct);
            var waitingForStage = await DealsWaitingFor(o => o.RefStageId == id, ct);
            await db.Deals.Where(d => waitingForStage.Contains(d.PdDealId) && d.StageId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.StageId, stage.Id), ct);
            return $"stage {stage.Id} created";
        }
        if (name is { Length: > 0 }) stage.Name = name;
        await db.SaveChangesAsync(ct);
        return $"stage {stage.Id} updated";
    }

    async Task<string> DeleteStage(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var deleted = await db.Stages.Where(s => s.PdStageId == id).ExecuteDeleteAsync(ct);
        return deleted == 0 ? $"ignored: stage {id} is not in Hermes" : $"stage {id} deleted";
    }

    // ───────────────────────────── Shared ─────────────────────────────

    /// <summary>
    /// The event names an organization Hermes doesn't have: a job fetches it from Pipedrive, creates the Company and
    /// replays this webhook (the checklist's fix for deals and persons that arrive before their organization). One that
    /// Pipedrive deleted keeps the person or deal out of Hermes, as its delete did with those already there; this state
    /// is the newest applied, so an older one arriving later does not bring it in.
    /// </summary>
    async Task<string> AwaitOrganization(PipedriveEvent e, int orgPdId, long webhookId, string what, CancellationToken ct)
    {
        if (await State(PipedriveObject.Organization, orgPdId, ct) is { DeletedAt: not null })
        {
            await Seen(e.Entity, e.Id!.Value, e, ct);
            return $"ignored: {what} belongs to organization {orgPdId}, which was deleted in Pipedrive";
        }
        if (!_allowFetch || webhookId <= 0)
            return $"ignored: {what} belongs to organization {orgPdId}, which Pipedrive does not have";
        jobs.Enqueue(db, new FetchOrganization(orgPdId, webhookId));
        return $"waiting: {what} belongs to organization {orgPdId}, which is being fetched from Pipedrive";
    }

    /// <summary>
    /// The Hermes ids in the hermes_id custom field ("12" or "12, 34" after a merge): from the current state when it
    /// has the field (empty when it was cleared: a cleared id must not match its old row), else from previous (deletes).
    /// </summary>
    List<int> HermesIds(PipedriveEvent e, string objectType)
    {
        var field = _fields.HermesId(objectType);
        bool Holds(PipedriveObjectData? o) => o is not null && ((field?.PdFieldId is { } key && o.Has(key)) || o.Has("hermes_id"));
        string? Read(PipedriveObjectData? o) =>
            o is null ? null : (field?.PdFieldId is { } key && o.Has(key) ? o.Str(key) : null) ?? (o.Has("hermes_id") ? o.Str("hermes_id") : null);
        var text = Holds(e.Current) ? Read(e.Current) : Read(e.Previous);
        return (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s.Trim('"'), out var i) ? i : (int?)null).OfType<int>().Distinct().ToList();
    }

    /// <summary>Custom fields Pipedrive may write for this object: not hermes_id, not TC2-owned columns, not inherited deal fields.</summary>
    async Task ApplyCustomFields(PipedriveEvent e, string objectType, object entity, CancellationToken ct)
    {
        var cur = e.Current!;
        foreach (var field in _fields.For(objectType))
        {
            if (field.PdFieldId is not { Length: > 0 } key || field.HermesFieldName == CustomFieldMap.HermesIdField) continue;
            if (field.MachineName == "signup_questionnaire" || (field.HermesFieldName is { } column && NotOwnedByPipedrive.Contains(column))) continue;
            if (_fields.InheritedFrom(field) is not null) continue; // the company's value; a Pipedrive edit is not taken
            if (!cur.Has(key)) continue;
            var value = cur.Value(key);
            if (field.FieldType == CustomField.TypeFk && value is not null)
            {
                var adminId = PipedriveWebhookParser.AsInt(cur[key]);
                if (adminId is null || !await db.Admins.AnyAsync(a => a.Id == adminId, ct))
                {
                    log.LogWarning("{Object} field {Field}: admin {Value} does not exist; left as it was", objectType, field.MachineName, value);
                    continue;
                }
                value = adminId;
            }
            if (!await CustomFieldValues.SetAsync(db, field, entity, value, ct))
                log.LogWarning("{Object} field {Field}: value {Value} does not fit; left as it was", objectType, field.MachineName, value);
        }
    }

    async Task<PipedriveObject?> State(string entity, int pdId, CancellationToken ct) =>
        await db.PipedriveObjects.FindAsync([entity, pdId], ct);

    static bool IsStale(PipedriveObject? state, PipedriveEvent e) =>
        state?.UpdatedAt is { } seen && e.UpdateTime is { } time && time < seen;

    async Task Seen(string entity, int pdId, PipedriveEvent e, CancellationToken ct)
    {
        if (e.UpdateTime is not { } time) return;
        var state = await State(entity, pdId, ct);
        if (state is null) db.PipedriveObjects.Add(new PipedriveObject { Entity = entity, PdId = pdId, UpdatedAt = time });
        else if (state.UpdatedAt is null || state.UpdatedAt < time) state.UpdatedAt = time;
    }

    async Task Deleted(string entity, int pdId, PipedriveDeletion reason, int? mergedInto, Company? company, CancellationToken ct, int? tc2SrId = null)
    {
        if (!await PipedriveObject.MarkDeletedAsync(db, entity, pdId, reason, Now, ct, mergedInto, company, tc2SrId)) return;
        if (entity == PipedriveObject.Person && mergedInto is { } survivorPdId) await PipedriveEventOrder.FollowPersonMergeAsync(db, pdId, survivorPdId, ct);
    }

    /// <summary>
    /// After an organization or deal event Hermes applied, TC2's client is brought in line (behaviour.md §5) whether or not
    /// Hermes's copy changed: the job compares with what TC2 holds, so any such event also repairs a TC2 left behind (an
    /// adopted database, a lost hermes_v2 task), and TC2's echo of the job's write finds nothing new.
    /// </summary>
    async Task QueueTc2Update(int companyId, CancellationToken ct)
    {
        if (!await db.Companies.AnyAsync(c => c.Id == companyId && c.Tc2CligencyId != null, ct)) return;
        jobs.Enqueue(db, new UpdateTc2Client(companyId));
        await db.SaveChangesAsync(ct);
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    static string? Truncate(string? s) => s is null ? null : s.Length > 255 ? s[..255] : s;
}

using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// A Pipedrive organization is a Hermes <see cref="Company"/> (behaviour.md §2). Matched by the <c>hermes_id</c> field
/// (several ids after a merge), then <c>pd_org_id</c>, then for one made by hand in Pipedrive by
/// <see cref="PipedriveMatching"/>. Deleting it deletes the company with its contacts, deals and their meetings; a
/// merge keeps the company of the surviving organization and moves the loser's contacts and deals onto it.
/// </summary>
public sealed class Organizations(HermesDb db, JobQueue jobs, TimeProvider clock, ILogger<Organizations> log) : InboundEntity(db, jobs, clock, log)
{
    protected override async Task<EventOutcome> UpsertAsync(PipedriveEvent e, CancellationToken ct)
    {
        var (id, cur) = (e.Id!.Value, e.Current!);
        var (skip, hermesIds, listed, company) = await StartUpsertAsync(e, "Company", Db.Companies, Linked.For(Db), LinkedWithState.For(Db), c => c.Id, ct);
        if (skip is { } skipped) return skipped;
        string? matchedBy = null;
        if (company is null)
        {
            // Made by hand in Pipedrive: the company Hermes has already, rather than a twin (PipedriveMatching).
            var match = await PipedriveMatching.OrganizationAsync(Db, Fields, cur, ct);
            if (match.Ambiguity is { } why) return EventOutcome.Ignored($"organization {id} {why}; none linked, none created");
            (company, matchedBy) = (match.Row, match.Rule);
        }

        if (company is null)
        {
            var ownerId = cur.Int("owner_id");
            if (Owners.AdminFor(ownerId) is not { } salesPersonId)
                throw new WebhookValidationException("owner_id", $"Admin with pd_owner_id {ownerId?.ToString() ?? "null"} does not exist");
            company = new Company
            {
                Name = Truncate(cur.Str("name")) ?? $"Organization {id}",
                PdOrgId = id,
                SalesPersonId = salesPersonId,
                Created = Now,
            };
            Db.Companies.Add(company);
            await Db.SaveChangesAsync(ct);
            await ApplyCustomFields(e, "Company", company, ct);
            await Seen(PipedriveObject.Organization, id, e, ct);
            return EventOutcome.Applied($"company {company.Id} created");
        }

        company.PdOrgId = id;
        if (Truncate(cur.Str("name")) is { Length: > 0 } name) company.Name = name;
        if (cur.Int("owner_id") is { } ownerPdId)
        {
            if (Owners.AdminFor(ownerPdId) is { } salesPersonId) company.SalesPersonId = salesPersonId;
            else Log.LogWarning("Organization {OrgId}: owner {Owner} is no Hermes admin; sales person left as it was", id, ownerPdId);
        }
        await ApplyCustomFields(e, "Company", company, ct);
        // Saved by the caller with the update_time below and the webhook's log row, in one batch (a merge saves first).

        var merged = new List<int>();
        foreach (var loser in listed.Where(c => c.Id != company.Id))
            merged.Add(await Merge(company, loser, ct));
        if (e.MergedFromId is { } fromId && await Db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == fromId && c.Id != company.Id, ct) is { } absorbed)
            merged.Add(await Merge(company, absorbed, ct));
        WriteBackHermesIdIf(merged.Count > 0 || matchedBy is not null, hermesIds, "Company", company.Id, company.Id);

        await Seen(PipedriveObject.Organization, id, e, ct);
        await QueueTc2Update(company.Id, ct);
        return EventOutcome.Applied(merged.Count > 0 ? $"company {company.Id} updated; merged {string.Join(", ", merged)} into it"
            : matchedBy is not null ? $"company {company.Id} linked to organization {id} (matched by {matchedBy})"
            : $"company {company.Id} updated");
    }

    protected override async Task<EventOutcome> DeleteAsync(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var company = await Find(e, id, ct);
        if (e.MergedToId is not null) return await MergedAwayAsync(e, company, Rules, remember: company, ct);

        await Deleted(PipedriveObject.Organization, id, PipedriveDeletion.Webhook, null, company, ct);
        if (company is null) return EventOutcome.Ignored($"organization {id} is not in Hermes");
        // Contacts, deals, their meetings and custom field values go with it (the database cascades).
        await RemoveAsync(company, company.Id, ct);
        return EventOutcome.Applied($"company {company.Id} deleted");
    }

    /// <summary>The company linked to an organization (compiled: every organization event reads it).</summary>
    static readonly CompiledQuery<Func<HermesDb, int, CancellationToken, Task<Company?>>> Linked =
        new(() => EF.CompileAsyncQuery((HermesDb db, int pdOrgId, CancellationToken _) => db.Companies.FirstOrDefault(c => c.PdOrgId == pdOrgId)));

    static readonly CompiledQuery<Func<HermesDb, int, CancellationToken, Task<StateAndRow<Company>?>>> LinkedWithState =
        new(() => EF.CompileAsyncQuery((HermesDb db, int pdOrgId, CancellationToken _) => (
            from o in db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Organization && o.PdId == pdOrgId)
            join r in db.Companies on (int?)o.PdId equals r.PdOrgId into linked
            from r in linked.DefaultIfEmpty() // a plain LEFT JOIN: SQLite has no LATERAL
            select new StateAndRow<Company> { State = o, Row = r }).FirstOrDefault()));

    MergeRules<Company> Rules => new("Company", "company", c => c.Id, c => c.Id,
        (pd, ct) => Linked.For(Db)(Db, pd, ct), (c, pd) => c.PdOrgId = pd, Merge);

    async Task<Company?> Find(PipedriveEvent e, int pdId, CancellationToken ct)
    {
        var byPd = await Db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == pdId, ct);
        if (byPd is not null) return byPd;
        var ids = HermesIds(e, "Company");
        return ids.Count == 0 ? null : await Db.Companies.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>Moves the loser's contacts and deals (meetings follow them) onto the survivor and deletes the loser.</summary>
    async Task<int> Merge(Company survivor, Company loser, CancellationToken ct)
    {
        await Db.SaveChangesAsync(ct);
        await Db.Contacts.Where(c => c.CompanyId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.CompanyId, survivor.Id), ct);
        await Db.Deals.Where(d => d.CompanyId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.CompanyId, survivor.Id), ct);
        if (loser.PdOrgId is { } loserPd)
            await Deleted(PipedriveObject.Organization, loserPd, PipedriveDeletion.Merged, survivor.PdOrgId, null, ct);
        await RemoveAsync(loser, loser.Id, ct);
        Log.LogInformation("Merged company {Loser} into {Survivor}", loser.Id, survivor.Id);
        return loser.Id;
    }
}

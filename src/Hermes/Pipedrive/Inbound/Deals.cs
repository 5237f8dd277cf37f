using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// A Pipedrive deal is a Hermes <see cref="Deal"/> of the company its organization is (behaviour.md §2). Matched by
/// <c>hermes_id</c>, then <c>pd_deal_id</c>. A deal's person, stage or pipeline that reaches Hermes after the deal is
/// linked when it arrives (the deal's <see cref="PipedriveObject"/> row remembers what it named). Every deal event
/// Hermes applies, a delete included, queues the TC2 client's update (it shows the open deal's stage and pipeline).
/// </summary>
public sealed class Deals(HermesDb db, JobQueue jobs, TimeProvider clock, ILogger<Deals> log) : InboundEntity(db, jobs, clock, log)
{
    protected override async Task<EventOutcome> UpsertAsync(PipedriveEvent e, CancellationToken ct)
    {
        var (id, cur) = (e.Id!.Value, e.Current!);
        var (skip, hermesIds, listed, deal) = await StartUpsertAsync(e, "Deal", Db.Deals, Linked.For(Db), LinkedWithState.For(Db), d => d.Id, ct);
        if (skip is { } skipped) return skipped;
        await PipedriveEventOrder.LockPersonAsync(Db, cur.Int("person_id"), ct); // before the organization's: deal → person → organization

        if (deal is null) return await CreateAsync(e, ct);

        // A move waits for an organization Hermes doesn't have yet; a move into one Pipedrive deleted takes the deal away.
        var movedTo = cur.Int("org_id") is { } orgId ? await PipedriveEventOrder.OrganizationAsync(Db, orgId, ct) : null;
        if (movedTo is { Deleted: true })
        {
            var left = await CompanyOf(deal, ct);
            await Db.Deals.Where(d => d.Id == deal.Id).ExecuteDeleteAsync(ct);
            Db.Entry(deal).State = EntityState.Detached;
            await Seen(PipedriveObject.Deal, id, e, ct);
            await RememberReferences(id, cur, ct);
            await Db.SaveChangesAsync(ct);
            await QueueTc2Update(left.Id, ct);
            return EventOutcome.Applied($"deal {deal.Id} deleted: deal {id} moved to organization {movedTo.PdOrgId}, which was deleted in Pipedrive");
        }
        if (movedTo is { Company: null }) return await AwaitOrganization(e, movedTo.PdOrgId, $"deal {id}", ct);

        var companyBefore = deal.CompanyId;
        deal.PdDealId = id;
        if (Truncate(cur.Str("title")) is { Length: > 0 } title) deal.Name = title;
        if (Truncate(cur.Str("status")) is { Length: > 0 } status) deal.Status = status;
        if (Owners.AdminFor(cur.Int("owner_id")) is { } newOwner) deal.AdminId = newOwner;
        if (cur.Has("person_id")) deal.ContactId = await ContactId(cur.Int("person_id"), ct);
        if (cur.Has("pipeline_id")) deal.PipelineId = await PipelineId(cur.Int("pipeline_id"), ct);
        if (cur.Has("stage_id")) deal.StageId = await StageId(cur.Int("stage_id"), ct);
        if (movedTo?.Company is { } newCompany) deal.CompanyId = newCompany.Id;
        await ApplyCustomFields(e, "Deal", deal, ct);
        await RememberReferences(id, cur, ct);
        await Db.SaveChangesAsync(ct);

        var merged = new List<int>();
        foreach (var loser in listed.Where(d => d.Id != deal.Id)) merged.Add(await Merge(deal, loser, ct));
        if (e.MergedFromId is { } fromId && await Db.Deals.FirstOrDefaultAsync(d => d.PdDealId == fromId && d.Id != deal.Id, ct) is { } absorbed)
            merged.Add(await Merge(deal, absorbed, ct));
        WriteBackHermesIdIf(merged.Count > 0, hermesIds, "Deal", deal.Id, deal.CompanyId);
        await Seen(PipedriveObject.Deal, id, e, ct);
        await Db.SaveChangesAsync(ct);
        // A deal moved to another organization changes what TC2 shows of both clients.
        if (companyBefore != deal.CompanyId) await QueueTc2Update(companyBefore, ct);
        await QueueTc2Update(deal.CompanyId, ct);
        return EventOutcome.Applied(merged.Count > 0 ? $"deal {deal.Id} updated; merged {string.Join(", ", merged)} into it" : $"deal {deal.Id} updated");
    }

    async Task<EventOutcome> CreateAsync(PipedriveEvent e, CancellationToken ct)
    {
        var (id, cur) = (e.Id!.Value, e.Current!);
        if (cur.Int("org_id") is not { } orgPdId) return EventOutcome.Ignored($"deal {id} has no organization");
        var target = await PipedriveEventOrder.OrganizationAsync(Db, orgPdId, ct);
        if (target.Company is not { } owningCompany) return await AwaitOrganization(e, target.PdOrgId, $"deal {id}", ct);
        var ownerId = cur.Int("owner_id");
        if (Owners.AdminFor(ownerId) is not { } owner)
            throw new WebhookValidationException("user_id", $"Admin with pd_owner_id {ownerId?.ToString() ?? "null"} does not exist");
        var deal = new Deal
        {
            PdDealId = id,
            Name = Truncate(cur.Str("title")),
            Status = Truncate(cur.Str("status")) ?? Deal.StatusOpen,
            AdminId = owner,
            CompanyId = owningCompany.Id,
            ContactId = await ContactId(cur.Int("person_id"), ct),
            PipelineId = await PipelineId(cur.Int("pipeline_id"), ct),
            StageId = await StageId(cur.Int("stage_id"), ct),
        };
        Db.Deals.Add(deal);
        await Db.SaveChangesAsync(ct);
        await ApplyCustomFields(e, "Deal", deal, ct);
        await Seen(PipedriveObject.Deal, id, e, ct);
        await RememberReferences(id, cur, ct);
        await Db.SaveChangesAsync(ct);
        await QueueTc2Update(owningCompany.Id, ct);
        return EventOutcome.Applied($"deal {deal.Id} created");
    }

    /// <summary>
    /// Pipedrive deleted the deal: only the deal goes (its company, contact and meetings stay; meetings lose the link),
    /// remembered with the company's TC2 client so TC2's next event for that client does not make the deal again.
    /// A deal merged into another one is followed instead (<see cref="Rules"/>).
    /// </summary>
    protected override async Task<EventOutcome> DeleteAsync(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var deal = await Db.Deals.FirstOrDefaultAsync(d => d.PdDealId == id, ct)
                   ?? (HermesIds(e, "Deal") is { Count: > 0 } ids ? await Db.Deals.Where(d => ids.Contains(d.Id)).OrderBy(d => d.Id).FirstOrDefaultAsync(ct) : null);
        if (e.MergedToId is not null) return await MergedAwayAsync(e, deal, Rules, remember: null, ct);

        var company = deal is null ? null : await CompanyOf(deal, ct);
        await Deleted(PipedriveObject.Deal, id, PipedriveDeletion.Webhook, null, company, ct);
        if (deal is null || company is null) return EventOutcome.Ignored($"deal {id} is not in Hermes");
        await RemoveAsync(deal, deal.Id, ct);
        await QueueTc2Update(company.Id, ct);
        return EventOutcome.Applied($"deal {deal.Id} deleted");
    }

    /// <summary>Merged into another deal, the survivor's Hermes deal takes this one's meetings (<see cref="InboundEntity.MergedAwayAsync"/>).</summary>
    MergeRules<Deal> Rules => new("Deal", "deal", d => d.Id, d => d.CompanyId,
        (pd, ct) => Linked.For(Db)(Db, pd, ct), (d, pd) => d.PdDealId = pd, Merge);

    /// <summary>The Hermes deal linked to a Pipedrive deal (compiled: every deal event reads it).</summary>
    static readonly CompiledQuery<Func<HermesDb, int, CancellationToken, Task<Deal?>>> Linked =
        new(() => EF.CompileAsyncQuery((HermesDb db, int pdDealId, CancellationToken _) => db.Deals.FirstOrDefault(d => d.PdDealId == pdDealId)));

    static readonly CompiledQuery<Func<HermesDb, int, CancellationToken, Task<StateAndRow<Deal>?>>> LinkedWithState =
        new(() => EF.CompileAsyncQuery((HermesDb db, int pdDealId, CancellationToken _) => (
            from o in db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Deal && o.PdId == pdDealId)
            join r in db.Deals on (int?)o.PdId equals r.PdDealId into linked
            from r in linked.DefaultIfEmpty() // a plain LEFT JOIN: SQLite has no LATERAL
            select new StateAndRow<Deal> { State = o, Row = r }).FirstOrDefault()));

    /// <summary>Moves the loser's meetings onto the survivor and deletes the loser.</summary>
    async Task<int> Merge(Deal survivor, Deal loser, CancellationToken ct)
    {
        await Db.SaveChangesAsync(ct);
        await Db.Meetings.Where(m => m.DealId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.DealId, survivor.Id), ct);
        if (loser.PdDealId is { } loserPd) await Deleted(PipedriveObject.Deal, loserPd, PipedriveDeletion.Merged, survivor.PdDealId, null, ct);
        await RemoveAsync(loser, loser.Id, ct);
        return loser.Id;
    }

    /// <summary>The deal's company; gone only when another transaction deleted it (and the deal) since the deal was read.</summary>
    async Task<Company> CompanyOf(Deal deal, CancellationToken ct) =>
        await Db.Companies.FirstOrDefaultAsync(c => c.Id == deal.CompanyId, ct) ?? throw new RowGoneException($"company {deal.CompanyId} of deal {deal.Id}");

    async Task<int?> ContactId(int? pdPersonId, CancellationToken ct) =>
        await PipedriveEventOrder.LockPersonAsync(Db, pdPersonId, ct) is { } survivor
            ? await Db.Contacts.Where(c => c.PdPersonId == survivor).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct)
            : null;

    async Task<int?> PipelineId(int? pdPipelineId, CancellationToken ct) =>
        pdPipelineId is null ? null : await Db.Pipelines.Where(p => p.PdPipelineId == pdPipelineId).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);

    async Task<int?> StageId(int? pdStageId, CancellationToken ct) =>
        pdStageId is null ? null : await Db.Stages.Where(s => s.PdStageId == pdStageId).Select(s => (int?)s.Id).FirstOrDefaultAsync(ct);

    /// <summary>Keeps the Pipedrive ids a deal refers to, so a person, stage or pipeline that arrives later can be linked.</summary>
    async Task RememberReferences(int pdDealId, PipedriveObjectData cur, CancellationToken ct)
    {
        var state = await PipedriveObject.FindOrAddAsync(Db, PipedriveObject.Deal, pdDealId, ct);
        if (cur.Has("person_id")) state.RefPersonId = await PipedriveEventOrder.SurvivingPersonAsync(Db, cur.Int("person_id"), ct);
        if (cur.Has("stage_id")) state.RefStageId = cur.Int("stage_id");
        if (cur.Has("pipeline_id")) state.RefPipelineId = cur.Int("pipeline_id");
    }
}

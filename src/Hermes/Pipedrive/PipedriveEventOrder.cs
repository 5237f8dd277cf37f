using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// What makes the newest state win whatever the order and concurrency of Pipedrive's webhooks (behaviour.md §2, Order):
/// <list type="bullet">
/// <item>each event takes its object's lock (<see cref="ObjectLocks"/>) before the staleness check, so events for one
///   object are applied one at a time and the remembered <c>update_time</c> never goes backwards. A person or deal
///   event also locks the organization (and a deal its person) it puts the row in, always in the order deal → person →
///   organization, so that it and that organization's merge or delete cannot miss each other;</item>
/// <item>a person or deal follows its organization through merges to the survivor; one that names an organization
///   Pipedrive deleted goes the way the delete took that organization's contacts and deals; one that names an
///   organization Hermes doesn't know waits for it (<see cref="FetchOrganizationHandler"/>), and if Pipedrive no longer has it
///   either, waits in <c>pipedrive_waiting_webhook</c> until that organization's own delete or merge arrives;</item>
/// <item>a deal follows its person through merges the same way.</item>
/// </list>
/// Everything here runs inside the caller's transaction.
/// </summary>
public static class PipedriveEventOrder
{
    /// <summary>Locks the event's object, and for a merge the other object too (lower id first).</summary>
    public static Task LockAsync(HermesDb db, PipedriveEvent e, CancellationToken ct)
    {
        var lockClass = e.Entity switch
        {
            PipedriveObject.Organization => ObjectLocks.PipedriveOrganization,
            PipedriveObject.Person => ObjectLocks.PipedrivePerson,
            PipedriveObject.Deal => ObjectLocks.PipedriveDeal,
            _ => 0,
        };
        return lockClass == 0 || e.Id is null
            ? Task.CompletedTask
            : ObjectLocks.LockAsync(db, lockClass, new[] { e.Id, e.MergedToId, e.MergedFromId }.OfType<int>(), ct);
    }

    /// <summary>Where a person or deal that names <see cref="PdOrgId"/> belongs: a Company, an organization Pipedrive deleted, or neither yet.</summary>
    public sealed record OrganizationTarget(int PdOrgId, Company? Company, bool Deleted);

    /// <summary>
    /// The object an event names, followed through merges to the one that survived, and whether Pipedrive deleted that
    /// one. A Hermes row linked to an id wins over what Hermes remembers of it (a sync that met a 404 remembers the
    /// object as gone but keeps the row).
    /// </summary>
    public static async Task<(int PdId, bool Deleted)> SurvivorAsync(HermesDb db, string entity, int pdId, CancellationToken ct)
    {
        var id = pdId;
        for (var hops = 0; hops < 10; hops++)
        {
            var linked = entity switch
            {
                PipedriveObject.Organization => await db.Companies.AnyAsync(c => c.PdOrgId == id, ct),
                PipedriveObject.Person => await db.Contacts.AnyAsync(c => c.PdPersonId == id, ct),
                _ => await db.Deals.AnyAsync(d => d.PdDealId == id, ct),
            };
            if (linked) break;
            var state = await PipedriveObject.FindAsync(db, entity, id, ct);
            if (state?.DeletedAt is null) break;
            if (state.MergedIntoPdId is not { } survivor || survivor == id) return (id, true);
            id = survivor;
        }
        return (id, false);
    }

    /// <summary>
    /// The organization a person or deal event names, followed through merges to the one that survived, and locked: a
    /// merge or delete of that organization at the same moment either comes after this event (and finds the contact or
    /// deal there) or before it (and is seen here).
    /// </summary>
    public static async Task<OrganizationTarget> OrganizationAsync(HermesDb db, int pdOrgId, CancellationToken ct)
    {
        var target = await SurvivorAsync(db, PipedriveObject.Organization, pdOrgId, ct);
        for (var tries = 0; tries < 10; tries++)
        {
            await ObjectLocks.LockAsync(db, ObjectLocks.PipedriveOrganization, [target.PdId], ct);
            var now = await SurvivorAsync(db, PipedriveObject.Organization, pdOrgId, ct); // merged meanwhile: lock the one it went into
            if (now == target) break;
            target = now;
        }
        var (id, deleted) = target;
        return new OrganizationTarget(id, deleted ? null : await db.Companies.FirstOrDefaultAsync(c => c.PdOrgId == id, ct), deleted);
    }

    /// <summary>The person an event names, followed through merges to the one that survived.</summary>
    public static async Task<int?> SurvivingPersonAsync(HermesDb db, int? pdPersonId, CancellationToken ct) =>
        pdPersonId is { } id ? (await SurvivorAsync(db, PipedriveObject.Person, id, ct)).PdId : null;

    /// <summary>
    /// The person a deal names (followed through merges), locked: a person created or merged at the same moment
    /// either is seen by the deal's event, or sees the deal waiting for it (<c>ref_person_id</c>) once it commits.
    /// </summary>
    public static async Task<int?> LockPersonAsync(HermesDb db, int? pdPersonId, CancellationToken ct)
    {
        var survivor = await SurvivingPersonAsync(db, pdPersonId, ct);
        for (var tries = 0; survivor is { } locking && tries < 10; tries++)
        {
            await ObjectLocks.LockAsync(db, ObjectLocks.PipedrivePerson, [locking], ct);
            survivor = await SurvivingPersonAsync(db, pdPersonId, ct); // merged meanwhile: lock the one it went into
            if (survivor == locking) break;
        }
        return survivor;
    }

    /// <summary>
    /// A person was merged into another: the deals that named the loser and wait for it name the survivor instead, and
    /// are linked to its contact when Hermes has it (deals linked to the loser's contact are moved by the merge itself).
    /// </summary>
    public static async Task FollowPersonMergeAsync(HermesDb db, int loserPdId, int mergedIntoPdId, CancellationToken ct)
    {
        var survivorPdId = (await SurvivorAsync(db, PipedriveObject.Person, mergedIntoPdId, ct)).PdId;
        await db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Deal && o.RefPersonId == loserPdId)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.RefPersonId, survivorPdId), ct);
        var contactId = await db.Contacts.Where(c => c.PdPersonId == survivorPdId).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
        if (contactId is null) return;
        var waiting = db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Deal && o.RefPersonId == survivorPdId).Select(o => (int?)o.PdId);
        await db.Deals.Where(d => waiting.Contains(d.PdDealId) && d.ContactId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ContactId, contactId), ct);
    }

    /// <summary>Hermes has a Company for the organization, or knows Pipedrive deleted or merged it away.</summary>
    public static async Task<bool> KnowsOrganizationAsync(HermesDb db, int pdOrgId, CancellationToken ct) =>
        await db.Companies.AnyAsync(c => c.PdOrgId == pdOrgId, ct)
        || await db.PipedriveObjects.AnyAsync(o => o.Entity == PipedriveObject.Organization && o.PdId == pdOrgId && o.DeletedAt != null, ct);

    /// <summary>
    /// An event for these organizations was applied: the webhooks that waited for them are replayed by the fetch job,
    /// which now finds the organization known and replays without asking Pipedrive. Saved by the caller.
    /// </summary>
    public static async Task ReleaseWaitingAsync(HermesDb db, JobQueue jobs, IReadOnlyCollection<int> pdOrgIds, CancellationToken ct)
    {
        // Only an organization whose row says webhooks wait for it is looked up (the event has read that row already).
        var flagged = new List<int>();
        foreach (var id in pdOrgIds)
        {
            if (await PipedriveObject.FindAsync(db, PipedriveObject.Organization, id, ct) is not { WebhooksWaiting: true } state) continue;
            state.WebhooksWaiting = false;
            flagged.Add(id);
        }
        if (flagged.Count == 0) return;
        var waiting = new List<PipedriveWaitingWebhook>();
        await foreach (var w in WaitingFor.For(db)(db, flagged.ToArray()).WithCancellation(ct)) waiting.Add(w);
        foreach (var w in waiting)
            jobs.Enqueue(db, new FetchOrganization(w.OrgPdId, w.WebhookId));
        db.PipedriveWaitingWebhooks.RemoveRange(waiting);
    }

    /// <summary>Compiled: asked by every event that releases some.</summary>
    static readonly CompiledQuery<Func<HermesDb, int[], IAsyncEnumerable<PipedriveWaitingWebhook>>> WaitingFor =
        new(() => EF.CompileAsyncQuery<HermesDb, int[], PipedriveWaitingWebhook>((db, pdOrgIds) => db.PipedriveWaitingWebhooks.Where(w => pdOrgIds.Contains(w.OrgPdId)).OrderBy(w => w.WebhookId)));
}

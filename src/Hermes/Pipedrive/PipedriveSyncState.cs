using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// The sync's short database conversations, each in its own DbContext so that nothing is held open while Pipedrive
/// is called: what Pipedrive deleted (never recreated), the creates whose answer may have been lost (looked for
/// before creating again), and writing a new Pipedrive id back onto its row.
/// </summary>
public sealed class PipedriveSyncState(IDbContextFactory<HermesDb> dbs, TimeProvider clock, JobQueue jobs, ILogger<PipedriveSyncState> log)
{
    public const string ActivityEntity = "activity";

    /// <summary>Pipedrive deleted (or merged away) this object, or answered 404/410 for it.</summary>
    public async Task<PipedriveObject?> DeletedAsync(string entity, int pdId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var state = await db.PipedriveObjects.AsNoTracking().FirstOrDefaultAsync(o => o.Entity == entity && o.PdId == pdId, ct);
        return state?.DeletedAt is null ? null : state;
    }

    /// <summary>The ids among <paramref name="pdIds"/> that Pipedrive deleted.</summary>
    public async Task<HashSet<int>> DeletedAmongAsync(string entity, IReadOnlyCollection<int> pdIds, CancellationToken ct)
    {
        if (pdIds.Count == 0) return [];
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await db.PipedriveObjects.AsNoTracking().Where(o => o.Entity == entity && pdIds.Contains(o.PdId) && o.DeletedAt != null)
            .Select(o => o.PdId).ToListAsync(ct)).ToHashSet();
    }

    /// <summary>An organization deleted in Pipedrive for this TC2 client: the Company may be back in Hermes, the organization stays gone.</summary>
    public Task<PipedriveObject?> OrganizationDeletedForClientAsync(int? cligencyId, CancellationToken ct) => cligencyId is null
        ? Task.FromResult<PipedriveObject?>(null)
        : DeletedOnPurposeAsync(PipedriveObject.Organization, o => o.Tc2CligencyId == cligencyId, ct);

    /// <summary>A person deleted in Pipedrive for this TC2 paid recipient: the contact may be back in Hermes, the person stays gone.</summary>
    public Task<PipedriveObject?> PersonDeletedForRecipientAsync(int? tc2SrId, CancellationToken ct) => tc2SrId is null
        ? Task.FromResult<PipedriveObject?>(null)
        : DeletedOnPurposeAsync(PipedriveObject.Person, o => o.Tc2SrId == tc2SrId, ct);

    /// <summary>The latest deletion (not a merge) of this kind of object that matches.</summary>
    async Task<PipedriveObject?> DeletedOnPurposeAsync(string entity, System.Linq.Expressions.Expression<Func<PipedriveObject, bool>> match, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.PipedriveObjects.AsNoTracking().Where(o => o.Entity == entity).DeletedOnPurpose().Where(match)
            .OrderByDescending(o => o.DeletedAt).FirstOrDefaultAsync(ct);
    }

    /// <summary>Pipedrive answered 404/410 for a linked object: remember it as deleted there, so it is not recreated.</summary>
    public async Task RecordNotFoundAsync(string entity, int pdId, Company? company, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var organizationOf = entity == PipedriveObject.Organization ? company : null;
        if (!await PipedriveObject.MarkDeletedAsync(db, entity, pdId, PipedriveDeletion.NotFound, clock.GetUtcNow().UtcDateTime, ct, company: organizationOf))
            return;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Recorded at the same moment by a webhook: either way it is known as deleted.
        }
        log.LogWarning("Pipedrive {Entity} {PdId} is gone (404/410); recorded as deleted there and not recreated", entity, pdId);
    }

    /// <summary>True when an earlier create of this object may have reached Pipedrive without Hermes seeing the answer.</summary>
    public async Task<bool> CreateAttemptedAsync(string entity, int hermesId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Database.SqlQuery<int>($"SELECT 1 AS \"Value\" FROM pipedrive_create_attempt WHERE entity = {entity} AND hermes_id = {hermesId}")
            .AnyAsync(ct);
    }

    /// <summary>Written before the create is sent, removed once its id is saved.</summary>
    public async Task MarkCreateAttemptAsync(string entity, int hermesId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO pipedrive_create_attempt (entity, hermes_id, attempted_at) VALUES ({entity}, {hermesId}, {now}) ON CONFLICT (entity, hermes_id) DO NOTHING", ct);
    }

    public async Task ClearCreateAttemptAsync(string entity, int hermesId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM pipedrive_create_attempt WHERE entity = {entity} AND hermes_id = {hermesId}", ct);
    }

    /// <summary>
    /// Links a row to its Pipedrive object. Returns the id the row has afterwards: the new one, or another one when a
    /// webhook linked it first, or null when the row is gone.
    /// </summary>
    public async Task<int?> LinkAsync(string entity, int hermesId, int pdId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        try
        {
            switch (entity)
            {
                case PipedriveObject.Organization:
                    if (await db.Companies.Where(c => c.Id == hermesId && c.PdOrgId == null).ExecuteUpdateAsync(s => s.SetProperty(c => c.PdOrgId, pdId), ct) == 1)
                        await TellTc2Async(db, hermesId, ct);
                    return await db.Companies.Where(c => c.Id == hermesId).Select(c => c.PdOrgId).FirstOrDefaultAsync(ct);
                case PipedriveObject.Person:
                    await db.Contacts.Where(c => c.Id == hermesId && c.PdPersonId == null).ExecuteUpdateAsync(s => s.SetProperty(c => c.PdPersonId, pdId), ct);
                    return await db.Contacts.Where(c => c.Id == hermesId).Select(c => c.PdPersonId).FirstOrDefaultAsync(ct);
                case PipedriveObject.Deal:
                    if (await db.Deals.Where(d => d.Id == hermesId && d.PdDealId == null).ExecuteUpdateAsync(s => s.SetProperty(d => d.PdDealId, pdId), ct) == 1)
                        await TellTc2Async(db, await db.Deals.Where(d => d.Id == hermesId).Select(d => d.CompanyId).FirstAsync(ct), ct);
                    return await db.Deals.Where(d => d.Id == hermesId).Select(d => d.PdDealId).FirstOrDefaultAsync(ct);
                case ActivityEntity:
                    await db.Meetings.Where(m => m.Id == hermesId && m.PdActivityId == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.PdActivityId, pdId), ct);
                    return await db.Meetings.Where(m => m.Id == hermesId).Select(m => m.PdActivityId).FirstOrDefaultAsync(ct);
                default:
                    throw new ArgumentException($"unknown entity {entity}", nameof(entity));
            }
        }
        catch (DbUpdateException e)
        {
            // Unique ids: another row holds this Pipedrive object already.
            throw new PipedriveLinkConflictException(entity, hermesId, pdId, e);
        }
    }

    /// <summary>
    /// The company is now in Pipedrive (or its deal is): TC2 shows that (behaviour.md §5: the organization's URL, the
    /// open deal's stage and pipeline), so its client is updated, after this sync (same ordering key). Pipedrive's echo
    /// of the create changes nothing in Hermes, so it would not do this itself.
    /// </summary>
    async Task TellTc2Async(HermesDb db, int companyId, CancellationToken ct)
    {
        if (!await db.Companies.AnyAsync(c => c.Id == companyId && c.Tc2CligencyId != null, ct)) return;
        await jobs.EnqueueUnlessWaitingAsync(db, new UpdateTc2Client(companyId), ct);
    }

    /// <summary>Whether another row than <paramref name="hermesId"/> is linked to this Pipedrive object.</summary>
    public async Task<bool> LinkedElsewhereAsync(string entity, int pdId, int hermesId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return entity switch
        {
            PipedriveObject.Organization => await db.Companies.AnyAsync(c => c.PdOrgId == pdId && c.Id != hermesId, ct),
            PipedriveObject.Person => await db.Contacts.AnyAsync(c => c.PdPersonId == pdId && c.Id != hermesId, ct),
            PipedriveObject.Deal => await db.Deals.AnyAsync(d => d.PdDealId == pdId && d.Id != hermesId, ct),
            _ => await db.Meetings.AnyAsync(m => m.PdActivityId == pdId && m.Id != hermesId, ct),
        };
    }
}

/// <summary>The Pipedrive object Hermes was about to link is linked to another row already (a race with a webhook or another sync).</summary>
public sealed class PipedriveLinkConflictException(string entity, int hermesId, int pdId, Exception inner)
    : Exception($"Pipedrive {entity} {pdId} is linked to another row than {hermesId}", inner);

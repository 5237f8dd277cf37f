using System.Text.Json.Nodes;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive.purge_company</c>: a narc client's deals, persons and organization are deleted from Pipedrive. TC2's
/// event has already removed the contacts and deals from Hermes, so the payload carries their Pipedrive ids (a bare
/// <c>{companyId}</c> payload purges what the company's rows still link to, and unlinks them).
/// </summary>
public sealed class PipedrivePurge(IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, ILogger<PipedrivePurge> log, TimeProvider clock)
    : JobHandler<PipedrivePurge.Payload>
{
    public sealed record Payload(int CompanyId, int? OrgId = null, IReadOnlyList<int>? PersonIds = null, IReadOnlyList<int>? DealIds = null);

    protected override Task RunAsync(Payload payload, CancellationToken ct) => PipedriveSyncErrors.Classify(() => PurgeAsync(payload, ct));

    async Task PurgeAsync(Payload payload, CancellationToken ct)
    {
        var orgId = payload.OrgId;
        var personIds = payload.PersonIds ?? [];
        var dealIds = payload.DealIds ?? [];
        string? orgHermesKey;
        var fromRows = payload.OrgId is null && payload.PersonIds is null && payload.DealIds is null;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            orgHermesKey = (await CustomFieldMap.LoadAsync(db, ct)).HermesId("Company")?.PdFieldId;
            if (fromRows)
            {
                orgId = await db.Companies.Where(c => c.Id == payload.CompanyId).Select(c => c.PdOrgId).FirstOrDefaultAsync(ct);
                personIds = await db.Contacts.Where(c => c.CompanyId == payload.CompanyId && c.PdPersonId != null).Select(c => c.PdPersonId!.Value).ToListAsync(ct);
                dealIds = await db.Deals.Where(d => d.CompanyId == payload.CompanyId && d.PdDealId != null).Select(d => d.PdDealId!.Value).ToListAsync(ct);
            }
            if (orgId is { } org)
            {
                // Hermes deletes it on purpose: remembered, so TC2's stale link to it is never followed again.
                if (await PipedriveObject.MarkDeletedAsync(db, PipedriveObject.Organization, org, PipedriveDeletion.Purged, clock.GetUtcNow().UtcDateTime, ct))
                    await db.SaveChangesAsync(ct);
            }
        }

        foreach (var id in dealIds) await DeleteAsync(PipedriveClient.Deals, id, ct);
        foreach (var id in personIds) await DeleteAsync(PipedriveClient.Persons, id, ct);
        if (orgId is { } orgToDelete)
        {
            // Its hermes_id goes first: Pipedrive's delete webhook must not lead back to the Company Hermes keeps.
            if (orgHermesKey is not null)
            {
                try
                {
                    await pipedrive.UpdateAsync(PipedriveClient.Organizations, orgToDelete, new JsonObject { ["custom_fields"] = new JsonObject { [orgHermesKey] = null } }, ct);
                }
                catch (PipedriveGoneException) { }
            }
            await DeleteAsync(PipedriveClient.Organizations, orgToDelete, ct);
        }

        if (fromRows)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            await db.Deals.Where(d => d.CompanyId == payload.CompanyId).ExecuteUpdateAsync(s => s.SetProperty(d => d.PdDealId, (int?)null), ct);
            await db.Contacts.Where(c => c.CompanyId == payload.CompanyId).ExecuteUpdateAsync(s => s.SetProperty(c => c.PdPersonId, (int?)null), ct);
            await db.Companies.Where(c => c.Id == payload.CompanyId).ExecuteUpdateAsync(s => s.SetProperty(c => c.PdOrgId, (int?)null), ct);
        }
        log.LogInformation("Company {Company} purged from Pipedrive: organization {Org}, persons {Persons}, deals {Deals}", payload.CompanyId, orgId, personIds, dealIds);
    }

    async Task DeleteAsync(string entity, int id, CancellationToken ct)
    {
        try
        {
            await pipedrive.DeleteAsync(entity, id, ct);
        }
        catch (PipedriveGoneException)
        {
            // Deleted already (by someone, or by an earlier run of this job).
        }
    }
}

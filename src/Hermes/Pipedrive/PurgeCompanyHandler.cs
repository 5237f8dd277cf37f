using System.Text.Json.Nodes;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive.purge_company</c>: a narc client's deals, persons and organization are deleted from Pipedrive. TC2's
/// event has already removed the contacts and deals from Hermes, so the job carries their Pipedrive ids.
/// </summary>
public sealed class PurgeCompanyHandler(IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, ILogger<PurgeCompanyHandler> log, TimeProvider clock)
    : JobHandler<PurgeCompany>
{
    protected override async Task RunAsync(PurgeCompany payload, CancellationToken ct)
    {
        var (orgId, personIds, dealIds) = (payload.OrgId, payload.PersonIds ?? [], payload.DealIds ?? []);
        string? orgHermesKey;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            orgHermesKey = (await CustomFieldMap.LoadAsync(db, ct)).HermesId("Company")?.PdFieldId;
            // Hermes deletes it on purpose: remembered, so TC2's stale link to it is never followed again.
            if (orgId is { } org && await PipedriveObject.MarkDeletedAsync(db, PipedriveObject.Organization, org, PipedriveDeletion.Purged, clock.GetUtcNow().UtcDateTime, ct))
                await db.SaveChangesAsync(ct);
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

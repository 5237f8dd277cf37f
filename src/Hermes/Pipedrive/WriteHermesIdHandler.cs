using System.Text.Json.Nodes;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive.write_hermes_id</c>: after a merge Pipedrive's <c>hermes_id</c> may hold "12, 34"; the surviving row's
/// own id is written back (only when Pipedrive's value differs).
/// </summary>
public sealed class WriteHermesIdHandler(
    IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, PipedriveFieldTypes fieldTypes, PipedriveSyncState state, ILogger<WriteHermesIdHandler> log)
    : JobHandler<WriteHermesId>
{
    protected override async Task RunAsync(WriteHermesId payload, CancellationToken ct)
    {
        var (path, entity, objectName) = payload.ObjectType switch
        {
            "Company" => (PipedriveClient.Organizations, PipedriveObject.Organization, "organization"),
            "Contact" => (PipedriveClient.Persons, PipedriveObject.Person, "person"),
            "Deal" => (PipedriveClient.Deals, PipedriveObject.Deal, "deal"),
            _ => throw new PermanentJobFailureException($"hermes_id cannot be written for a {payload.ObjectType}"),
        };
        var types = await fieldTypes.ForAsync(pipedrive, objectName, ct);
        int? pdId;
        CustomField? field;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            field = (await CustomFieldMap.LoadAsync(db, ct)).HermesId(payload.ObjectType);
            pdId = payload.ObjectType switch
            {
                "Company" => await db.Companies.Where(c => c.Id == payload.HermesId).Select(c => c.PdOrgId).FirstOrDefaultAsync(ct),
                "Contact" => await db.Contacts.Where(c => c.Id == payload.HermesId).Select(c => c.PdPersonId).FirstOrDefaultAsync(ct),
                _ => await db.Deals.Where(d => d.Id == payload.HermesId).Select(d => d.PdDealId).FirstOrDefaultAsync(ct),
            };
        }
        if (field?.PdFieldId is not { Length: > 0 } key || pdId is not { } id)
        {
            log.LogInformation("{Type} {Id}: no hermes_id field or no Pipedrive object; nothing to write", payload.ObjectType, payload.HermesId);
            return;
        }
        if (await state.DeletedAsync(entity, id, ct) is not null) return;

        JsonObject actual;
        try
        {
            actual = await pipedrive.GetAsync(path, id, ct);
        }
        catch (PipedriveGoneException)
        {
            await state.RecordNotFoundAsync(entity, id, null, ct);
            return;
        }
        var value = PipedriveValues.ToPipedrive(payload.HermesId, field, types is not null && types.TryGetValue(key, out var t) ? t : null);
        if (PipedriveValues.Same(value, actual["custom_fields"]?[key])) return;
        await pipedrive.UpdateAsync(path, id, new JsonObject { ["custom_fields"] = new JsonObject { [key] = value } }, ct);
        log.LogInformation("Pipedrive {Entity} {PdId}: hermes_id set to {HermesId}", entity, id, payload.HermesId);
    }
}

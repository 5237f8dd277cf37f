using System.Text.Json.Nodes;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive.clear_hermes_id</c> (queued by <c>pipedrive reconcile</c>): a Pipedrive object no Hermes row is linked
/// to carries the <c>hermes_id</c> of a row that is linked to another object (a duplicate, or an id typed by hand).
/// Left alone, its next webhook would move that row's link onto it. The field is cleared, only if it still names the
/// row and the object is still unlinked when the job runs (so a retry, or a link made meanwhile, changes nothing).
/// </summary>
public sealed class ClearHermesIdHandler(
    IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, PipedriveSyncState state, ILogger<ClearHermesIdHandler> log)
    : JobHandler<ClearHermesId>
{
    protected override async Task RunAsync(ClearHermesId payload, CancellationToken ct)
    {
        var (path, entity) = payload.ObjectType switch
        {
            "Company" => (PipedriveClient.Organizations, PipedriveObject.Organization),
            "Contact" => (PipedriveClient.Persons, PipedriveObject.Person),
            "Deal" => (PipedriveClient.Deals, PipedriveObject.Deal),
            _ => throw new PermanentJobFailureException($"hermes_id cannot be cleared for a {payload.ObjectType}"),
        };
        string? key;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            key = (await CustomFieldMap.LoadAsync(db, ct)).HermesId(payload.ObjectType)?.PdFieldId;
        if (key is not { Length: > 0 }) return;
        if (await state.LinkedElsewhereAsync(entity, payload.PdId, hermesId: 0, ct))
        {
            log.LogInformation("Pipedrive {Entity} {PdId} is linked to a Hermes row now; its hermes_id is left to that row", entity, payload.PdId);
            return;
        }

        JsonObject actual;
        try
        {
            actual = await pipedrive.GetAsync(path, payload.PdId, ct);
        }
        catch (PipedriveGoneException)
        {
            return;
        }
        if (!PipedriveHermesIds.Parse(actual["custom_fields"]?[key]).Contains(payload.HermesId)) return;
        await pipedrive.UpdateAsync(path, payload.PdId, new JsonObject { ["custom_fields"] = new JsonObject { [key] = null } }, ct);
        log.LogInformation("Pipedrive {Entity} {PdId}: hermes_id {HermesId} cleared (that row is linked to another object)", entity, payload.PdId, payload.HermesId);
    }
}

/// <summary>The Hermes ids a <c>hermes_id</c> value holds: "12", 12, or "12, 34" after Pipedrive merged two objects.</summary>
public static class PipedriveHermesIds
{
    public static IReadOnlyList<int> Parse(JsonNode? value) =>
        (PipedriveValues.Scalar(value) ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.TryParse(s.Trim('"'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
                         && d == Math.Floor(d) && d is >= 1 and <= int.MaxValue ? (int)d : (int?)null)
            .OfType<int>().Distinct().ToList();
}

using Microsoft.EntityFrameworkCore;

namespace Hermes.Domain;

/// <summary>Why Hermes holds a Pipedrive object as gone (column <c>deleted_reason</c>: webhook, merged, purged, not_found).</summary>
public enum PipedriveDeletion
{
    /// <summary>Someone deleted it in Pipedrive (its delete webhook).</summary>
    Webhook,
    /// <summary>Pipedrive merged it into another object (<see cref="PipedriveObject.MergedIntoPdId"/>).</summary>
    Merged,
    /// <summary>Hermes deleted it from Pipedrive on purpose (a narc client's purge).</summary>
    Purged,
    /// <summary>Pipedrive answered 404/410 to a job: gone, but not known why.</summary>
    NotFound,
}

/// <summary>
/// Hermes's memory of one Pipedrive object: the newest Pipedrive change applied (events can arrive out of order) and
/// whether Pipedrive deleted or merged it away (a deliberate delete is never undone by a later sync). Deleted
/// organizations keep their TC2 cligency id so a later TC2 event for that client does not recreate them in Pipedrive.
/// </summary>
public class PipedriveObject
{
    public const string Organization = "organization";
    public const string Person = "person";
    public const string Deal = "deal";

    public string Entity { get; set; } = "";
    public int PdId { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public PipedriveDeletion? DeletedReason { get; set; }
    public int? MergedIntoPdId { get; set; }
    public int? Tc2CligencyId { get; set; }
    /// <summary>For persons: the TC2 paid recipient of the contact, so TC2 bringing the contact back does not recreate the person.</summary>
    public int? Tc2SrId { get; set; }
    public string? CompanyName { get; set; }
    /// <summary>For deals: the person, stage and pipeline Pipedrive last named, linked when they reach Hermes after the deal.</summary>
    public int? RefPersonId { get; set; }
    public int? RefStageId { get; set; }
    public int? RefPipelineId { get; set; }
    /// <summary>For organizations: webhooks wait for it in <c>pipedrive_waiting_webhook</c> (set and cleared under its lock).</summary>
    public bool WebhooksWaiting { get; set; }

    /// <summary>What Hermes remembers of one Pipedrive object, if anything (tracked already, or read: compiled, as every event reads it).</summary>
    public static async Task<PipedriveObject?> FindAsync(HermesDb db, string entity, int pdId, CancellationToken ct) =>
        db.Tracked<PipedriveObject>(entity, pdId) ?? await ByKey.For(db)(db, entity, pdId, ct);

    static readonly CompiledQuery<Func<HermesDb, string, int, CancellationToken, Task<PipedriveObject?>>> ByKey =
        new(() => EF.CompileAsyncQuery((HermesDb db, string entity, int pdId, CancellationToken _) => db.PipedriveObjects.FirstOrDefault(o => o.Entity == entity && o.PdId == pdId)));

    /// <summary>The row for this object, added (unsaved) when Hermes has none yet; one added earlier in this context is found too.</summary>
    public static async Task<PipedriveObject> FindOrAddAsync(HermesDb db, string entity, int pdId, CancellationToken ct)
    {
        var state = await FindAsync(db, entity, pdId, ct);
        if (state is null) db.PipedriveObjects.Add(state = new PipedriveObject { Entity = entity, PdId = pdId });
        return state;
    }

    /// <summary>
    /// The one place an object becomes "gone from Pipedrive" (webhook delete or merge, Hermes's purge, a job's 404).
    /// A reason once recorded stays, except that a 404 (gone, not why) gives way to the webhook that says why (merged
    /// into another: the survivor then takes its contacts and deals). What a delete must remember (the TC2 client and
    /// company name of an organization, the TC2 paid recipient of a person) is kept unless given anew. Unsaved; false
    /// when nothing changed.
    /// </summary>
    public static async Task<bool> MarkDeletedAsync(HermesDb db, string entity, int pdId, PipedriveDeletion reason, DateTime now,
        CancellationToken ct, int? mergedInto = null, Company? company = null, int? tc2SrId = null)
    {
        var state = await FindOrAddAsync(db, entity, pdId, ct);
        var saysWhy = reason is PipedriveDeletion.Webhook or PipedriveDeletion.Merged;
        if (state.DeletedAt is not null && !(saysWhy && state.DeletedReason == PipedriveDeletion.NotFound)) return false;
        state.DeletedAt ??= now;
        state.DeletedReason = reason;
        state.MergedIntoPdId = mergedInto;
        state.Tc2CligencyId = company?.Tc2CligencyId ?? state.Tc2CligencyId;
        state.CompanyName = company?.Name ?? state.CompanyName;
        state.Tc2SrId = tc2SrId ?? state.Tc2SrId;
        return true;
    }
}

public static class PipedriveObjectQueries
{
    /// <summary>Objects deleted in Pipedrive on purpose (by someone there, or by Hermes's purge, or found gone): not merged into another.</summary>
    public static IQueryable<PipedriveObject> DeletedOnPurpose(this IQueryable<PipedriveObject> objects) =>
        objects.Where(o => o.DeletedAt != null && o.DeletedReason != PipedriveDeletion.Merged);
}

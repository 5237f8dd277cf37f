using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// What Hermes does when Pipedrive tells it about an organization, person, deal, pipeline or stage (behaviour.md §2):
/// takes the object's lock, then hands the event to the class for its kind of object (<see cref="Organizations"/>,
/// <see cref="Persons"/>, <see cref="Deals"/>, <see cref="PipelinesAndStages"/>), whose rules are shared through
/// <see cref="InboundEntity"/>. Runs inside the caller's transaction and never calls Pipedrive: an organization Hermes
/// doesn't know yet is fetched by a job, which then replays the event.
/// </summary>
public sealed class PipedriveInbound(HermesDb db, JobQueue jobs, Organizations organizations, Persons persons, Deals deals, PipelinesAndStages pipelinesAndStages)
{
    /// <summary>Applies one event; returns what happened, for the webhook log. What it changes is saved by the caller.</summary>
    public async Task<EventOutcome> ProcessAsync(PipedriveEvent e, InboundWebhook webhook, bool allowFetch, CancellationToken ct)
    {
        // Before anything about the object is read: events for one object are applied one at a time (the staleness
        // check and the write that follows are one step).
        await PipedriveEventOrder.LockAsync(db, e, ct);
        InboundEntity? entity = e.Entity switch
        {
            PipedriveObject.Organization => organizations,
            PipedriveObject.Person => persons,
            PipedriveObject.Deal => deals,
            "pipeline" or "stage" => pipelinesAndStages,
            _ => null,
        };
        if (entity is null) return EventOutcome.Ignored($"Hermes does not keep Pipedrive {e.Entity} objects");
        var outcome = await entity.ApplyAsync(e, webhook, allowFetch, await CustomFieldMap.LoadAsync(db, ct), await PipedriveOwners.LoadAsync(db, ct), ct);
        if (e.Entity == PipedriveObject.Organization)
            await PipedriveEventOrder.ReleaseWaitingAsync(db, jobs, new[] { e.Id, e.MergedToId, e.MergedFromId }.OfType<int>().ToList(), ct);
        return outcome;
    }
}

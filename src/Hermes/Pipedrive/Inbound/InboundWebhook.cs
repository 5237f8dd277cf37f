using Hermes.Domain;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// The webhook an event came in, as a job that replays it names it: a stored log row's id, or (a delivery) the row
/// itself, written in one batch with the changes the event makes and saved early only when a job must name it.
/// <see cref="None"/>: an event Hermes made up (a fetch, a reconcile), which nothing can replay.
/// </summary>
public sealed class InboundWebhook
{
    readonly long _id;
    readonly WebhookLog? _row;

    InboundWebhook(long id, WebhookLog? row) => (_id, _row) = (id, row);

    public static readonly InboundWebhook None = new(0, null);
    public static InboundWebhook Stored(long id) => id > 0 ? new(id, null) : None;
    public static InboundWebhook Unsaved(WebhookLog row) => new(0, row);

    public bool CanBeReplayed => _id > 0 || _row is not null;

    /// <summary>The log row's id, saving what is pending first when the row is not written yet.</summary>
    public async Task<long> IdAsync(HermesDb db, CancellationToken ct)
    {
        if (_row is null) return _id;
        if (_row.Id == 0) await db.SaveChangesAsync(ct);
        return _row.Id;
    }
}

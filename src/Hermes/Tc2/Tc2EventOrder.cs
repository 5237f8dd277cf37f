using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tc2;

/// <summary>
/// TC2 events for one client are applied one at a time and in the order TC2 made them (each event carries its
/// <c>timestamp</c>): the client's lock (<see cref="ObjectLocks"/>) is taken before anything about it is read, an event
/// older than the newest one applied changes nothing, and the remembered time never goes backwards. Client reads from
/// TC2 (<c>tc2.refresh_client</c>) take the same lock. Events without a timestamp are applied as they come.
/// </summary>
public static class Tc2EventOrder
{
    /// <summary>The client an event is about, when it creates, updates or deletes one (the events that are ordered).</summary>
    public static int? ClientId(Tc2Event e) =>
        e.Model == "Client" && e.Action != Tc2Event.AgreeTerms && (e.Subject["meta_agency"] is System.Text.Json.Nodes.JsonObject || e.Action == Tc2Event.DeletedAClient)
            ? e.SubjectId
            : null;

    /// <summary>When TC2 made the change, per the event.</summary>
    public static DateTime? Time(Tc2Event e) => Tc2Json.Time(e.Raw["timestamp"]);

    /// <summary>Locks the event's client; returns why the event is skipped when a newer one was applied already, else null.</summary>
    public static async Task<EventOutcome?> BeginAsync(HermesDb db, Tc2Event e, CancellationToken ct)
    {
        if (ClientId(e) is not { } clientId) return null;
        await LockClientAsync(db, clientId, ct);
        if (Time(e) is not { } time) return null;
        var newest = await db.Tc2ClientEvents.Where(t => t.CligencyId == clientId).Select(t => (DateTime?)t.EventTime).FirstOrDefaultAsync(ct);
        return newest is { } seen && time < seen ? EventOutcome.Ignored($"an older event of client {clientId} than one already applied") : null;
    }

    /// <summary>The event was applied: remember its time (only ever forward). Saved by the caller's SaveChanges or here.</summary>
    public static async Task AppliedAsync(HermesDb db, Tc2Event e, CancellationToken ct)
    {
        if (ClientId(e) is not { } clientId || Time(e) is not { } time) return;
        var row = await db.Tc2ClientEvents.FirstOrDefaultAsync(t => t.CligencyId == clientId, ct);
        if (row is null) db.Tc2ClientEvents.Add(new Tc2ClientEvent { CligencyId = clientId, EventTime = time });
        else if (row.EventTime < time) row.EventTime = time;
        await db.SaveChangesAsync(ct);
    }

    public static Task LockClientAsync(HermesDb db, int cligencyId, CancellationToken ct) =>
        ObjectLocks.LockAsync(db, ObjectLocks.Tc2Client, [cligencyId], ct);
}

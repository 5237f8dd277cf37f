using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Operations;
using Hermes.Operations.Input;
using Hermes.Pipedrive.Inbound;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// Stores a webhook and applies it in one transaction (with the jobs it causes), the outcome recorded on its log row:
/// one commit per webhook, and a webhook answered 200 is stored and applied. A rule that rejects it (422) or fails
/// rolls back, and the webhook is then stored on its own with that outcome. Also used by the jobs and commands that
/// replay a stored webhook.
/// </summary>
public sealed class PipedriveWebhookProcessor(IDbContextFactory<HermesDb> dbs, IServiceProvider services, TimeProvider clock, HermesSettings settings,
    ILogger<PipedriveWebhookProcessor> log)
{
    readonly bool postgres = settings.Database.Kind == DatabaseKind.Postgres;

    /// <summary>Stores a webhook that is not applied (unreadable, or about objects Hermes does not keep) with its outcome.</summary>
    public async Task<long> StoreAsync(string body, PipedriveEvent? e, string outcome, string? error, CancellationToken ct) =>
        await StoreAsync(body, e, outcome, error, id: 0, ct);

    /// <summary>With an id: the one the rolled-back attempt took (a sequence value is never handed out twice), so the log's ids follow arrival.</summary>
    async Task<long> StoreAsync(string body, PipedriveEvent? e, string outcome, string? error, long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = NewRow(body, e, outcome, error);
        if (id > 0) row.Id = id;
        db.WebhookLogs.Add(row);
        await db.SaveChangesAsync(ct);
        WebhookTrace.Describe(row.Object, row.Action, row.Id);
        WebhookTrace.Outcome(outcome);
        return row.Id;
    }

    /// <summary>
    /// Stores the webhook and applies it in the same transaction (PostgreSQL; on SQLite stored, then applied); returns the
    /// outcome. A validation error (the caller answers 422) or a failure is stored with the webhook as rejected or error,
    /// then propagates.
    /// </summary>
    public async Task<EventOutcome> StoreAndProcessAsync(string body, PipedriveEvent e, CancellationToken ct)
    {
        if (!postgres)
        {
            // SQLite has one writer: a transaction that wrote the log row first would hold the file's lock through every
            // read of the rules. There the webhook is stored on its own, then applied.
            var stored = await StoreAsync(body, e, WebhookLog.OutcomePending, null, ct);
            return await ProcessAsync(e, stored, allowFetch: true, ct);
        }
        var id = new StrongBox<long>();
        try
        {
            return await RunAsync(e, body, id, webhookId: 0, allowFetch: true, ct);
        }
        catch (WebhookValidationException v)
        {
            await StoreAsync(body, e, WebhookLog.OutcomeRejected, $"{v.Field}: {v.Message}", id.Value, CancellationToken.None);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Rolled back: the webhook is still kept, with why it failed (Pipedrive retries a 500).
            await StoreAsync(body, e, WebhookLog.OutcomeError, $"{ex.GetType().Name}: {ex.Message}", id.Value, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Applies the event of a stored webhook (or none: 0); returns its outcome. Validation errors propagate (the caller answers 422) after being logged.</summary>
    public async Task<EventOutcome> ProcessAsync(PipedriveEvent e, long webhookId, bool allowFetch, CancellationToken ct)
    {
        try
        {
            return await RunAsync(e, body: null, new StrongBox<long>(), webhookId, allowFetch, ct);
        }
        catch (WebhookValidationException v)
        {
            if (webhookId > 0) await RecordAsync(webhookId, WebhookLog.OutcomeRejected, $"{v.Field}: {v.Message}", CancellationToken.None);
            throw;
        }
    }

    /// <summary>With a body, the webhook is stored in the transaction too; <paramref name="storedId"/> keeps its id across attempts.</summary>
    async Task<EventOutcome> RunAsync(PipedriveEvent e, string? body, StrongBox<long> storedId, long webhookId, bool allowFetch, CancellationToken ct)
    {
        try
        {
            // Events for one object wait for each other (PipedriveEventOrder.LockAsync), but a write can still lose a race
            // with another object's event (a unique id taken, a company deleted meanwhile, a deadlock PostgreSQL broke):
            // the next attempt starts again from what committed. A failed save rolls the whole attempt back, so no
            // savepoint around each save is needed.
            var outcome = await ResilientTransaction.RunAsync(services, attempts: 5, async (scope, db) =>
            {
                // A delivery's log row is written in one batch with what the event changes (the first save writes it).
                WebhookLog? row = null;
                var webhook = InboundWebhook.Stored(webhookId);
                if (body is not null)
                {
                    db.WebhookLogs.Add(row = NewRow(body, e, WebhookLog.OutcomePending, null));
                    if (storedId.Value > 0) row.Id = storedId.Value;
                    webhook = InboundWebhook.Unsaved(row);
                }
                try
                {
                    var outcome = await scope.GetRequiredService<PipedriveInbound>().ProcessAsync(e, webhook, allowFetch, ct);
                    if (row is not null)
                        (row.Outcome, row.Error) = (outcome.LogOutcome, outcome.Text);
                    else if (webhookId > 0)
                        await db.WebhookLogs.Where(w => w.Id == webhookId).ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, outcome.LogOutcome).SetProperty(w => w.Error, outcome.Text), ct);
                    await db.SaveChangesAsync(ct);
                    return outcome;
                }
                finally
                {
                    // The id this attempt took (a sequence value is never handed out twice) is the one a later attempt, or
                    // the row kept after a failure, uses.
                    if (row is { Id: > 0 }) storedId.Value = row.Id;
                }
            }, ct, savepoints: false);
            if (body is not null) WebhookTrace.Describe(InputText.ClipOrNull(e.Entity, 50), InputText.ClipOrNull(e.RawAction, 50), storedId.Value);
            WebhookTrace.Outcome(outcome.LogOutcome);
            log.LogInformation("Pipedrive {Entity} {Id}: {Result}", e.Entity, e.Id, outcome.Text);
            return outcome;
        }
        catch (WebhookValidationException)
        {
            WebhookTrace.Outcome(WebhookLog.OutcomeRejected);
            throw;
        }
    }

    /// <summary>
    /// Runs a stored webhook again (after the organization it needed was fetched or became known). It may wait again,
    /// for the organization this one was merged into.
    /// </summary>
    public async Task ReplayAsync(long webhookId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.WebhookLogs.AsNoTracking().SingleOrDefaultAsync(w => w.Id == webhookId, ct);
        if (row is null) return;
        var e = PipedriveWebhookParser.Parse(JsonNode.Parse(row.Body));
        try
        {
            await ProcessAsync(e, webhookId, allowFetch: true, ct);
        }
        catch (WebhookValidationException)
        {
            // Recorded on the webhook log as rejected; retrying cannot fix it.
        }
    }

    public async Task RecordAsync(long webhookId, string outcome, string? error, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.WebhookLogs.Where(w => w.Id == webhookId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, outcome).SetProperty(w => w.Error, error), ct);
    }

    WebhookLog NewRow(string body, PipedriveEvent? e, string outcome, string? error) => new()
    {
        Source = "pipedrive",
        ReceivedAt = clock.GetUtcNow().UtcDateTime,
        // meta.entity and meta.action are whatever the caller sent: cut to their columns like every stored string.
        Object = InputText.ClipOrNull(e?.Entity, 50),
        Action = InputText.ClipOrNull(e?.RawAction, 50),
        ObjectIds = e is null ? null : InputText.Clip(Ids(e), 255),
        Outcome = outcome,
        Error = error,
        Body = body,
    };

    static string Ids(PipedriveEvent e) =>
        e.MergedToId is { } to ? $"{e.Id}→{to}" : e.MergedFromId is { } from ? $"{from}→{e.Id}" : e.Id?.ToString() ?? "";
}

using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Operations;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations.Input;

namespace Hermes.Tc2;

/// <summary>
/// Stores each event of a TC2 webhook in the webhook log, then applies each in its own transaction (with the jobs it
/// causes) and records its outcome there: processed, ignored, or error with the reason. An event that fails changes
/// nothing and does not stop the others.
/// </summary>
public sealed class Tc2WebhookProcessor(IDbContextFactory<HermesDb> dbs, IServiceProvider services, TimeProvider clock, ILogger<Tc2WebhookProcessor> log)
{
    public async Task ProcessAsync(Tc2Webhook webhook, CancellationToken ct)
    {
        var rows = new List<WebhookLog>();
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            foreach (var e in webhook.Events)
            {
                var row = new WebhookLog
                {
                    Source = "tc2",
                    ReceivedAt = clock.GetUtcNow().UtcDateTime,
                    Object = Truncate(e.Model, 50),
                    Action = Truncate(e.Action, 50),
                    ObjectIds = Truncate(Ids(e), 255),
                    Outcome = WebhookLog.OutcomePending,
                    Body = e.Raw.ToJsonString(),
                };
                db.WebhookLogs.Add(row);
                rows.Add(row);
            }
            await db.SaveChangesAsync(ct);
        }
        foreach (var row in rows) WebhookTrace.Describe(row.Object, row.Action, row.Id);
        // Stored: from here on the events are applied even if TC2 stops waiting for the answer.
        for (var i = 0; i < rows.Count; i++)
            await ApplyAsync(webhook.Events[i], rows[i].Id, CancellationToken.None);
    }

    /// <summary>Applies one stored event and records its outcome on its webhook log row (also used to replay one).</summary>
    public async Task ApplyAsync(Tc2Event e, long logId, CancellationToken ct)
    {
        try
        {
            // Events for one client wait for each other (Tc2EventOrder), but a write can still lose a race with another
            // client's event or a Pipedrive webhook (a unique id taken, a deadlock PostgreSQL broke): the next attempt
            // starts again from what committed.
            var outcome = await ResilientTransaction.RunAsync(services, attempts: 5, async (scope, db) =>
            {
                var stale = await Tc2EventOrder.BeginAsync(db, e, ct);
                var outcome = stale ?? await scope.GetRequiredService<Tc2Inbound>().ApplyEventAsync(e, ct);
                if (stale is null) await Tc2EventOrder.AppliedAsync(db, e, ct);
                await db.WebhookLogs.Where(w => w.Id == logId)
                    .ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, outcome.LogOutcome).SetProperty(w => w.Error, outcome.Text), ct);
                return outcome;
            }, ct);
            WebhookTrace.Outcome(outcome.LogOutcome);
            log.LogInformation("TC2 {Model} {Action} {Id}: {Result}", e.Model, e.Action, e.SubjectId, outcome.Text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var message = ex is Tc2EventException or Tc2PayloadException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            if (ex is Tc2EventException or Tc2PayloadException)
                log.LogWarning("TC2 {Model} {Action} {Id} not applied: {Error}", e.Model, e.Action, e.SubjectId, message);
            else
                log.LogError(ex, "TC2 {Model} {Action} {Id} failed", e.Model, e.Action, e.SubjectId);
            await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
            await db.WebhookLogs.Where(w => w.Id == logId)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, WebhookLog.OutcomeError).SetProperty(w => w.Error, message), CancellationToken.None);
            WebhookTrace.Outcome(WebhookLog.OutcomeError);
        }
    }

    static string Ids(Tc2Event e) =>
        e.Model == "Invoice" && Tc2Json.Int((e.Subject["client"] as JsonObject)?["id"]) is { } client
            ? $"{e.SubjectId}; client {client}"
            : e.SubjectId?.ToString() ?? "";

    static string? Truncate(string? s, int max) => InputText.ClipOrNull(s, max);
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Operations.Input;
using Hermes.Pipedrive;
using Hermes.Pipedrive.Inbound;
using Hermes.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Operations;

/// <summary>
/// Applies stored webhooks again, through the code the endpoints use (<see cref="PipedriveWebhookProcessor"/>,
/// <see cref="Tc2WebhookProcessor"/>): after a fix, or when one failed for a reason that has gone. The webhook's log row
/// takes the new outcome. Replaying is safe: the rules skip an event older than what Hermes already applied and never
/// bring back what Pipedrive deleted. A preview runs the same rules in a transaction that is rolled back, so it shows
/// what a replay would do and changes nothing.
/// </summary>
public sealed class WebhookReplay(IDbContextFactory<HermesDb> dbs, IServiceProvider services, PipedriveWebhookProcessor pipedrive, Tc2WebhookProcessor tc2)
{
    /// <summary>One webhook: its outcome before, and what the replay did (or would do).</summary>
    public sealed record Outcome(long Id, WebhookLog? Webhook, string? Before, string After, string Detail)
    {
        public bool Failed => After is "missing" or "unreadable" or WebhookLog.OutcomeError;
    }

    public async Task<IReadOnlyList<Outcome>> RunAsync(IReadOnlyList<long> ids, bool apply, CancellationToken ct)
    {
        var outcomes = new List<Outcome>();
        foreach (var id in ids) outcomes.Add(await RunOneAsync(id, apply, ct));
        return outcomes;
    }

    async Task<Outcome> RunOneAsync(long id, bool apply, CancellationToken ct)
    {
        WebhookLog? row;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            row = await db.WebhookLogs.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct);
        if (row is null) return new Outcome(id, null, null, "missing", $"there is no webhook {id}");
        return row.Source switch
        {
            "pipedrive" => await PipedriveAsync(row, apply, ct),
            "tc2" => await Tc2Async(row, apply, ct),
            _ => new Outcome(id, row, row.Outcome, "unreadable", $"Hermes does not know webhooks from '{row.Source}'"),
        };
    }

    async Task<Outcome> PipedriveAsync(WebhookLog row, bool apply, CancellationToken ct)
    {
        PipedriveEvent e;
        // As strictly as at its delivery: a refused body (a key twice, a lone surrogate) is kept on the log as it came.
        var (json, problem) = StrictJson.Parse(Encoding.UTF8.GetBytes(row.Body));
        if (problem is not null)
            return new Outcome(row.Id, row, row.Outcome, "unreadable", problem.Type == JsonProblem.Invalid ? "the body is not valid JSON" : problem.Describe());
        try
        {
            e = PipedriveWebhookParser.Parse(json);
        }
        catch (InvalidWebhookException ex)
        {
            return new Outcome(row.Id, row, row.Outcome, "unreadable", ex.Message);
        }

        if (apply)
        {
            try
            {
                await pipedrive.ProcessAsync(e, row.Id, allowFetch: true, ct);
            }
            catch (WebhookValidationException)
            {
                // Recorded on the row as rejected by the processor, as for a delivery.
            }
            return await AfterAsync(row, ct);
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HermesDb>();
        var inbound = scope.ServiceProvider.GetRequiredService<PipedriveInbound>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var result = await inbound.ProcessAsync(e, InboundWebhook.Stored(row.Id), allowFetch: true, ct);
            return new Outcome(row.Id, row, row.Outcome, result.LogOutcome, result.Text);
        }
        catch (WebhookValidationException v)
        {
            return new Outcome(row.Id, row, row.Outcome, WebhookLog.OutcomeRejected, $"{v.Field}: {v.Message}");
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
    }

    async Task<Outcome> Tc2Async(WebhookLog row, bool apply, CancellationToken ct)
    {
        Tc2Event e;
        try
        {
            // Each TC2 event is stored on its own row: read it back as a webhook of one event.
            var body = new JsonObject { ["events"] = new JsonArray(JsonNode.Parse(row.Body)) };
            e = Tc2Webhook.Parse(body.ToJsonString()).Events[0];
        }
        catch (Exception ex) when (ex is JsonException or Tc2PayloadException)
        {
            return new Outcome(row.Id, row, row.Outcome, "unreadable", ex is JsonException ? "the body is not valid JSON" : ex.Message);
        }

        if (apply)
        {
            await tc2.ApplyAsync(e, row.Id, ct);
            return await AfterAsync(row, ct);
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HermesDb>();
        var inbound = scope.ServiceProvider.GetRequiredService<Tc2Inbound>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var result = await inbound.ApplyEventAsync(e, ct);
            return new Outcome(row.Id, row, row.Outcome, result.LogOutcome, result.Text);
        }
        catch (Exception ex) when (ex is Tc2EventException or Tc2PayloadException)
        {
            return new Outcome(row.Id, row, row.Outcome, WebhookLog.OutcomeError, ex.Message);
        }
        finally
        {
            await tx.RollbackAsync(CancellationToken.None);
        }
    }

    async Task<Outcome> AfterAsync(WebhookLog before, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var after = await db.WebhookLogs.AsNoTracking().SingleAsync(w => w.Id == before.Id, ct);
        return new Outcome(before.Id, before, before.Outcome, after.Outcome, after.Error ?? "");
    }
}

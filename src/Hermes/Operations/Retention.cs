using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Operations;

/// <summary>
/// The recurring maintenance job (<c>maintenance.retention</c>, hourly): deletes webhook log rows and finished
/// (<c>done</c>, or <c>cancelled</c> by staff) jobs older than <c>RETENTION_DAYS</c>. Failed jobs stay until staff retry or delete them. Rows go in
/// batches of <see cref="BatchSize"/>, each its own short statement, so a busy table is never locked for long; a run
/// stops after <see cref="MaxBatches"/> batches per table and the next run goes on.
/// </summary>
public sealed class Retention(IDbContextFactory<HermesDb> dbs, TimeProvider clock, HermesSettings settings, ILogger<Retention> log) : IJobHandler
{
    public const string Kind = "maintenance.retention";
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);
    public const int BatchSize = 500;
    public const int MaxBatches = 200;

    public sealed record Deleted(int Webhooks, int Jobs);

    public async Task RunAsync(string payload, CancellationToken ct)
    {
        var deleted = await DeleteOldAsync(ct);
        if (deleted.Webhooks + deleted.Jobs > 0)
            log.LogInformation("Retention: deleted {Webhooks} webhook log rows and {Jobs} finished jobs older than {Days} days",
                deleted.Webhooks, deleted.Jobs, settings.Operations.RetentionDays);
    }

    public async Task<Deleted> DeleteOldAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-settings.Operations.RetentionDays);
        var webhooks = await InBatchesAsync(db => db.WebhookLogs.Where(w => w.ReceivedAt < cutoff).OrderBy(w => w.Id).Take(BatchSize), ct);
        var jobs = await InBatchesAsync(db => db.Jobs.Where(j => (j.Status == Job.Done || j.Status == Job.Cancelled) && j.FinishedAt < cutoff).OrderBy(j => j.Id).Take(BatchSize), ct);
        return new Deleted(webhooks, jobs);
    }

    async Task<int> InBatchesAsync<T>(Func<HermesDb, IQueryable<T>> batch, CancellationToken ct)
    {
        var total = 0;
        await using var db = await dbs.CreateDbContextAsync(ct);
        for (var i = 0; i < MaxBatches; i++)
        {
            var n = await batch(db).ExecuteDeleteAsync(ct);
            total += n;
            if (n < BatchSize) break;
        }
        return total;
    }
}

using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Jobs;

/// <summary>
/// What staff do to the queue by hand, from the admin UI or a maintenance command (the same methods for both): list
/// jobs, retry failed ones (all, or all of one kind) and cancel one that is still waiting. Each change is one guarded
/// statement per job, so a worker claiming the job at the same moment either gets it first or never sees it.
/// </summary>
public sealed class JobMaintenance(IDbContextFactory<HermesDb> dbs, JobStore store, JobSignal signal, TimeProvider clock, ILogger<JobMaintenance> log)
{
    public static readonly string[] Statuses = [Job.Failed, Job.Pending, Job.Running, Job.Done, Job.Cancelled];

    public sealed record Listing(IReadOnlyList<Job> Jobs, int Total, IReadOnlyDictionary<string, int> CountsByStatus);

    /// <summary>The newest <paramref name="limit"/> jobs matching, and how many there are in all, by status.</summary>
    public async Task<Listing> ListAsync(string? status, string? kind, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var query = db.Jobs.AsNoTracking();
        if (status is not null) query = query.Where(j => j.Status == status);
        if (kind is not null) query = query.Where(j => j.Kind == kind);
        var total = await query.CountAsync(ct);
        var jobs = await query.OrderByDescending(j => j.Id).Take(limit).ToListAsync(ct);
        var counts = await db.Jobs.GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return new Listing(jobs, total, counts);
    }

    public async Task<Job?> FindAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
    }

    /// <summary>Failed jobs, per kind, for the "retry all of a kind" buttons.</summary>
    public async Task<IReadOnlyList<(string Kind, int Count)>> FailedKindsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var kinds = await db.Jobs.Where(j => j.Status == Job.Failed).GroupBy(j => j.Kind)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.Count)).ToList();
    }

    public sealed record RetryOutcome(Job Job, bool Retried);

    /// <summary>
    /// The failed jobs (of <paramref name="kind"/>, or all), oldest first; with <paramref name="apply"/> each is queued
    /// again with fresh attempts. A job that stopped being failed meanwhile (retried by someone else) is left alone.
    /// </summary>
    public async Task<IReadOnlyList<RetryOutcome>> RetryFailedAsync(string? kind, bool apply, string by, CancellationToken ct)
    {
        List<Job> failed;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            failed = await db.Jobs.AsNoTracking().Where(j => j.Status == Job.Failed && (kind == null || j.Kind == kind)).OrderBy(j => j.Id).ToListAsync(ct);
        if (!apply) return failed.Select(j => new RetryOutcome(j, false)).ToList();

        var outcomes = new List<RetryOutcome>();
        foreach (var job in failed)
            outcomes.Add(new RetryOutcome(job, await store.RetryFailedAsync(job.Id, ct)));
        var retried = outcomes.Count(o => o.Retried);
        if (retried > 0)
        {
            signal.Wake();
            log.LogInformation("{Count} failed {Kind} jobs retried by {By}", retried, kind ?? "(any kind)", by);
        }
        return outcomes;
    }

    /// <summary>
    /// Cancels a job that is still pending; false when it is not (it ran, is running, or does not exist). A recurring
    /// schedule row (retention) is never cancelled: it is the schedule itself, and cancelling it would stop the work
    /// until the next start.
    /// </summary>
    public async Task<bool> CancelAsync(long id, string by, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var note = $"cancelled by {by}";
        var cancelled = await db.Jobs.Where(j => j.Id == id && j.Status == Job.Pending && (j.OrderingKey == null || !j.OrderingKey.StartsWith(RecurringJobs.KeyPrefix)))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, Job.Cancelled).SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.UpdatedAt, now).SetProperty(j => j.LastError, j => j.LastError == null ? note : note + " (last error: " + j.LastError + ")"), ct) == 1;
        if (cancelled)
        {
            // Jobs queued behind it under the same ordering key may run now.
            signal.Wake();
            log.LogInformation("Job {JobId} cancelled by {By}", id, by);
        }
        return cancelled;
    }
}

using System.Data.Common;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Jobs;

/// <summary>
/// The queue's SQL. Claiming takes the oldest due job whose ordering key has no earlier unfinished job, and marks it
/// running under a lease. On PostgreSQL the candidate row is locked with <c>FOR UPDATE SKIP LOCKED</c>, so any number
/// of workers in any number of Hermes processes share one queue without taking the same job; SQLite has one claimer
/// per process (and one writer per file anyway).
/// Every status change is guarded by <c>locked_by</c>: a worker that lost its lease cannot overwrite the new owner.
/// </summary>
public sealed class JobStore(IDbContextFactory<HermesDb> dbs, TimeProvider clock)
{
    static readonly SemaphoreSlim SqliteClaimer = new(1, 1);

    const string Eligible = """
        ((j.status = 'pending' AND j.run_after <= @now) OR (j.status = 'running' AND j.locked_until < @now))
        AND (j.ordering_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM hermes_job e
            WHERE e.ordering_key = j.ordering_key AND e.id < j.id AND e.status IN ('pending', 'running')))
        """;

    public async Task<Job?> ClaimAsync(string workerId, TimeSpan lease, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var postgres = db.IsPostgres;
        var sql = $"""
            UPDATE hermes_job SET status = 'running', locked_by = @worker, locked_until = @until,
                   attempts = attempts + 1, updated_at = @now
            WHERE id = (SELECT j.id FROM hermes_job j WHERE {Eligible} ORDER BY j.id LIMIT 1{(postgres ? " FOR UPDATE SKIP LOCKED" : "")})
            RETURNING id
            """;
        if (!postgres) await SqliteClaimer.WaitAsync(ct);
        try
        {
            var conn = db.Database.GetDbConnection();
            await conn.OpenAsync(ct);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            Add(cmd, "worker", workerId);
            Add(cmd, "until", now + lease);
            Add(cmd, "now", now);
            var id = await cmd.ExecuteScalarAsync(ct);
            if (id is null or DBNull) return null;
            return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == Convert.ToInt64(id), ct);
        }
        finally
        {
            if (!postgres) SqliteClaimer.Release();
        }
    }

    public Task<bool> CompleteAsync(Job job, CancellationToken ct) => Update(job, ct, (j, now) =>
    {
        j.Status = Job.Done;
        j.FinishedAt = now;
        j.LastError = null;
    });

    /// <summary>A recurring job's run is over: the same row waits for the next interval, with fresh attempts.</summary>
    public Task<bool> RepeatAsync(Job job, TimeSpan every, CancellationToken ct) => Update(job, ct, (j, now) =>
    {
        j.Status = Job.Pending;
        j.Attempts = 0;
        j.RunAfter = now + every;
        j.FinishedAt = now;
        j.LastError = null;
    });

    /// <summary>A failed attempt: back to pending after the backoff delay, or failed for good when attempts are used up.</summary>
    public Task<bool> FailAttemptAsync(Job job, string error, bool permanent, CancellationToken ct) => Update(job, ct, (j, now) =>
    {
        j.LastError = error;
        if (permanent || j.Attempts >= j.MaxAttempts)
        {
            j.Status = Job.Failed;
            j.FinishedAt = now;
        }
        else
        {
            j.Status = Job.Pending;
            j.RunAfter = now + RetryPolicy.Delay(j.Attempts);
        }
    });

    /// <summary>Run again after <paramref name="delay"/> without using up an attempt (rate limits, shutdown).</summary>
    public Task<bool> RescheduleAsync(Job job, TimeSpan delay, string? reason, CancellationToken ct) => Update(job, ct, (j, now) =>
    {
        j.Status = Job.Pending;
        j.Attempts = Math.Max(0, j.Attempts - 1);
        j.RunAfter = now + delay;
        if (reason is not null) j.LastError = reason;
    });

    /// <summary>Staff asked to retry a failed job: it runs again as soon as a worker is free, with fresh attempts.</summary>
    public async Task<bool> RetryFailedAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var updated = await db.Jobs.Where(j => j.Id == id && j.Status == Job.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, Job.Pending).SetProperty(j => j.Attempts, 0)
                .SetProperty(j => j.RunAfter, now).SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.FinishedAt, (DateTime?)null), ct);
        return updated == 1;
    }

    async Task<bool> Update(Job job, CancellationToken ct, Action<Job, DateTime> change)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.Jobs.SingleOrDefaultAsync(j => j.Id == job.Id && j.Status == Job.Running && j.LockedBy == job.LockedBy, ct);
        if (row is null) return false; // the lease ran out and another worker owns it now
        change(row, now);
        row.LockedBy = null;
        row.LockedUntil = null;
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return true;
    }

    static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}

using System.Text.Json;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Jobs;

/// <summary>
/// Puts work on the durable queue. <see cref="Enqueue"/> only adds a row to the caller's <see cref="HermesDb"/>: it is
/// saved by the caller's own SaveChanges, in the caller's transaction, so a change and the jobs it causes are committed
/// together or not at all.
/// </summary>
public sealed class JobQueue(TimeProvider clock, HermesSettings settings, JobSignal signal)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Queues a job of a declared kind (<see cref="IJob{TSelf}"/>): its kind and ordering key come with it.</summary>
    public Job Enqueue<TJob>(HermesDb db, TJob job, TimeSpan? delay = null) where TJob : IJob<TJob> =>
        Enqueue(db, TJob.Kind, job, job.OrderingKey(), delay);

    /// <summary>
    /// Queues the job unless one of its kind is already waiting under the same ordering key (it will read the latest
    /// rows when it runs); saves when it queued. False when one was waiting.
    /// </summary>
    public async Task<bool> EnqueueUnlessWaitingAsync<TJob>(HermesDb db, TJob job, CancellationToken ct) where TJob : IJob<TJob>
    {
        var (kind, key) = (TJob.Kind, job.OrderingKey());
        if (db.Jobs.Local.Any(j => j.Kind == kind && j.OrderingKey == key && j.Status == Job.Pending)) return false;
        if (await db.Jobs.AnyAsync(j => j.Kind == kind && j.OrderingKey == key && j.Status == Job.Pending, ct)) return false;
        Enqueue(db, job);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Queues a job by its kind's name and a payload (for tests and tools that hold no payload type).</summary>
    public Job Enqueue(HermesDb db, string kind, object payload, string? orderingKey = null, TimeSpan? delay = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new Job
        {
            Kind = kind,
            Payload = payload as string ?? JsonSerializer.Serialize(payload, payload.GetType(), Json),
            OrderingKey = orderingKey,
            Status = Job.Pending,
            MaxAttempts = settings.Jobs.MaxAttempts,
            RunAfter = now + (delay ?? TimeSpan.Zero),
            CreatedAt = now,
            UpdatedAt = now,
            TraceParent = Operations.Telemetry.CurrentTraceParent(),
        };
        db.Jobs.Add(job);
        signal.WakeAfterSave(db);
        return job;
    }
}

/// <summary>
/// Wakes idle workers in this process. <see cref="WakeAfterSave"/> marks a context whose next save queues jobs; the
/// <see cref="JobWakeUp"/> interceptor then wakes the workers once that save is committed (NOTIFY on PostgreSQL).
/// </summary>
public sealed class JobSignal
{
    readonly SemaphoreSlim _pulse = new(0, int.MaxValue);

    public void WakeAfterSave(HermesDb db) => db.JobsQueued = true;

    public void Wake() => _pulse.Release(Math.Max(1, 8 - _pulse.CurrentCount));

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await _pulse.WaitAsync(timeout, ct); }
        catch (OperationCanceledException) { }
    }
}

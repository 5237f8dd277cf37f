using System.Text.Json;
using Hermes.Configuration;
using Hermes.Domain;

namespace Hermes.Jobs;

/// <summary>
/// Puts work on the durable queue. <see cref="Enqueue"/> only adds a row to the caller's <see cref="HermesDb"/>: it is
/// saved by the caller's own SaveChanges, in the caller's transaction, so a change and the jobs it causes are committed
/// together or not at all.
/// </summary>
public sealed class JobQueue(TimeProvider clock, HermesSettings settings, JobSignal signal)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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

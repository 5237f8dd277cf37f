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

/// <summary>Wakes idle workers in this process when jobs were saved, so they don't wait for the next poll.</summary>
public sealed class JobSignal
{
    readonly SemaphoreSlim _pulse = new(0, int.MaxValue);
    readonly System.Runtime.CompilerServices.ConditionalWeakTable<HermesDb, object> _hooked = new();

    public void WakeAfterSave(HermesDb db)
    {
        if (_hooked.TryGetValue(db, out _)) return;
        _hooked.Add(db, new object());
        db.SavedChanges += (_, _) => Wake();
    }

    public void Wake() => _pulse.Release(Math.Max(1, 8 - _pulse.CurrentCount));

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await _pulse.WaitAsync(timeout, ct); }
        catch (OperationCanceledException) { }
    }
}

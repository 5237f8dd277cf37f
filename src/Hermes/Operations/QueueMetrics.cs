using System.Diagnostics.Metrics;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Operations;

/// <summary>
/// The queue's depth by status and the age of its oldest due job, as gauges read from the database when the metrics
/// are collected (once a minute by default). Only created when telemetry is exported. The meter is this process's
/// own (from <see cref="IMeterFactory"/>, named like <see cref="Telemetry.Meter"/>), so it goes away with the host.
/// </summary>
public sealed class QueueMetrics
{
    readonly IDbContextFactory<HermesDb> _dbs;
    readonly TimeProvider _clock;
    readonly ILogger<QueueMetrics> _log;
    readonly Lock _gate = new();
    JobQueueState? _last;
    DateTimeOffset _readAt;

    public QueueMetrics(IMeterFactory meters, IDbContextFactory<HermesDb> dbs, TimeProvider clock, ILogger<QueueMetrics> log)
    {
        _dbs = dbs;
        _clock = clock;
        _log = log;
        var meter = meters.Create(Telemetry.Name);
        meter.CreateObservableGauge("hermes.jobs.queue_depth", () => Read() is { } s
            ? new[] { Status(s.Pending, Job.Pending), Status(s.Running, Job.Running), Status(s.Failed, Job.Failed), Status(s.Due, "due") }
            : (IEnumerable<Measurement<int>>)[], "{job}", "Jobs in the queue by status (due: pending and due now)");
        meter.CreateObservableGauge("hermes.jobs.oldest_due_age", () => Read() is { } s
            ? new[] { new Measurement<double>(s.OldestDueAgeSeconds ?? 0) } : (IEnumerable<Measurement<double>>)[], "s", "How long the oldest due job has waited");
    }

    static Measurement<int> Status(int count, string status) => new(count, new KeyValuePair<string, object?>("hermes.job.status", status));

    /// <summary>One query serves both gauges of a collection; none when the database does not answer.</summary>
    JobQueueState? Read()
    {
        lock (_gate)
        {
            // Both gauges of one collection share a read: within a second of Hermes's clock (a test's fake clock moves it on).
            if (_last is not null && _clock.GetUtcNow() - _readAt < TimeSpan.FromSeconds(1)) return _last;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var db = _dbs.CreateDbContext();
                _last = JobQueueState.ReadAsync(db, _clock.GetUtcNow().UtcDateTime, timeout.Token).GetAwaiter().GetResult();
                _readAt = _clock.GetUtcNow();
                return _last;
            }
            catch (Exception e)
            {
                _log.LogWarning("Queue metrics not read: {Error}", e.Message);
                return null;
            }
        }
    }
}

using System.Diagnostics;
using Hermes.Configuration;
using Hermes.Operations;
using Hermes.Operations.Input;

namespace Hermes.Jobs;

/// <summary>Claims a job, runs its handler in a fresh DI scope and records the outcome.</summary>
public sealed class JobRunner(
    JobStore store, IServiceScopeFactory scopes, JobHandlerRegistry registry, HermesSettings settings, ILogger<JobRunner> log,
    ErrorReports errors, RecurringJobs recurring, JobErrorPolicies policies)
{
    public TimeSpan Lease => TimeSpan.FromSeconds(settings.Jobs.LeaseSeconds);

    /// <summary>Claims and runs one job; false when nothing is due.</summary>
    public async Task<bool> RunOneAsync(string workerId, CancellationToken claimToken, CancellationToken runToken)
    {
        var job = await store.ClaimAsync(workerId, Lease, claimToken);
        if (job is null) return false;
        await RunAsync(job, runToken);
        return true;
    }

    /// <summary>
    /// Runs every job that is due now with <paramref name="workers"/> concurrent loops and returns when none is left
    /// (jobs retried later, or blocked behind a key, stay queued). Tests use this as "a job run".
    /// </summary>
    public async Task<int> RunUntilIdleAsync(int workers = 1, CancellationToken ct = default)
    {
        var count = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async i =>
        {
            var id = $"{Environment.MachineName}:{Environment.ProcessId}:idle-{i}:{Guid.NewGuid():N}";
            while (await RunOneAsync(id, ct, ct)) Interlocked.Increment(ref count);
        }));
        return count;
    }

    /// <summary>
    /// Runs the job's handler and records the outcome, inside the job's span (which continues the trace that queued it);
    /// counts the run and its duration by kind and outcome, and reports a job that failed for good to Sentry.
    /// </summary>
    async Task RunAsync(Job job, CancellationToken ct)
    {
        using var _ = log.BeginScope(new Dictionary<string, object?> { ["JobId"] = job.Id, ["JobKind"] = job.Kind, ["Attempt"] = job.Attempts });
        using var activity = Telemetry.StartJob(job);
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        Exception? error = null;
        try
        {
            if (!registry.TryGet(job.Kind, out var handlerType))
            {
                var message = $"no handler for job kind '{job.Kind}'";
                if (await store.FailAttemptAsync(job, message, permanent: true, CancellationToken.None))
                    errors.JobFailedForGood(job, null, message);
                log.LogError("Job {JobId} has unknown kind {JobKind}", job.Id, job.Kind);
                return;
            }
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var handler = (IJobHandler)scope.ServiceProvider.GetRequiredService(handlerType);
                await handler.RunAsync(job.Payload, ct);
                if (registry.Every(job.Kind) is { } every)
                    await store.RepeatAsync(job, every, CancellationToken.None);
                else
                    await store.CompleteAsync(job, CancellationToken.None);
                outcome = "done";
                log.LogInformation("Job {JobId} {JobKind} done", job.Id, job.Kind);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Shutting down: give the job back untouched so another process (or the next start) runs it.
                await store.RescheduleAsync(job, TimeSpan.Zero, null, CancellationToken.None);
                outcome = "returned";
                log.LogWarning("Job {JobId} {JobKind} returned to the queue at shutdown", job.Id, job.Kind);
            }
            catch (Exception thrown) when (policies.Classify(thrown) is JobFailure.Postpone later)
            {
                await store.RescheduleAsync(job, later.Delay, later.Reason, CancellationToken.None);
                outcome = "postponed";
                log.LogWarning("Job {JobId} {JobKind} postponed {Delay}: {Reason}", job.Id, job.Kind, later.Delay, later.Reason);
            }
            catch (Exception thrown)
            {
                // A client's error its policy gives up on is recorded as the queue's own permanent failure.
                var permanent = policies.Classify(thrown) is JobFailure.GiveUp;
                var e = permanent && thrown is not PermanentJobFailureException ? new PermanentJobFailureException(thrown.Message, thrown) : thrown;
                error = e;
                var forGood = permanent || job.Attempts >= job.MaxAttempts;
                var recorded = await store.FailAttemptAsync(job, Describe(e), permanent, CancellationToken.None);
                outcome = forGood ? "failed" : "retry";
                log.LogWarning(e, forGood ? "Job {JobId} {JobKind} attempt {Attempt} failed for good" : "Job {JobId} {JobKind} attempt {Attempt} failed",
                    job.Id, job.Kind, job.Attempts);
                if (forGood && recorded)
                {
                    errors.JobFailedForGood(job, e, Describe(e));
                    // A recurring job's schedule must not end with a failure: the next interval gets a new row.
                    if (registry.Every(job.Kind) is not null) await recurring.EnsureScheduledAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            Telemetry.JobFinished(activity, job, outcome, Stopwatch.GetElapsedTime(started), error);
        }
    }

    static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return InputText.Clip(text, 4000);
    }
}

/// <summary>Which handler type runs which job kind, collected from the handlers registered at start-up.</summary>
public sealed class JobHandlerRegistry
{
    readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);
    readonly Dictionary<string, TimeSpan> _every = new(StringComparer.Ordinal);

    public JobHandlerRegistry(IEnumerable<JobHandlerRegistration> registrations)
    {
        foreach (var r in registrations)
        {
            Add(r.Kind, r.HandlerType);
            if (r.Every is { } every) _every[r.Kind] = every;
        }
    }

    void Add(string kind, Type handlerType)
    {
        if (_types.TryGetValue(kind, out var existing) && existing != handlerType)
            throw new InvalidOperationException($"job kind '{kind}' is handled by both {existing.Name} and {handlerType.Name}");
        _types[kind] = handlerType;
    }

    public bool TryGet(string kind, out Type handlerType) => _types.TryGetValue(kind, out handlerType!);

    /// <summary>The interval of a recurring kind; null for work that runs once.</summary>
    public TimeSpan? Every(string kind) => _every.TryGetValue(kind, out var every) ? every : null;

    public IEnumerable<(string Kind, TimeSpan Every)> Recurring => _every.Select(e => (e.Key, e.Value));

    public IReadOnlyCollection<string> Kinds => _types.Keys;
}

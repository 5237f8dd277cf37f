using Hermes.Configuration;

namespace Hermes.Jobs;

/// <summary>Claims a job, runs its handler in a fresh DI scope and records the outcome.</summary>
public sealed class JobRunner(
    JobStore store, IServiceScopeFactory scopes, JobHandlerRegistry registry, HermesSettings settings, ILogger<JobRunner> log)
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

    async Task RunAsync(Job job, CancellationToken ct)
    {
        using var _ = log.BeginScope(new Dictionary<string, object?> { ["JobId"] = job.Id, ["JobKind"] = job.Kind, ["Attempt"] = job.Attempts });
        if (!registry.TryGet(job.Kind, out var handlerType))
        {
            await store.FailAttemptAsync(job, $"no handler for job kind '{job.Kind}'", permanent: true, CancellationToken.None);
            log.LogError("Job {JobId} has unknown kind {JobKind}", job.Id, job.Kind);
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (IJobHandler)scope.ServiceProvider.GetRequiredService(handlerType);
            await handler.RunAsync(job.Payload, ct);
            await store.CompleteAsync(job, CancellationToken.None);
            log.LogInformation("Job {JobId} {JobKind} done", job.Id, job.Kind);
        }
        catch (RetryJobLaterException e)
        {
            await store.RescheduleAsync(job, e.Delay, e.Message, CancellationToken.None);
            log.LogWarning("Job {JobId} {JobKind} postponed {Delay}: {Reason}", job.Id, job.Kind, e.Delay, e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: give the job back untouched so another process (or the next start) runs it.
            await store.RescheduleAsync(job, TimeSpan.Zero, null, CancellationToken.None);
            log.LogWarning("Job {JobId} {JobKind} returned to the queue at shutdown", job.Id, job.Kind);
        }
        catch (Exception e)
        {
            var permanent = e is PermanentJobFailureException;
            await store.FailAttemptAsync(job, Describe(e), permanent, CancellationToken.None);
            log.LogWarning(e, "Job {JobId} {JobKind} attempt {Attempt} failed", job.Id, job.Kind, job.Attempts);
        }
    }

    static string Describe(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return text.Length > 4000 ? text[..4000] : text;
    }
}

/// <summary>Which handler type runs which job kind, collected from the handlers registered at start-up.</summary>
public sealed class JobHandlerRegistry
{
    readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    public JobHandlerRegistry(IEnumerable<JobHandlerRegistration> registrations)
    {
        foreach (var r in registrations) Add(r.Kind, r.HandlerType);
    }

    void Add(string kind, Type handlerType)
    {
        if (_types.TryGetValue(kind, out var existing) && existing != handlerType)
            throw new InvalidOperationException($"job kind '{kind}' is handled by both {existing.Name} and {handlerType.Name}");
        _types[kind] = handlerType;
    }

    public bool TryGet(string kind, out Type handlerType) => _types.TryGetValue(kind, out handlerType!);

    public IReadOnlyCollection<string> Kinds => _types.Keys;
}

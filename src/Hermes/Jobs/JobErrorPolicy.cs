namespace Hermes.Jobs;

/// <summary>What the runner does about a failed attempt.</summary>
public abstract record JobFailure
{
    /// <summary>Run again after <paramref name="Delay"/> without using up an attempt: the other side asked to wait (a 429).</summary>
    public sealed record Postpone(TimeSpan Delay, string Reason) : JobFailure;
    /// <summary>Retrying cannot fix it: the job fails for good now.</summary>
    public sealed record GiveUp : JobFailure;
    /// <summary>Retried with backoff until the job's attempts run out (<see cref="RetryPolicy"/>).</summary>
    public sealed record Retry : JobFailure;
}

/// <summary>
/// One outbound system's rule for its own client's errors (Pipedrive's, TC2's): the one place that decides
/// retry-or-give-up for that system, applied by the runner to whatever a handler lets through. Null for an exception
/// the policy does not know.
/// </summary>
public interface IJobErrorPolicy
{
    JobFailure? Classify(Exception e);
}

/// <summary>The registered policies together, after the queue's own two exceptions a handler may throw itself.</summary>
public sealed class JobErrorPolicies(IEnumerable<IJobErrorPolicy> policies)
{
    public JobFailure Classify(Exception e) => e switch
    {
        RetryJobLaterException later => new JobFailure.Postpone(later.Delay, later.Message),
        PermanentJobFailureException => new JobFailure.GiveUp(),
        _ => policies.Select(p => p.Classify(e)).FirstOrDefault(f => f is not null) ?? new JobFailure.Retry(),
    };
}

using System.Text.Json;

namespace Hermes.Jobs;

/// <summary>
/// Does one kind of queued work. <b>Handlers must be idempotent</b>: a job can run more than once (a retry after a
/// timeout whose request did reach Pipedrive, a worker that died after the call but before recording success, a lease
/// that ran out). So a handler reloads its rows by id (they may have changed or gone since the job was queued), reads
/// the remote state before writing, and only writes what differs.
/// Throw <see cref="RetryJobLaterException"/> to be run again after a delay without using up an attempt (a 429), and
/// <see cref="PermanentJobFailureException"/> for an error retrying cannot fix; any other exception is retried with
/// backoff until the job's attempts run out.
/// </summary>
public interface IJobHandler
{
    Task RunAsync(string payload, CancellationToken ct);
}

/// <summary>A handler whose payload is a JSON record.</summary>
public abstract class JobHandler<TPayload> : IJobHandler
{
    public Task RunAsync(string payload, CancellationToken ct) =>
        RunAsync(JsonSerializer.Deserialize<TPayload>(payload, JobQueue.Json)
                 ?? throw new PermanentJobFailureException($"job payload is empty: {payload}"), ct);

    protected abstract Task RunAsync(TPayload payload, CancellationToken ct);
}

public class RetryJobLaterException(TimeSpan delay, string reason) : Exception(reason)
{
    public TimeSpan Delay { get; } = delay;
}

public sealed class PermanentJobFailureException(string message, Exception? inner = null) : Exception(message, inner);

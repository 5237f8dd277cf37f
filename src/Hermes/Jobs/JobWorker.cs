using Hermes.Configuration;

namespace Hermes.Jobs;

/// <summary>
/// The hosted worker: <c>JOB_WORKERS</c> loops that claim and run due jobs, sleeping until a job is saved in this
/// process, another process's NOTIFY (<see cref="JobListener"/>) or the poll interval passes. On shutdown it stops claiming, lets running jobs finish within the host's
/// shutdown timeout and gives back any still running.
/// </summary>
public sealed class JobWorker(JobRunner runner, JobSignal signal, JobListener listener, RecurringJobs recurring, HermesSettings settings, ILogger<JobWorker> log) : BackgroundService
{
    readonly CancellationTokenSource _abortRunning = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var count = settings.Jobs.Workers;
        if (count == 0) return;
        var poll = TimeSpan.FromMilliseconds(settings.Jobs.PollMilliseconds);
        // A process that runs jobs makes sure the recurring ones are scheduled (one row each, whoever gets there first).
        try { await recurring.EnsureScheduledAsync(stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Could not schedule the recurring jobs"); }
        log.LogInformation("Job worker started with {Workers} loops", count);
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Loop($"{Environment.MachineName}:{Environment.ProcessId}:{i}:{Guid.NewGuid():N}", poll, stoppingToken))
            .Append(listener.RunAsync(stoppingToken)));
    }

    async Task Loop(string workerId, TimeSpan poll, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await runner.RunOneAsync(workerId, stoppingToken, _abortRunning.Token))
                    await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                // The database is unreachable or similar: keep the loop alive and try again after a pause.
                log.LogError(e, "Job worker loop error");
                await signal.WaitAsync(poll * 5, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop claiming; running handlers keep going until the host's shutdown timeout, then are told to give up.
        using var abortAtTimeout = cancellationToken.Register(_abortRunning.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abortRunning.Dispose();
        base.Dispose();
    }
}

using System.Collections.Concurrent;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Foundation;

public class JobQueueTests
{
    public sealed record ProbeJob(int Key, int Seq);

    /// <summary>What the probe handler saw: every run, how many ran at once per key, and what to do on each run.</summary>
    public sealed class Probe
    {
        public readonly ConcurrentQueue<(string Host, ProbeJob Job)> Runs = new();
        readonly ConcurrentDictionary<int, int> _inFlight = new();
        int _maxInFlightPerKey;
        public int MaxInFlightPerKey => _maxInFlightPerKey;
        public Func<ProbeJob, int, Task> Behaviour { get; set; } = (_, _) => Task.CompletedTask;
        public int Expected { get; set; } = int.MaxValue;
        public readonly TaskCompletionSource AllRan = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Run(string host, ProbeJob job)
        {
            var now = _inFlight.AddOrUpdate(job.Key, 1, (_, n) => n + 1);
            InterlockedMax(ref _maxInFlightPerKey, now);
            try
            {
                Runs.Enqueue((host, job));
                await Behaviour(job, Runs.Count);
            }
            finally
            {
                _inFlight.AddOrUpdate(job.Key, 0, (_, n) => n - 1);
                if (Runs.Count >= Expected) AllRan.TrySetResult();
            }
        }

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
        }
    }

    public sealed record HostName(string Value);

    public sealed class ProbeHandler(Probe probe, HostName host) : JobHandler<ProbeJob>
    {
        protected override Task RunAsync(ProbeJob payload, CancellationToken ct) => probe.Run(host.Value, payload);
    }

    const string Kind = "test.probe";

    static Task<HermesInstance> Start(Probe probe, string host = "a", Action<Dictionary<string, string?>>? settings = null, Hermes.Configuration.DatabaseUrl? db = null) =>
        HermesInstance.StartAsync(settings, s =>
        {
            s.AddSingleton(probe);
            s.AddSingleton(new HostName(host));
            s.AddJobHandler<ProbeHandler>(Kind);
        }, db);

    static async Task Enqueue(HermesInstance hermes, IEnumerable<ProbeJob> jobs, Func<ProbeJob, string?>? key = null)
    {
        await using var db = hermes.Db();
        var queue = hermes.App.Services.GetRequiredService<JobQueue>();
        foreach (var job in jobs) queue.Enqueue(db, Kind, job, key?.Invoke(job));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_job_enqueued_in_a_rolled_back_transaction_is_not_kept_and_one_committed_with_its_change_is()
    {
        var probe = new Probe();
        await using var hermes = await Start(probe);
        var queue = hermes.App.Services.GetRequiredService<JobQueue>();

        await using (var db = hermes.Db())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Admins.Add(new Admin { Username = "rolled@back.com" });
            queue.Enqueue(db, Kind, new ProbeJob(1, 1), "company:1");
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }
        await using (var db = hermes.Db())
        {
            Assert.Equal((0, 0), (await db.Jobs.CountAsync(), await db.Admins.CountAsync()));
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Admins.Add(new Admin { Username = "kept@example.com" });
            queue.Enqueue(db, Kind, new ProbeJob(2, 1), "company:2");
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        await using var check = hermes.Db();
        var job = await check.Jobs.SingleAsync();
        Assert.Equal((Kind, """{"key":2,"seq":1}""", "company:2", Job.Pending, 0), (job.Kind, job.Payload, job.OrderingKey, job.Status, job.Attempts));
        Assert.Equal("kept@example.com", (await check.Admins.SingleAsync()).Username);
        Assert.Equal(1, await hermes.RunJobsAsync());
        Assert.Equal([new ProbeJob(2, 1)], probe.Runs.Select(r => r.Job));
    }

    [Fact]
    public async Task A_failing_job_is_retried_with_growing_delays_then_marked_failed_with_its_error_and_runs_again_when_retried()
    {
        var probe = new Probe { Behaviour = (_, run) => throw new InvalidOperationException($"Pipedrive said no ({run})") };
        await using var hermes = await Start(probe, settings: s => s["JOB_MAX_ATTEMPTS"] = "3");
        await Enqueue(hermes, [new ProbeJob(1, 1)]);

        async Task<Job> Row() { await using var db = hermes.Db(); return await db.Jobs.SingleAsync(); }

        Assert.Equal(1, await hermes.RunJobsAsync());
        var first = await Row();
        var firstDelay = first.RunAfter - hermes.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal((Job.Pending, 1, "InvalidOperationException: Pipedrive said no (1)"), (first.Status, first.Attempts, first.LastError));
        Assert.InRange(firstDelay.TotalSeconds, 4, 6);
        Assert.Equal(0, await hermes.RunJobsAsync()); // not due yet

        hermes.Clock.Advance(firstDelay);
        Assert.Equal(1, await hermes.RunJobsAsync());
        var second = await Row();
        var secondDelay = second.RunAfter - hermes.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal((Job.Pending, 2), (second.Status, second.Attempts));
        Assert.InRange(secondDelay.TotalSeconds, 8, 12);

        hermes.Clock.Advance(secondDelay);
        Assert.Equal(1, await hermes.RunJobsAsync());
        var failed = await Row();
        Assert.Equal((Job.Failed, 3, "InvalidOperationException: Pipedrive said no (3)", (DateTime?)hermes.Clock.GetUtcNow().UtcDateTime),
            (failed.Status, failed.Attempts, failed.LastError, failed.FinishedAt));
        hermes.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await hermes.RunJobsAsync());

        // Staff fixed the cause and pressed Retry.
        probe.Behaviour = (_, _) => Task.CompletedTask;
        Assert.True(await hermes.App.Services.GetRequiredService<JobStore>().RetryFailedAsync(failed.Id, CancellationToken.None));
        Assert.Equal(1, await hermes.RunJobsAsync());
        var done = await Row();
        Assert.Equal((Job.Done, 1, (string?)null), (done.Status, done.Attempts, done.LastError));
        Assert.Equal(4, probe.Runs.Count);
    }

    [Fact]
    public async Task A_job_can_ask_to_run_again_later_without_using_an_attempt()
    {
        var probe = new Probe { Behaviour = (_, run) => run == 1 ? throw new RetryJobLaterException(TimeSpan.FromSeconds(30), "429 from Pipedrive") : Task.CompletedTask };
        await using var hermes = await Start(probe, settings: s => s["JOB_MAX_ATTEMPTS"] = "1");
        await Enqueue(hermes, [new ProbeJob(1, 1)]);

        Assert.Equal(1, await hermes.RunJobsAsync());
        await using (var db = hermes.Db())
        {
            var job = await db.Jobs.SingleAsync();
            Assert.Equal((Job.Pending, 0, "429 from Pipedrive", hermes.Clock.GetUtcNow().UtcDateTime.AddSeconds(30)),
                (job.Status, job.Attempts, job.LastError, job.RunAfter));
        }
        hermes.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, await hermes.RunJobsAsync());
        hermes.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await hermes.RunJobsAsync());
        await using var check = hermes.Db();
        Assert.Equal(Job.Done, (await check.Jobs.SingleAsync()).Status);
    }

    [Fact]
    public async Task Jobs_with_the_same_ordering_key_run_one_at_a_time_in_enqueue_order_on_four_concurrent_workers()
    {
        // The "work" yields for a moment so that runs of different keys overlap.
        var probe = new Probe { Behaviour = (_, _) => Task.Delay(2) };
        await using var hermes = await Start(probe);
        var jobs = Enumerable.Range(0, 50).SelectMany(seq => Enumerable.Range(1, 3).Select(key => new ProbeJob(key, seq))).ToList();
        await Enqueue(hermes, jobs, j => $"company:{j.Key}");

        Assert.Equal(150, await hermes.RunJobsAsync(workers: 4));

        Assert.Equal(1, probe.MaxInFlightPerKey);
        foreach (var key in new[] { 1, 2, 3 })
            Assert.Equal(Enumerable.Range(0, 50), probe.Runs.Where(r => r.Job.Key == key).Select(r => r.Job.Seq));
        await using var db = hermes.Db();
        Assert.Equal(150, await db.Jobs.CountAsync(j => j.Status == Job.Done));
    }

    [Fact]
    public async Task Two_worker_hosts_on_one_database_never_run_the_same_job_twice()
    {
        var probe = new Probe { Expected = 300 };
        var db = await TestDatabase.CreateAsync();
        // Both hosts run their own background workers, as two Hermes processes behind a load balancer would.
        void Workers(Dictionary<string, string?> s) { s["JOB_WORKERS"] = "3"; s["JOB_POLL_MS"] = "20"; }
        await using var a = await Start(probe, "a", Workers, db);
        await using var b = await Start(probe, "b", Workers, db);

        await Enqueue(a, Enumerable.Range(0, 150).Select(i => new ProbeJob(0, i)));
        await Enqueue(b, Enumerable.Range(150, 150).Select(i => new ProbeJob(0, i)));
        await probe.AllRan.Task.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(Enumerable.Range(0, 300), probe.Runs.Select(r => r.Job.Seq).Order());
        // The last handler has run, but its worker may not have recorded it yet: stopping both hosts lets running
        // jobs finish (graceful shutdown), so every row is final before it is counted.
        await a.App.StopAsync();
        await b.App.StopAsync();
        await using var check = a.Db();
        Assert.Equal(300, await check.Jobs.CountAsync(j => j.Status == Job.Done && j.Attempts == 1));
    }

    [Fact]
    public async Task A_job_whose_worker_died_mid_run_runs_again_after_the_lease()
    {
        var probe = new Probe();
        await using var hermes = await Start(probe, settings: s => s["JOB_LEASE_SECONDS"] = "60");
        await Enqueue(hermes, [new ProbeJob(7, 1)]);

        // A worker claims the job and dies before recording anything: the row says running, leased to it.
        var store = hermes.App.Services.GetRequiredService<JobStore>();
        var claimed = await store.ClaimAsync("dead-worker", TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.NotNull(claimed);
        Assert.Equal(0, await hermes.RunJobsAsync());

        hermes.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await hermes.RunJobsAsync());

        Assert.Equal([new ProbeJob(7, 1)], probe.Runs.Select(r => r.Job));
        await using var db = hermes.Db();
        var job = await db.Jobs.SingleAsync();
        Assert.Equal((Job.Done, 2, (string?)null), (job.Status, job.Attempts, job.LockedBy));
        // The dead worker, were it to wake up, can no longer record an outcome for the job.
        Assert.False(await store.CompleteAsync(claimed, CancellationToken.None));
    }
}

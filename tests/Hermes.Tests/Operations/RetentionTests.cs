using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Operations;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Operations;

/// <summary>
/// The retention job deletes webhook log rows and finished jobs older than <c>RETENTION_DAYS</c>, keeps everything
/// newer and every failed job, and is scheduled in the queue once however many Hermes processes schedule it.
/// </summary>
public class RetentionTests
{
    static async Task ScheduleAsync(HermesInstance hermes) =>
        await hermes.App.Services.GetRequiredService<RecurringJobs>().EnsureScheduledAsync(CancellationToken.None);

    static async Task<List<(string Status, DateTime RunAfter, string? Key)>> RetentionRows(HermesInstance hermes)
    {
        await using var db = hermes.Db();
        return (await db.Jobs.Where(j => j.Kind == Retention.Kind).OrderBy(j => j.Id).ToListAsync()).Select(j => (j.Status, j.RunAfter, j.OrderingKey)).ToList();
    }

    [Fact]
    public async Task Webhooks_and_finished_or_cancelled_jobs_older_than_RETENTION_DAYS_are_deleted_and_newer_ones_and_failed_jobs_stay()
    {
        await using var hermes = await HermesInstance.StartAsync(settings: s => s["RETENTION_DAYS"] = "30");
        var now = hermes.Clock.GetUtcNow().UtcDateTime;
        DateTime Ago(double days) => now.AddDays(-days);
        await using (var db = hermes.Db())
        {
            // More old webhooks than one batch holds, so the deletion takes several.
            for (var i = 0; i < Retention.BatchSize * 2 + 7; i++)
                db.WebhookLogs.Add(new WebhookLog { Source = "pipedrive", ReceivedAt = Ago(31 + i % 5), Outcome = WebhookLog.OutcomeProcessed, Body = "{}" });
            db.WebhookLogs.Add(new WebhookLog { Source = "tc2", ReceivedAt = Ago(29), Outcome = WebhookLog.OutcomeProcessed, Body = "recent" });
            db.WebhookLogs.Add(new WebhookLog { Source = "tc2", ReceivedAt = Ago(400), Outcome = WebhookLog.OutcomeError, Body = "old error" });
            Job J(string name, string status, double createdDaysAgo, double? finishedDaysAgo) => new()
            {
                Kind = "test." + name, Payload = "{}", Status = status, MaxAttempts = 10, RunAfter = Ago(createdDaysAgo) + TimeSpan.FromDays(3650),
                CreatedAt = Ago(createdDaysAgo), UpdatedAt = Ago(finishedDaysAgo ?? createdDaysAgo), FinishedAt = finishedDaysAgo is { } f ? Ago(f) : null,
            };
            db.Jobs.AddRange(
                J("done_old", Job.Done, 100, 31), J("done_recent", Job.Done, 100, 29), J("failed_old", Job.Failed, 400, 399),
                J("pending_old", Job.Pending, 400, null), J("cancelled_old", Job.Cancelled, 100, 31), J("cancelled_recent", Job.Cancelled, 100, 29));
            await db.SaveChangesAsync();
        }

        await ScheduleAsync(hermes);
        Assert.Equal(1, await hermes.RunJobsAsync());

        await using (var db = hermes.Db())
        {
            Assert.Equal(["recent"], await db.WebhookLogs.Select(w => w.Body).ToListAsync());
            Assert.Equal(["test.cancelled_recent", "test.done_recent", "test.failed_old", "test.pending_old"],
                await db.Jobs.Where(j => j.Kind.StartsWith("test.")).OrderBy(j => j.Kind).Select(j => j.Kind).ToListAsync());
        }
        // The schedule is the same row, due again in an hour.
        Assert.Equal([(Job.Pending, now.AddHours(1), "recurring:maintenance.retention")], await RetentionRows(hermes));
        Assert.Equal(0, await hermes.RunJobsAsync());
        hermes.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await hermes.RunJobsAsync());
        Assert.Equal([(Job.Pending, now.AddHours(2), "recurring:maintenance.retention")], await RetentionRows(hermes));
    }

    [Fact]
    public async Task By_default_rows_are_kept_for_90_days()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var now = hermes.Clock.GetUtcNow().UtcDateTime;
        await using (var db = hermes.Db())
        {
            db.WebhookLogs.Add(new WebhookLog { Source = "tc2", ReceivedAt = now.AddDays(-91), Body = "91 days" });
            db.WebhookLogs.Add(new WebhookLog { Source = "tc2", ReceivedAt = now.AddDays(-89), Body = "89 days" });
            await db.SaveChangesAsync();
        }
        var deleted = await ActivatorUtilities.CreateInstance<Retention>(hermes.App.Services).DeleteOldAsync(CancellationToken.None);
        Assert.Equal(new Retention.Deleted(1, 0), deleted);
        await using var check = hermes.Db();
        Assert.Equal(["89 days"], await check.WebhookLogs.Select(w => w.Body).ToListAsync());
    }

    [Fact]
    public async Task Several_processes_scheduling_at_once_make_one_schedule_row_and_run_it_once()
    {
        var db = await TestDatabase.CreateAsync();
        await using var a = await HermesInstance.StartAsync(db: db);
        await using var b = await HermesInstance.StartAsync(db: db, clock: a.Clock);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ScheduleAsync(i % 2 == 0 ? a : b)));
        Assert.Single(await RetentionRows(a));

        var runs = await Task.WhenAll(a.RunJobsAsync(workers: 2), b.RunJobsAsync(workers: 2));
        Assert.Equal(1, runs.Sum());
        await ScheduleAsync(b); // a later start finds the row and leaves it
        Assert.Equal([(Job.Pending, a.Clock.GetUtcNow().UtcDateTime.AddHours(1), "recurring:maintenance.retention")], await RetentionRows(a));
    }

    [Fact]
    public async Task On_SQLite_too_the_schedule_is_one_row()
    {
        await using var hermes = await HermesInstance.StartAsync(db: TestSqlite.NewFile());
        await ScheduleAsync(hermes);
        await ScheduleAsync(hermes);
        Assert.Equal(1, await hermes.RunJobsAsync());
        await ScheduleAsync(hermes);
        Assert.Equal([(Job.Pending, hermes.Clock.GetUtcNow().UtcDateTime.AddHours(1), "recurring:maintenance.retention")], await RetentionRows(hermes));
    }

    [Fact]
    public async Task The_schedule_row_cannot_be_cancelled_so_retention_never_stops_until_the_next_start()
    {
        await using var hermes = await HermesInstance.StartAsync();
        await ScheduleAsync(hermes);
        long id;
        await using (var db = hermes.Db()) id = await db.Jobs.Where(j => j.Kind == Retention.Kind).Select(j => j.Id).SingleAsync();

        Assert.False(await hermes.App.Services.GetRequiredService<JobMaintenance>().CancelAsync(id, "brian@tc.com", CancellationToken.None));
        Assert.Equal([(Job.Pending, hermes.Clock.GetUtcNow().UtcDateTime, "recurring:maintenance.retention")], await RetentionRows(hermes));
        Assert.Equal(1, await hermes.RunJobsAsync());
    }
}

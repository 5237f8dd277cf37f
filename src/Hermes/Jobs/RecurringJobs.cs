using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Jobs;

/// <summary>
/// Work that runs on a schedule (retention) is scheduled in the queue itself: one row per recurring kind, with the
/// ordering key <c>recurring:&lt;kind&gt;</c>, which a unique index (migration 0010) allows only once while it is pending
/// or running. After each run the runner puts the same row back with <c>run_after</c> one interval later, so however
/// many Hermes processes share the database the work runs once per interval, and a process that dies mid-run leaves a
/// lease that runs out rather than a lost schedule.
/// </summary>
public sealed class RecurringJobs(IDbContextFactory<HermesDb> dbs, JobHandlerRegistry registry, HermesSettings settings, TimeProvider clock)
{
    public const string KeyPrefix = "recurring:";
    public static string OrderingKey(string kind) => KeyPrefix + kind;

    /// <summary>Adds the schedule row of each recurring kind that has none (due now); a row already there is kept.</summary>
    public async Task EnsureScheduledAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (kind, _) in registry.Recurring)
        {
            var key = OrderingKey(kind);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO hermes_job (kind, payload, ordering_key, status, attempts, max_attempts, run_after, created_at, updated_at)
                VALUES ({kind}, {"{}"}, {key}, 'pending', 0, {settings.Jobs.MaxAttempts}, {now}, {now}, {now})
                ON CONFLICT DO NOTHING
                """, ct);
        }
    }
}

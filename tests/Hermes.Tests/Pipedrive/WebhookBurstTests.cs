using System.Net;
using Hermes.Domain;
using Hermes.Operations;
using Microsoft.EntityFrameworkCore;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// A burst of webhooks, more than Hermes applies at once (<see cref="WebhookConcurrency.AtOnce"/>): the ones past the
/// limit wait their turn instead of being refused, and every one is applied.
/// </summary>
public class WebhookBurstTests : PipedriveWebhookTest
{
    static readonly DateTime Start = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task More_webhooks_at_once_than_are_applied_at_once__the_rest_wait_their_turn__every_one_is_answered_200_and_the_newest_version_wins()
    {
        await PostOk(Create(V2, "organization", With(Org(500, "Version 0"), ("update_time", Start))));
        const int Versions = WebhookConcurrency.AtOnce + 24;

        // Another transaction holds organization 500, as a slow webhook for it would: the first deliveries wait for it in
        // PostgreSQL, each holding a connection and a context; the rest wait before any of that.
        await using var holder = Hermes.Db();
        await using var hold = await holder.Database.BeginTransactionAsync();
        await ObjectLocks.LockAsync(holder, ObjectLocks.PipedriveOrganization, [500], default);

        var previous = Org(500, "Version 0");
        var sending = Enumerable.Range(1, Versions).Select(i => Post(Update(V2, "organization", previous, With(Org(500, $"Version {i}"), ("update_time", Start.AddSeconds(i))))))
            .ToList();
        var waiting = await WaitingForObjectLocksAsync(WebhookConcurrency.AtOnce);
        await hold.RollbackAsync();

        var answers = await Task.WhenAll(sending);
        Assert.Equal(WebhookConcurrency.AtOnce, waiting);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal([$"Version {Versions}"], await All(db => db.Companies.Where(c => c.PdOrgId == 500).Select(c => c.Name)));
        // Applied, or found older than the version already applied (they were let through in no particular order).
        var logged = await All(db => db.WebhookLogs.Select(w => w.Outcome));
        Assert.Equal(Versions + 1, logged.Count);
        Assert.All(logged, o => Assert.Contains(o, new[] { WebhookLog.OutcomeProcessed, WebhookLog.OutcomeIgnored }));
    }

    /// <summary>How many of this database's sessions wait for an object lock, once <paramref name="expected"/> do (or after 60 s).</summary>
    async Task<int> WaitingForObjectLocksAsync(int expected)
    {
        // Outside the holder's transaction: a transaction sees pg_stat_activity as it was when it first looked.
        await using var db = Hermes.Db();
        var count = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            count = await db.Database.SqlQuery<int>($"""
                SELECT count(*)::int AS "Value" FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'
                """).SingleAsync();
            if (count >= expected) break;
            await Task.Yield();
        }
        return count;
    }
}

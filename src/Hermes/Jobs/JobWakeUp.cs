using System.Data.Common;
using System.Runtime.CompilerServices;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Hermes.Jobs;

/// <summary>
/// Wakes idle job workers when a job is committed, so outbound work starts in milliseconds rather than at the next poll
/// (<c>JOB_POLL_MS</c> stays as the fallback). A save that queued jobs (<see cref="JobQueue.Enqueue"/>) sends
/// <c>NOTIFY hermes_jobs</c> on PostgreSQL in the same transaction, which PostgreSQL delivers only when that transaction
/// commits, to every Hermes process listening (<see cref="JobListener"/>): no worker wakes for a job that is rolled back
/// or not yet visible. On SQLite (one process) the workers of this process are woken after the commit.
/// </summary>
public sealed class JobWakeUp(JobSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    public const string Channel = "hermes_jobs";
    readonly ConditionalWeakTable<DbTransaction, object> _wakeOnCommit = new();

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (eventData.Context is HermesDb { JobsQueued: true } db)
        {
            db.JobsQueued = false;
            if (db.IsPostgres) await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", ct);
            else WakeAfterCommit(db);
        }
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is HermesDb { JobsQueued: true } db)
        {
            db.JobsQueued = false;
            if (db.IsPostgres) db.Database.ExecuteSqlRaw($"SELECT pg_notify('{Channel}', '')");
            else WakeAfterCommit(db);
        }
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is HermesDb db) db.JobsQueued = false;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is HermesDb db) db.JobsQueued = false;
        return Task.CompletedTask;
    }

    void WakeAfterCommit(HermesDb db)
    {
        if (db.Database.CurrentTransaction?.GetDbTransaction() is { } tx) _wakeOnCommit.AddOrUpdate(tx, this);
        else signal.Wake();
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (_wakeOnCommit.Remove(transaction)) signal.Wake();
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        if (_wakeOnCommit.Remove(transaction)) signal.Wake();
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => _wakeOnCommit.Remove(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        _wakeOnCommit.Remove(transaction);
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>LISTEN hermes_jobs</c> on a connection of its own while this process runs job workers; each notification wakes
/// them. A lost connection is opened again after a pause; meanwhile the workers poll as before.
/// </summary>
public sealed class JobListener(HermesSettings settings, JobSignal signal, ILogger<JobListener> log)
{
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (settings.Database.Kind != DatabaseKind.Postgres) return;
        var connectionString = new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connectionString);
                conn.Notification += (_, _) => signal.Wake();
                await conn.OpenAsync(stoppingToken);
                await using (var cmd = new NpgsqlCommand($"LISTEN {JobWakeUp.Channel}", conn)) await cmd.ExecuteNonQueryAsync(stoppingToken);
                signal.Wake(); // anything committed while not listening
                while (!stoppingToken.IsCancellationRequested) await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                log.LogWarning(e, "Listening for new jobs failed; the workers poll until it is back");
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
                catch (OperationCanceledException) { }
            }
        }
    }
}

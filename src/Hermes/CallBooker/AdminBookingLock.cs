using System.Collections.Concurrent;
using Hermes.Configuration;
using Npgsql;

namespace Hermes.CallBooker;

/// <summary>Another booking for the same admin held the lock for longer than we wait.</summary>
public sealed class AdminBusyLockTimeoutException() : Exception("another booking for this admin is still in progress");

/// <summary>
/// Serialises bookings per admin, across every Hermes process sharing the database, so two people can't both take
/// the same slot between the free/busy check and the write. On PostgreSQL it is a session-level advisory lock
/// (<c>pg_advisory_lock(class, admin id)</c>) on a connection of its own that is otherwise idle: no transaction, row
/// or table lock is held while Google is called, and the lock goes away with the session if the process dies. An
/// embedded SQLite database has one process, so an in-process lock does the same there.
/// </summary>
public sealed class AdminBookingLock(HermesSettings settings, ILogger<AdminBookingLock> log)
{
    /// <summary>The advisory lock class for "booking for admin N" (the second key is the admin id).</summary>
    const int LockClass = 0x43424B; // "CBK"
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    readonly ConcurrentDictionary<int, SemaphoreSlim> _local = new();

    public async Task<IAsyncDisposable> AcquireAsync(int adminId, CancellationToken ct)
    {
        if (settings.Database.Kind != DatabaseKind.Postgres)
        {
            var gate = _local.GetOrAdd(adminId, _ => new SemaphoreSlim(1, 1));
            if (!await gate.WaitAsync(Wait, ct)) throw new AdminBusyLockTimeoutException();
            return new Release(() => { gate.Release(); return Task.CompletedTask; });
        }

        var conn = new NpgsqlConnection(settings.Database.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Wait);
            await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(@class, @admin)", conn))
            {
                cmd.Parameters.AddWithValue("class", LockClass);
                cmd.Parameters.AddWithValue("admin", adminId);
                cmd.CommandTimeout = 0;
                try
                {
                    await cmd.ExecuteNonQueryAsync(timeout.Token);
                }
                catch (Exception e) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested
                                          && e is OperationCanceledException or NpgsqlException)
                {
                    throw new AdminBusyLockTimeoutException();
                }
            }
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        return new Release(async () =>
        {
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, @admin)", conn);
                cmd.Parameters.AddWithValue("class", LockClass);
                cmd.Parameters.AddWithValue("admin", adminId);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                // The session is gone or broken; closing it (below) ends the lock either way.
                log.LogWarning(e, "Could not release the booking lock of admin {AdminId}; closing its session", adminId);
                NpgsqlConnection.ClearPool(conn);
            }
            finally
            {
                await conn.DisposeAsync();
            }
        });
    }

    sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        int _done;
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) await release();
        }
    }
}

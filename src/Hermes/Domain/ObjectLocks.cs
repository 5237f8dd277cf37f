using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Hermes.Domain;

/// <summary>
/// Serialises the changes to one outside object (a Pipedrive organization, person or deal; a TC2 client) across
/// transactions and Hermes processes, so that "is this event older than the one applied?" and the write that follows
/// happen as one step. On PostgreSQL it is a transaction-scoped advisory lock, <c>pg_advisory_xact_lock(class, id)</c>,
/// taken before the object is read and released at commit or rollback. SQLite needs none: Hermes's transactions there
/// begin IMMEDIATE, so the single writer already holds the database from the first read to the commit.
/// </summary>
public static class ObjectLocks
{
    public const int PipedriveOrganization = 0x50444F; // "PDO"
    public const int PipedrivePerson = 0x504450;       // "PDP"
    public const int PipedriveDeal = 0x504444;         // "PDD"
    public const int Tc2Client = 0x544332;             // "TC2"

    /// <summary>Locks the objects in ascending id order (two events that touch the same two objects, a merge, cannot deadlock).</summary>
    public static async Task LockAsync(HermesDb db, int lockClass, IEnumerable<int> ids, CancellationToken ct)
    {
        if (!db.IsPostgres) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("an object lock is held until the transaction ends: begin one first");
        // Straight on EF's connection: EF's raw-SQL path builds its command afresh each time, which was a sixth of what
        // an organization webhook allocated.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction.GetDbTransaction();
        foreach (var id in ids is IReadOnlyCollection<int> { Count: 1 } ? ids : ids.Distinct().Order())
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, $2)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lockClass });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// A write that lost a race and is worth running again from the start: a unique or foreign key conflict with a
    /// transaction that committed first, or a deadlock PostgreSQL broke by aborting this one.
    /// </summary>
    public static bool IsRetryableConflict(Exception e) => e switch
    {
        DbUpdateException or RowGoneException => true,
        PostgresException p => p.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation
            or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure,
        _ => false,
    };
}

/// <summary>A row the change needs was deleted by another transaction that committed meanwhile: the change starts again.</summary>
public sealed class RowGoneException(string what) : Exception($"{what} was deleted by another transaction meanwhile");

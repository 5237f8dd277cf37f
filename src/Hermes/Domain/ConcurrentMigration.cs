using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;

namespace Hermes.Domain;

/// <summary>
/// A migration marked <c>-- hermes:no-transaction</c>, for building indexes on a live database without blocking its
/// writes: each statement runs on its own (PostgreSQL refuses <c>CREATE INDEX CONCURRENTLY</c> in a transaction, and
/// Npgsql sends several statements as one implicit transaction). Such a migration must be safe to run again from the
/// start: <c>IF NOT EXISTS</c> everywhere. A concurrent build that failed or was interrupted leaves an invalid index
/// behind, which <c>IF NOT EXISTS</c> would then skip, so the invalid indexes the migration names are dropped first;
/// and the migration counts as applied only once every index it names exists and is valid.
/// </summary>
public static partial class ConcurrentMigration
{
    public const string Marker = "-- hermes:no-transaction";

    public static async Task ApplyAsync(DbConnection conn, SchemaMigrator.Migration migration, ILogger log, CancellationToken ct)
    {
        var indexes = IndexNames(migration.Sql);
        var pg = conn is NpgsqlConnection;
        if (pg)
            foreach (var invalid in await IndexesAsync((NpgsqlConnection)conn, indexes, valid: false, ct))
            {
                log.LogWarning("Migration {Migration}: index {Index} was left invalid by an earlier build; dropping it to build it again", migration.Id, invalid);
                await ExecAsync(conn, $"DROP INDEX CONCURRENTLY IF EXISTS \"{invalid}\"", ct);
            }

        foreach (var statement in Statements(migration.Sql))
            await ExecAsync(conn, statement, ct);

        if (!pg) return;
        var built = await IndexesAsync((NpgsqlConnection)conn, indexes, valid: true, ct);
        var missing = indexes.Except(built, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"Migration {migration.Id} did not leave these indexes valid: {string.Join(", ", missing)}. It is not recorded as applied and runs again at the next start.");
    }

    /// <summary>The statements of the file: comment lines dropped, split where a line ends with a semicolon.</summary>
    public static IReadOnlyList<string> Statements(string sql)
    {
        var lines = sql.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal));
        return StatementEnd().Split(string.Join('\n', lines))
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .ToList();
    }

    /// <summary>The indexes the migration builds, by name.</summary>
    public static IReadOnlyList<string> IndexNames(string sql) =>
        CreateIndex().Matches(sql).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToList();

    static async Task<List<string>> IndexesAsync(NpgsqlConnection conn, IReadOnlyList<string> names, bool valid, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(@names) AND (i.indisvalid AND i.indisready) = @valid
            """, conn);
        cmd.Parameters.AddWithValue("names", names.ToArray());
        cmd.Parameters.AddWithValue("valid", valid);
        var found = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add(reader.GetString(0));
        return found;
    }

    static async Task ExecAsync(DbConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0; // a concurrent build on a big table takes minutes, and waits for older transactions
        await cmd.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@";[ \t]*(?:\r?\n|$)")]
    private static partial Regex StatementEnd();

    [GeneratedRegex(@"CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+""?(?<name>[A-Za-z0-9_]+)""?", RegexOptions.IgnoreCase)]
    private static partial Regex CreateIndex();
}

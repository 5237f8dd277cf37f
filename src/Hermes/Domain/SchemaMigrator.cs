using System.Data.Common;
using System.Reflection;
using Hermes.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hermes.Domain;

/// <summary>
/// Applies the SQL migrations in <c>Domain/Migrations/{postgres,sqlite}</c> in order, recording each in
/// <c>hermes_schema_migration</c>. A PostgreSQL database that has hermes_v2's tables but no Hermes history is adopted:
/// its schema is checked against the baseline (<see cref="SchemaAdoption"/>), the baseline is recorded without being
/// run, and only the newer migrations are applied. Rows and ids are never touched.
/// </summary>
public sealed class SchemaMigrator(DatabaseUrl database, ILogger<SchemaMigrator> log)
{
    public const string HistoryTable = "hermes_schema_migration";
    public const string BaselineId = "0001_hermes_v2_baseline";
    // Any constant: it keeps two Hermes processes starting together from migrating at the same time.
    const long AdvisoryLockKey = 0x4865726D6573;

    public sealed record Migration(string Id, string Sql)
    {
        /// <summary>
        /// Marked <c>-- hermes:no-transaction</c>: its statements run one by one outside a transaction, as PostgreSQL's
        /// <c>CREATE INDEX CONCURRENTLY</c> requires (<see cref="ConcurrentMigration"/>).
        /// </summary>
        public bool WithoutTransaction => Sql.Contains(ConcurrentMigration.Marker, StringComparison.Ordinal);
    }

    public sealed record Result(IReadOnlyList<string> Applied, bool Adopted);

    public static IReadOnlyList<Migration> All(DatabaseKind kind)
    {
        var folder = kind == DatabaseKind.Postgres ? "postgres" : "sqlite";
        var prefix = $"Hermes.Domain.Migrations.{folder}.";
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => new Migration(n[prefix.Length..^4], Read(assembly, n)))
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
    }

    static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async Task<Result> MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = Open();
        await conn.OpenAsync(ct);
        var pg = database.Kind == DatabaseKind.Postgres;
        if (pg) await LockAsync((NpgsqlConnection)conn, ct);
        // WAL (kept in the file): readers no longer block the one writer, so a webhook saved while a job writes waits
        // its turn instead of failing with "database is locked".
        else await Exec(conn, "PRAGMA journal_mode=WAL", ct);
        try
        {
            await Exec(conn, pg
                ? $"CREATE TABLE IF NOT EXISTS \"{HistoryTable}\" (\"id\" VARCHAR(100) NOT NULL PRIMARY KEY, \"applied_at\" TIMESTAMPTZ NOT NULL DEFAULT now(), \"how\" VARCHAR(20) NOT NULL)"
                : $"CREATE TABLE IF NOT EXISTS \"{HistoryTable}\" (\"id\" VARCHAR(100) NOT NULL PRIMARY KEY, \"applied_at\" TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, \"how\" VARCHAR(20) NOT NULL)", ct);

            var done = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = Command(conn, $"SELECT \"id\" FROM \"{HistoryTable}\""))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) done.Add(reader.GetString(0));

            var migrations = All(database.Kind);
            var adopted = false;
            if (done.Count == 0 && await TableExists(conn, "company", ct))
            {
                if (!pg)
                    throw new SchemaAdoptionException(["this SQLite file has Hermes tables but no migration history; move it aside or point DATABASE_URL at a PostgreSQL database"]);
                var differences = await SchemaAdoption.CompareAsync((NpgsqlConnection)conn, migrations.First(m => m.Id == BaselineId).Sql, ct);
                if (differences.Count > 0) throw new SchemaAdoptionException(differences);
                await Record(conn, BaselineId, "adopted", ct);
                done.Add(BaselineId);
                adopted = true;
                log.LogInformation("Adopted the hermes_v2 database: its schema matches the baseline; rows and ids are kept");
            }

            var applied = new List<string>();
            foreach (var migration in migrations.Where(m => !done.Contains(m.Id)))
            {
                if (migration.WithoutTransaction)
                {
                    await ConcurrentMigration.ApplyAsync(conn, migration, log, ct);
                    await Record(conn, migration.Id, "applied", ct);
                    applied.Add(migration.Id);
                    log.LogInformation("Applied migration {Migration}", migration.Id);
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = Command(conn, migration.Sql, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await Record(conn, migration.Id, "applied", ct, tx);
                await tx.CommitAsync(ct);
                applied.Add(migration.Id);
                log.LogInformation("Applied migration {Migration}", migration.Id);
            }
            if (adopted) await SchemaAdoption.ContinueSequencesAsync((NpgsqlConnection)conn, ct);
            return new Result(applied, adopted);
        }
        finally
        {
            if (pg) await Exec(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>
    /// The migration lock, taken by polling rather than by waiting in <c>pg_advisory_lock</c>: a process waiting inside
    /// a statement holds a snapshot, and <c>CREATE INDEX CONCURRENTLY</c> in the process that holds the lock waits for
    /// every older snapshot to go away, so the two would deadlock.
    /// </summary>
    async Task LockAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var waiting = false;
        while (true)
        {
            await using (var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({AdvisoryLockKey})", conn))
                if (await cmd.ExecuteScalarAsync(ct) is true) return;
            if (!waiting) log.LogInformation("Another Hermes process is migrating the database; waiting for it to finish");
            waiting = true;
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    DbConnection Open() => database.Kind == DatabaseKind.Postgres
        ? new NpgsqlConnection(database.ConnectionString)
        : new SqliteConnection(database.ConnectionString);

    static DbCommand Command(DbConnection conn, string sql, DbTransaction? tx = null)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    static async Task Exec(DbConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = Command(conn, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task Record(DbConnection conn, string id, string how, CancellationToken ct, DbTransaction? tx = null)
    {
        await using var cmd = Command(conn, $"INSERT INTO \"{HistoryTable}\" (\"id\", \"how\") VALUES (@id, @how)", tx);
        var p1 = cmd.CreateParameter(); p1.ParameterName = "id"; p1.Value = id; cmd.Parameters.Add(p1);
        var p2 = cmd.CreateParameter(); p2.ParameterName = "how"; p2.Value = how; cmd.Parameters.Add(p2);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task<bool> TableExists(DbConnection conn, string table, CancellationToken ct)
    {
        var sql = conn is NpgsqlConnection
            ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @t"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @t";
        await using var cmd = Command(conn, sql);
        var p = cmd.CreateParameter(); p.ParameterName = "t"; p.Value = table; cmd.Parameters.Add(p);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) > 0;
    }
}

/// <summary>The live database does not have the schema Hermes expects; start-up stops with the list.</summary>
public sealed class SchemaAdoptionException(IReadOnlyList<string> differences)
    : Exception("The database has hermes_v2 tables but does not match the schema Hermes expects, so it was not adopted:\n  - "
                + string.Join("\n  - ", differences))
{
    public IReadOnlyList<string> Differences { get; } = differences;
}

using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hermes.Tests.Foundation;

/// <summary>
/// Migration 0008 builds its indexes CONCURRENTLY, outside a transaction, so a live hermes_v2 database keeps taking
/// writes while it is adopted; it counts as applied only once every index it names is valid.
/// </summary>
public class IndexMigrationTests
{
    const string Migration = "0008_indexes_for_scale";
    static readonly string Hermesv2Database = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hermes_v2_database.sql"));
    static readonly IReadOnlyList<string> Indexes =
        ConcurrentMigration.IndexNames(SchemaMigrator.All(DatabaseKind.Postgres).Single(m => m.Id == Migration).Sql);

    /// <summary>name|valid|unique for each index the migration names, by name.</summary>
    static Task<List<string>> IndexStates(DatabaseUrl db) => TestDatabase.QueryAsync(db, $"""
        SELECT c.relname, i.indisvalid, i.indisunique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ({string.Join(", ", Indexes.Select(n => $"'{n}'"))}) ORDER BY c.relname
        """);

    static IEnumerable<string> AllValid(params string[] unique) =>
        Indexes.Order(StringComparer.Ordinal).Select(n => $"{n}|True|{unique.Contains(n)}");

    static readonly string[] UniqueKeys =
        ["customfieldvalue_company_field_key", "customfieldvalue_contact_field_key", "customfieldvalue_deal_field_key", "customfieldvalue_meeting_field_key"];

    [Fact]
    public async Task Every_index_is_built_and_valid_on_a_fresh_database_and_on_an_adopted_hermes_v2_database()
    {
        Assert.Equal(32, Indexes.Count);
        var fresh = await TestDatabase.CreateEmptyAsync();
        await using (var hermes = await HermesInstance.StartAsync(db: fresh))
            Assert.Contains(Migration, hermes.Migration.Applied);
        Assert.Equal(AllValid(UniqueKeys), await IndexStates(fresh));

        var adopted = await TestDatabase.CreateEmptyAsync();
        await TestDatabase.ExecuteAsync(adopted, Hermesv2Database);
        await using (var hermes = await HermesInstance.StartAsync(db: adopted))
        {
            Assert.True(hermes.Migration.Adopted);
            Assert.Contains(Migration, hermes.Migration.Applied);
        }
        Assert.Equal(AllValid(UniqueKeys), await IndexStates(adopted));
        Assert.Equal([$"{Migration}|applied"], await TestDatabase.QueryAsync(adopted, $"SELECT id, how FROM hermes_schema_migration WHERE id = '{Migration}'"));
    }

    [Fact]
    public async Task On_a_database_already_at_0010_the_missing_0008_is_applied_out_of_order_keeping_every_row()
    {
        // A hermes_v2 database adopted by a Hermes that had 0009 and 0010 but not yet 0008 (issue 17 landed after them):
        // it has no 0008 index and no duplicates table, and rows written through the newer migrations' columns.
        var db = await TestDatabase.CreateEmptyAsync();
        await TestDatabase.ExecuteAsync(db, Hermesv2Database);
        await (await HermesInstance.StartAsync(db: db)).DisposeAsync();
        await TestDatabase.ExecuteAsync(db, $"""
            {string.Join("\n", Indexes.Select(n => $"DROP INDEX \"{n}\";"))}
            DROP TABLE hermes_customfieldvalue_duplicate;
            DELETE FROM hermes_schema_migration WHERE id = '{Migration}';
            UPDATE meeting SET google_event_id = 'evt-' || id;
            INSERT INTO meeting_change (meeting_id, created, kind, actor) SELECT id, timestamptz '2026-01-02', 'cancelled', 'prospect' FROM meeting;
            INSERT INTO hermes_job (kind, payload, status, attempts, run_after, created_at, updated_at, trace_parent)
            VALUES ('tc2.update_client', '[]', 'done', 1, now(), now(), now(), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
            """);
        Assert.Empty(await IndexStates(db));
        // Every migration after 0008 (0009, 0010 and whatever later issues add) is already there.
        var later = SchemaMigrator.All(DatabaseKind.Postgres).Select(m => m.Id).Where(id => string.CompareOrdinal(id, Migration) > 0).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("0010_operations", later);
        Assert.Equal(later,
            await TestDatabase.QueryAsync(db, "SELECT id FROM hermes_schema_migration WHERE id > '0008' ORDER BY id"));
        const string rows = """
            SELECT 'company', count(*), coalesce(sum(id), 0) FROM company UNION ALL SELECT 'contact', count(*), coalesce(sum(id), 0) FROM contact
            UNION ALL SELECT 'deal', count(*), coalesce(sum(id), 0) FROM deal UNION ALL SELECT 'meeting', count(*), coalesce(sum(id), 0) FROM meeting
            UNION ALL SELECT 'customfieldvalue', count(*), coalesce(sum(id), 0) FROM customfieldvalue
            UNION ALL SELECT 'meeting_change', count(*), coalesce(sum(meeting_id), 0) FROM meeting_change
            UNION ALL SELECT 'job', count(*), count(trace_parent) FROM hermes_job
            """;
        var before = await TestDatabase.QueryAsync(db, rows);
        Assert.NotEqual("meeting_change|0|0", before[5]);

        await using var hermes = await HermesInstance.StartAsync(db: db);

        Assert.Equal([Migration], hermes.Migration.Applied);
        Assert.False(hermes.Migration.Adopted);
        Assert.Equal(AllValid(UniqueKeys), await IndexStates(db));
        Assert.Equal(before, await TestDatabase.QueryAsync(db, rows));
        Assert.Equal([$"{Migration}|applied", .. later.Select(id => $"{id}|applied")],
            await TestDatabase.QueryAsync(db, "SELECT id, how FROM hermes_schema_migration WHERE id > '0007' ORDER BY id"));
    }

    [Fact]
    public async Task On_a_sqlite_file_already_at_0010_the_missing_0008_is_applied_out_of_order()
    {
        var db = TestSqlite.NewFile();
        await (await HermesInstance.StartAsync(db: db)).DisposeAsync();
        var sqliteIndexes = SchemaMigrator.All(DatabaseKind.Sqlite).Single(m => m.Id == Migration).Sql
            .Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, "CREATE (?:UNIQUE )?INDEX IF NOT EXISTS \"(\\w+)\"")).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(sqliteIndexes);
        string IndexList() => string.Join(", ", sqliteIndexes.Select(n => $"'{n}'"));
        await Sqlite(db, string.Join("\n", sqliteIndexes.Select(n => $"DROP INDEX \"{n}\";"))
            + $"DELETE FROM hermes_schema_migration WHERE id = '{Migration}';");
        Assert.Equal(0L, await Sqlite(db, $"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ({IndexList()})"));

        await using var hermes = await HermesInstance.StartAsync(db: db);

        Assert.Equal([Migration], hermes.Migration.Applied);
        Assert.Equal((long)sqliteIndexes.Count, await Sqlite(db, $"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ({IndexList()})"));
    }

    static async Task<object?> Sqlite(DatabaseUrl db, string sql)
    {
        await using var conn = new SqliteConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync();
    }

    [Fact]
    public async Task Duplicate_custom_field_values_of_an_adopted_database_are_moved_aside_keeping_the_lowest_id_and_no_new_duplicate_gets_in()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        // The fixture has value 20 (field 2, company 5) and 21 (field 3, deal 3); hermes_v2 never stopped a second one.
        await TestDatabase.ExecuteAsync(db, Hermesv2Database + """
            INSERT INTO customfieldvalue (id, value, custom_field_id, company_id, contact_id, deal_id, meeting_id) VALUES
              (22, 'bing', 2, 5, NULL, NULL, NULL), (23, 'yahoo', 2, 5, NULL, NULL, NULL), (24, 'other', 3, NULL, NULL, 3, NULL),
              (25, 'google', 2, 42, NULL, NULL, NULL);
            SELECT setval('customfieldvalue_id_seq', 25);
            """);

        await using var hermes = await HermesInstance.StartAsync(db: db);

        Assert.Equal(["20|google|2|5|null", "21|google|3|null|3", "25|google|2|42|null"],
            await TestDatabase.QueryAsync(db, "SELECT id, value, custom_field_id, company_id, deal_id FROM customfieldvalue ORDER BY id"));
        Assert.Equal(["22|bing|2|5|null", "23|yahoo|2|5|null", "24|other|3|null|3"],
            await TestDatabase.QueryAsync(db, "SELECT id, value, custom_field_id, company_id, deal_id FROM hermes_customfieldvalue_duplicate ORDER BY id"));
        Assert.Equal(AllValid(UniqueKeys), await IndexStates(db));
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            TestDatabase.ExecuteAsync(db, "INSERT INTO customfieldvalue (value, custom_field_id, company_id) VALUES ('again', 2, 42)"));
        Assert.Equal(("23505", "customfieldvalue_company_field_key"), (refused.SqlState, refused.ConstraintName));
    }

    [Fact]
    public async Task A_concurrent_build_left_invalid_is_dropped_and_built_again_at_the_next_start()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await (await HermesInstance.StartAsync(db: db)).DisposeAsync();
        // As if the first build of contact_company_id_idx had failed half-way: PostgreSQL keeps the index, marked invalid.
        await TestDatabase.ExecuteAsync(db, $"""
            DELETE FROM hermes_schema_migration WHERE id = '{Migration}';
            DROP INDEX contact_company_id_idx;
            INSERT INTO admin (id, username) VALUES (1, 'a@example.com');
            INSERT INTO company (id, name, sales_person_id) VALUES (1, 'Junes', 1);
            INSERT INTO contact (id, last_name, company_id) VALUES (1, 'Junes', 1), (2, 'Holland', 1);
            """);
        await Assert.ThrowsAsync<PostgresException>(() =>
            TestDatabase.ExecuteAsync(db, "CREATE UNIQUE INDEX CONCURRENTLY contact_company_id_idx ON contact (company_id)"));
        Assert.Equal(["contact_company_id_idx|False|True"],
            (await IndexStates(db)).Where(s => s.StartsWith("contact_company_id_idx|", StringComparison.Ordinal)));

        await using var again = await HermesInstance.StartAsync(db: db);

        Assert.Equal([Migration], again.Migration.Applied);
        Assert.Equal(AllValid(UniqueKeys), await IndexStates(db));
        Assert.Equal(["1|Junes", "2|Holland"], await TestDatabase.QueryAsync(db, "SELECT id, last_name FROM contact ORDER BY id"));
    }

    [Fact]
    public async Task The_migration_is_not_recorded_while_an_index_it_names_is_missing_and_is_applied_at_the_next_start()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await (await HermesInstance.StartAsync(db: db)).DisposeAsync();
        // A table holds the index's name, so CREATE INDEX IF NOT EXISTS skips it: the index is not there afterwards.
        await TestDatabase.ExecuteAsync(db, $"""
            DELETE FROM hermes_schema_migration WHERE id = '{Migration}';
            DROP INDEX company_website_idx;
            CREATE TABLE company_website_idx (x INT);
            """);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => HermesInstance.StartAsync(db: db));

        Assert.Equal($"Migration {Migration} did not leave these indexes valid: company_website_idx. It is not recorded as applied and runs again at the next start.",
            failed.Message);
        Assert.Equal(["0"], await TestDatabase.QueryAsync(db, $"SELECT count(*) FROM hermes_schema_migration WHERE id = '{Migration}'"));

        await TestDatabase.ExecuteAsync(db, "DROP TABLE company_website_idx");
        await using var again = await HermesInstance.StartAsync(db: db);
        Assert.Equal([Migration], again.Migration.Applied);
        Assert.Equal(AllValid(UniqueKeys), await IndexStates(db));
    }

    [Fact]
    public void The_statements_are_split_at_line_ends_and_comment_lines_dropped()
    {
        var statements = ConcurrentMigration.Statements("""
            -- hermes:no-transaction
            -- a comment; with a semicolon;
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "a_idx" ON "a" ("x");
            CREATE INDEX CONCURRENTLY IF NOT EXISTS "b_idx" ON "b"
                USING gin (("y" || ';') gin_trgm_ops);
            """);
        Assert.Equal(["CREATE INDEX CONCURRENTLY IF NOT EXISTS \"a_idx\" ON \"a\" (\"x\")",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"b_idx\" ON \"b\"\n    USING gin ((\"y\" || ';') gin_trgm_ops)"], statements);
    }
}

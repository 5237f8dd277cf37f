using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Hermes.Tests.Foundation;

public class SchemaTests
{
    static readonly string[] HermesTables =
    [
        "admin", "company", "config", "contact", "customfield", "customfieldvalue", "deal", "hermes_job",
        "hermes_schema_migration", "hermes_webhook", "meeting", "pipeline", "stage",
    ];

    // Every migration in the assembly; the first three are the ones this test was written against.
    static readonly string[] AllMigrations = SchemaMigrator.All(DatabaseKind.Postgres).Select(m => m.Id).ToArray();

    [Fact]
    public async Task Fresh_postgres_database_gets_the_full_schema_and_a_second_start_changes_nothing()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await using (var first = await HermesInstance.StartAsync(db: db))
        {
            Assert.Equal(["0001_hermes_v2_baseline", "0002_blank_deal_stage_and_pipeline", "0003_jobs_and_webhook_log"], AllMigrations[..3]);
            Assert.Equal(AllMigrations, first.Migration.Applied);
            Assert.False(first.Migration.Adopted);
            var tables = await TestDatabase.QueryAsync(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
            Assert.Equal(HermesTables, tables.Intersect(HermesTables));
            var health = await first.Http.GetStringAsync("/health");
            Assert.Equal("""{"status":"ok","database":"ok","jobs":{"pending":0,"running":0,"failed":0,"due":0,"oldestDueAgeSeconds":null},"error":null,"problems":[]}""", health);
        }
        var history = await TestDatabase.QueryAsync(db, "SELECT id, how FROM hermes_schema_migration ORDER BY id");

        await using var second = await HermesInstance.StartAsync(db: db);
        Assert.Empty(second.Migration.Applied);
        Assert.Equal(history, await TestDatabase.QueryAsync(db, "SELECT id, how FROM hermes_schema_migration ORDER BY id"));
        Assert.Equal(AllMigrations.Select(m => $"{m}|applied"), history);
    }

    [Fact]
    public async Task Postgres_schema_relaxes_deal_stage_and_pipeline_and_deleting_a_stage_or_pipeline_keeps_the_deals()
    {
        var db = await TestDatabase.CreateAsync();
        await TestDatabase.ExecuteAsync(db, """
            INSERT INTO admin (id, username) VALUES (1, 'a@example.com');
            INSERT INTO stage (id, pd_stage_id, name) VALUES (1, 11, 'New');
            INSERT INTO pipeline (id, pd_pipeline_id, name, dft_entry_stage_id) VALUES (1, 21, 'PAYG', 1);
            INSERT INTO config (id, payg_pipeline_id) VALUES (1, 1);
            INSERT INTO company (id, name, sales_person_id) VALUES (1, 'Junes', 1);
            INSERT INTO contact (id, last_name, company_id) VALUES (1, 'Junes', 1);
            INSERT INTO deal (id, name, admin_id, company_id, contact_id, pipeline_id, stage_id) VALUES (1, 'Junes', 1, 1, 1, 1, 1);
            DELETE FROM stage WHERE id = 1;
            DELETE FROM pipeline WHERE id = 1;
            DELETE FROM contact WHERE id = 1;
            """);
        Assert.Equal(["1|Junes|null|null|null"], await TestDatabase.QueryAsync(db, "SELECT id, name, contact_id, pipeline_id, stage_id FROM deal"));
        Assert.Equal(["1|null"], await TestDatabase.QueryAsync(db, "SELECT id, payg_pipeline_id FROM config"));
    }

    [Fact]
    public async Task Fresh_sqlite_file_gets_the_full_schema_and_a_second_start_changes_nothing()
    {
        var db = TestSqlite.NewFile();
        await using (var first = await HermesInstance.StartAsync(db: db))
        {
            Assert.Equal(AllMigrations, first.Migration.Applied);
            Assert.Equal("ok", (await first.Http.GetFromJsonAsync<HealthBody>("/health"))!.Status);
        }
        await using var second = await HermesInstance.StartAsync(db: db);
        Assert.Empty(second.Migration.Applied);

        await using var conn = new SqliteConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)";
        var tables = ((string)(await cmd.ExecuteScalarAsync())!).Split(',');
        Assert.Equal(HermesTables, tables.Intersect(HermesTables));
        cmd.CommandText = "SELECT count(*) FROM hermes_schema_migration";
        Assert.Equal((long)SchemaMigrator.All(DatabaseKind.Sqlite).Count, await cmd.ExecuteScalarAsync());
    }

    sealed record HealthBody(string Status);
}

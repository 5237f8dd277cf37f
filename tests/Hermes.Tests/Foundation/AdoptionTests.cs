using Hermes.Domain;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Foundation;

public class AdoptionTests
{
    static readonly string Hermesv2Database = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hermes_v2_database.sql"));

    static readonly string[] V2Tables =
        ["admin", "stage", "pipeline", "config", "company", "contact", "deal", "meeting", "customfield", "customfieldvalue", "aerich", "hermesmodel"];

    /// <summary>
    /// Every row of every hermes_v2 table, as JSON, so "nothing changed" is one comparison. Only hermes_v2's columns:
    /// Hermes's later migrations may add columns of their own.
    /// </summary>
    static async Task<Dictionary<string, List<string>>> Dump(Hermes.Configuration.DatabaseUrl db)
    {
        var dump = new Dictionary<string, List<string>>();
        var v2Columns = await V2Columns.Value;
        foreach (var table in V2Tables)
        {
            // hermes_v2's columns that this database has (a test may have dropped one).
            var present = await TestDatabase.QueryAsync(db,
                $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'");
            var columns = string.Join(", ", v2Columns[table].Where(present.Contains).Select(c => $"\"{c}\""));
            dump[table] = await TestDatabase.QueryAsync(db, $"SELECT row_to_json(t)::text FROM (SELECT {columns} FROM \"{table}\") t ORDER BY id");
        }
        return dump;
    }

    // Read once, when first needed, without blocking a thread on it (a static initializer that waits on async work
    // hung the test host).
    static readonly Lazy<Task<Dictionary<string, List<string>>>> V2Columns = new(ReadV2Columns);

    /// <summary>The columns of each table in the hermes_v2 fixture, read from a database built from it alone.</summary>
    static async Task<Dictionary<string, List<string>>> ReadV2Columns()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await TestDatabase.ExecuteAsync(db, Hermesv2Database);
        var columns = new Dictionary<string, List<string>>();
        foreach (var table in V2Tables)
            columns[table] = await TestDatabase.QueryAsync(db,
                $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position");
        return columns;
    }

    [Fact]
    public async Task A_hermes_v2_database_is_adopted_with_every_row_and_id_kept_and_new_rows_continue_after_them()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await TestDatabase.ExecuteAsync(db, Hermesv2Database);
        var before = await Dump(db);

        await using var hermes = await HermesInstance.StartAsync(db: db);

        Assert.True(hermes.Migration.Adopted);
        var newer = SchemaMigrator.All(Hermes.Configuration.DatabaseKind.Postgres).Select(m => m.Id).Skip(1).ToList();
        Assert.Equal(newer, hermes.Migration.Applied);
        Assert.Equal(["0001_hermes_v2_baseline|adopted", .. newer.Select(m => $"{m}|applied")],
            await TestDatabase.QueryAsync(db, "SELECT id, how FROM hermes_schema_migration ORDER BY id"));
        var after = await Dump(db);
        foreach (var table in V2Tables) Assert.Equal(before[table], after[table]);
        Assert.Equal(3, after["company"].Count);

        // Hermes reads the adopted rows through its own model…
        await using (var read = hermes.Db())
        {
            var junes = await read.Companies.FindAsync(5);
            Assert.NotNull(junes);
            Assert.Equal(("Junes Ltd", 401, 501, 8, (int?)15, new DateTime(2024, 3, 1, 10, 15, 30, 123, 456, DateTimeKind.Utc)),
                (junes.Name, junes.Tc2CligencyId, junes.PdOrgId, junes.SalesPersonId, junes.SupportPersonId, junes.Created));
            Assert.Equal("""{"question1": "answer1"}""", junes.SignupQuestionnaire);
        }

        // …and new rows continue after the existing ids.
        await using var write = hermes.Db();
        var company = new Company { Name = "New Co", SalesPersonId = 9, Created = hermes.Clock.GetUtcNow().UtcDateTime };
        var admin = new Admin { Username = "new@tutorcruncher.com" };
        write.AddRange(company, admin);
        await write.SaveChangesAsync();
        Assert.Equal((43, 16), (company.Id, admin.Id));
    }

    [Fact]
    public async Task Adopting_twice_is_a_no_op()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await TestDatabase.ExecuteAsync(db, Hermesv2Database);
        await (await HermesInstance.StartAsync(db: db)).DisposeAsync();
        var before = await Dump(db);

        await using var again = await HermesInstance.StartAsync(db: db);
        Assert.False(again.Migration.Adopted);
        Assert.Empty(again.Migration.Applied);
        Assert.Equal(before["company"], (await Dump(db))["company"]);
    }

    [Fact]
    public async Task A_hermes_v2_database_with_a_missing_column_or_a_changed_type_is_refused_with_the_differences_named()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await TestDatabase.ExecuteAsync(db, Hermesv2Database + """
            ALTER TABLE company DROP COLUMN narc;
            ALTER TABLE contact ALTER COLUMN created TYPE timestamp;
            ALTER TABLE deal DROP CONSTRAINT deal_pd_deal_id_key;
            """);
        var before = await Dump(db);

        var refused = await Assert.ThrowsAsync<SchemaAdoptionException>(() => HermesInstance.StartAsync(db: db));

        Assert.Equal([
            "column \"company\".\"narc\" is missing (expected boolean)",
            "column \"contact\".\"created\" is timestamp without time zone, expected timestamp with time zone",
            "column \"deal\".\"pd_deal_id\" has no unique constraint",
        ], refused.Differences);
        Assert.Contains("was not adopted", refused.Message);
        // Nothing was written: no history, no new tables, the rows as they were.
        Assert.Equal(["0"], await TestDatabase.QueryAsync(db, "SELECT count(*) FROM hermes_schema_migration"));
        Assert.Equal(["0"], await TestDatabase.QueryAsync(db, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('hermes_job', 'hermes_webhook')"));
        Assert.Equal(before["company"], (await Dump(db))["company"]);
    }
}

using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Foundation;

/// <summary>
/// Migration 0012: an organization event looks in <c>pipedrive_waiting_webhook</c> only when the organization's
/// <c>pipedrive_object</c> row says webhooks wait for it, so webhooks parked before the migration must be flagged by it.
/// </summary>
public class WaitingFlagMigrationTests
{
    [Fact]
    public async Task Webhooks_parked_before_migration_0012_are_flagged_on_their_organization_and_nothing_else_is()
    {
        var db = await TestDatabase.CreateEmptyAsync();
        await (await HermesInstance.StartAsync(db: db)).DisposeAsync();
        // As a database at 0011 was: two organizations with parked webhooks (one Hermes remembers already), one without.
        await TestDatabase.ExecuteAsync(db, """
            ALTER TABLE pipedrive_object DROP COLUMN webhooks_waiting;
            DELETE FROM hermes_schema_migration WHERE id = '0012_waiting_flag';
            INSERT INTO pipedrive_waiting_webhook (org_pd_id, webhook_id) VALUES (7, 1), (7, 2), (8, 3);
            INSERT INTO pipedrive_object (entity, pd_id, updated_at) VALUES
                ('organization', 8, timestamptz '2026-01-02 10:00Z'), ('organization', 9, timestamptz '2026-01-02 10:00Z'), ('person', 7, NULL);
            """);

        await using (var hermes = await HermesInstance.StartAsync(db: db))
            Assert.Contains("0012_waiting_flag", hermes.Migration.Applied);

        Assert.Equal(["organization|7|null|True", "organization|8|2026-01-02 10:00:00+00|True", "organization|9|2026-01-02 10:00:00+00|False", "person|7|null|False"],
            await TestDatabase.QueryAsync(db, "SELECT entity, pd_id, updated_at::text, webhooks_waiting FROM pipedrive_object ORDER BY entity, pd_id"));
        Assert.Equal(["7|1", "7|2", "8|3"], await TestDatabase.QueryAsync(db, "SELECT org_pd_id, webhook_id FROM pipedrive_waiting_webhook ORDER BY webhook_id"));
    }
}

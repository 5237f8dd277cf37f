using Hermes.Configuration;
using Hermes.Jobs;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Hermes.Domain;

/// <summary>
/// hermes_v2's tables (contract.md §3) plus Hermes's own. The schema itself is created by the SQL migrations in
/// <c>Domain/Migrations</c>; this model only maps onto it.
/// </summary>
public class HermesDb(DbContextOptions<HermesDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Admin> Admins => Set<Admin>();
    public DbSet<Company> Companies => Set<Company>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Deal> Deals => Set<Deal>();
    public DbSet<Meeting> Meetings => Set<Meeting>();
    public DbSet<MeetingChange> MeetingChanges => Set<MeetingChange>();
    public DbSet<Pipeline> Pipelines => Set<Pipeline>();
    public DbSet<Stage> Stages => Set<Stage>();
    public DbSet<Config> Configs => Set<Config>();
    public DbSet<CustomField> CustomFields => Set<CustomField>();
    public DbSet<CustomFieldValue> CustomFieldValues => Set<CustomFieldValue>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<WebhookLog> WebhookLogs => Set<WebhookLog>();
    public DbSet<PipedriveObject> PipedriveObjects => Set<PipedriveObject>();
    public DbSet<PipedriveWaitingWebhook> PipedriveWaitingWebhooks => Set<PipedriveWaitingWebhook>();
    public DbSet<Tc2ClientEvent> Tc2ClientEvents => Set<Tc2ClientEvent>();
    /// <summary>The keys that sign the admin cookie and antiforgery tokens, shared by every Hermes process (Operations/SharedSignIn.cs).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    // Asked several times per webhook; EF works the provider's name out from its assembly each time it is read.
    public bool IsPostgres => _isPostgres ??= Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";
    bool? _isPostgres;

    /// <summary>
    /// The entity of this key this context tracks already, if any. Reading <c>DbSet.Local</c> scans every tracked entity
    /// for changes first; a key lookup does not need that, and the webhook path asks several times per event.
    /// </summary>
    public TEntity? Tracked<TEntity>(params object?[] key) where TEntity : class
    {
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return Set<TEntity>().Local.FindEntryUntyped(key)?.Entity;
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>
    /// A save scans the tracked entities for changes once, here. The interceptors that look at what is about to be
    /// written (<see cref="Operations.Input.StoredText"/>, <see cref="StaffTables"/>) see this scan's result, and their
    /// own edits go through the change tracker, so EF need not scan again; left to itself it scans at each of the three.
    /// </summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (!ChangeTracker.AutoDetectChangesEnabled) return base.SaveChanges(acceptAllChangesOnSuccess);
        ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (!ChangeTracker.AutoDetectChangesEnabled) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    /// <summary>Jobs were queued on this context since its last save: the save wakes the workers (<see cref="JobWakeUp"/>).</summary>
    public bool JobsQueued { get; set; }

    public static void Configure(DbContextOptionsBuilder options, DatabaseUrl database)
    {
        options.AddInterceptors(StaffTables.Invalidation);
        // A count capped with Take (the admin's tallies) has no order on purpose: ordering would make it sort.
        options.ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning));
        if (database.Kind == DatabaseKind.Postgres)
            // No DISCARD ALL each time a connection goes back to the pool: Hermes's EF work leaves no session state
            // (no SET, no session advisory lock, no LISTEN: those use connections of their own, with their own pools).
            options.UseNpgsql(PooledConnectionString(database));
        else
            options.UseSqlite(database.ConnectionString).AddInterceptors(SqliteBusyTimeout.Instance);
    }

    /// <summary>EF's connections: DATABASE_URL's, without the reset (so a pool of its own; see <see cref="DatabasePool"/>).</summary>
    public static string PooledConnectionString(DatabaseUrl database) =>
        new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { NoResetOnClose = true, MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 }.ConnectionString;

    /// <summary>
    /// SQLite has one writer at a time: each connection waits up to 30 s for the lock (SQLite's own busy handler, which
    /// also covers the statements Microsoft.Data.Sqlite does not retry) rather than failing with "database is locked".
    /// </summary>
    sealed class SqliteBusyTimeout : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
    {
        public static readonly SqliteBusyTimeout Instance = new();

        public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 30000";
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken ct = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 30000";
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Admin>().ToTable("admin");
        b.Entity<Stage>().ToTable("stage");
        b.Entity<Pipeline>(e =>
        {
            e.ToTable("pipeline");
            e.HasOne(p => p.DftEntryStage).WithMany().HasForeignKey(p => p.DftEntryStageId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Config>(e =>
        {
            e.ToTable("config");
            e.HasOne(c => c.PaygPipeline).WithMany().HasForeignKey(c => c.PaygPipelineId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(c => c.StartupPipeline).WithMany().HasForeignKey(c => c.StartupPipelineId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(c => c.EnterprisePipeline).WithMany().HasForeignKey(c => c.EnterprisePipelineId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Company>(e =>
        {
            e.ToTable("company");
            e.HasOne(c => c.SalesPerson).WithMany().HasForeignKey(c => c.SalesPersonId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(c => c.SupportPerson).WithMany().HasForeignKey(c => c.SupportPersonId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(c => c.BdrPerson).WithMany().HasForeignKey(c => c.BdrPersonId).OnDelete(DeleteBehavior.Cascade);
            if (Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL")
                e.Property(c => c.SignupQuestionnaire).HasColumnType("jsonb");
        });
        b.Entity<Contact>(e =>
        {
            e.ToTable("contact");
            e.HasOne(c => c.Company).WithMany(c => c.Contacts).HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Deal>(e =>
        {
            e.ToTable("deal");
            e.HasOne(d => d.Company).WithMany(c => c.Deals).HasForeignKey(d => d.CompanyId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(d => d.Admin).WithMany().HasForeignKey(d => d.AdminId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(d => d.Pipeline).WithMany().HasForeignKey(d => d.PipelineId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(d => d.Stage).WithMany().HasForeignKey(d => d.StageId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(d => d.Contact).WithMany().HasForeignKey(d => d.ContactId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Meeting>(e =>
        {
            e.ToTable("meeting");
            e.HasOne(m => m.Admin).WithMany().HasForeignKey(m => m.AdminId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.Contact).WithMany().HasForeignKey(m => m.ContactId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.Deal).WithMany().HasForeignKey(m => m.DealId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<MeetingChange>(e =>
        {
            e.ToTable("meeting_change");
            e.HasOne(c => c.Meeting).WithMany().HasForeignKey(c => c.MeetingId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<CustomField>().ToTable("customfield");
        b.Entity<CustomFieldValue>(e =>
        {
            e.ToTable("customfieldvalue");
            e.HasOne(v => v.CustomField).WithMany().HasForeignKey(v => v.CustomFieldId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Job>().ToTable("hermes_job");
        b.Entity<WebhookLog>().ToTable("hermes_webhook");
        b.Entity<DataProtectionKey>().ToTable("hermes_data_protection_key");
        b.Entity<PipedriveObject>(e =>
        {
            e.ToTable("pipedrive_object");
            e.HasKey(o => new { o.Entity, o.PdId });
            e.Property(o => o.DeletedReason).HasConversion(new ValueConverter<PipedriveDeletion, string>(r => DeletionText(r), s => DeletionOf(s)));
        });
        b.Entity<PipedriveWaitingWebhook>(e => { e.ToTable("pipedrive_waiting_webhook"); e.HasKey(w => new { w.OrgPdId, w.WebhookId }); });
        b.Entity<Tc2ClientEvent>(e => { e.ToTable("tc2_client_event"); e.HasKey(t => t.CligencyId); e.Property(t => t.CligencyId).ValueGeneratedNever(); });

        // hermes_v2's column names: snake_case, with digits kept on the word before them (Tc2CligencyId → tc2_cligency_id).
        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(Hermes.CustomFields.FieldAccess.SnakeCase(property.Name));
    }

    static string DeletionText(PipedriveDeletion reason) => reason == PipedriveDeletion.NotFound ? "not_found" : reason.ToString().ToLowerInvariant();
    static PipedriveDeletion DeletionOf(string text) => text == "not_found" ? PipedriveDeletion.NotFound : Enum.Parse<PipedriveDeletion>(text, ignoreCase: true);

    protected override void ConfigureConventions(ModelConfigurationBuilder c)
    {
        // Every timestamp is UTC. SQLite hands DateTimes back as Unspecified; say what they are.
        c.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        c.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? null : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

/// <summary>Closes the idle connections of EF's pool when the app stops (its connection string is not DATABASE_URL's own).</summary>
public sealed class DatabasePool(DatabaseUrl database) : IDisposable
{
    public void Dispose()
    {
        if (database.Kind == DatabaseKind.Postgres)
            Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(HermesDb.PooledConnectionString(database)));
    }
}

using System.Security.Cryptography;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Tests.Infrastructure;

/// <summary>
/// Hermes as it runs in production, on Kestrel at a free local port, with its own database, a fake clock and the
/// settings a test gives. Jobs are not run in the background (<c>JOB_WORKERS=0</c>) unless a test asks: the test runs
/// them with <see cref="RunJobsAsync"/>, so it knows when they are done.
/// </summary>
public sealed class HermesInstance : IAsyncDisposable
{
    public static readonly string TestGooglePrivateKey = RSA.Create(2048).ExportPkcs8PrivateKeyPem();

    public required WebApplication App { get; init; }
    public required HttpClient Http { get; init; }
    public required FakeTimeProvider Clock { get; init; }
    public required DatabaseUrl Database { get; init; }
    public required Uri BaseAddress { get; init; }
    public required SchemaMigrator.Result Migration { get; init; }

    public HermesSettings Settings => App.Services.GetRequiredService<HermesSettings>();
    public JobRunner Jobs => App.Services.GetRequiredService<JobRunner>();

    public static Dictionary<string, string?> DefaultSettings(DatabaseUrl db) => new()
    {
        ["DATABASE_URL"] = db.Kind == DatabaseKind.Sqlite ? "sqlite:///" + db.ConnectionString["Data Source=".Length..] : db.ConnectionString,
        ["urls"] = "http://127.0.0.1:0",
        ["SANDBOX"] = "false",
        ["DEV_MODE"] = "false",
        ["LOG_LEVEL"] = "WARNING",
        ["SIGNING_KEY"] = "test-signing-key",
        ["TC2_API_KEY"] = "test-tc2-key",
        ["TC2_BASE_URL"] = "http://127.0.0.1:9",
        ["PD_API_KEY"] = "test-pd-key",
        ["PD_BASE_URL"] = "http://127.0.0.1:9",
        ["PD_WEBHOOK_USERNAME"] = "pipedrive",
        ["PD_WEBHOOK_PASSWORD"] = "webhook-secret",
        ["G_PRIVATE_KEY"] = TestGooglePrivateKey,
        ["G_CLIENT_EMAIL"] = "hermes@hermes-test.iam.gserviceaccount.com",
        ["G_PRIVATE_KEY_ID"] = "test-key-id",
        ["JOB_WORKERS"] = "0",
    };

    /// <summary>Starts Hermes on a new database (or <paramref name="db"/>), migrated, listening on a free port.</summary>
    public static async Task<HermesInstance> StartAsync(
        Action<Dictionary<string, string?>>? settings = null,
        Action<IServiceCollection>? services = null,
        DatabaseUrl? db = null,
        FakeTimeProvider? clock = null)
    {
        db ??= await TestDatabase.CreateAsync();
        // Whole seconds: PostgreSQL keeps microseconds, so finer clock ticks would not survive a round trip.
        clock ??= new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var values = DefaultSettings(db);
        settings?.Invoke(values);
        var app = HermesApp.Build([],
            config => config.AddInMemoryCollection(values),
            s =>
            {
                s.AddSingleton<TimeProvider>(clock);
                services?.Invoke(s);
            });
        var migration = await HermesApp.PrepareAsync(app);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return new HermesInstance
        {
            App = app,
            Http = new HttpClient { BaseAddress = address },
            Clock = clock,
            Database = db,
            BaseAddress = address,
            Migration = migration,
        };
    }

    /// <summary>A fresh DbContext on this instance's database, for arranging rows and asserting on them.</summary>
    public HermesDb Db() => App.Services.GetRequiredService<IDbContextFactory<HermesDb>>().CreateDbContext();

    public Task<int> RunJobsAsync(int workers = 1) => Jobs.RunUntilIdleAsync(workers);

    /// <summary>Saves one row in a context of its own and hands it back with its id.</summary>
    public async Task<T> Add<T>(T entity) where T : class
    {
        await using var db = Db();
        db.Add(entity);
        await db.SaveChangesAsync();
        return entity;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        // Each test has a database (so a pool) of its own: close its idle connections now rather than after Npgsql's
        // idle timeout, or a full run holds hundreds of them and PostgreSQL refuses more ("too many clients").
        if (Database.Kind == DatabaseKind.Postgres) Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(Database.ConnectionString));
    }
}

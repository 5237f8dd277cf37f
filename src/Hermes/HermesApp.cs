using Hermes.AdminUi;
using Hermes.CallBooker;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Operations;
using Hermes.Operations.Input;
using Hermes.Pipedrive;
using Hermes.Tc2;
using Hermes.Sales;
using Hermes.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Scalar.AspNetCore;

namespace Hermes;

/// <summary>Composition only: settings, services, endpoint groups. Tests build the same app with their own overrides.</summary>
public static class HermesApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var migrateOnly = args.Contains("migrate");
        args = args.Where(a => a != "migrate").ToArray();
        try
        {
            // "migrate" prints only its report on standard output (the release step's log); logs go to standard error.
            var app = migrateOnly
                ? Build(args, configureServices: s => s.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
                : Build(args);
            var result = await PrepareAsync(app);
            if (migrateOnly)
            {
                Console.WriteLine(result.Applied.Count == 0
                    ? "The database schema is up to date."
                    : $"Applied {string.Join(", ", result.Applied)}{(result.Adopted ? " (after adopting the hermes_v2 database)" : "")}.");
                return 0;
            }
            await app.RunAsync();
            return 0;
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"Hermes cannot start: {e.Message}");
            return 2;
        }
        catch (SchemaAdoptionException e)
        {
            Console.Error.WriteLine($"Hermes cannot start: {e.Message}");
            return 3;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"Hermes cannot start: the database is not reachable ({e.Message}). Check DATABASE_URL.");
            return 4;
        }
    }

    public static WebApplication Build(string[] args,
        Action<IConfigurationBuilder>? configureSettings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(HermesApp).Assembly.GetName().Name, // Razor Pages and static assets, also under a test host
        });
        AddDotEnv(builder.Configuration);
        configureSettings?.Invoke(builder.Configuration);
        var settings = HermesSettings.Load(key => builder.Configuration[key], Directory.GetCurrentDirectory());
        settings = SandboxMode.Configure(builder, settings);

        Logging.Configure(builder.Logging, settings);
        builder.AddOperations(settings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls($"http://{settings.Host}:{settings.Port}");
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(25));

        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddInputHygiene();
        // Pooled: a webhook or job takes a ready context instead of building one (services, change tracker) each time.
        // The pool keeps at most 32 (EF's default is 1,024): a burst of a few hundred webhooks at once would otherwise
        // leave as many contexts, and what they hold, in memory for good. Past 32 at once, the extra ones are thrown away.
        services.AddPooledDbContextFactory<HermesDb>((sp, o) =>
        {
            HermesDb.Configure(o, settings.Database);
            o.AddInterceptors(sp.GetRequiredService<StoredText>(), sp.GetRequiredService<JobWakeUp>());
            sp.GetRequiredService<DatabasePool>(); // created with the pool, so disposed (its connections closed) with the app
        }, poolSize: 32);
        services.AddSingleton(_ => new DatabasePool(settings.Database));
        services.AddSingleton(sp => new SchemaMigrator(settings.Database, sp.GetRequiredService<ILogger<SchemaMigrator>>()));
        services.AddJobs();
        services.AddPipedrive();
        services.AddTc2();
        services.AddPipedriveSync();
        services.AddSingleton<WebhookReplay>();
        services.AddCallBooker(settings);
        services.AddOpenApi();
        services.AddProblemDetails();
        services.AddAdminUi();
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseSharedSignIn(); // first: the proxy's scheme and client address for everything after
        app.UseApiTrailingSlash();
        app.UseQueryStringHygiene();
        app.MapSandbox();
        app.UseCors(); // endpoint policies: the call booker's website origins
        app.UseAdminUi();
        app.UseFormFieldHygiene(); // after sign-in: only an admin (or the sign-in form) has its form read here
        app.UseRateLimiter(); // the webhook routes' concurrency limit (Operations/WebhookConcurrency.cs)
        app.MapHealth();
        app.MapPipedrive();
        app.MapTc2();
        app.MapCallBooker();
        app.MapWebsiteBooker();
        app.MapSales();
        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle("Hermes API"));
        app.MapGet("/docs", () => Results.Redirect("/scalar/v1")).ExcludeFromDescription();
        app.MapAdminUi();
        return app;
    }

    /// <summary>Brings the schema up to date (adopting a hermes_v2 database if that is what it finds).</summary>
    public static async Task<SchemaMigrator.Result> PrepareAsync(WebApplication app, CancellationToken ct = default)
    {
        var result = await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<HermesDb>>().CreateDbContextAsync(ct))
            await app.Services.GetRequiredService<ColumnLimits>().LoadAsync(db, ct);
        var settings = app.Services.GetRequiredService<HermesSettings>();
        app.Logger.LogInformation("Hermes is using {Database}{Mode}", settings.Database.Describe(), settings.Sandbox ? " in sandbox mode" : "");
        return result;
    }

    /// <summary>A <c>.env</c> file in the working directory, below real environment variables in priority.</summary>
    static void AddDotEnv(ConfigurationManager configuration)
    {
        var values = DotEnv.Read(Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        if (values.Count == 0) return;
        var sources = ((IConfigurationBuilder)configuration).Sources;
        var envIndex = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = values };
        if (envIndex < 0) sources.Add(source); else sources.Insert(envIndex, source);
    }
}

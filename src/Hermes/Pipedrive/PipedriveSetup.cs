using Hermes.Jobs;
using Hermes.Pipedrive.Inbound;
using Hermes.Configuration;

namespace Hermes.Pipedrive;

public static class PipedriveSetup
{
    public static IServiceCollection AddPipedrive(this IServiceCollection services)
    {
        // The one rate limiter every Pipedrive request goes through: shared by every Hermes process on PostgreSQL.
        services.AddSingleton<IPipedriveRateLimit>(sp =>
        {
            var settings = sp.GetRequiredService<HermesSettings>();
            return settings.Database.Kind == DatabaseKind.Postgres
                ? new SharedPipedriveRateLimit(settings, sp.GetRequiredService<ILogger<SharedPipedriveRateLimit>>())
                : new InProcessPipedriveRateLimit(settings, sp.GetRequiredService<ILogger<InProcessPipedriveRateLimit>>());
        });
        services.AddHttpClient<PipedriveClient>(c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<IJobErrorPolicy, PipedriveErrorPolicy>();
        services.AddScoped<PipedriveInbound>();
        services.AddScoped<Organizations>();
        services.AddScoped<Persons>();
        services.AddScoped<Deals>();
        services.AddScoped<PipelinesAndStages>();
        services.AddSingleton<PipedriveWebhookProcessor>();
        services.AddJobHandler<FetchOrganizationHandler, FetchOrganization>();
        return services;
    }
}

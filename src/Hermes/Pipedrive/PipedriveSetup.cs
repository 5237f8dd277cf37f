using Hermes.Jobs;
using Hermes.Pipedrive.Inbound;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.Pipedrive;

public static class PipedriveSetup
{
    public static IServiceCollection AddPipedrive(this IServiceCollection services)
    {
        services.TryAddSingleton<IPipedriveRateLimit, NoPipedriveRateLimit>();
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

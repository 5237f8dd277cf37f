using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.Pipedrive;

public static class PipedriveSetup
{
    public static IServiceCollection AddPipedrive(this IServiceCollection services)
    {
        services.TryAddSingleton<IPipedriveRateLimit, NoPipedriveRateLimit>();
        services.AddHttpClient<PipedriveClient>(c => c.Timeout = TimeSpan.FromSeconds(30));
        return services;
    }
}

using Hermes.Jobs;

namespace Hermes.Tc2;

public static class Tc2Setup
{
    /// <summary>The TC2 webhook's services, the TC2 API client and the TC2 job handlers.</summary>
    public static IServiceCollection AddTc2(this IServiceCollection services)
    {
        services.AddHttpClient<Tc2Client>(c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddScoped<Tc2Inbound>();
        services.AddSingleton<Tc2WebhookProcessor>();
        services.AddJobHandler<Tc2UpdateClient>(Tc2Jobs.UpdateClient);
        services.AddJobHandler<Tc2RefreshClient>(Tc2Jobs.RefreshClient);
        return services;
    }
}

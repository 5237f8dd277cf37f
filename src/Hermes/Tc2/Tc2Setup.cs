using Hermes.Jobs;

namespace Hermes.Tc2;

public static class Tc2Setup
{
    /// <summary>The TC2 webhook's services, the TC2 API client and the TC2 job handlers.</summary>
    public static IServiceCollection AddTc2(this IServiceCollection services)
    {
        services.AddHttpClient<Tc2Client>(c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<IJobErrorPolicy, Tc2ErrorPolicy>();
        services.AddScoped<Tc2Inbound>();
        services.AddSingleton<Tc2WebhookProcessor>();
        services.AddJobHandler<UpdateTc2ClientHandler, UpdateTc2Client>();
        services.AddJobHandler<RefreshTc2ClientHandler, RefreshTc2Client>();
        return services;
    }
}

using Hermes.Configuration;
using Hermes.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.Pipedrive;

public static class PipedriveSyncSetup
{
    /// <summary>The Hermes → Pipedrive job handlers and the one rate limiter every Pipedrive request goes through.</summary>
    public static IServiceCollection AddPipedriveSync(this IServiceCollection services)
    {
        services.RemoveAll<IPipedriveRateLimit>();
        services.AddSingleton<IPipedriveRateLimit>(sp =>
        {
            var settings = sp.GetRequiredService<HermesSettings>();
            return settings.Database.Kind == DatabaseKind.Postgres
                ? new SharedPipedriveRateLimit(settings, sp.GetRequiredService<ILogger<SharedPipedriveRateLimit>>())
                : new InProcessPipedriveRateLimit(settings, sp.GetRequiredService<ILogger<InProcessPipedriveRateLimit>>());
        });
        services.AddSingleton<PipedriveFieldTypes>();
        services.AddSingleton<PipedriveSyncState>();
        services.AddScoped<PipedriveCompanySync>();
        services.AddJobHandler<SyncCompanyHandler, SyncCompany>();
        services.AddJobHandler<SyncMeetingHandler, SyncMeeting>();
        services.AddJobHandler<UpdateMeetingHandler, UpdateMeeting>();
        services.AddJobHandler<PurgeCompanyHandler, PurgeCompany>();
        services.AddJobHandler<WriteHermesIdHandler, WriteHermesId>();
        services.AddJobHandler<ClearHermesIdHandler, ClearHermesId>();
        services.AddSingleton<PipedriveReconcile>();
        services.AddSingleton<PipedriveImportSetup>();
        return services;
    }
}

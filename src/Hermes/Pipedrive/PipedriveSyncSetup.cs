using Hermes.Configuration;
using Hermes.Jobs;

namespace Hermes.Pipedrive;

public static class PipedriveSyncSetup
{
    /// <summary>The Hermes → Pipedrive job handlers, the sync and the reconcile and import tools.</summary>
    public static IServiceCollection AddPipedriveSync(this IServiceCollection services)
    {
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

namespace Hermes.Jobs;

public static class JobsSetup
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobSignal>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<JobHandlerRegistry>();
        services.AddSingleton<JobMaintenance>();
        services.AddHostedService<JobWorker>();
        return services;
    }

    /// <summary>Registers a handler for its job kind.</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind) where THandler : class, IJobHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new JobHandlerRegistration(kind, typeof(THandler)));
        return services;
    }
}

public sealed record JobHandlerRegistration(string Kind, Type HandlerType);

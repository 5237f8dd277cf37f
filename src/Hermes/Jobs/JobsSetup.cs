namespace Hermes.Jobs;

public static class JobsSetup
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobSignal>();
        services.AddSingleton<JobWakeUp>();
        services.AddSingleton<JobListener>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<JobHandlerRegistry>();
        services.AddSingleton<RecurringJobs>();
        services.AddSingleton<JobMaintenance>();
        services.AddSingleton<JobErrorPolicies>();
        services.AddHostedService<JobWorker>();
        return services;
    }

    /// <summary>Registers the handler of a declared job kind.</summary>
    public static IServiceCollection AddJobHandler<THandler, TJob>(this IServiceCollection services)
        where THandler : JobHandler<TJob> where TJob : IJob<TJob> =>
        services.AddJobHandler<THandler>(TJob.Kind);

    /// <summary>Registers a handler for a job kind by name.</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind) where THandler : class, IJobHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new JobHandlerRegistration(kind, typeof(THandler)));
        return services;
    }

    /// <summary>
    /// Registers a handler that runs every <paramref name="every"/>: its schedule is one row in the queue (see
    /// <see cref="RecurringJobs"/>), so any number of Hermes processes run it once per interval between them.
    /// </summary>
    public static IServiceCollection AddRecurringJob<THandler>(this IServiceCollection services, string kind, TimeSpan every) where THandler : class, IJobHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new JobHandlerRegistration(kind, typeof(THandler), every));
        return services;
    }
}

/// <summary>A job kind and its handler; <paramref name="Every"/> is set for a recurring job.</summary>
public sealed record JobHandlerRegistration(string Kind, Type HandlerType, TimeSpan? Every = null);

using System.Globalization;
using System.Text.Json;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hermes.Operations;

/// <summary>
/// <c>/health</c> (ASP.NET Core health checks): 200 <c>ok</c> when the database answers; 200 <c>degraded</c> when jobs
/// have failed for good or the oldest due job has waited longer than <see cref="OldestDueLimit"/> (still 200, so a
/// platform does not restart Hermes for what a restart cannot fix); 503 <c>error</c> when the database cannot be
/// reached. <c>/health/live</c> answers 200 while the process serves, without touching the database.
/// </summary>
public static class Health
{
    public static readonly TimeSpan OldestDueLimit = TimeSpan.FromMinutes(10);
    const string CheckName = "database";

    public sealed record JobsHealth(int Pending, int Running, int Failed, int Due, double? OldestDueAgeSeconds);
    public sealed record HealthAnswer(string Status, string Database, JobsHealth? Jobs, string? Error, IReadOnlyList<string> Problems);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseAndQueueCheck>(CheckName, timeout: TimeSpan.FromSeconds(10));
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteAsync,
        });
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => context.Response.WriteAsJsonAsync(new { status = "ok" }, Json),
        });
        return app;
    }

    static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var entry = report.Entries[CheckName];
        var jobs = entry.Data.TryGetValue("jobs", out var j) ? (JobsHealth)j : null;
        var problems = entry.Data.TryGetValue("problems", out var p) ? (IReadOnlyList<string>)p : [];
        var answer = report.Status switch
        {
            HealthStatus.Unhealthy => new HealthAnswer("error", "unreachable", null, entry.Description ?? entry.Exception?.Message, problems),
            HealthStatus.Degraded => new HealthAnswer("degraded", "ok", jobs, null, problems),
            _ => new HealthAnswer("ok", "ok", jobs, null, problems),
        };
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(answer, Json);
    }

    /// <summary>The database answers a query about the job queue; the queue's state decides between healthy and degraded.</summary>
    sealed class DatabaseAndQueueCheck(IDbContextFactory<HermesDb> dbs, TimeProvider clock) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            JobQueueState state;
            try
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                state = await JobQueueState.ReadAsync(db, clock.GetUtcNow().UtcDateTime, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // EF Core wraps the driver's error ("likely due to a transient failure"): the innermost one says what is wrong.
                return HealthCheckResult.Unhealthy(e.GetBaseException().Message, e);
            }
            var jobs = new JobsHealth(state.Pending, state.Running, state.Failed, state.Due, state.OldestDueAgeSeconds);
            var problems = new List<string>();
            if (state.Failed > 0)
                problems.Add(state.Failed == 1 ? "1 job failed for good" : $"{state.Failed} jobs failed for good");
            if (state.OldestDueAgeSeconds > OldestDueLimit.TotalSeconds)
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"the oldest due job has waited {state.OldestDueAgeSeconds:0} s (more than {OldestDueLimit.TotalSeconds:0} s): are the job workers running?"));
            var data = new Dictionary<string, object> { ["jobs"] = jobs, ["problems"] = problems };
            return problems.Count > 0
                ? HealthCheckResult.Degraded(string.Join("; ", problems), data: data)
                : HealthCheckResult.Healthy(data: data);
        }
    }
}

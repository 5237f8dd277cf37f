using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Operations;

public static class Health
{
    public sealed record JobsHealth(int Pending, int Running, int Failed, int Due, double? OldestDueAgeSeconds);
    public sealed record HealthReport(string Status, string Database, JobsHealth? Jobs, string? Error);

    /// <summary><c>/health</c>: 200 when the database answers, with the job queue's depth and how long the oldest due job has waited.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async Task<IResult> (HermesDb db, TimeProvider clock, CancellationToken ct) =>
        {
            try
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var counts = await db.Jobs.Where(j => j.Status != Job.Done)
                    .GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
                var due = db.Jobs.Where(j => j.Status == Job.Pending && j.RunAfter <= now);
                var oldest = await due.OrderBy(j => j.RunAfter).Select(j => (DateTime?)j.RunAfter).FirstOrDefaultAsync(ct);
                int Count(string status) => counts.FirstOrDefault(c => c.Key == status)?.Count ?? 0;
                var jobs = new JobsHealth(Count(Job.Pending), Count(Job.Running), Count(Job.Failed), await due.CountAsync(ct),
                    oldest is null ? null : Math.Round((now - oldest.Value).TotalSeconds, 1));
                return TypedResults.Ok(new HealthReport("ok", "ok", jobs, null));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return TypedResults.Json(new HealthReport("error", "unreachable", null, e.Message), statusCode: 503);
            }
        }).WithTags("Operations").WithSummary("Database reachability and job queue depth");
        return app;
    }
}

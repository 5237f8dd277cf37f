using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Jobs;

/// <summary>How the queue stands: jobs by status, how many are due, and how long the oldest due one has waited.</summary>
public sealed record JobQueueState(int Pending, int Running, int Failed, int Due, double? OldestDueAgeSeconds)
{
    public static async Task<JobQueueState> ReadAsync(HermesDb db, DateTime now, CancellationToken ct)
    {
        var counts = await db.Jobs.Where(j => j.Status != Job.Done)
            .GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var due = db.Jobs.Where(j => j.Status == Job.Pending && j.RunAfter <= now);
        var oldest = await due.OrderBy(j => j.RunAfter).Select(j => (DateTime?)j.RunAfter).FirstOrDefaultAsync(ct);
        int Count(string status) => counts.FirstOrDefault(c => c.Key == status)?.Count ?? 0;
        return new JobQueueState(Count(Job.Pending), Count(Job.Running), Count(Job.Failed), await due.CountAsync(ct),
            oldest is null ? null : Math.Round((now - oldest.Value).TotalSeconds, 1));
    }
}

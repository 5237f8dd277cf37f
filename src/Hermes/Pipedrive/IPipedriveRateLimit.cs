namespace Hermes.Pipedrive;

/// <summary>
/// Paces calls to Pipedrive. Every request takes a permit before it is sent and completes it with the response (or
/// null when no answer came), so a limiter can count a request from the moment it leaves until its answer is in and
/// read the response's rate-limit headers. Its implementations (PipedriveRateLimiter.cs): one limiter shared by every
/// worker and every Hermes process on PostgreSQL, one per process on SQLite.
/// </summary>
public interface IPipedriveRateLimit
{
    Task<IPipedrivePermit> AcquireAsync(bool search, CancellationToken ct);
}

/// <summary>One request's place in the rate limit.</summary>
public interface IPipedrivePermit
{
    /// <summary>The request is over: <paramref name="response"/> is its answer, or null when it failed without one.</summary>
    Task CompleteAsync(HttpResponseMessage? response);
}

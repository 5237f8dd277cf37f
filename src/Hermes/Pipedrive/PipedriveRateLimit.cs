namespace Hermes.Pipedrive;

/// <summary>
/// Paces calls to Pipedrive. Every request waits for a slot before it is sent and reports the response's rate-limit
/// headers afterwards. The default lets everything through; the sync jobs replace it with one limiter shared by every
/// worker and every Hermes process on the database.
/// </summary>
public interface IPipedriveRateLimit
{
    Task WaitAsync(bool search, CancellationToken ct);
    void Observe(bool search, HttpResponseMessage response);
}

public sealed class NoPipedriveRateLimit : IPipedriveRateLimit
{
    public Task WaitAsync(bool search, CancellationToken ct) => Task.CompletedTask;
    public void Observe(bool search, HttpResponseMessage response) { }
}

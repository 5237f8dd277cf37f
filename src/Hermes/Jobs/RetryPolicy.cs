namespace Hermes.Jobs;

/// <summary>Exponential backoff with jitter: 5 s, 10 s, 20 s … capped at an hour, each ±20 %.</summary>
public static class RetryPolicy
{
    static readonly TimeSpan Base = TimeSpan.FromSeconds(5);
    static readonly TimeSpan Cap = TimeSpan.FromHours(1);

    public static TimeSpan Delay(int attempt, Random? random = null)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 20);
        var seconds = Math.Min(Base.TotalSeconds * Math.Pow(2, exponent), Cap.TotalSeconds);
        var jitter = 0.8 + 0.4 * (random ?? Random.Shared).NextDouble();
        return TimeSpan.FromSeconds(seconds * jitter);
    }
}

using Hermes.Jobs;

namespace Hermes.Tc2;

/// <summary>
/// Retry-or-give-up for every job that calls TC2: a 429 waits as TC2 asked (it allows 100 requests a minute) without
/// using up an attempt; no TC2 configured cannot be fixed by retrying; any other TC2 error is retried with backoff.
/// </summary>
public sealed class Tc2ErrorPolicy : IJobErrorPolicy
{
    public JobFailure? Classify(Exception e) => e switch
    {
        Tc2RateLimitedException limited => new JobFailure.Postpone(limited.Delay, limited.Message),
        Tc2NotConfiguredException => new JobFailure.GiveUp(),
        Tc2Exception => new JobFailure.Retry(),
        _ => null,
    };
}

using System.Net;
using Hermes.Jobs;

namespace Hermes.Pipedrive;

/// <summary>
/// Retry-or-give-up for every job that calls Pipedrive: a 429 (or Cloudflare's 403 after one) waits as long as
/// Pipedrive asked without using up an attempt; Pipedrive refusing the request itself (another 4xx) cannot be fixed by
/// retrying; a 404/410 a handler did not expect, a 5xx, an empty answer or no answer is retried with backoff.
/// </summary>
public sealed class PipedriveErrorPolicy : IJobErrorPolicy
{
    public JobFailure? Classify(Exception e) => e switch
    {
        PipedriveRateLimitedException limited => new JobFailure.Postpone(limited.Delay, limited.Message),
        PipedriveGoneException => new JobFailure.Retry(),
        PipedriveException refused when (int)refused.Status is >= 400 and < 500 && refused.Status != HttpStatusCode.RequestTimeout => new JobFailure.GiveUp(),
        PipedriveException or PipedriveEmptyResponseException or PipedriveUnavailableException => new JobFailure.Retry(),
        _ => null,
    };
}

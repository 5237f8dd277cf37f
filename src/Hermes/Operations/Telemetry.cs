using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hermes.Jobs;

namespace Hermes.Operations;

/// <summary>
/// Hermes's own spans and metrics, in one place: the <see cref="ActivitySource"/> and <see cref="Meter"/> named
/// <c>Hermes</c> that <see cref="TelemetrySetup"/> exports. With no exporter configured nothing listens, and starting a
/// span or adding to a counter costs a null check.
/// </summary>
public static class Telemetry
{
    public const string Name = "Hermes";
    static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(Name, Version);
    public static readonly Meter Meter = new(Name, Version);

    static readonly Counter<long> Webhooks = Meter.CreateCounter<long>("hermes.webhooks", "{webhook}", "Webhooks received, by source and outcome");
    static readonly Counter<long> JobRuns = Meter.CreateCounter<long>("hermes.job.runs", "{run}", "Job runs, by kind and outcome");
    static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("hermes.job.duration", "s", "How long a job run took, by kind and outcome");
    static readonly Counter<long> RateLimitWaits = Meter.CreateCounter<long>("hermes.pipedrive.rate_limit.waits", "{wait}", "Times a Pipedrive request waited for the shared rate limit");
    static readonly Counter<double> RateLimitWaitTime = Meter.CreateCounter<double>("hermes.pipedrive.rate_limit.wait_time", "s", "Time Pipedrive requests spent waiting for the shared rate limit");
    static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("hermes.pipedrive.rate_limited", "{response}", "Pipedrive answers that said Hermes went too fast (429, Cloudflare's 403)");
    static readonly Counter<long> Bookings = Meter.CreateCounter<long>("hermes.bookings", "{booking}", "Call bookings, by meeting type and outcome");

    /// <summary>The current span's W3C <c>traceparent</c> when it is being recorded, to store on a job queued now.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { Recorded: true, IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>A job run's span, continuing the trace of whatever queued the job (or a new trace when nothing did).</summary>
    public static Activity? StartJob(Job job)
    {
        var parent = ActivityContext.TryParse(job.TraceParent, null, isRemote: true, out var context) ? context : default;
        // The worker loop's own context (if any) is not the job's: its trace is the one stored with it.
        Activity.Current = null;
        var activity = Source.StartActivity($"job {job.Kind}", ActivityKind.Consumer, parent);
        activity?.SetTag("hermes.job.kind", job.Kind);
        activity?.SetTag("hermes.job.id", job.Id);
        activity?.SetTag("hermes.job.attempt", job.Attempts);
        return activity;
    }

    /// <summary>
    /// Ends a job run: <paramref name="outcome"/> is <c>done</c>, <c>retry</c> (a failed attempt that will run again),
    /// <c>failed</c> (for good), <c>postponed</c> (asked to wait, e.g. a 429) or <c>returned</c> (given back at shutdown).
    /// </summary>
    public static void JobFinished(Activity? activity, Job job, string outcome, TimeSpan elapsed, Exception? error = null)
    {
        var tags = new TagList { { "hermes.job.kind", job.Kind }, { "hermes.job.outcome", outcome } };
        JobRuns.Add(1, tags);
        JobDuration.Record(elapsed.TotalSeconds, tags);
        if (activity is null) return;
        activity.SetTag("hermes.job.outcome", outcome);
        if (error is not null && outcome is "retry" or "failed")
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.AddException(error);
        }
    }

    public static void Booking(Activity? activity, string meetingType, string outcome)
    {
        Bookings.Add(1, new TagList { { "hermes.booking.type", meetingType }, { "hermes.booking.outcome", outcome } });
        activity?.SetTag("hermes.booking.outcome", outcome);
        if (outcome == "error") activity?.SetStatus(ActivityStatusCode.Error);
    }

    /// <summary>A Pipedrive request waits <paramref name="delay"/> for the shared rate limit.</summary>
    public static void PipedriveRateLimitWait(TimeSpan delay)
    {
        RateLimitWaits.Add(1);
        RateLimitWaitTime.Add(delay.TotalSeconds);
    }

    /// <summary>Pipedrive answered that Hermes went too fast.</summary>
    public static void PipedriveRateLimited(int status) => RateLimited.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));

    internal static void Webhook(string source, string outcome) =>
        Webhooks.Add(1, new TagList { { "hermes.webhook.source", source }, { "hermes.webhook.outcome", outcome } });
}

using System.Diagnostics;
using Hermes.Domain;

namespace Hermes.Operations;

/// <summary>
/// The span and count of one webhook delivery (<c>webhook pipedrive</c>, <c>webhook tc2</c>), started by an endpoint
/// filter on the callback route. The webhook processors say what the webhook was about (<see cref="Describe"/>) and what
/// came of it (<see cref="Outcome"/>); when they could not (a refused signature, a body that is not a webhook), the
/// answer's status decides. Outside a delivery (a stored webhook replayed by a job) both are no-ops.
/// </summary>
public sealed class WebhookTrace : IDisposable
{
    static readonly AsyncLocal<WebhookTrace?> Current = new();

    readonly string _source;
    readonly Activity? _activity;
    string? _outcome;
    bool _finished;

    WebhookTrace(string source)
    {
        _source = source;
        _activity = Telemetry.Source.StartActivity($"webhook {source}", ActivityKind.Internal);
        _activity?.SetTag("hermes.webhook.source", source);
    }

    /// <summary>The endpoint filter that wraps a webhook route.</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Filter(string source) => async (context, next) =>
    {
        using var trace = new WebhookTrace(source);
        Current.Value = trace;
        try
        {
            var result = await next(context);
            trace.Finish(FromStatus(result is IStatusCodeHttpResult { StatusCode: { } status } ? status : 200));
            return result;
        }
        catch
        {
            trace.Finish(WebhookLog.OutcomeError);
            throw;
        }
    };

    /// <summary>What the webhook being delivered is about (its first event, when it carries several).</summary>
    public static void Describe(string? entity, string? action, long webhookId)
    {
        var activity = Current.Value?._activity;
        if (activity is null || activity.GetTagItem("hermes.webhook.id") is not null) return;
        activity.SetTag("hermes.webhook.entity", entity);
        activity.SetTag("hermes.webhook.action", action);
        activity.SetTag("hermes.webhook.id", webhookId);
    }

    /// <summary>What came of the webhook being delivered; with several events the worst outcome stands.</summary>
    public static void Outcome(string outcome)
    {
        if (Current.Value is not { } trace) return;
        if (trace._outcome is null || Rank(outcome) > Rank(trace._outcome)) trace._outcome = outcome;
    }

    static int Rank(string outcome) => outcome switch
    {
        WebhookLog.OutcomeError => 4,
        WebhookLog.OutcomeRejected => 3,
        WebhookLog.OutcomeProcessed => 2,
        WebhookLog.OutcomePending => 1,
        _ => 0,
    };

    static string FromStatus(int status) => status switch
    {
        401 or 403 => "unauthorized",
        >= 500 => WebhookLog.OutcomeError,
        >= 400 => WebhookLog.OutcomeRejected,
        _ => WebhookLog.OutcomeProcessed,
    };

    void Finish(string fallback)
    {
        if (_finished) return;
        _finished = true;
        var outcome = fallback is "unauthorized" or WebhookLog.OutcomeError ? fallback : _outcome ?? fallback;
        Telemetry.Webhook(_source, outcome);
        _activity?.SetTag("hermes.webhook.outcome", outcome);
        if (outcome == WebhookLog.OutcomeError) _activity?.SetStatus(ActivityStatusCode.Error);
    }

    public void Dispose()
    {
        if (Current.Value == this) Current.Value = null;
        _activity?.Dispose();
    }
}

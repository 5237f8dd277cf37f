namespace Hermes.Domain;

/// <summary>What came of applying one webhook event.</summary>
public enum EventOutcomeKind
{
    /// <summary>Hermes changed (or confirmed) its rows.</summary>
    Applied,
    /// <summary>Read and deliberately left alone; the text says why.</summary>
    Ignored,
    /// <summary>Waits for something Hermes doesn't have yet (an organization being fetched); replayed when it comes.</summary>
    Waiting,
}

/// <summary>
/// The outcome of one webhook event: its kind, and the text stored on the webhook log (<c>ignored: …</c> and
/// <c>waiting: …</c> carry their kind as a prefix, as the log has always shown them).
/// </summary>
public readonly record struct EventOutcome(EventOutcomeKind Kind, string Text)
{
    public static EventOutcome Applied(string text) => new(EventOutcomeKind.Applied, text);
    public static EventOutcome Ignored(string why) => new(EventOutcomeKind.Ignored, $"ignored: {why}");
    public static EventOutcome Waiting(string why) => new(EventOutcomeKind.Waiting, $"waiting: {why}");

    /// <summary>The webhook log's <c>outcome</c> column for it.</summary>
    public string LogOutcome => Kind switch
    {
        EventOutcomeKind.Ignored => WebhookLog.OutcomeIgnored,
        EventOutcomeKind.Waiting => WebhookLog.OutcomePending,
        _ => WebhookLog.OutcomeProcessed,
    };

    public override string ToString() => Text;
}

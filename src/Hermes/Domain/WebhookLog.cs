namespace Hermes.Domain;

/// <summary>Every webhook Hermes received, stored before it is processed, with what came of it.</summary>
public class WebhookLog
{
    public const string OutcomePending = "pending";
    public const string OutcomeProcessed = "processed";
    public const string OutcomeIgnored = "ignored";
    public const string OutcomeRejected = "rejected";
    public const string OutcomeError = "error";

    public long Id { get; set; }
    /// <summary><c>pipedrive</c> or <c>tc2</c>.</summary>
    public string Source { get; set; } = "";
    public DateTime ReceivedAt { get; set; }
    public string? Object { get; set; }
    public string? Action { get; set; }
    public string? ObjectIds { get; set; }
    public string Outcome { get; set; } = OutcomePending;
    public string? Error { get; set; }
    public string Body { get; set; } = "";
}

namespace Hermes.Domain;

/// <summary>
/// A Pipedrive webhook waiting for an organization that neither Hermes nor Pipedrive had when it was fetched (deleted
/// or merged away there meanwhile); replayed when an event for that organization arrives.
/// </summary>
public class PipedriveWaitingWebhook
{
    public int OrgPdId { get; set; }
    public long WebhookId { get; set; }
}

/// <summary>The time of the newest TC2 event applied for one client, so an older version arriving later changes nothing.</summary>
public class Tc2ClientEvent
{
    public int CligencyId { get; set; }
    public DateTime EventTime { get; set; }
}

namespace Hermes.Domain;

/// <summary>A booked call; an Activity in Pipedrive and an event in the admin's Google Calendar.</summary>
public class Meeting
{
    public const string StatusPlanned = "PLANNED";
    /// <summary>Cancelled by the prospect (manage link) or by staff; hermes_v2's spelling.</summary>
    public const string StatusCanceled = "CANCELED";
    public const string TypeSales = "sales";
    public const string TypeSupport = "support";

    public int Id { get; set; }
    public DateTime Created { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    public string Status { get; set; } = StatusPlanned;
    public string MeetingType { get; set; } = TypeSales;

    public int AdminId { get; set; }
    public Admin? Admin { get; set; }
    public int ContactId { get; set; }
    public Contact? Contact { get; set; }
    public int? DealId { get; set; }
    public Deal? Deal { get; set; }
    /// <summary>The Pipedrive activity made for this meeting (set once, by the sync).</summary>
    public int? PdActivityId { get; set; }
    /// <summary>The event in the admin's Google Calendar (null for meetings booked before Hermes kept it).</summary>
    public string? GoogleEventId { get; set; }
}

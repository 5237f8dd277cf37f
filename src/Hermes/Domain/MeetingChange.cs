namespace Hermes.Domain;

/// <summary>
/// One step in a meeting's life after it was booked: moved to another time, or cancelled. The booking itself is the
/// meeting's <c>created</c>. Every start a meeting has had is here (<see cref="FromStart"/>), which is how a manage link
/// signed for an earlier start is still recognised (and known to have expired when that start has passed).
/// </summary>
public class MeetingChange
{
    public const string Rescheduled = "rescheduled";
    public const string Cancelled = "cancelled";
    public const string ByProspect = "prospect";

    public int Id { get; set; }
    public int MeetingId { get; set; }
    public Meeting? Meeting { get; set; }
    public DateTime Created { get; set; }
    /// <summary><see cref="Rescheduled"/> or <see cref="Cancelled"/>.</summary>
    public string Kind { get; set; } = Rescheduled;
    public DateTime? FromStart { get; set; }
    public DateTime? ToStart { get; set; }
    /// <summary>The reason given when cancelling, if any.</summary>
    public string? Reason { get; set; }
    /// <summary>Who did it: <see cref="ByProspect"/> (through the manage link) or the staff member's name and email.</summary>
    public string Actor { get; set; } = ByProspect;
}

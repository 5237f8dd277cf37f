namespace Hermes.Jobs;

/// <summary>One unit of outbound work (a Pipedrive/TC2/Google call), stored in the same database as the change that caused it.</summary>
public class Job
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
    /// <summary>Staff cancelled it while it waited: it never runs, and it blocks nothing behind its ordering key.</summary>
    public const string Cancelled = "cancelled";

    public long Id { get; set; }
    public string Kind { get; set; } = "";
    public string Payload { get; set; } = "{}";
    /// <summary>Jobs sharing a key (e.g. <c>company:42</c>) run one at a time, in enqueue order.</summary>
    public string? OrderingKey { get; set; }
    public string Status { get; set; } = Pending;
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    public DateTime RunAfter { get; set; }
    public string? LockedBy { get; set; }
    public DateTime? LockedUntil { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>The W3C <c>traceparent</c> of the request or job that queued this one: its run continues that trace.</summary>
    public string? TraceParent { get; set; }
}

namespace Hermes.Domain;

/// <summary>
/// Hermes's memory of one Pipedrive object: the newest Pipedrive change applied (events can arrive out of order) and
/// whether Pipedrive deleted or merged it away (a deliberate delete is never undone by a later sync). Deleted
/// organizations keep their TC2 cligency id so a later TC2 event for that client does not recreate them in Pipedrive.
/// </summary>
public class PipedriveObject
{
    public const string Organization = "organization";
    public const string Person = "person";
    public const string Deal = "deal";

    public string Entity { get; set; } = "";
    public int PdId { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    /// <summary><c>webhook</c> (deleted in Pipedrive), <c>merged</c>, or <c>not_found</c> (a 404/410 answered a sync).</summary>
    public string? DeletedReason { get; set; }
    public int? MergedIntoPdId { get; set; }
    public int? Tc2CligencyId { get; set; }
    /// <summary>For persons: the TC2 paid recipient of the contact, so TC2 bringing the contact back does not recreate the person.</summary>
    public int? Tc2SrId { get; set; }
    public string? CompanyName { get; set; }
    /// <summary>For deals: the person, stage and pipeline Pipedrive last named, linked when they reach Hermes after the deal.</summary>
    public int? RefPersonId { get; set; }
    public int? RefStageId { get; set; }
    public int? RefPipelineId { get; set; }
}

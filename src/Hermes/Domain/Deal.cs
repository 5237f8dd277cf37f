namespace Hermes.Domain;

/// <summary>A sales opportunity; a Deal in Pipedrive.</summary>
public class Deal
{
    public const string StatusOpen = "open";
    public const string StatusWon = "won";
    public const string StatusLost = "lost";
    public const string StatusDeleted = "deleted";

    public int Id { get; set; }
    public int? PdDealId { get; set; }
    public string? Name { get; set; }
    public string Status { get; set; } = StatusOpen;

    public int AdminId { get; set; }
    public Admin? Admin { get; set; }
    /// <summary>Blank when Pipedrive names a pipeline Hermes doesn't know, or after the pipeline is deleted.</summary>
    public int? PipelineId { get; set; }
    public Pipeline? Pipeline { get; set; }
    public int? StageId { get; set; }
    public Stage? Stage { get; set; }
    public int CompanyId { get; set; }
    public Company? Company { get; set; }
    public int? ContactId { get; set; }
    public Contact? Contact { get; set; }
}

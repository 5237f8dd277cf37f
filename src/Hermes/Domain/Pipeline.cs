namespace Hermes.Domain;

public class Pipeline
{
    public int Id { get; set; }
    public int PdPipelineId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The stage new deals in this pipeline start at.</summary>
    public int? DftEntryStageId { get; set; }
    public Stage? DftEntryStage { get; set; }
}

public class Stage
{
    public int Id { get; set; }
    public int PdStageId { get; set; }
    public string Name { get; set; } = "";
}

namespace Hermes.Domain;

/// <summary>The single row of call booker settings and the pipelines each price plan's deals go to.</summary>
public class Config
{
    public int Id { get; set; }
    public int MeetingDurMins { get; set; } = 30;
    public int MeetingBufferMins { get; set; } = 15;
    /// <summary>HH:MM, the admin's local time.</summary>
    public string MeetingMinStart { get; set; } = "10:00";
    public string MeetingMaxEnd { get; set; } = "17:30";
    public int? PaygPipelineId { get; set; }
    public Pipeline? PaygPipeline { get; set; }
    public int? StartupPipelineId { get; set; }
    public Pipeline? StartupPipeline { get; set; }
    public int? EnterprisePipelineId { get; set; }
    public Pipeline? EnterprisePipeline { get; set; }

    public int? PipelineIdFor(string pricePlan) => pricePlan switch
    {
        Company.PlanStartup => StartupPipelineId,
        Company.PlanEnterprise => EnterprisePipelineId,
        _ => PaygPipelineId,
    };
}

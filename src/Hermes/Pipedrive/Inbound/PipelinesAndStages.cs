using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// Pipedrive's pipelines and stages are Hermes's <see cref="Pipeline"/> and <see cref="Stage"/> rows, by name only.
/// One that arrives after deals that named it is linked to them; a delete leaves deals and the config with a blank
/// reference (ON DELETE SET NULL).
/// </summary>
public sealed class PipelinesAndStages(HermesDb db, JobQueue jobs, TimeProvider clock, ILogger<PipelinesAndStages> log) : InboundEntity(db, jobs, clock, log)
{
    protected override async Task<EventOutcome> UpsertAsync(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var name = Truncate(e.Current!.Str("name"));
        if (e.Entity == "pipeline")
        {
            var pipeline = await Db.Pipelines.FirstOrDefaultAsync(p => p.PdPipelineId == id, ct);
            if (pipeline is not null) return await Rename(pipeline, p => p.Name = name!, name, $"pipeline {pipeline.Id}", ct);
            Db.Pipelines.Add(pipeline = new Pipeline { PdPipelineId = id, Name = name ?? $"Pipeline {id}" });
            await Db.SaveChangesAsync(ct);
            var waiting = await DealsWaitingFor(o => o.RefPipelineId == id, ct);
            await Db.Deals.Where(d => waiting.Contains(d.PdDealId) && d.PipelineId == null).ExecuteUpdateAsync(u => u.SetProperty(d => d.PipelineId, pipeline.Id), ct);
            return EventOutcome.Applied($"pipeline {pipeline.Id} created");
        }
        var stage = await Db.Stages.FirstOrDefaultAsync(s => s.PdStageId == id, ct);
        if (stage is not null) return await Rename(stage, s => s.Name = name!, name, $"stage {stage.Id}", ct);
        Db.Stages.Add(stage = new Stage { PdStageId = id, Name = name ?? $"Stage {id}" });
        await Db.SaveChangesAsync(ct);
        var waitingForStage = await DealsWaitingFor(o => o.RefStageId == id, ct);
        await Db.Deals.Where(d => waitingForStage.Contains(d.PdDealId) && d.StageId == null).ExecuteUpdateAsync(u => u.SetProperty(d => d.StageId, stage.Id), ct);
        return EventOutcome.Applied($"stage {stage.Id} created");
    }

    async Task<EventOutcome> Rename<TRow>(TRow row, Action<TRow> setName, string? name, string what, CancellationToken ct)
    {
        if (name is { Length: > 0 }) setName(row);
        await Db.SaveChangesAsync(ct);
        return EventOutcome.Applied($"{what} updated");
    }

    protected override async Task<EventOutcome> DeleteAsync(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var deleted = e.Entity == "pipeline"
            ? await Db.Pipelines.Where(p => p.PdPipelineId == id).ExecuteDeleteAsync(ct)
            : await Db.Stages.Where(s => s.PdStageId == id).ExecuteDeleteAsync(ct);
        return deleted == 0 ? EventOutcome.Ignored($"{e.Entity} {id} is not in Hermes") : EventOutcome.Applied($"{e.Entity} {id} deleted");
    }
}

using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>The checklist's "PDPipeline" and "PDStage" lines, each for webhooks v1 and v2.</summary>
public class PipelineStageWebhookTests : PipedriveWebhookTest
{
    async Task<List<(int PdId, string Name)>> Pipelines() => (await All(db => db.Pipelines.OrderBy(p => p.Id))).Select(p => (p.PdPipelineId, p.Name)).ToList();
    async Task<List<(int PdId, string Name)>> Stages() => (await All(db => db.Stages.OrderBy(s => s.Id))).Select(s => (s.PdStageId, s.Name)).ToList();

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDPipeline_created__doesnt_exist__created(string v)
    {
        await PostOk(Create(v, "pipeline", PdPipeline()));
        Assert.Equal([(60, "Pipeline 1")], await Pipelines());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDPipeline_created__exists__updated(string v)
    {
        await Save(new Pipeline { PdPipelineId = 60, Name = "Old Pipeline" });
        await PostOk(Create(v, "pipeline", PdPipeline(name: "Pipeline 1")));
        Assert.Equal([(60, "Pipeline 1")], await Pipelines());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDPipeline_updated__doesnt_exist__created(string v)
    {
        var before = PdPipeline();
        await PostOk(Update(v, "pipeline", before, With(before, ("name", "New test pipeline"))));
        Assert.Equal([(60, "New test pipeline")], await Pipelines());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDPipeline_updated__exists__updated(string v)
    {
        await Save(new Pipeline { PdPipelineId = 60, Name = "Old Pipeline" });
        var before = PdPipeline(name: "Old Pipeline");
        await PostOk(Update(v, "pipeline", before, With(before, ("name", "New Pipeline"))));
        Assert.Equal([(60, "New Pipeline")], await Pipelines());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDPipeline_deleted__doesnt_exist__nothing_happens(string v)
    {
        await Save(new Pipeline { PdPipelineId = 61, Name = "Other" });
        await PostOk(Delete(v, "pipeline", PdPipeline()));
        Assert.Equal([(61, "Other")], await Pipelines());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDPipeline_deleted__exists__deleted_and_no_deal_or_other_pipeline_goes_with_it(string v)
    {
        var stage = await Save(new Stage { PdStageId = 50, Name = "New" });
        var pipeline = await Save(new Pipeline { PdPipelineId = 60, Name = "Pipeline 1", DftEntryStageId = stage.Id });
        await Save(new Pipeline { PdPipelineId = 61, Name = "Other", DftEntryStageId = stage.Id });
        await Save(new Config { PaygPipelineId = pipeline.Id });
        var company = await NewCompany();
        var deal = await Save(new Deal { Name = "Kept", AdminId = Owner.Id, CompanyId = company.Id, PipelineId = pipeline.Id, StageId = stage.Id });

        await PostOk(Delete(v, "pipeline", PdPipeline()));

        Assert.Equal([(61, "Other")], await Pipelines());
        Assert.Equal([(deal.Id, "Kept", (int?)null, (int?)stage.Id)], (await All(db => db.Deals)).Select(d => (d.Id, d.Name, d.PipelineId, d.StageId)));
        Assert.Equal((int?)null, Assert.Single(await All(db => db.Configs)).PaygPipelineId);
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDStage_created__doesnt_exist__created(string v)
    {
        await PostOk(Create(v, "stage", PdStage()));
        Assert.Equal([(50, "Stage 1")], await Stages());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDStage_created__exists__updated(string v)
    {
        await Save(new Stage { PdStageId = 50, Name = "Old Stage" });
        await PostOk(Create(v, "stage", PdStage(name: "Stage 1")));
        Assert.Equal([(50, "Stage 1")], await Stages());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDStage_updated__doesnt_exist__created(string v)
    {
        var before = PdStage();
        await PostOk(Update(v, "stage", before, With(before, ("name", "New test stage"))));
        Assert.Equal([(50, "New test stage")], await Stages());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDStage_updated__exists__updated(string v)
    {
        await Save(new Stage { PdStageId = 50, Name = "Stage 1" });
        var before = PdStage();
        await PostOk(Update(v, "stage", before, With(before, ("name", "New Stage"))));
        Assert.Equal([(50, "New Stage")], await Stages());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDStage_deleted__doesnt_exist__nothing_happens(string v)
    {
        await Save(new Stage { PdStageId = 51, Name = "Other" });
        await PostOk(Delete(v, "stage", PdStage()));
        Assert.Equal([(51, "Other")], await Stages());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDStage_deleted__exists__deleted_and_no_deal_or_pipeline_goes_with_it(string v)
    {
        var stage = await Save(new Stage { PdStageId = 50, Name = "Stage 1" });
        var pipeline = await Save(new Pipeline { PdPipelineId = 60, Name = "Pipeline 1", DftEntryStageId = stage.Id });
        var company = await NewCompany();
        var deal = await Save(new Deal { Name = "Kept", AdminId = Owner.Id, CompanyId = company.Id, PipelineId = pipeline.Id, StageId = stage.Id });

        await PostOk(Delete(v, "stage", PdStage()));

        Assert.Empty(await Stages());
        Assert.Equal([(pipeline.Id, (int?)null)], (await All(db => db.Pipelines)).Select(p => (p.Id, p.DftEntryStageId)));
        Assert.Equal([(deal.Id, (int?)pipeline.Id, (int?)null)], (await All(db => db.Deals)).Select(d => (d.Id, d.PipelineId, d.StageId)));
    }
}

using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>The checklist's "PDDeal created / updated / deleted" lines, each for webhooks v1 and v2.</summary>
public class DealWebhookTests : PipedriveWebhookTest
{
    Company _company = null!;
    Contact _contact = null!;
    Stage _stage = null!;
    Pipeline _pipeline = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _stage = await Save(new Stage { PdStageId = 50, Name = "Stage 1" });
        _pipeline = await Save(new Pipeline { PdPipelineId = 60, Name = "Pipeline 1", DftEntryStageId = _stage.Id });
        _company = await NewCompany();
        _contact = await NewContact(_company, "Brian", "Blessed", pdPersonId: 30);
    }

    async Task UseTc2Company()
    {
        await using var db = Hermes.Db();
        db.Attach(_company);
        _company.Tc2CligencyId = 401;
        await db.SaveChangesAsync();
    }

    static (string?, string, int?, int, int, int?, int?, int?) Row(Deal d) => (d.Name, d.Status, d.PdDealId, d.AdminId, d.CompanyId, d.ContactId, d.PipelineId, d.StageId);

    (string?, string, int?, int, int, int?, int?, int?) Expected(string name = "Deal 1", int? contactId = -1, int? stageId = -1, int? adminId = null) =>
        (name, "open", 40, adminId ?? Owner.Id, _company.Id, contactId == -1 ? _contact.Id : contactId, _pipeline.Id, stageId == -1 ? _stage.Id : stageId);

    async Task<Deal> ExistingDeal(string name = "Old test deal", int? pdDealId = 40) =>
        await Save(new Deal { Name = name, PdDealId = pdDealId, AdminId = Owner.Id, CompanyId = _company.Id, ContactId = _contact.Id, PipelineId = _pipeline.Id, StageId = _stage.Id });

    // ── PDDeal created ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__Deal_exists__updated(string v)
    {
        var deal = await ExistingDeal(pdDealId: null);
        await PostOk(Create(v, "deal", PdDeal(hermesId: deal.Id)));
        Assert.Equal([(deal.Id, Expected())], (await All(db => db.Deals)).Select(d => (d.Id, Row(d))));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__Deal_doesnt_exist_and_org_id_doesnt_match_a_Company__no_deal_and_the_org_is_looked_up(string v)
    {
        await PostOk(Create(v, "deal", PdDeal(orgId: 999)));
        Assert.Empty(await All(db => db.Deals));
        // The organization is fetched from Pipedrive by a job (see OutOfOrderTests for what it does next).
        var webhook = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal(("deal", "pending", "waiting: deal 40 belongs to organization 999, which is being fetched from Pipedrive"), (webhook.Object, webhook.Outcome, webhook.Error));
        Assert.Equal([("pipedrive.fetch_organization", $$"""{"orgId":999,"webhookId":{{webhook.Id}}}""", (string?)"pdorg:999")], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__Deal_doesnt_exist_and_org_id_matches_a_Company__created(string v)
    {
        await PostOk(Create(v, "deal", PdDeal()));
        Assert.Equal([Expected()], (await All(db => db.Deals)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__person_id_matches_a_Contact__added_to_the_Deal(string v)
    {
        await PostOk(Create(v, "deal", PdDeal(personId: 30)));
        Assert.Equal([_contact.Id], (await All(db => db.Deals)).Select(d => d.ContactId));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__person_id_doesnt_match_a_Contact__contact_is_blank(string v)
    {
        await PostOk(Create(v, "deal", PdDeal(personId: 999)));
        Assert.Equal([Expected(contactId: null)], (await All(db => db.Deals)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__stage_id_matches_a_Stage__added_to_the_Deal(string v)
    {
        await PostOk(Create(v, "deal", PdDeal(stageId: 50)));
        Assert.Equal([(int?)_stage.Id], (await All(db => db.Deals)).Select(d => d.StageId));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__stage_id_doesnt_match_a_Stage__stage_is_blank(string v)
    {
        await PostOk(Create(v, "deal", PdDeal(stageId: 999)));
        Assert.Equal([Expected(stageId: null)], (await All(db => db.Deals)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__Cligency_exists_in_TC2__the_TC2_update_is_queued(string v)
    {
        await UseTc2Company();
        await PostOk(Create(v, "deal", PdDeal()));
        Assert.Equal([Expected()], (await All(db => db.Deals)).Select(Row));
        Assert.Equal([Tc2Update(_company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_created__Cligency_doesnt_exist_in_TC2__nothing_sent_to_TC2(string v)
    {
        await PostOk(Create(v, "deal", PdDeal()));
        Assert.Single(await All(db => db.Deals));
        Assert.Empty(await PendingJobs());
    }

    // ── PDDeal updated ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__Deal_exists__updated(string v)
    {
        var deal = await ExistingDeal();
        var wonStage = await Save(new Stage { PdStageId = 51, Name = "Won" });
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("title", "New test deal"), ("status", "won"), ("stage_id", 51), ("owner_id", 99))));
        Assert.Equal([(deal.Id, ("New test deal", "won", (int?)40, OtherAdmin.Id, _company.Id, (int?)_contact.Id, (int?)_pipeline.Id, (int?)wonStage.Id))],
            (await All(db => db.Deals)).Select(d => (d.Id, Row(d))));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__Deal_doesnt_exist_and_org_id_doesnt_match_a_Company__no_deal_and_the_org_is_looked_up(string v)
    {
        var before = PdDeal(orgId: 999);
        await PostOk(Update(v, "deal", before, With(before, ("title", "New test deal"))));
        Assert.Empty(await All(db => db.Deals));
        Assert.Equal(["pipedrive.fetch_organization"], (await PendingJobs()).Select(j => j.Kind));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__Deal_doesnt_exist_and_org_id_matches_a_Company__created(string v)
    {
        var before = PdDeal();
        await PostOk(Update(v, "deal", before, With(before, ("title", "New test deal"))));
        Assert.Equal([Expected("New test deal")], (await All(db => db.Deals)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__person_id_matches_a_Contact__added_to_the_Deal(string v)
    {
        var deal = await ExistingDeal();
        var other = await NewContact(_company, "Other", "Person", pdPersonId: 31);
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("person_id", 31))));
        Assert.Equal([(int?)other.Id], (await All(db => db.Deals)).Select(d => d.ContactId));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__person_id_doesnt_match_a_Contact__contact_is_blank(string v)
    {
        var deal = await ExistingDeal();
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("person_id", 999))));
        Assert.Equal([Expected("Old test deal", contactId: null)], (await All(db => db.Deals)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__stage_id_matches_a_Stage__added_to_the_Deal(string v)
    {
        var deal = await ExistingDeal();
        var next = await Save(new Stage { PdStageId = 52, Name = "Demo booked" });
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("stage_id", 52))));
        Assert.Equal([(int?)next.Id], (await All(db => db.Deals)).Select(d => d.StageId));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__stage_id_doesnt_match_a_Stage__stage_is_blank(string v)
    {
        var deal = await ExistingDeal();
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("stage_id", 999))));
        Assert.Equal([Expected("Old test deal", stageId: null)], (await All(db => db.Deals)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__Cligency_exists_in_TC2__the_TC2_update_is_queued(string v)
    {
        await UseTc2Company();
        var deal = await ExistingDeal();
        await Save(new Stage { PdStageId = 52, Name = "Demo booked" });
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("stage_id", 52))));
        Assert.Equal([Tc2Update(_company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated__Cligency_doesnt_exist_in_TC2__nothing_sent_to_TC2(string v)
    {
        var deal = await ExistingDeal();
        await Save(new Stage { PdStageId = 52, Name = "Demo booked" });
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("stage_id", 52))));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_updated_with_nothing_TC2_shows__the_TC2_update_is_queued_all_the_same(string v)
    {
        // The job compares with TC2's copy, so a TC2 left behind is repaired by the next deal event (PipedriveToTc2Tests).
        await UseTc2Company();
        var deal = await ExistingDeal();
        var before = PdDeal(title: "Old test deal", hermesId: deal.Id);
        await PostOk(Update(v, "deal", before, With(before, ("title", "Renamed deal"))));
        Assert.Equal(["Renamed deal"], (await All(db => db.Deals)).Select(d => d.Name));
        Assert.Equal([Tc2Update(_company.Id)], await PendingJobs());
    }

    // ── PDDeal deleted ──

    async Task<(Deal Deal, Meeting Meeting)> DealWithMeeting()
    {
        var deal = await ExistingDeal("Test deal");
        var meeting = await Save(new Meeting { AdminId = Owner.Id, ContactId = _contact.Id, DealId = deal.Id, Created = Now, MeetingType = Meeting.TypeSales });
        return (deal, meeting);
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__Deal_exists__deleted(string v)
    {
        var (deal, _) = await DealWithMeeting();
        await PostOk(Delete(v, "deal", PdDeal(title: "Test deal", hermesId: deal.Id)));
        Assert.Empty(await All(db => db.Deals));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__Deal_doesnt_exist__nothing_happens(string v)
    {
        var other = await ExistingDeal("Other deal", pdDealId: 41);
        await PostOk(Delete(v, "deal", PdDeal(id: 40)));
        Assert.Equal([other.Id], (await All(db => db.Deals)).Select(d => d.Id));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__the_linked_Company_is_not_affected(string v)
    {
        var (deal, _) = await DealWithMeeting();
        await PostOk(Delete(v, "deal", PdDeal(hermesId: deal.Id)));
        Assert.Equal([(_company.Id, "Test company", (int?)20)], (await All(db => db.Companies)).Select(c => (c.Id, c.Name, c.PdOrgId)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__the_linked_Contact_is_not_affected(string v)
    {
        var (deal, _) = await DealWithMeeting();
        await PostOk(Delete(v, "deal", PdDeal(hermesId: deal.Id)));
        Assert.Equal([(_contact.Id, "Blessed", _company.Id)], (await All(db => db.Contacts)).Select(c => (c.Id, c.LastName, c.CompanyId)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__the_linked_Meeting_is_not_affected(string v)
    {
        var (deal, meeting) = await DealWithMeeting();
        await PostOk(Delete(v, "deal", PdDeal(hermesId: deal.Id)));
        // The meeting stays; only its link to the deleted deal is gone.
        Assert.Equal([(meeting.Id, _contact.Id, (int?)null)], (await All(db => db.Meetings)).Select(m => (m.Id, m.ContactId, m.DealId)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__Cligency_exists_in_TC2__the_TC2_update_is_queued(string v)
    {
        await UseTc2Company();
        var (deal, _) = await DealWithMeeting();
        await PostOk(Delete(v, "deal", PdDeal(hermesId: deal.Id)));
        // The company has no open deal left, which the TC2 update sends as nulls (PipedriveToTc2Tests runs it).
        Assert.Equal([Tc2Update(_company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task PDDeal_deleted__Cligency_doesnt_exist_in_TC2__nothing_sent_to_TC2(string v)
    {
        var (deal, _) = await DealWithMeeting();
        await PostOk(Delete(v, "deal", PdDeal(hermesId: deal.Id)));
        Assert.Empty(await PendingJobs());
    }
}

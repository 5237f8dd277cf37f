using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// Merges in Pipedrive (checklist TODO "Deal with merging Orgs/Persons"): v1 sends <c>merged</c> for the survivor and
/// <c>deleted</c> for the absorbed object; v2 a <c>delete</c> with <c>merged_to_id</c> and a <c>change</c> with
/// <c>merged_from_id</c>; the survivor's hermes_id text field holds both ids ("12, 34"). Whatever arrives first, the row
/// matching the surviving Pipedrive object keeps the children and a clean hermes_id is written back.
/// </summary>
public class MergeWebhookTests : PipedriveWebhookTest
{
    async Task<(Company Survivor, Company Loser)> TwoCompanies()
    {
        var survivor = await NewCompany("Survivor Ltd", pdOrgId: 20);
        var loser = await NewCompany("Loser Ltd", pdOrgId: 21);
        var survivorContact = await NewContact(survivor, "Sam", "Survivor", pdPersonId: 30);
        var loserContact = await NewContact(loser, "Lou", "Loser", pdPersonId: 31);
        var loserDeal = await Save(new Deal { Name = "Loser deal", PdDealId = 41, AdminId = Owner.Id, CompanyId = loser.Id, ContactId = loserContact.Id });
        await Save(new Meeting { AdminId = Owner.Id, ContactId = loserContact.Id, DealId = loserDeal.Id, Created = Now, MeetingType = Meeting.TypeSales });
        await Save(new Meeting { AdminId = Owner.Id, ContactId = survivorContact.Id, Created = Now, MeetingType = Meeting.TypeSales });
        return (survivor, loser);
    }

    async Task AssertMergedInto(Company survivor, Company loser)
    {
        Assert.Equal([(survivor.Id, "Survivor Ltd", (int?)20)], (await All(db => db.Companies)).Select(c => (c.Id, c.Name, c.PdOrgId)));
        Assert.Equal([("Survivor", survivor.Id), ("Loser", survivor.Id)], (await All(db => db.Contacts.OrderBy(c => c.Id))).Select(c => (c.LastName!, c.CompanyId)));
        Assert.Equal([("Loser deal", survivor.Id)], (await All(db => db.Deals)).Select(d => (d.Name!, d.CompanyId)));
        Assert.Equal(2, (await All(db => db.Meetings)).Count);
        Assert.Equal([("pipedrive.write_hermes_id", $$"""{"objectType":"Company","hermesId":{{survivor.Id}},"companyId":{{survivor.Id}}}""", (string?)$"company:{survivor.Id}")],
            (await PendingJobs()).Distinct());
        var state = Assert.Single(await All(db => db.PipedriveObjects.Where(o => o.DeletedAt != null)));
        Assert.Equal(("organization", 21, (PipedriveDeletion?)PipedriveDeletion.Merged, (int?)20), (state.Entity, state.PdId, state.DeletedReason, state.MergedIntoPdId));
    }

    static Dictionary<string, object?> SurvivorOrg(Company survivor, Company loser) =>
        With(Org(id: 20, name: "Survivor Ltd"), (OrgHermesId, $"{survivor.Id}, {loser.Id}"));

    [Fact]
    public async Task Org_merge_v2__delete_with_merged_to_id_then_change_with_merged_from_id()
    {
        var (survivor, loser) = await TwoCompanies();
        await PostOk(Delete(V2, "organization", Org(id: 21, name: "Loser Ltd", hermesId: loser.Id), mergedToId: 20));
        var before = Org(id: 20, name: "Survivor Ltd", hermesId: survivor.Id);
        await PostOk(Update(V2, "organization", before, SurvivorOrg(survivor, loser), mergedFromId: 21));
        await AssertMergedInto(survivor, loser);
    }

    [Fact]
    public async Task Org_merge_v2__change_with_merged_from_id_then_delete_with_merged_to_id()
    {
        var (survivor, loser) = await TwoCompanies();
        var before = Org(id: 20, name: "Survivor Ltd", hermesId: survivor.Id);
        await PostOk(Update(V2, "organization", before, SurvivorOrg(survivor, loser), mergedFromId: 21));
        await PostOk(Delete(V2, "organization", Org(id: 21, name: "Loser Ltd", hermesId: loser.Id), mergedToId: 20));
        await AssertMergedInto(survivor, loser);
    }

    [Fact]
    public async Task Org_merge_v1__merged_for_the_survivor_then_deleted_for_the_absorbed()
    {
        var (survivor, loser) = await TwoCompanies();
        var before = Org(id: 20, name: "Survivor Ltd", hermesId: survivor.Id);
        await PostOk(Update(V1, "organization", before, SurvivorOrg(survivor, loser), mergedFromId: 21));
        await PostOk(Delete(V1, "organization", Org(id: 21, name: "Loser Ltd", hermesId: loser.Id)));
        await AssertMergedInto(survivor, loser);
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_merge_by_hermes_id_alone__the_row_matching_the_surviving_Pipedrive_id_wins_whatever_order_the_ids_are_in(string v)
    {
        var (survivor, loser) = await TwoCompanies();
        // The loser's id comes first in the merged text field; the Pipedrive id decides.
        var current = With(Org(id: 20, name: "Survivor Ltd"), (OrgHermesId, $"{loser.Id}, {survivor.Id}"));
        await PostOk(Update(v, "organization", Org(id: 20, name: "Survivor Ltd", hermesId: survivor.Id), current));
        await AssertMergedInto(survivor, loser);
    }

    [Fact]
    public async Task Org_merge_v2__absorbed_org_known_to_Hermes_but_not_the_survivor__the_company_follows_the_survivor()
    {
        var loser = await NewCompany("Loser Ltd", pdOrgId: 21);
        await PostOk(Delete(V2, "organization", Org(id: 21, name: "Loser Ltd", hermesId: loser.Id), mergedToId: 20));
        Assert.Equal([(loser.Id, (int?)20)], (await All(db => db.Companies)).Select(c => (c.Id, c.PdOrgId)));
        Assert.Equal(["pipedrive.write_hermes_id"], (await PendingJobs()).Select(j => j.Kind));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_merge__meetings_and_deals_move_to_the_surviving_contact(string v)
    {
        var company = await NewCompany();
        var survivor = await NewContact(company, "Sam", "Survivor", pdPersonId: 30);
        var loser = await NewContact(company, "Lou", "Loser", pdPersonId: 31);
        var deal = await Save(new Deal { Name = "Deal", AdminId = Owner.Id, CompanyId = company.Id, ContactId = loser.Id });
        var meeting = await Save(new Meeting { AdminId = Owner.Id, ContactId = loser.Id, Created = Now, MeetingType = Meeting.TypeSales });

        var current = With(Person(id: 30, name: "Sam Survivor"), (PersonHermesId, $"{survivor.Id}, {loser.Id}"));
        if (v == V2) await PostOk(Delete(V2, "person", Person(id: 31, name: "Lou Loser", hermesId: loser.Id), mergedToId: 30));
        await PostOk(Update(v, "person", Person(id: 30, name: "Sam Survivor", hermesId: survivor.Id), current, mergedFromId: 31));
        if (v == V1) await PostOk(Delete(V1, "person", Person(id: 31, name: "Lou Loser", hermesId: loser.Id)));

        Assert.Equal([survivor.Id], (await All(db => db.Contacts)).Select(c => c.Id));
        Assert.Equal([(deal.Id, (int?)survivor.Id)], (await All(db => db.Deals)).Select(d => (d.Id, d.ContactId)));
        Assert.Equal([(meeting.Id, survivor.Id)], (await All(db => db.Meetings)).Select(m => (m.Id, m.ContactId)));
        Assert.Equal([("pipedrive.write_hermes_id", $$"""{"objectType":"Contact","hermesId":{{survivor.Id}},"companyId":{{company.Id}}}""")],
            (await PendingJobs()).Select(j => (j.Kind, j.Payload)).Distinct());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Deal_merge__meetings_move_to_the_surviving_deal(string v)
    {
        var company = await NewCompany();
        var contact = await NewContact(company);
        var survivor = await Save(new Deal { Name = "Survivor deal", PdDealId = 40, AdminId = Owner.Id, CompanyId = company.Id });
        var loser = await Save(new Deal { Name = "Loser deal", PdDealId = 41, AdminId = Owner.Id, CompanyId = company.Id });
        var meeting = await Save(new Meeting { AdminId = Owner.Id, ContactId = contact.Id, DealId = loser.Id, Created = Now, MeetingType = Meeting.TypeSales });

        var previous = PdDeal(id: 40, title: "Survivor deal", personId: null, stageId: null, pipelineId: null, hermesId: survivor.Id);
        var current = With(previous, (DealHermesId, $"{survivor.Id}, {loser.Id}"));
        if (v == V2) await PostOk(Delete(V2, "deal", PdDeal(id: 41, title: "Loser deal", hermesId: loser.Id), mergedToId: 40));
        await PostOk(Update(v, "deal", previous, current, mergedFromId: 41));
        if (v == V1) await PostOk(Delete(V1, "deal", PdDeal(id: 41, title: "Loser deal", hermesId: loser.Id)));

        Assert.Equal([(survivor.Id, "Survivor deal")], (await All(db => db.Deals)).Select(d => (d.Id, d.Name!)));
        Assert.Equal([(meeting.Id, (int?)survivor.Id)], (await All(db => db.Meetings)).Select(m => (m.Id, m.DealId)));
        Assert.Equal(["pipedrive.write_hermes_id"], (await PendingJobs()).Select(j => j.Kind).Distinct());
    }
}

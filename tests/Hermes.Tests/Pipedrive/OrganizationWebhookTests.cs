using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>The checklist's "Org created / updated / deleted" lines (seed/workflows.md), each for webhooks v1 and v2.</summary>
public class OrganizationWebhookTests : PipedriveWebhookTest
{
    static (int, string, int?, int, int?) Row(Company c) => (c.Id, c.Name, c.PdOrgId, c.SalesPersonId, c.Tc2CligencyId);

    // ── Org created ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Company_exists__updated_with_pd_org_id_and_other_details(string v)
    {
        var company = await NewCompany("Julies Ltd", pdOrgId: null, salesPersonId: OtherAdmin.Id);

        await PostOk(Create(v, "organization", Org(name: "Test company", hermesId: company.Id)));

        Assert.Equal([(company.Id, "Test company", (int?)20, Owner.Id, (int?)null)], (await All(db => db.Companies)).Select(Row));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Company_doesnt_exist__created_with_the_owner_as_sales_person(string v)
    {
        await PostOk(Create(v, "organization", Org()));

        var company = Assert.Single(await All(db => db.Companies));
        Assert.Equal(("Test company", (int?)20, Owner.Id, (int?)null, Company.StatusPendingEmailConf, Company.PlanPayg, Now),
            (company.Name, company.PdOrgId, company.SalesPersonId, company.Tc2CligencyId, company.Tc2Status, company.PricePlan, company.Created));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Cligency_exists_in_TC2__the_TC2_update_is_queued(string v)
    {
        var company = await NewCompany("Julies Ltd", pdOrgId: null, tc2CligencyId: 401);

        await PostOk(Create(v, "organization", Org(hermesId: company.Id)));

        Assert.Equal([(company.Id, "Test company", (int?)20, Owner.Id, (int?)401)], (await All(db => db.Companies)).Select(Row));
        Assert.Equal([Tc2Update(company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Cligency_doesnt_exist_in_TC2__nothing_sent_to_TC2(string v)
    {
        var company = await NewCompany("Julies Ltd", pdOrgId: null);

        await PostOk(Create(v, "organization", Org(hermesId: company.Id)));

        Assert.Equal([(company.Id, "Test company", (int?)20, Owner.Id, (int?)null)], (await All(db => db.Companies)).Select(Row));
        Assert.Empty(await PendingJobs());
    }

    // ── Org updated ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__Company_exists__updated_with_pd_org_id_and_other_details(string v)
    {
        var company = await NewCompany("Old test company", pdOrgId: 20, salesPersonId: Owner.Id);
        var before = Org(name: "Old test company", owner: 10, hermesId: company.Id);

        await PostOk(Update(v, "organization", before, With(before, ("name", "New test company"), ("owner_id", 99))));

        Assert.Equal([(company.Id, "New test company", (int?)20, OtherAdmin.Id, (int?)null)], (await All(db => db.Companies)).Select(Row));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__Company_doesnt_exist__created_with_the_owner_as_sales_person(string v)
    {
        var before = Org(name: "Test company");

        await PostOk(Update(v, "organization", before, With(before, ("name", "New test company"))));

        var company = Assert.Single(await All(db => db.Companies));
        Assert.Equal(("New test company", (int?)20, Owner.Id), (company.Name, company.PdOrgId, company.SalesPersonId));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__Cligency_exists_in_TC2__the_TC2_update_is_queued(string v)
    {
        var company = await NewCompany("Old test company", pdOrgId: 20, tc2CligencyId: 401);
        var before = Org(name: "Old test company", owner: 10, hermesId: company.Id);

        // A new owner is something TC2 shows (the client's sales person), so TC2 is told.
        await PostOk(Update(v, "organization", before, With(before, ("owner_id", 99))));

        Assert.Equal([(company.Id, "Old test company", (int?)20, OtherAdmin.Id, (int?)401)], (await All(db => db.Companies)).Select(Row));
        Assert.Equal([Tc2Update(company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__Cligency_doesnt_exist_in_TC2__nothing_sent_to_TC2(string v)
    {
        var company = await NewCompany("Old test company", pdOrgId: 20);
        var before = Org(name: "Old test company", hermesId: company.Id);

        await PostOk(Update(v, "organization", before, With(before, ("owner_id", 99))));

        Assert.Equal([(company.Id, "Old test company", (int?)20, OtherAdmin.Id, (int?)null)], (await All(db => db.Companies)).Select(Row));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated_with_nothing_TC2_shows__the_TC2_update_is_queued_all_the_same(string v)
    {
        var company = await NewCompany("Old test company", pdOrgId: 20, tc2CligencyId: 401);
        var before = Org(name: "Old test company", hermesId: company.Id);

        await PostOk(Update(v, "organization", before, With(before, ("name", "Renamed in Pipedrive"))));

        // The job reads TC2's client and writes only what it lacks (the repair case: PipedriveToTc2Tests).
        Assert.Equal([(company.Id, "Renamed in Pipedrive", (int?)20, Owner.Id, (int?)401)], (await All(db => db.Companies)).Select(Row));
        Assert.Equal([Tc2Update(company.Id)], await PendingJobs());
    }

    // ── Org deleted ──

    async Task<(Company Company, Contact Contact, Deal Deal, Meeting Meeting)> CompanyWithChildren(int? tc2CligencyId = null)
    {
        var company = await NewCompany("Doomed Ltd", pdOrgId: 20, tc2CligencyId: tc2CligencyId);
        var contact = await NewContact(company);
        var deal = await Save(new Deal { Name = "Doomed deal", AdminId = Owner.Id, CompanyId = company.Id, ContactId = contact.Id, PdDealId = 40 });
        var meeting = await Save(new Meeting { AdminId = Owner.Id, ContactId = contact.Id, DealId = deal.Id, Created = Now, StartTime = Now.AddDays(1), MeetingType = Meeting.TypeSales });
        return (company, contact, deal, meeting);
    }

    async Task<(int Companies, int Contacts, int Deals, int Meetings)> Counts() =>
        ((await All(db => db.Companies)).Count, (await All(db => db.Contacts)).Count, (await All(db => db.Deals)).Count, (await All(db => db.Meetings)).Count);

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__Company_exists__deleted(string v)
    {
        var (company, _, _, _) = await CompanyWithChildren();
        await PostOk(Delete(v, "organization", Org(name: "Doomed Ltd", hermesId: company.Id)));
        Assert.Empty(await All(db => db.Companies));
        var state = Assert.Single(await All(db => db.PipedriveObjects));
        Assert.Equal(("organization", 20, (PipedriveDeletion?)PipedriveDeletion.Webhook, (DateTime?)Now, "Doomed Ltd"), (state.Entity, state.PdId, state.DeletedReason, state.DeletedAt, state.CompanyName));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__Company_doesnt_exist__nothing_happens(string v)
    {
        var other = await NewCompany("Unrelated Ltd", pdOrgId: 21);
        await PostOk(Delete(v, "organization", Org(id: 20)));
        Assert.Equal([(other.Id, "Unrelated Ltd", (int?)21, Owner.Id, (int?)null)], (await All(db => db.Companies)).Select(Row));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__its_Contacts_are_deleted(string v)
    {
        var (company, _, _, _) = await CompanyWithChildren();
        var survivor = await NewContact(await NewCompany("Other Ltd", pdOrgId: 21), "Other", "Person", pdPersonId: 31);
        await PostOk(Delete(v, "organization", Org(hermesId: company.Id)));
        Assert.Equal([survivor.Id], (await All(db => db.Contacts)).Select(c => c.Id));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__its_Deals_are_deleted(string v)
    {
        var (company, _, _, _) = await CompanyWithChildren();
        await PostOk(Delete(v, "organization", Org(hermesId: company.Id)));
        Assert.Equal((0, 0, 0, 0), await Counts());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__the_Meetings_of_its_Contacts_are_deleted(string v)
    {
        var (company, contact, _, _) = await CompanyWithChildren();
        // A second meeting without a deal: it goes with its contact too.
        await Save(new Meeting { AdminId = Owner.Id, ContactId = contact.Id, Created = Now, MeetingType = Meeting.TypeSupport });
        await PostOk(Delete(v, "organization", Org(hermesId: company.Id)));
        Assert.Empty(await All(db => db.Meetings));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__Cligency_exists_in_TC2__TC2_is_left_alone(string v)
    {
        var (company, _, _, _) = await CompanyWithChildren(tc2CligencyId: 401);
        await PostOk(Delete(v, "organization", Org(hermesId: company.Id)));
        Assert.Equal((0, 0, 0, 0), await Counts());
        Assert.Empty(await PendingJobs());
        // Remembered by cligency id, so a later TC2 event does not recreate the organization in Pipedrive.
        Assert.Equal((int?)401, Assert.Single(await All(db => db.PipedriveObjects)).Tc2CligencyId);
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_deleted__Cligency_doesnt_exist_in_TC2__TC2_is_left_alone(string v)
    {
        var (company, _, _, _) = await CompanyWithChildren();
        await PostOk(Delete(v, "organization", Org(hermesId: company.Id)));
        Assert.Empty(await PendingJobs());
        Assert.Equal((int?)null, Assert.Single(await All(db => db.PipedriveObjects)).Tc2CligencyId);
    }
}

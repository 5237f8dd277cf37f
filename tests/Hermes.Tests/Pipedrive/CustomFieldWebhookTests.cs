using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>Custom fields on Pipedrive webhooks (behaviour.md §7): read from the customfield table for each event, owned fields only.</summary>
public class CustomFieldWebhookTests : PipedriveWebhookTest
{
    const string SourceKey = "b1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    const string NewSourceKey = "c1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    const string WebsiteKey = "d1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    const string QuestionnaireKey = "e1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    const string SupportKey = "f1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    const string DealSourceKey = "a9b2c3d4e5f60718293a4b5c6d7e8f9012345678";

    Task<CustomField> Field(string name, string machine, string type, string key, string objectType = "Company", string? column = null, string? tc2 = null) =>
        Save(new CustomField { Name = name, MachineName = machine, FieldType = type, PdFieldId = key, LinkedObjectType = objectType, HermesFieldName = column, Tc2MachineName = tc2 });

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Editing_a_custom_field_takes_effect_for_the_next_webhook_without_a_restart(string v)
    {
        var source = await Field("Source", "source", CustomField.TypeStr, SourceKey);
        var company = await NewCompany();
        var before = Org(hermesId: company.Id);
        await PostOk(Update(v, "organization", With(before, (SourceKey, null)), With(before, (SourceKey, "Google"))));
        Assert.Equal([(source.Id, (int?)company.Id, "Google")], (await All(db => db.CustomFieldValues)).Select(c => (c.CustomFieldId, c.CompanyId, c.Value)));

        // Staff point the field at a new Pipedrive key in the admin UI; the very next webhook uses it.
        await using (var db = Hermes.Db())
        {
            db.Attach(source);
            source.PdFieldId = NewSourceKey;
            await db.SaveChangesAsync();
        }
        await PostOk(Update(v, "organization", With(before, (NewSourceKey, "Google")), With(before, (NewSourceKey, "Bing"))));
        Assert.Equal([(source.Id, (int?)company.Id, "Bing")], (await All(db => db.CustomFieldValues)).Select(c => (c.CustomFieldId, c.CompanyId, c.Value)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task A_custom_field_kept_in_a_company_column_is_written_to_that_column(string v)
    {
        await Field("Website", "website", CustomField.TypeStr, WebsiteKey, column: "website", tc2: "website");
        await PostOk(Create(v, "organization", With(Org(), (WebsiteKey, "https://junes.com"))));
        Assert.Equal([("Test company", "https://junes.com")], (await All(db => db.Companies)).Select(c => (c.Name, c.Website)));
        Assert.Empty(await All(db => db.CustomFieldValues));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task A_Pipedrive_edit_of_the_signup_questionnaire_is_not_taken(string v)
    {
        await Field("Signup Questionnaire", "signup_questionnaire", CustomField.TypeStr, QuestionnaireKey, column: "signup_questionnaire", tc2: "signup_questionnaire");
        var company = await Save(new Company { Name = "Old test company", PdOrgId = 20, SalesPersonId = Owner.Id, Created = Now, SignupQuestionnaire = """{"question1": "answer1"}""" });
        var before = With(Org(name: "Old test company", hermesId: company.Id), (QuestionnaireKey, """{"question1": "answer1"}"""));
        await PostOk(Update(v, "organization", before, With(before, ("name", "New test company"), (QuestionnaireKey, """{"question1": "edited"}"""))));
        Assert.Equal([("New test company", (string?)"""{"question1": "answer1"}""")], (await All(db => db.Companies)).Select(c => (c.Name, c.SignupQuestionnaire)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task A_Pipedrive_edit_of_a_deal_field_inherited_from_its_company_is_not_taken(string v)
    {
        await Field("Source", "source", CustomField.TypeStr, SourceKey);
        await Field("Source", "source", CustomField.TypeStr, DealSourceKey, objectType: "Deal");
        var company = await NewCompany();
        var deal = await Save(new Deal { Name = "Deal 1", PdDealId = 40, AdminId = Owner.Id, CompanyId = company.Id });
        var before = With(PdDeal(personId: null, stageId: null, pipelineId: null, hermesId: deal.Id), (DealSourceKey, "google"));
        await PostOk(Update(v, "deal", before, With(before, (DealSourceKey, "edited in pipedrive"))));
        Assert.Empty(await All(db => db.CustomFieldValues));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Every_organization_change_queues_the_TC2_update__whether_or_not_it_is_a_field_TC2_shows(string v)
    {
        // The job compares with TC2's own copy (SyncJobTests, PipedriveToTc2Tests): it writes only what TC2 lacks.
        await Field("Source", "source", CustomField.TypeStr, SourceKey, tc2: "source");
        await Field("Internal note", "internal_note", CustomField.TypeStr, NewSourceKey);
        var company = await NewCompany(tc2CligencyId: 401);
        var before = Org(hermesId: company.Id);

        await PostOk(Update(v, "organization", With(before, (NewSourceKey, null)), With(before, (NewSourceKey, "not for TC2"))));
        Assert.Equal([Tc2Update(company.Id)], await PendingJobs());

        await PostOk(Update(v, "organization", With(before, (SourceKey, null)), With(before, (SourceKey, "Google"))));
        Assert.Equal([Tc2Update(company.Id), Tc2Update(company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task An_admin_custom_field_sets_the_admin_by_Hermes_id_and_an_unknown_admin_is_left_as_it_was(string v)
    {
        await Field("Support Person ID", "support_person_id", CustomField.TypeFk, SupportKey, column: "support_person");
        var company = await NewCompany();
        var before = Org(hermesId: company.Id);

        await PostOk(Update(v, "organization", With(before, (SupportKey, null)), With(before, (SupportKey, OtherAdmin.Id))));
        Assert.Equal([(int?)OtherAdmin.Id], (await All(db => db.Companies)).Select(c => c.SupportPersonId));

        await PostOk(Update(v, "organization", With(before, (SupportKey, OtherAdmin.Id)), With(before, (SupportKey, 4000))));
        Assert.Equal([(int?)OtherAdmin.Id], (await All(db => db.Companies)).Select(c => c.SupportPersonId));
    }
}

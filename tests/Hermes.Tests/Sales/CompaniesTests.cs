using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.Sales;

public class CompaniesTests
{
    static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Companies_by_id_answers_every_company_column_with_its_admins_contacts_deals_and_values_but_never_a_password()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(new Admin
        {
            LastName = "1", Username = "admin_1@example.com", Tc2AdminId = 10, IsSupportPerson = true,
            Password = "pbkdf2_sha256$600000$salt$hash-that-must-not-leak",
        });
        var (_, payg, _, _) = await hermes.SeedConfigAsync();
        var created = hermes.Clock.GetUtcNow().UtcDateTime;
        var company = await hermes.Add(new Company
        {
            Name = "Junes Ltd", Website = "https://junes.com", Country = "GB", Created = created, SalesPersonId = admin.Id,
            SignupQuestionnaire = """{"how-did-you-hear-about-us": "Blog", "students": 45}""",
        });
        var contact = await hermes.Add(new Contact { CompanyId = company.Id, FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Created = created });
        var deal = await hermes.Add(new Deal { CompanyId = company.Id, AdminId = admin.Id, Name = "Junes Ltd", PipelineId = payg.Id, StageId = payg.DftEntryStageId, ContactId = contact.Id });
        var field = await hermes.Add(new CustomField { Name = "Source", MachineName = "source", FieldType = "str", LinkedObjectType = "Company" });
        var value = await hermes.Add(new CustomFieldValue { CustomFieldId = field.Id, CompanyId = company.Id, Value = "google" });
        await hermes.Add(new Company { Name = "Another Ltd", Created = created, SalesPersonId = admin.Id });

        var adminJson = $$"""
            {"id":{{admin.Id}},"username":"admin_1@example.com","tc2_admin_id":10,"pd_owner_id":null,"first_name":"","last_name":"1",
             "timezone":"Europe/London","is_sales_person":false,"is_support_person":true,"is_bdr_person":false,"sells_payg":false,
             "sells_startup":false,"sells_enterprise":false,"sells_us":false,"sells_gb":false,"sells_au":false,"sells_ca":false,
             "sells_eu":false,"sells_row":false,"password":null}
            """;
        await AssertJson(await hermes.Http.GetAsync($"/companies/?id={company.Id}"), HttpStatusCode.OK, $$"""
            [{"id":{{company.Id}},"name":"Junes Ltd","tc2_agency_id":null,"tc2_cligency_id":null,"tc2_status":"pending_email_conf",
              "pd_org_id":null,"created":"{{Stamp(created)}}","price_plan":"payg","country":"GB","website":"https://junes.com",
              "paid_invoice_count":0,"estimated_income":null,"currency":null,"has_booked_call":false,"has_signed_up":false,
              "utm_campaign":null,"utm_source":null,"narc":false,"signup_questionnaire":{"how-did-you-hear-about-us":"Blog","students":45},
              "sales_person_id":{{admin.Id}},"support_person_id":null,"bdr_person_id":null,
              "sales_person":{{adminJson}},"support_person":null,"bdr_person":null,
              "contacts":[{"id":{{contact.Id}},"tc2_sr_id":null,"pd_person_id":null,"created":"{{Stamp(created)}}","first_name":"Brain",
                           "last_name":"Junes","email":"brain@junes.com","phone":null,"country":null,"company_id":{{company.Id}}}],
              "deals":[{"id":{{deal.Id}},"pd_deal_id":null,"name":"Junes Ltd","status":"open","admin_id":{{admin.Id}},"company_id":{{company.Id}},
                        "contact_id":{{contact.Id}},"pipeline_id":{{payg.Id}},"stage_id":{{payg.DftEntryStageId}}}],
              "custom_field_values":[{"id":{{value.Id}},"custom_field_id":{{field.Id}},"value":"google"}]}]
            """);
    }

    [Fact]
    public async Task Companies_filters_on_several_columns_exactly_and_answers_at_most_ten_ordered_by_name()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(new Admin { Username = "sales@example.com", IsSalesPerson = true });
        var now = hermes.Clock.GetUtcNow().UtcDateTime;
        foreach (var n in Enumerable.Range(1, 12).Reverse())
            await hermes.Add(new Company { Name = $"Agency {n:D2}", Country = "GB", Tc2AgencyId = 100 + n, Created = now, SalesPersonId = admin.Id, HasBookedCall = n % 2 == 0 });
        await hermes.Add(new Company { Name = "Agency 00", Country = "US", Created = now, SalesPersonId = admin.Id });

        var byCountry = JsonNode.Parse(await hermes.Http.GetStringAsync("/companies/?country=GB"))!.AsArray();
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"Agency {n:D2}"), byCountry.Select(c => c!["name"]!.GetValue<string>()));

        var booked = JsonNode.Parse(await hermes.Http.GetStringAsync($"/companies/?country=GB&has_booked_call=true&sales_person_id={admin.Id}"))!.AsArray();
        Assert.Equal(["Agency 02", "Agency 04", "Agency 06", "Agency 08", "Agency 10", "Agency 12"], booked.Select(c => c!["name"]!.GetValue<string>()));

        var byAgency = JsonNode.Parse(await hermes.Http.GetStringAsync("/companies/?tc2_agency_id=107"))!.AsArray();
        Assert.Equal([("Agency 07", 107)], byAgency.Select(c => (c!["name"]!.GetValue<string>(), c["tc2_agency_id"]!.GetValue<int>())));

        await AssertJson(await hermes.Http.GetAsync("/companies/?name=agency%2001"), HttpStatusCode.OK, "[]"); // exact, case included
    }

    [Fact]
    public async Task Companies_without_a_filter_with_an_unknown_key_or_a_bad_value_is_a_422()
    {
        await using var hermes = await HermesInstance.StartAsync();
        await AssertJson(await hermes.Http.GetAsync("/companies/"), HttpStatusCode.UnprocessableEntity, """{"detail":"Must provide at least one param"}""");
        await AssertJson(await hermes.Http.GetAsync("/companies/?colour=red&id=seven&signup_questionnaire=x"), HttpStatusCode.UnprocessableEntity, """
            {"detail":[
              {"type":"value_error","loc":["query","colour"],"msg":"Value error, colour is not a column of the company table","input":"red","ctx":{"error":{}}},
              {"type":"value_error","loc":["query","id"],"msg":"Value error, seven is not a valid value for id","input":"seven","ctx":{"error":{}}},
              {"type":"value_error","loc":["query","signup_questionnaire"],"msg":"Value error, signup_questionnaire can't be filtered on","input":"x","ctx":{"error":{}}}]}
            """);
        // The admin's password column is not a company column either.
        await AssertJson(await hermes.Http.GetAsync("/companies/?sales_person__password=x"), HttpStatusCode.UnprocessableEntity, """
            {"detail":[{"type":"value_error","loc":["query","sales_person__password"],"msg":"Value error, sales_person__password is not a column of the company table","input":"x","ctx":{"error":{}}}]}
            """);
    }
}

using System.Text.Json.Nodes;
using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// The checklist's TODOs at lines 16 and 49 ("currently a new Company/Contact will always be created"): an organization
/// or person made by hand in Pipedrive, without Hermes's hermes_id, is linked to the company or contact Hermes already
/// has when exactly one matches (behaviour.md §2); several candidates link nothing, create nothing and are logged; a
/// row already linked to another Pipedrive object is never taken. Each for webhooks v1 and v2.
/// </summary>
public class HandMadeInPipedriveTests : PipedriveWebhookTest
{
    const string CligencyUrlKey = "c100000000000000000000000000000000000001";
    const string CligencyIdKey = "c200000000000000000000000000000000000002";

    static (int, string, int?, int, int?) Row(Company c) => (c.Id, c.Name, c.PdOrgId, c.SalesPersonId, c.Tc2CligencyId);
    static (int, int, string?, string?, string?, int?) Row(Contact c) => (c.Id, c.CompanyId, c.LastName, c.Email, c.Phone, c.PdPersonId);

    /// <summary>The organization fields hermes_v2 configured for the TC2 client: its URL (computed) and, here, its id.</summary>
    async Task ClientFields()
    {
        await Save(new CustomField { Name = "TC2 URL", MachineName = "tc2_cligency_url", FieldType = CustomField.TypeStr, HermesFieldName = "tc2_cligency_url", PdFieldId = CligencyUrlKey, LinkedObjectType = "Company" });
        await Save(new CustomField { Name = "TC2 ID", MachineName = "tc2_cligency_id", FieldType = CustomField.TypeInt, HermesFieldName = "tc2_cligency_id", PdFieldId = CligencyIdKey, LinkedObjectType = "Company" });
    }

    async Task<(string Outcome, string? Text)> Logged() => (await All(db => db.WebhookLogs.OrderByDescending(w => w.Id))).Select(w => (w.Outcome, w.Error)).First();

    static (string, string, string?) HermesIdWrite(string type, int id, int companyId) =>
        ("pipedrive.write_hermes_id", $$"""{"objectType":"{{type}}","hermesId":{{id}},"companyId":{{companyId}}}""", $"company:{companyId}");

    // ── Organizations ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Company_exists__matched_by_the_TC2_client_URL_custom_field__linked_and_TC2_told(string v)
    {
        await ClientFields();
        var other = await NewCompany("Other Ltd", pdOrgId: null, tc2CligencyId: 400);
        var company = await NewCompany("Julies Ltd", pdOrgId: null, tc2CligencyId: 401);

        // The URL as hermes_v2 wrote it, on another host than Hermes's TC2_BASE_URL: the client id is what counts.
        await PostOk(Create(v, "organization", With(Org(name: "Julies Tutoring"), (CligencyUrlKey, "https://secure.tutorcruncher.com/clients/401/"))));

        Assert.Equal([(other.Id, "Other Ltd", (int?)null, Owner.Id, (int?)400), (company.Id, "Julies Tutoring", (int?)20, Owner.Id, (int?)401)],
            (await All(db => db.Companies.OrderBy(c => c.Id))).Select(Row));
        Assert.Equal(("processed", $"company {company.Id} linked to organization 20 (matched by TC2 client)"), await Logged());
        Assert.Equal([HermesIdWrite("Company", company.Id, company.Id), Tc2Update(company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_updated__Company_exists__matched_by_the_TC2_client_id_custom_field__linked(string v)
    {
        await ClientFields();
        var company = await NewCompany("Julies Ltd", pdOrgId: null, tc2CligencyId: 401);
        var before = With(Org(name: "Julies Ltd"), (CligencyIdKey, null));

        await PostOk(Update(v, "organization", before, With(before, (CligencyIdKey, 401))));

        Assert.Equal([(company.Id, "Julies Ltd", (int?)20, Owner.Id, (int?)401)], (await All(db => db.Companies)).Select(Row));
        Assert.Equal(("processed", $"company {company.Id} linked to organization 20 (matched by TC2 client)"), await Logged());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__Company_exists__matched_by_name_trimmed_and_case_insensitive__linked(string v)
    {
        var linkedElsewhere = await NewCompany("Julies Ltd", pdOrgId: 21);
        var company = await NewCompany(" julies ltd ", pdOrgId: null, salesPersonId: OtherAdmin.Id);

        await PostOk(Create(v, "organization", Org(name: "JULIES LTD")));

        // The one without an organization is taken (the other is organization 21's); Pipedrive's name and owner win.
        Assert.Equal([(linkedElsewhere.Id, "Julies Ltd", (int?)21, Owner.Id, (int?)null), (company.Id, "JULIES LTD", (int?)20, Owner.Id, (int?)null)],
            (await All(db => db.Companies.OrderBy(c => c.Id))).Select(Row));
        Assert.Equal(("processed", $"company {company.Id} linked to organization 20 (matched by name)"), await Logged());
        Assert.Equal([HermesIdWrite("Company", company.Id, company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__several_Companies_match_by_name__nothing_linked_or_created_and_the_webhook_log_says_why(string v)
    {
        var first = await NewCompany("Julies Ltd", pdOrgId: null);
        var second = await NewCompany("JULIES LTD", pdOrgId: null);
        await NewCompany("Julies Ltd", pdOrgId: 21); // linked to another organization: not a candidate at all

        await PostOk(Create(v, "organization", Org(name: "Julies Ltd")));

        Assert.Equal([(int?)null, null, 21], (await All(db => db.Companies.OrderBy(c => c.Id))).Select(c => c.PdOrgId));
        Assert.Equal(("ignored", $"ignored: organization 20 matches 2 companies by name ({first.Id}, {second.Id}); none linked, none created"), await Logged());
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Org_created__a_Company_linked_to_another_organization_is_never_taken__by_TC2_client_or_by_name(string v)
    {
        await ClientFields();
        var linked = await NewCompany("Julies Ltd", pdOrgId: 21, tc2CligencyId: 401);

        await PostOk(Create(v, "organization", With(Org(name: "Julies Ltd"), (CligencyIdKey, 401))));

        var companies = await All(db => db.Companies.OrderBy(c => c.Id));
        Assert.Equal([(linked.Id, "Julies Ltd", (int?)21, Owner.Id, (int?)401), (companies[1].Id, "Julies Ltd", (int?)20, Owner.Id, (int?)null)], companies.Select(Row));
        Assert.Equal(("processed", $"company {companies[1].Id} created"), await Logged());
    }

    // ── Persons ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__Contact_exists__matched_by_any_of_its_emails_case_insensitive__linked(string v)
    {
        var company = await NewCompany();
        var other = await NewCompany("Other Ltd", pdOrgId: 21);
        await Save(new Contact { CompanyId = other.Id, LastName = "Elsewhere", Email = "brian@work.com", Created = Now }); // another company's
        var contact = await Save(new Contact { CompanyId = company.Id, FirstName = "B", LastName = "Blessed", Email = "Brian@Work.com", Created = Now });
        var emails = new JsonArray(
            new JsonObject { ["value"] = "brian@home.com", ["label"] = "home", ["primary"] = true },
            new JsonObject { ["value"] = "BRIAN@work.com", ["label"] = "work", ["primary"] = false });

        await PostOk(Create(v, "person", With(Person(email: null, phone: null), ("emails", emails))));

        // Linked, and updated as a known contact: its name and the primary email are Pipedrive's now.
        Assert.Equal((contact.Id, company.Id, "Blessed", "brian@home.com", (string?)null, (int?)30), Row((await All(db => db.Contacts.Where(c => c.Id == contact.Id))).Single()));
        Assert.Equal(2, (await All(db => db.Contacts)).Count); // no twin
        Assert.Equal(("processed", $"contact {contact.Id} linked to person 30 (matched by email)"), await Logged());
        Assert.Equal([HermesIdWrite("Contact", contact.Id, company.Id)], await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_updated__Contact_exists__matched_by_phone_digits_only__linked(string v)
    {
        var company = await NewCompany();
        var contact = await Save(new Contact { CompanyId = company.Id, LastName = "Blessed", Email = "other@blessed.com", Phone = "+44 (0)20 8112 555", Created = Now });
        var before = Person(email: "brian@blessed.com", phone: "4402081125");

        await PostOk(Update(v, "person", before, With(before, ("phone", "44-0-20-8112-555"))));

        Assert.Equal([(contact.Id, company.Id, "Blessed", "brian@blessed.com", "44-0-20-8112-555", (int?)30)], (await All(db => db.Contacts)).Select(Row));
        Assert.Equal(("processed", $"contact {contact.Id} linked to person 30 (matched by phone)"), await Logged());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__several_Contacts_match_by_email__nothing_linked_or_created_and_the_webhook_log_says_why(string v)
    {
        var company = await NewCompany();
        var first = await Save(new Contact { CompanyId = company.Id, LastName = "Blessed", Email = "brian@blessed.com", Created = Now });
        var second = await Save(new Contact { CompanyId = company.Id, LastName = "Blessed Jr", Email = "BRIAN@blessed.com", Created = Now });

        await PostOk(Create(v, "person", Person()));

        Assert.Equal([(int?)null, null], (await All(db => db.Contacts.OrderBy(c => c.Id))).Select(c => c.PdPersonId));
        Assert.Equal(("ignored", $"ignored: person 30 matches 2 contacts of company {company.Id} by email ({first.Id}, {second.Id}); none linked, none created"), await Logged());
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__a_Contact_linked_to_another_person_is_never_taken(string v)
    {
        var company = await NewCompany();
        var linked = await Save(new Contact { CompanyId = company.Id, LastName = "Blessed", Email = "brian@blessed.com", PdPersonId = 31, Created = Now });

        await PostOk(Create(v, "person", Person()));

        var contacts = await All(db => db.Contacts.OrderBy(c => c.Id));
        Assert.Equal([(linked.Id, company.Id, "Blessed", "brian@blessed.com", (string?)null, (int?)31), (contacts[1].Id, company.Id, "Blessed", "brian@blessed.com", "0208112555", 30)],
            contacts.Select(Row));
        Assert.Equal(("processed", $"contact {contacts[1].Id} created"), await Logged());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created_naming_an_organization_merged_into_another__matched_within_the_survivors_company(string v)
    {
        var survivor = await NewCompany();
        var absorbed = await NewCompany("Absorbed Ltd", pdOrgId: 21);
        var contact = await Save(new Contact { CompanyId = survivor.Id, LastName = "Blessed", Email = "brian@blessed.com", Created = Now });
        // Organization 21 merged into 20, as Pipedrive reports it (the survivor's hermes_id holds both ids; v2 also names them).
        await PostOk(Update(v, "organization", Org(hermesId: survivor.Id), With(Org(), (OrgHermesId, $"{survivor.Id}, {absorbed.Id}")), mergedFromId: 21));
        await PostOk(Delete(v, "organization", Org(id: 21, name: "Absorbed Ltd"), mergedToId: 20));

        // Pipedrive's person still names the organization that was merged away (its own update comes later, if ever).
        await PostOk(Create(v, "person", Person(orgId: 21)));

        Assert.Equal([(contact.Id, survivor.Id, "Blessed", "brian@blessed.com", "0208112555", (int?)30)], (await All(db => db.Contacts)).Select(Row));
        Assert.Equal(("processed", $"contact {contact.Id} linked to person 30 (matched by email)"), await Logged());
    }
}

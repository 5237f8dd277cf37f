using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>The checklist's "Person created / updated / deleted" lines, each for webhooks v1 and v2.</summary>
public class PersonWebhookTests : PipedriveWebhookTest
{
    static (int, string?, string?, string?, string?, int?, int) Row(Contact c) => (c.Id, c.FirstName, c.LastName, c.Email, c.Phone, c.PdPersonId, c.CompanyId);

    // ── Person created ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__Contact_exists__updated_with_pd_person_id_and_other_details(string v)
    {
        var company = await NewCompany();
        var contact = await NewContact(company, "John", "Smith", pdPersonId: null);

        await PostOk(Create(v, "person", Person(hermesId: contact.Id)));

        Assert.Equal([(contact.Id, "Brian", "Blessed", "brian@blessed.com", "0208112555", (int?)30, company.Id)], (await All(db => db.Contacts)).Select(Row));
        Assert.Empty(await PendingJobs());
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__Contact_doesnt_exist_and_an_Org_is_included__created(string v)
    {
        var company = await NewCompany();

        await PostOk(Create(v, "person", Person()));

        var contact = Assert.Single(await All(db => db.Contacts));
        Assert.Equal((contact.Id, "Brian", "Blessed", "brian@blessed.com", "0208112555", (int?)30, company.Id), Row(contact));
        Assert.Equal(Now, contact.Created);
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__Contact_doesnt_exist_and_no_Org_is_included__ignored(string v)
    {
        await NewCompany();

        await PostOk(Create(v, "person", Person(orgId: null)));

        Assert.Empty(await All(db => db.Contacts));
        var logged = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal(("person", v == V1 ? "added" : "create", "ignored", "ignored: person 30 has no organization", "30"),
            (logged.Object, logged.Action, logged.Outcome, logged.Error, logged.ObjectIds));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_created__TC2_is_not_told(string v)
    {
        await NewCompany(tc2CligencyId: 401);
        await PostOk(Create(v, "person", Person()));
        Assert.Single(await All(db => db.Contacts));
        Assert.Empty(await PendingJobs());
    }

    // ── Person updated ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_updated__Contact_exists__updated_with_the_relevant_details(string v)
    {
        var company = await NewCompany();
        var contact = await NewContact(company, "John", "Smith", pdPersonId: 30);
        var before = Person(name: "John Smith", email: "john@smith.com", hermesId: contact.Id);

        await PostOk(Update(v, "person", before, With(before, ("name", "Jessica Jones"), ("email", "jessica@jones.com"), ("phone", "07700900123"))));

        Assert.Equal([(contact.Id, "Jessica", "Jones", "jessica@jones.com", "07700900123", (int?)30, company.Id)], (await All(db => db.Contacts)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_updated__a_person_without_email_or_phone_in_Pipedrive_never_wipes_the_contacts(string v)
    {
        var company = await NewCompany();
        await using (var db = Hermes.Db())
        {
            db.Contacts.Add(new Contact { FirstName = "John", LastName = "Smith", PdPersonId = 30, CompanyId = company.Id, Email = "john@smith.com", Phone = "07700900123", Created = Now });
            await db.SaveChangesAsync();
        }
        var before = Person(name: "John Smith", email: "john@smith.com", phone: "07700900123");

        // Pipedrive sends the person with no email and no phone (removed there, or a payload that leaves them out).
        await PostOk(Update(v, "person", before, With(before, ("name", "John Smyth"), ("email", null), ("phone", null))));

        var contact = (await All(db => db.Contacts)).Single();
        Assert.Equal(("John", "Smyth", "john@smith.com", "07700900123"), (contact.FirstName, contact.LastName, contact.Email, contact.Phone));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_updated__Contact_doesnt_exist_and_no_Org_is_included__ignored(string v)
    {
        await NewCompany();
        var before = Person(orgId: null);

        await PostOk(Update(v, "person", before, With(before, ("name", "Brimstone"))));

        Assert.Empty(await All(db => db.Contacts));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_updated__Contact_doesnt_exist_and_its_Org_is_known__created(string v)
    {
        var company = await NewCompany();
        var before = Person();

        await PostOk(Update(v, "person", before, With(before, ("name", "Brimstone"))));

        // One word: a last name only, as hermes_v2 split names.
        var contact = Assert.Single(await All(db => db.Contacts));
        Assert.Equal((contact.Id, (string?)null, "Brimstone", "brian@blessed.com", "0208112555", (int?)30, company.Id), Row(contact));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_updated__TC2_is_not_told(string v)
    {
        var company = await NewCompany(tc2CligencyId: 401);
        var contact = await NewContact(company);
        var before = Person(name: "John Smith", hermesId: contact.Id);
        await PostOk(Update(v, "person", before, With(before, ("name", "Jessica Jones"))));
        Assert.Equal("Jones", Assert.Single(await All(db => db.Contacts)).LastName);
        Assert.Empty(await PendingJobs());
    }

    // ── Person deleted ──

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_deleted__Contact_exists__deleted(string v)
    {
        var company = await NewCompany();
        var contact = await NewContact(company);
        var other = await NewContact(company, "Other", "Person", pdPersonId: 31);

        await PostOk(Delete(v, "person", Person(hermesId: contact.Id)));

        Assert.Equal([other.Id], (await All(db => db.Contacts)).Select(c => c.Id));
        Assert.Equal([(company.Id, "Test company")], (await All(db => db.Companies)).Select(c => (c.Id, c.Name)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_deleted__Contact_doesnt_exist__nothing_happens(string v)
    {
        var company = await NewCompany();
        var other = await NewContact(company, "Other", "Person", pdPersonId: 31);

        await PostOk(Delete(v, "person", Person(id: 30)));

        Assert.Equal([Row(other)], (await All(db => db.Contacts)).Select(Row));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Person_deleted__TC2_is_not_told(string v)
    {
        var company = await NewCompany(tc2CligencyId: 401);
        var contact = await NewContact(company);
        await PostOk(Delete(v, "person", Person(hermesId: contact.Id)));
        Assert.Empty(await All(db => db.Contacts));
        Assert.Empty(await PendingJobs());
    }
}

using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Hermes.Sandbox;
using Hermes.Tests.Tc2;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Sync;

/// <summary>
/// behaviour.md §6: a company not linked to Pipedrive yet is linked to an organization Pipedrive already has (by its
/// TC2 client's URL field, then its contacts' emails, then phones; never one another company has) before one is made.
/// </summary>
public class OrganizationSearchTests : Tc2Test
{
    async Task SyncAsync(int companyId)
    {
        await using (var db = Hermes.Db())
        {
            Hermes.App.Services.GetRequiredService<JobQueue>().Enqueue(db, new SyncCompany(companyId));
            await db.SaveChangesAsync();
        }
        Pd.Requests.Clear();
        await RunJobs();
    }

    long PdPersonWithPhone(string name, long? orgId, string phone)
    {
        var body = new JsonObject { ["name"] = name, ["owner_id"] = 10, ["phones"] = new JsonArray(new JsonObject { ["value"] = phone, ["primary"] = true }) };
        if (orgId is not null) body["org_id"] = orgId;
        return Pd.Create("persons", body, notify: false)["id"]!.AsLong();
    }

    async Task<Company> CompanyRow(int id) => (await All(db => db.Companies.Where(c => c.Id == id))).Single();

    [Fact]
    public async Task The_organization_carrying_the_TC2_clients_URL_is_linked_and_brought_up_to_date_instead_of_a_new_one()
    {
        var org = PdOrg("MyTutors (from Pipedrive)", new JsonObject { [OrgCligencyUrl] = CligencyUrl(10) });
        PdOrg("Someone Else", new JsonObject { [OrgCligencyUrl] = CligencyUrl(11) });
        var company = await NewCompany("MyTutors", cligency: 10);
        await NewContact(company, email: "mary@booth.com");

        await SyncAsync(company.Id);

        Assert.Equal((int)org, (await CompanyRow(company.Id)).PdOrgId);
        Assert.DoesNotContain("POST /organizations", PdWrites().Select(w => string.Join(' ', w.Split(' ').Take(2))));
        var pdOrg = PdObject("organization", org);
        // Hermes's id is written; the name Pipedrive has is left as it is (Pipedrive owns names).
        Assert.Equal(("MyTutors (from Pipedrive)", company.Id.ToString()), (pdOrg["name"]!.GetValue<string>(), pdOrg["custom_fields"]![OrgHermesId]!.GetValue<string>()));
    }

    [Fact]
    public async Task Without_a_TC2_client_the_organization_of_a_person_with_a_contacts_email_is_linked_with_that_person()
    {
        var org = PdOrg("Booth Tutoring");
        var person = PdPerson("Mary Booth", org, "mary@booth.com");
        var company = await NewCompany("Booth Tutors", cligency: null, agency: null);
        var contact = await NewContact(company, email: "mary@booth.com", tc2SrId: null);

        await SyncAsync(company.Id);

        Assert.Equal((int)org, (await CompanyRow(company.Id)).PdOrgId);
        Assert.Equal((int)person, (await All(db => db.Contacts.Where(c => c.Id == contact.Id))).Single().PdPersonId);
        var creates = PdWrites().Where(w => w.StartsWith("POST /organizations", StringComparison.Ordinal) || w.StartsWith("POST /persons", StringComparison.Ordinal));
        Assert.Empty(creates);
    }

    [Fact]
    public async Task When_no_email_matches_the_organization_of_a_person_with_a_contacts_phone_is_linked()
    {
        var org = PdOrg("Booth Tutoring");
        PdPersonWithPhone("Mary Booth", org, "+44 7700 900123");
        var company = await NewCompany("Booth Tutors", cligency: null, agency: null);
        await NewContact(company, email: "mary@new-address.com", tc2SrId: null, phone: "+44 7700 900123");

        await SyncAsync(company.Id);

        Assert.Equal((int)org, (await CompanyRow(company.Id)).PdOrgId);
        Assert.Contains("GET /persons/search?term=mary@new-address.com&exact_match=true&limit=10&fields=email", PdRequests("GET"));
        Assert.Contains("GET /persons/search?term=+44 7700 900123&exact_match=true&limit=10&fields=phone", PdRequests("GET"));
        Assert.DoesNotContain(PdWrites(), w => w.StartsWith("POST /organizations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_person_found_without_an_organization_does_not_stop_a_new_organization_being_made()
    {
        var person = PdPerson("Mary Booth", null, "mary@booth.com");
        var company = await NewCompany("Booth Tutors", cligency: null, agency: null);
        await NewContact(company, email: "mary@booth.com", tc2SrId: null);

        await SyncAsync(company.Id);

        var linked = (await CompanyRow(company.Id)).PdOrgId;
        Assert.NotNull(linked);
        Assert.Single(PdWrites(), w => w.StartsWith("POST /organizations", StringComparison.Ordinal));
        Assert.Equal("Booth Tutors", PdObject("organization", linked!.Value)["name"]!.GetValue<string>());
        Assert.Equal(linked.Value, PdObject("person", person)["org_id"]!.GetValue<long>()); // the person found is reused, in the new organization
        Assert.DoesNotContain(PdWrites(), w => w.StartsWith("POST /persons", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_organization_another_company_is_linked_to_is_never_taken()
    {
        var org = PdOrg("Booth Tutoring");
        PdPerson("Mary Booth", org, "mary@booth.com");
        await NewCompany("Booth Tutoring", cligency: 99, agency: 98, pdOrgId: (int)org);
        var company = await NewCompany("Booth Tutors (new branch)", cligency: null, agency: null);
        await NewContact(company, email: "mary@booth.com", tc2SrId: null);

        await SyncAsync(company.Id);

        var linked = (await CompanyRow(company.Id)).PdOrgId;
        Assert.NotNull(linked);
        Assert.NotEqual((int)org, linked);
        Assert.Single(PdWrites(), w => w.StartsWith("POST /organizations", StringComparison.Ordinal));
    }
}

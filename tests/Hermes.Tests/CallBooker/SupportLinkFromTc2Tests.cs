using System.Net;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Sandbox.Tc2;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>A support link for a TC2 client Hermes doesn't have yet: the company is read from TC2 and created.</summary>
public class SupportLinkFromTc2Tests
{
    static HttpRequestMessage Generate(string query) =>
        new(HttpMethod.Get, "/callbooker/support-link/generate/tc2/" + query) { Headers = { { "Authorization", "token test-tc2-key" } } };

    static SimulatedClient Client(long salesTc2Id, DateTimeOffset created) => new()
    {
        Id = 10, FirstName = "Mary", LastName = "Tutor", Email = "mary@mytutors.com", Phone = "0207 000",
        Agency = new Tc2Agency { Id = 20, Name = "MyTutors", Created = created, Website = "https://mytutors.com", Status = "active", PaidInvoiceCount = 3, PricePlan = "2-startup" },
        SalesPerson = new Tc2Admin(salesTc2Id, "Steve", "Jobs", "climan@example.com"),
        AssociatedAdmin = new Tc2Admin(31, "Sue", "Port", "sue@tc.com"),
        PaidRecipients = [new Tc2Recipient(501, "Mary", "Tutor", null), new Tc2Recipient(502, "Mark", "Tutor", "mark@mytutors.com")],
    };

    [Fact]
    public async Task A_link_for_a_client_Hermes_doesnt_have_creates_the_company_from_TC2_without_a_deal_or_Pipedrive_sync()
    {
        await using var w = await BookerWorld.StartAsync();
        var steve = await w.Add(Steve(tc2AdminId: 30));
        var sue = await w.Add(new Admin { FirstName = "Sue", LastName = "Port", Username = "sue@tc.com", Tc2AdminId = 31, IsSupportPerson = true });
        await w.Hermes.SeedConfigAsync();
        w.Sim.Tc2.PutClient(Client(30, w.Clock.GetUtcNow().AddDays(-3)));

        var response = await w.Hermes.Http.SendAsync(Generate("?tc2_admin_id=31&tc2_cligency_id=10&express=true"));

        var company = Assert.Single(await w.CompaniesAsync());
        var e = w.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();
        await AssertJson(response, HttpStatusCode.OK,
            $$"""{"link":"https://tutorcruncher.com/book-a-call/{{sue.Id}}/?s={{SupportLinkTests.Hmac(sue.Id, company.Id, e, true)}}&admin_id={{sue.Id}}&company_id={{company.Id}}&e={{e}}&ex=1"}""");
        Assert.Equal(new CompanyRow(company.Id, "MyTutors", steve.Id, sue.Id, null, "startup", "GB", "https://mytutors.com", null, null, false, null, null, 10, null), company);
        Assert.Equal([
            new ContactRow((await w.ContactsAsync())[0].Id, company.Id, "Mary", "Tutor", "mary@mytutors.com", "0207 000", "GB", null),
            new ContactRow((await w.ContactsAsync())[1].Id, company.Id, "Mark", "Tutor", "mark@mytutors.com", null, "GB", null),
        ], await w.ContactsAsync());
        Assert.Empty(await w.DealsAsync());
        Assert.Empty(await w.JobsAsync());
        var read = w.Sim.Tc2.Requests.Single("GET", "/api/clients/10/");
        Assert.Equal("token test-tc2-key", read.Header("Authorization"));

        // The second link for the same client uses the company now in Hermes: TC2 isn't asked again.
        Assert.Equal(HttpStatusCode.OK, (await w.Hermes.Http.SendAsync(Generate("?tc2_admin_id=31&tc2_cligency_id=10"))).StatusCode);
        Assert.Single(w.Sim.Tc2.Requests.All);
        Assert.Single(await w.CompaniesAsync());
    }

    [Fact]
    public async Task A_client_TC2_doesnt_know_is_a_404_and_TC2_failing_is_a_502_and_neither_writes_anything()
    {
        await using var w = await BookerWorld.StartAsync();
        await w.Add(Steve(tc2AdminId: 30));

        await AssertJson(await w.Hermes.Http.SendAsync(Generate("?tc2_admin_id=30&tc2_cligency_id=77")), HttpStatusCode.NotFound,
            """{"status":"error","message":"Admin or Company not found"}""");
        w.Sim.Tc2.PutClient(Client(30, w.Clock.GetUtcNow()));
        w.Sim.Tc2.Faults.Next(1, Fault.ServerError(500), "/api/clients/10/");
        await AssertJson(await w.Hermes.Http.SendAsync(Generate("?tc2_admin_id=30&tc2_cligency_id=10")), HttpStatusCode.BadGateway,
            """{"status":"error","message":"The company could not be read from TC2. Please try again."}""");
        Assert.Empty(await w.CompaniesAsync());
    }

    [Fact]
    public async Task A_client_whose_sales_person_is_not_a_Hermes_admin_is_not_created()
    {
        await using var w = await BookerWorld.StartAsync();
        await w.Add(Steve(tc2AdminId: 30));
        w.Sim.Tc2.PutClient(Client(99, w.Clock.GetUtcNow()));

        await AssertJson(await w.Hermes.Http.SendAsync(Generate("?tc2_admin_id=30&tc2_cligency_id=10")), HttpStatusCode.NotFound,
            """{"status":"error","message":"Admin or Company not found: TC2 client 10's sales person is not a Hermes admin"}""");
        Assert.Empty(await w.CompaniesAsync());
        Assert.Empty(await w.ContactsAsync());
    }
}

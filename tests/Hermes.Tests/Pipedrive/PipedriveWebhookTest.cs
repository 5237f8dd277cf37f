using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// Hermes with what every Pipedrive webhook test needs: the sales person who owns things in Pipedrive (owner 10) and
/// the hermes_id custom fields for Company, Contact and Deal. Tests post real webhooks with the configured Basic
/// credentials and look at the response, the rows and the queued jobs.
/// </summary>
public abstract class PipedriveWebhookTest : HermesTest
{
    protected Admin Owner = null!;
    protected Admin OtherAdmin = null!;

    /// <summary>Settings this test class needs on top of the defaults (e.g. where Pipedrive is).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings) { }

    public override async Task InitializeAsync()
    {
        Hermes = await HermesInstance.StartAsync(Configure);
        await using var db = Hermes.Db();
        Owner = new Admin { Username = "testing@example.com", FirstName = "Sally", LastName = "Seller", PdOwnerId = 10, IsSalesPerson = true };
        OtherAdmin = new Admin { Username = "steve@example.com", FirstName = "Steve", LastName = "Jobs", PdOwnerId = 99, IsSalesPerson = true };
        db.Admins.AddRange(Owner, OtherAdmin);
        db.CustomFields.AddRange(HermesIdFields());
        await db.SaveChangesAsync();
    }

    protected async Task<HttpResponseMessage> Post(JsonNode body, string? username = "pipedrive", string password = "webhook-secret")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (username is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        return await Hermes.Http.SendAsync(request);
    }

    /// <summary>Posts and expects Pipedrive's happy answer: 200 {"status":"ok"}.</summary>
    protected async Task PostOk(JsonNode body)
    {
        var response = await Post(body);
        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    protected async Task<Company> NewCompany(string name = "Test company", int? pdOrgId = 20, int? tc2CligencyId = null, int? salesPersonId = null) =>
        await Save(new Company { Name = name, PdOrgId = pdOrgId, Tc2CligencyId = tc2CligencyId, SalesPersonId = salesPersonId ?? Owner.Id, Created = Now });

    protected async Task<Contact> NewContact(Company company, string first = "John", string last = "Smith", int? pdPersonId = 30) =>
        await Save(new Contact { FirstName = first, LastName = last, PdPersonId = pdPersonId, CompanyId = company.Id, Email = "john@smith.com", Created = Now });

    protected static (string, string, string?) Tc2Update(int companyId) => ("tc2.update_client", $$"""{"companyId":{{companyId}}}""", $"company:{companyId}");

    // Pipedrive objects as flat fields (the builder renders them as v1 or v2).
    protected static Dictionary<string, object?> Org(int id = 20, string name = "Test company", int? owner = 10, int? hermesId = null) => new()
    {
        ["id"] = id, ["name"] = name, ["owner_id"] = owner, ["address"] = null, ["visible_to"] = 3,
        [OrgHermesId] = hermesId?.ToString(),
    };

    protected static Dictionary<string, object?> Person(int id = 30, string name = "Brian Blessed", int? orgId = 20, string? email = "brian@blessed.com",
        string? phone = "0208112555", int? hermesId = null) => new()
    {
        ["id"] = id, ["name"] = name, ["owner_id"] = 10, ["org_id"] = orgId, ["email"] = email, ["phone"] = phone,
        [PersonHermesId] = hermesId?.ToString(),
    };

    protected static Dictionary<string, object?> PdDeal(int id = 40, string title = "Deal 1", int? orgId = 20, int? personId = 30, int? stageId = 50,
        int? pipelineId = 60, int? owner = 10, string status = "open", int? hermesId = null) => new()
    {
        ["id"] = id, ["title"] = title, ["org_id"] = orgId, ["person_id"] = personId, ["stage_id"] = stageId,
        ["pipeline_id"] = pipelineId, ["owner_id"] = owner, ["status"] = status, ["value"] = 0, ["currency"] = "GBP",
        [DealHermesId] = hermesId?.ToString(),
    };

    protected static Dictionary<string, object?> PdPipeline(int id = 60, string name = "Pipeline 1") =>
        new() { ["id"] = id, ["name"] = name, ["active_flag"] = true, ["order_nr"] = 1 };

    protected static Dictionary<string, object?> PdStage(int id = 50, string name = "Stage 1", int pipelineId = 60) =>
        new() { ["id"] = id, ["name"] = name, ["pipeline_id"] = pipelineId, ["order_nr"] = 1 };

    protected static Dictionary<string, object?> With(Dictionary<string, object?> data, params (string Key, object? Value)[] changes)
    {
        var copy = new Dictionary<string, object?>(data);
        foreach (var (k, v) in changes) copy[k] = v;
        return copy;
    }
}

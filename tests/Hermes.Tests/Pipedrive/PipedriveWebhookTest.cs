using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// Hermes with what every Pipedrive webhook test needs: the sales person who owns things in Pipedrive (owner 10) and
/// the hermes_id custom fields for Company, Contact and Deal. Tests post real webhooks with the configured Basic
/// credentials and look at the response, the rows and the queued jobs.
/// </summary>
public abstract class PipedriveWebhookTest : IAsyncLifetime
{
    public const string OrgHermesId = "7f8959760703808f36b3795c15310566b74f5134";
    public const string PersonHermesId = "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d";
    public const string DealHermesId = "5be1188db52a8c7f0ea49331eb391ae54aeabafc";

    protected HermesInstance Hermes = null!;
    protected Admin Owner = null!;
    protected Admin OtherAdmin = null!;

    /// <summary>Settings this test class needs on top of the defaults (e.g. where Pipedrive is).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings) { }

    public virtual async Task InitializeAsync()
    {
        Hermes = await HermesInstance.StartAsync(Configure);
        await using var db = Hermes.Db();
        Owner = new Admin { Username = "testing@example.com", FirstName = "Sally", LastName = "Seller", PdOwnerId = 10, IsSalesPerson = true };
        OtherAdmin = new Admin { Username = "steve@example.com", FirstName = "Steve", LastName = "Jobs", PdOwnerId = 99, IsSalesPerson = true };
        db.Admins.AddRange(Owner, OtherAdmin);
        foreach (var (type, key) in new[] { ("Company", OrgHermesId), ("Contact", PersonHermesId), ("Deal", DealHermesId) })
            db.CustomFields.Add(new CustomField
            {
                Name = "Hermes ID", MachineName = "hermes_id", FieldType = CustomField.TypeFk, HermesFieldName = "id",
                Tc2MachineName = "hermes_id", PdFieldId = key, LinkedObjectType = type,
            });
        await db.SaveChangesAsync();
    }

    public virtual async Task DisposeAsync() => await Hermes.DisposeAsync();

    protected DateTime Now => Hermes.Clock.GetUtcNow().UtcDateTime;

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

    protected async Task<T> Save<T>(T entity) where T : class
    {
        await using var db = Hermes.Db();
        db.Add(entity);
        await db.SaveChangesAsync();
        return entity;
    }

    protected async Task<Company> NewCompany(string name = "Test company", int? pdOrgId = 20, int? tc2CligencyId = null, int? salesPersonId = null) =>
        await Save(new Company { Name = name, PdOrgId = pdOrgId, Tc2CligencyId = tc2CligencyId, SalesPersonId = salesPersonId ?? Owner.Id, Created = Now });

    protected async Task<Contact> NewContact(Company company, string first = "John", string last = "Smith", int? pdPersonId = 30) =>
        await Save(new Contact { FirstName = first, LastName = last, PdPersonId = pdPersonId, CompanyId = company.Id, Email = "john@smith.com", Created = Now });

    /// <summary>The queued jobs as (kind, payload, ordering key), oldest first.</summary>
    protected async Task<List<(string Kind, string Payload, string? Key)>> Jobs()
    {
        await using var db = Hermes.Db();
        return (await db.Jobs.Where(j => j.Status == Job.Pending).OrderBy(j => j.Id).ToListAsync())
            .Select(j => (j.Kind, j.Payload, j.OrderingKey)).ToList();
    }

    protected async Task<List<T>> All<T>(Func<HermesDb, IQueryable<T>> query)
    {
        await using var db = Hermes.Db();
        return await query(db).ToListAsync();
    }

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

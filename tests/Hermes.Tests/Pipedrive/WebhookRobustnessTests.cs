using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Domain;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>Bad or unexpected input gets a clear 4xx (or is acknowledged and ignored) and changes nothing; never a 500.</summary>
public class WebhookRobustnessTests : PipedriveWebhookTest
{
    async Task AssertNothingChanged()
    {
        Assert.Empty(await All(db => db.Companies));
        Assert.Empty(await All(db => db.Contacts));
        Assert.Empty(await All(db => db.Deals));
        Assert.Empty(await PendingJobs());
    }

    [Fact]
    public async Task Without_credentials_or_with_wrong_ones_a_webhook_is_refused_with_401_and_not_stored()
    {
        var noAuth = await Post(Create(V2, "organization", Org()), username: null);
        var wrong = await Post(Create(V2, "organization", Org()), password: "guess");
        var wrongUser = await Post(Create(V2, "organization", Org()), username: "someone");

        foreach (var response in new[] { noAuth, wrong, wrongUser })
        {
            Assert.Equal((HttpStatusCode.Unauthorized, """{"detail":"Unauthorized"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
            Assert.Equal("Basic realm=\"hermes\"", response.Headers.WwwAuthenticate.ToString());
        }
        await AssertNothingChanged();
        Assert.Empty(await All(db => db.WebhookLogs));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{not json", "Invalid Pipedrive webhook: the body is not valid JSON" },
        { "[1, 2]", "Invalid Pipedrive webhook: the body must be a JSON object" },
        { """{"data": {"id": 20}}""", "Invalid Pipedrive webhook: meta is missing" },
        { """{"meta": {"action": "create"}, "data": {"id": 20}}""", "Invalid Pipedrive webhook: meta.entity is missing" },
        { """{"meta": {"entity": "organization", "action": "create"}, "data": "Test company"}""", "Invalid Pipedrive webhook: data must be an object or null" },
        { """{"meta": {"entity": "organization", "action": "create"}, "data": {"id": "twenty", "name": "x"}}""", "Invalid Pipedrive webhook: id must be a number" },
        { """{"meta": {"entity": "organization", "action": "create"}, "data": {"name": "no id"}}""", "Invalid Pipedrive webhook: the object's id is missing" },
        { """{"meta": {"object": "deal", "action": "deleted"}, "current": null, "previous": null}""", "Invalid Pipedrive webhook: a delete must say which object (previous or meta.id)" },
    };

    [Theory, MemberData(nameof(BadBodies))]
    public async Task A_malformed_webhook_is_answered_400_with_the_reason_stored_as_rejected_and_changes_nothing(string body, string detail)
    {
        var response = await PostRaw(body);

        Assert.Equal((HttpStatusCode.BadRequest, $$"""{"detail":"{{detail}}"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        await AssertNothingChanged();
        var logged = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal((WebhookLog.OutcomeRejected, body), (logged.Outcome, logged.Body));
    }

    async Task<HttpResponseMessage> PostRaw(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("pipedrive:webhook-secret")));
        return await Hermes.Http.SendAsync(request);
    }

    [Theory, InlineData(V1, "activity"), InlineData(V2, "activity"), InlineData(V2, "note"), InlineData(V1, "user")]
    public async Task Webhooks_for_objects_Hermes_does_not_keep_are_acknowledged_and_logged_as_ignored(string v, string entity)
    {
        await PostOk(Create(v, entity, new() { ["id"] = 5, ["subject"] = "Call" }));
        await AssertNothingChanged();
        var logged = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal((entity, WebhookLog.OutcomeIgnored, $"Hermes does not keep Pipedrive {entity} objects"), (logged.Object, logged.Outcome, logged.Error));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task An_org_created_with_an_owner_who_is_no_Hermes_admin_is_refused_with_422_naming_the_field(string v)
    {
        var response = await Post(Create(v, "organization", Org(owner: 999)));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, """{"detail":[{"loc":["owner_id"],"msg":"Admin with pd_owner_id 999 does not exist","type":"value_error"}]}"""),
            (response.StatusCode, await response.Content.ReadAsStringAsync()));
        await AssertNothingChanged();
        var logged = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal((WebhookLog.OutcomeRejected, "owner_id: Admin with pd_owner_id 999 does not exist"), (logged.Outcome, logged.Error));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task An_admin_given_that_Pipedrive_owner_owns_the_next_organization_without_a_restart(string v)
    {
        // Admins are kept in memory (StaffTables): the refusal reads them, the edit must drop that copy.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Post(Create(v, "organization", Org(owner: 999)))).StatusCode);
        await using (var db = Hermes.Db())
        {
            db.Attach(OtherAdmin);
            OtherAdmin.PdOwnerId = 999;
            await db.SaveChangesAsync();
        }

        await PostOk(Create(v, "organization", Org(owner: 999)));

        Assert.Equal([("Test company", OtherAdmin.Id)], (await All(db => db.Companies)).Select(c => (c.Name, c.SalesPersonId)));
        Assert.Equal([WebhookLog.OutcomeRejected, WebhookLog.OutcomeProcessed], (await All(db => db.WebhookLogs)).OrderBy(w => w.Id).Select(w => w.Outcome));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task A_deal_created_with_an_owner_who_is_no_Hermes_admin_is_refused_with_422_naming_the_field(string v)
    {
        var company = await NewCompany();
        var response = await Post(Create(v, "deal", PdDeal(orgId: company.PdOrgId, owner: 999)));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, """{"detail":[{"loc":["user_id"],"msg":"Admin with pd_owner_id 999 does not exist","type":"value_error"}]}"""),
            (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Empty(await All(db => db.Deals));
        var logged = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal((WebhookLog.OutcomeRejected, "user_id: Admin with pd_owner_id 999 does not exist"), (logged.Outcome, logged.Error));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task An_org_updated_to_an_owner_who_is_no_Hermes_admin_keeps_its_sales_person(string v)
    {
        var company = await NewCompany("Old name");
        var before = Org(name: "Old name", hermesId: company.Id);
        await PostOk(Update(v, "organization", before, With(before, ("owner_id", 999), ("name", "New name"))));
        Assert.Equal([("New name", Owner.Id)], (await All(db => db.Companies)).Select(c => (c.Name, c.SalesPersonId)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task A_hermes_id_naming_a_company_that_no_longer_exists_falls_back_to_the_Pipedrive_id(string v)
    {
        var company = await NewCompany("Linked by Pipedrive id", pdOrgId: 20);
        await PostOk(Create(v, "organization", Org(name: "From Pipedrive", hermesId: 12345)));
        Assert.Equal([(company.Id, "From Pipedrive")], (await All(db => db.Companies)).Select(c => (c.Id, c.Name)));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task The_same_delivery_twice_ends_in_the_same_state(string v)
    {
        var created = Create(v, "organization", Org());
        await PostOk(created);
        await PostOk(created.DeepClone());
        var company = Assert.Single(await All(db => db.Companies));

        var person = Create(v, "person", Person());
        await PostOk(person);
        await PostOk(person.DeepClone());
        var deal = Create(v, "deal", PdDeal(stageId: null, pipelineId: null));
        await PostOk(deal);
        await PostOk(deal.DeepClone());
        var delete = Delete(v, "person", Person());
        await PostOk(delete);
        await PostOk(delete.DeepClone());

        Assert.Equal([(company.Id, "Test company", (int?)20)], (await All(db => db.Companies)).Select(c => (c.Id, c.Name, c.PdOrgId)));
        Assert.Empty(await All(db => db.Contacts));
        Assert.Equal([("Deal 1", (int?)40, company.Id, (int?)null)], (await All(db => db.Deals)).Select(d => (d.Name!, d.PdDealId, d.CompanyId, d.ContactId)));
        Assert.Equal(8, (await All(db => db.WebhookLogs)).Count);
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task A_change_older_than_one_already_applied_is_skipped(string v)
    {
        var t = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
        var company = await NewCompany("Original", pdOrgId: 20);
        var original = With(Org(name: "Original", hermesId: company.Id), ("update_time", t));
        await PostOk(Update(v, "organization", original, With(original, ("name", "Newest"), ("update_time", t.AddMinutes(2)))));
        // Pipedrive's retry of an earlier change arrives late.
        await PostOk(Update(v, "organization", original, With(original, ("name", "Older"), ("update_time", t.AddMinutes(1)))));
        Assert.Equal(["Newest"], (await All(db => db.Companies)).Select(c => c.Name));
    }

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task An_update_arriving_after_the_delete_does_not_bring_the_object_back(string v)
    {
        await NewCompany("Test company", pdOrgId: 20);
        await PostOk(Delete(v, "organization", Org()));
        var before = Org();
        await PostOk(Update(v, "organization", before, With(before, ("name", "Late edit"))));
        await PostOk(Create(v, "person", Person()));
        Assert.Empty(await All(db => db.Companies));
        Assert.Empty(await All(db => db.Contacts));
    }
}

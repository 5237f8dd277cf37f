using System.Text.Json.Nodes;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>Organization and person search in the v2 search result shape (research/external_apis.md §B.5 "Search").</summary>
public sealed class PipedriveSearchTests : IAsyncLifetime
{
    const string CligencyId = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e";
    SimulatorFixture _sim = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorFixture.StartAsync();
        var pd = _sim.Host.Pipedrive;
        pd.AddUser(10, "Amelia Hart", "amelia@example.com");
        pd.DefineCustomField("organization", CligencyId, "TC2 cligency id");
        pd.Create("organization", new JsonObject { ["name"] = "Junes Ltd", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [CligencyId] = "123" } });
        pd.Create("organization", new JsonObject { ["name"] = "Junes Tutoring", ["custom_fields"] = new JsonObject { [CligencyId] = "1234" } });
        pd.Create("person", new JsonObject
        {
            ["name"] = "Brian Junes", ["org_id"] = 1, ["owner_id"] = 10,
            ["emails"] = new JsonArray(new JsonObject { ["value"] = "brian@junes.com" }),
            ["phones"] = new JsonArray(new JsonObject { ["value"] = "07700 900123" }),
        });
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Organizations_are_found_by_exact_custom_field_value()
    {
        var reply = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/search?term=123&fields=custom_fields&exact_match=true");

        JsonAssert.Equal("""
            {"success":true,"data":{"items":[{"result_score":1,"item":{"id":1,"type":"organization","name":"Junes Ltd","address":null,
             "visible_to":3,"owner":{"id":10},"custom_fields":["123"],"notes":[]}}]},"additional_data":{"next_cursor":null}}
            """, reply.Json);
    }

    [Fact]
    public async Task Organizations_are_found_by_part_of_their_name_best_match_first()
    {
        var reply = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/search?term=junes&fields=name");

        JsonAssert.Equal("""
            {"success":true,"data":{"items":[
              {"result_score":0.5556,"item":{"id":1,"type":"organization","name":"Junes Ltd","address":null,"visible_to":3,"owner":{"id":10},"custom_fields":["123"],"notes":[]}},
              {"result_score":0.3571,"item":{"id":2,"type":"organization","name":"Junes Tutoring","address":null,"visible_to":3,"owner":{"id":1},"custom_fields":["1234"],"notes":[]}}]},
             "additional_data":{"next_cursor":null}}
            """, reply.Json);
    }

    [Fact]
    public async Task Persons_are_found_by_email_with_their_organization()
    {
        var reply = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/persons/search?term=brian%40junes.com&fields=email&exact_match=true");

        JsonAssert.Equal("""
            {"success":true,"data":{"items":[{"result_score":1,"item":{"id":1,"type":"person","name":"Brian Junes",
             "phones":["07700 900123"],"emails":["brian@junes.com"],"visible_to":3,"owner":{"id":10},
             "organization":{"id":1,"name":"Junes Ltd","address":null},"custom_fields":[],"notes":[]}}]},
             "additional_data":{"next_cursor":null}}
            """, reply.Json);
    }

    [Theory]
    [InlineData("/api/v2/organizations/search?term=j", "term: must be at least 2 characters long (1 with exact_match)")]
    [InlineData("/api/v2/organizations/search", "term: required")]
    [InlineData("/api/v2/persons/search?term=brian&fields=address", "fields: 'address' is not one of name, email, phone, notes, custom_fields")]
    [InlineData("/api/v2/persons/search?term=brian&exact_match=1", "exact_match: must be true or false")]
    public async Task Bad_searches_are_refused(string path, string error)
    {
        var reply = await _sim.Pipedrive(HttpMethod.Get, path);

        Assert.Equal(400, reply.Status);
        JsonAssert.Equal(Errors.Pipedrive("Validation failed: " + error), reply.Json);
    }

    [Fact]
    public async Task A_search_that_matches_nothing_answers_an_empty_list()
    {
        var reply = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/persons/search?term=nobody%40example.com&fields=email&exact_match=true");

        JsonAssert.Equal("""{"success":true,"data":{"items":[]},"additional_data":{"next_cursor":null}}""", reply.Json);
    }
}

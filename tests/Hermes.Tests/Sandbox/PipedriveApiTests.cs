using System.Text.Json.Nodes;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>The Pipedrive simulator's API v2 against the formats in research/external_apis.md §B.</summary>
public sealed class PipedriveApiTests : IAsyncLifetime
{
    const string HermesId = "7f8959760703808f36b3795c15310566b74f5134";
    const string Source = "3d2e6f5c4b3a29180716f5e4d3c2b1a098765432";
    SimulatorFixture _sim = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorFixture.StartAsync();
        _sim.Host.Pipedrive.AddUser(10, "Amelia Hart", "amelia@example.com");
        _sim.Host.Pipedrive.DefineCustomField("organization", HermesId, "Hermes ID");
        _sim.Host.Pipedrive.DefineCustomField("organization", Source, "Source");
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    const string CreatedOrg = """
        {"success":true,"data":{"id":1,"name":"Junes Ltd","owner_id":10,"add_time":"2026-11-24T09:30:00Z","update_time":"2026-11-24T09:30:00Z",
         "is_deleted":false,"visible_to":3,"address":null,"label_ids":[],"website":null,"linkedin":null,
         "custom_fields":{"7f8959760703808f36b3795c15310566b74f5134":"42","3d2e6f5c4b3a29180716f5e4d3c2b1a098765432":null}}}
        """;

    [Fact]
    public async Task The_fields_API_lists_each_objects_custom_fields_with_their_codes_and_types()
    {
        var fields = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizationFields?limit=500");
        Assert.Equal(200, fields.Status);
        JsonAssert.Equal($$$"""
            {"success":true,"data":[
              {"field_code":"{{{HermesId}}}","field_name":"Hermes ID","field_type":"varchar","is_custom_field":true},
              {"field_code":"{{{Source}}}","field_name":"Source","field_type":"varchar","is_custom_field":true}],
             "additional_data":{"next_cursor":null}}
            """, fields.Json);
        JsonAssert.Equal("""{"success":true,"data":[],"additional_data":{"next_cursor":null}}""", (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/dealFields")).Json);
        Assert.Equal(404, (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/stageFields")).Status);
    }

    [Fact]
    public async Task An_organization_round_trips_with_its_custom_fields()
    {
        var created = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations",
            new JsonObject { ["name"] = "Junes Ltd", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [HermesId] = "42" } });
        Assert.Equal(200, created.Status);
        JsonAssert.Equal(CreatedOrg, created.Json);

        var fetched = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/1");
        JsonAssert.Equal(CreatedOrg, fetched.Json);

        _sim.Clock.Advance(TimeSpan.FromMinutes(5));
        var patched = await _sim.Pipedrive(HttpMethod.Patch, "/api/v2/organizations/1",
            new JsonObject { ["name"] = "Junes Limited", ["custom_fields"] = new JsonObject { [Source] = "Google" } });
        JsonAssert.Equal("""
            {"success":true,"data":{"id":1,"name":"Junes Limited","owner_id":10,"add_time":"2026-11-24T09:30:00Z","update_time":"2026-11-24T09:35:00Z",
             "is_deleted":false,"visible_to":3,"address":null,"label_ids":[],"website":null,"linkedin":null,
             "custom_fields":{"7f8959760703808f36b3795c15310566b74f5134":"42","3d2e6f5c4b3a29180716f5e4d3c2b1a098765432":"Google"}}}
            """, patched.Json);

        var list = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations");
        JsonAssert.Equal(new JsonObject
        {
            ["success"] = true, ["data"] = new JsonArray(patched.Json!["data"]!.DeepClone()), ["additional_data"] = new JsonObject { ["next_cursor"] = null },
        }, list.Json);

        var deleted = await _sim.Pipedrive(HttpMethod.Delete, "/api/v2/organizations/1");
        JsonAssert.Equal("""{"success":true,"data":{"id":1}}""", deleted.Json);

        var gone = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations/1");
        Assert.Equal(404, gone.Status);
        JsonAssert.Equal("""{"success":false,"error":"Organization not found","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}""", gone.Json);
        JsonAssert.Equal("""{"success":true,"data":[],"additional_data":{"next_cursor":null}}""", (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations")).Json);
    }

    [Theory]
    [InlineData("""{"name":"Junes Ltd","custom_fields":{"0000000000000000000000000000000000000000":"x"}}""",
        "custom_fields.0000000000000000000000000000000000000000: not a custom field of organizations")]
    [InlineData("""{"name":"Junes Ltd","7f8959760703808f36b3795c15310566b74f5134":"42"}""",
        "7f8959760703808f36b3795c15310566b74f5134: unknown field for organizations")]
    [InlineData("""{"name":"Junes Ltd","owner_id":"10"}""", "owner_id: must be an integer")]
    [InlineData("""{"name":"Junes Ltd","owner_id":99}""", "owner_id: user 99 does not exist in this company")]
    [InlineData("""{"name":"Junes Ltd","visible_to":"3"}""", "visible_to: must be an integer")]
    [InlineData("""{"name":""}""", "name: must not be empty")]
    [InlineData("""{"owner_id":10}""", "name: required")]
    [InlineData("""{"name":"Junes Ltd","custom_fields":{"7f8959760703808f36b3795c15310566b74f5134":42}}""",
        "custom_fields.7f8959760703808f36b3795c15310566b74f5134: must be a string")]
    public async Task Bad_organization_bodies_are_refused_and_change_nothing(string body, string error)
    {
        var reply = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", body);

        Assert.Equal(400, reply.Status);
        JsonAssert.Equal(new JsonObject
        {
            ["success"] = false, ["error"] = "Validation failed: " + error, ["error_info"] = "Please check developers.pipedrive.com",
            ["data"] = null, ["additional_data"] = null,
        }, reply.Json);
        Assert.Empty(_sim.Host.Pipedrive.List("organization"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("wrong-token")]
    public async Task Requests_without_the_right_token_are_unauthorised(string token)
    {
        var reply = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations", token: token);

        Assert.Equal(401, reply.Status);
        JsonAssert.Equal("""{"success":false,"error":"unauthorized access","error_info":"Please check developers.pipedrive.com","data":null,"additional_data":null}""", reply.Json);
    }

    [Fact]
    public async Task Person_emails_and_phones_are_lists_of_value_label_primary()
    {
        await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", new JsonObject { ["name"] = "Junes Ltd" });

        var reply = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/persons", """
            {"name":"Brian Junes","org_id":1,"owner_id":10,
             "emails":[{"value":"brian@junes.com"},{"value":"b@home.com","label":"home","primary":false}],
             "phones":[{"value":"+44 7700 900123","label":"mobile","primary":true}]}
            """);

        JsonAssert.Equal("""
            {"success":true,"data":{"id":1,"name":"Brian Junes","first_name":"Brian","last_name":"Junes","owner_id":10,"org_id":1,
             "add_time":"2026-11-24T09:30:00Z","update_time":"2026-11-24T09:30:00Z",
             "emails":[{"value":"brian@junes.com","label":"work","primary":true},{"value":"b@home.com","label":"home","primary":false}],
             "phones":[{"value":"+44 7700 900123","label":"mobile","primary":true}],
             "is_deleted":false,"visible_to":3,"label_ids":[],"picture_id":null,"marketing_status":null,"custom_fields":{}}}
            """, reply.Json);
    }

    [Theory]
    [InlineData("""{"name":"Brian Junes","emails":"brian@junes.com"}""", "emails: must be an array of {value, label, primary} objects")]
    [InlineData("""{"name":"Brian Junes","emails":["brian@junes.com"]}""", "emails[0]: must be an object {value, label, primary}")]
    [InlineData("""{"name":"Brian Junes","emails":[{"value":""}]}""", "emails[0].value: must not be empty")]
    [InlineData("""{"name":"Brian Junes","phones":[{"value":"1","primary":true},{"value":"2","primary":true}]}""", "phones: only one entry can be primary")]
    [InlineData("""{"name":"Brian Junes","email":[{"value":"brian@junes.com"}]}""", "email: unknown field for persons")]
    [InlineData("""{"name":"Brian Junes","org_id":5}""", "org_id: organization 5 does not exist")]
    public async Task Person_bodies_in_the_wrong_format_are_refused(string body, string error)
    {
        var reply = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/persons", body);

        Assert.Equal(400, reply.Status);
        JsonAssert.Equal(Errors.Pipedrive("Validation failed: " + error), reply.Json);
        Assert.Empty(_sim.Host.Pipedrive.List("person"));
    }

    [Fact]
    public async Task Lists_page_with_a_cursor()
    {
        foreach (var name in new[] { "A", "B", "C" })
            await _sim.Pipedrive(HttpMethod.Post, "/api/v2/organizations", new JsonObject { ["name"] = name });

        var first = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations?limit=2");
        var cursor = first.Json!["additional_data"]!["next_cursor"]!.GetValue<string>();
        var second = await _sim.Pipedrive(HttpMethod.Get, $"/api/v2/organizations?limit=2&cursor={Uri.EscapeDataString(cursor)}");

        Assert.Equal(["A", "B"], first.Json["data"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        Assert.Equal(["C"], second.Json!["data"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        JsonAssert.Equal("""{"next_cursor":null}""", second.Json["additional_data"]);
        Assert.Equal(400, (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/organizations?limit=501")).Status);
    }

    [Fact]
    public async Task A_deal_goes_to_the_default_pipeline_and_a_stage_implies_its_pipeline()
    {
        var pd = _sim.Host.Pipedrive;
        pd.Create("pipeline", new JsonObject { ["name"] = "PAYG" }, id: 1, notify: false);
        pd.Create("pipeline", new JsonObject { ["name"] = "Enterprise" }, id: 2, notify: false);
        pd.Create("stage", new JsonObject { ["name"] = "New", ["pipeline_id"] = 1 }, id: 11, notify: false);
        pd.Create("stage", new JsonObject { ["name"] = "Qualified", ["pipeline_id"] = 2 }, id: 21, notify: false);

        var created = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/deals", new JsonObject { ["title"] = "Junes deal", ["owner_id"] = 10 });
        _sim.Clock.Advance(TimeSpan.FromMinutes(1));
        var moved = await _sim.Pipedrive(HttpMethod.Patch, "/api/v2/deals/1", new JsonObject { ["stage_id"] = 21, ["status"] = "won" });
        var wrong = await _sim.Pipedrive(HttpMethod.Patch, "/api/v2/deals/1", new JsonObject { ["stage_id"] = 11, ["pipeline_id"] = 2 });

        Assert.Equal((1, 11), (created.Json!["data"]!["pipeline_id"]!.GetValue<int>(), created.Json["data"]!["stage_id"]!.GetValue<int>()));
        JsonAssert.Equal("""
            {"success":true,"data":{"id":1,"title":"Junes deal","creator_user_id":1,"owner_id":10,"person_id":null,"org_id":null,
             "pipeline_id":2,"stage_id":21,"value":0,"currency":"GBP","status":"won","add_time":"2026-11-24T09:30:00Z",
             "update_time":"2026-11-24T09:31:00Z","stage_change_time":"2026-11-24T09:31:00Z","is_deleted":false,"is_archived":false,
             "archive_time":null,"probability":null,"lost_reason":null,"visible_to":3,"close_time":"2026-11-24T09:31:00Z",
             "won_time":"2026-11-24T09:31:00Z","lost_time":null,"expected_close_date":null,"label_ids":[],"custom_fields":{}}}
            """, moved.Json);
        Assert.Equal(400, wrong.Status);
        JsonAssert.Equal(Errors.Pipedrive("Validation failed: stage_id: stage 11 is not in pipeline 2"), wrong.Json);
        JsonAssert.Equal(moved.Json, (await _sim.Pipedrive(HttpMethod.Get, "/api/v2/deals/1")).Json); // the refused update changed nothing
    }

    [Fact]
    public async Task An_activity_names_its_person_through_a_primary_participant()
    {
        await _sim.Pipedrive(HttpMethod.Post, "/api/v2/persons", new JsonObject { ["name"] = "Brian Junes" });

        var created = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/activities", """
            {"subject":"TutorCruncher demo","type":"meeting","owner_id":10,"due_date":"2026-12-01","due_time":"10:00","duration":"00:30",
             "participants":[{"person_id":1,"primary":true}]}
            """);
        var v1Style = await _sim.Pipedrive(HttpMethod.Post, "/api/v2/activities", """{"subject":"x","type":"meeting","person_id":1}""");

        JsonAssert.Equal("""
            {"success":true,"data":{"id":1,"subject":"TutorCruncher demo","type":"meeting","owner_id":10,"creator_user_id":1,"is_deleted":false,
             "add_time":"2026-11-24T09:30:00Z","update_time":"2026-11-24T09:30:00Z","deal_id":null,"lead_id":null,"person_id":1,"org_id":null,
             "project_id":null,"due_date":"2026-12-01","due_time":"10:00","duration":"00:30","busy":false,"done":false,"location":null,
             "participants":[{"person_id":1,"primary":true}],"attendees":[],"public_description":null,"priority":null,"note":null}}
            """, created.Json);
        Assert.Equal(400, v1Style.Status);
        JsonAssert.Equal(Errors.Pipedrive("Validation failed: person_id is read-only in API v2; set the person as a primary participant"), v1Style.Json);
    }

    [Fact]
    public async Task Unknown_paths_and_ids_answer_404()
    {
        var unknownPath = await _sim.Pipedrive(HttpMethod.Get, "/api/v2/widgets");
        var unknownId = await _sim.Pipedrive(HttpMethod.Patch, "/api/v2/persons/77", new JsonObject { ["name"] = "X" });

        Assert.Equal((404, 404), (unknownPath.Status, unknownId.Status));
        JsonAssert.Equal(Errors.Pipedrive("Unknown method ."), unknownPath.Json);
        JsonAssert.Equal(Errors.Pipedrive("Person not found"), unknownId.Json);
    }
}

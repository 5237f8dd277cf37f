using System.Net;
using System.Text.Json.Nodes;
using Hermes.Sandbox.Tc2;
using Hermes.Tests.Tc2;

namespace Hermes.Tests.Hygiene;

/// <summary>
/// The TC2 door's input hygiene (issue 12): the signature is checked on the raw bytes first (403 whatever the body
/// holds); a signed body with text Hermes cannot keep, or a key twice, is a 422 in FastAPI's shape naming the field,
/// and nothing is stored.
/// </summary>
public class Tc2InputTests : Tc2Test
{
    async Task AssertNothingStored()
    {
        Assert.Empty(await WebhookLog());
        Assert.Empty(await All(db => db.Companies));
        Assert.Empty(await AllJobs());
    }

    string ClientBody() => new JsonObject { ["_request_time"] = 123, ["events"] = new JsonArray(Tc2.Webhooks.Event("CREATED_A_CLIENT", Client().ToJson())) }.ToJsonString();

    public static TheoryData<string, string, string> Unreadable => new()
    {
        { "\"first_name\":\"Mary\"", "\"first_name\":\"Ma\\ud800ry\"", """{"detail":[{"loc":["body","events","0","subject","user","first_name"],"msg":"Contains an unpaired UTF-16 surrogate (\\ud800), which is not valid Unicode","type":"string_unicode"}]}""" },
        { "\"name\":\"MyTutors\"", "\"name\":\"My\\u0000Tutors\"", """{"detail":[{"loc":["body","events","0","subject","meta_agency","name"],"msg":"Contains a NUL character (\\u0000)","type":"string_nul"}]}""" },
        { "\"status\":\"trial\"", "\"status\":\"trial\",\"status\":\"live\"", """{"detail":[{"loc":["body","events","0","subject","meta_agency","status"],"msg":"Key appears twice in one object","type":"duplicate_key"}]}""" },
        { "\"_request_time\":123", "\"_request_time\":123,\"\\udfff\":1", """{"detail":[{"loc":["body","\\udfff"],"msg":"Key contains an unpaired UTF-16 surrogate (\\udfff), which is not valid Unicode","type":"string_unicode"}]}""" },
    };

    [Theory, MemberData(nameof(Unreadable))]
    public async Task A_signed_body_with_a_lone_surrogate_NUL_or_duplicate_key_gets_422_naming_the_field_and_nothing_is_stored(string find, string replace, string answer)
    {
        var body = ClientBody();
        Assert.Contains(find, body);
        Assert.Equal(((HttpStatusCode)422, answer), await PostTc2(body.Replace(find, replace)));
        await AssertNothingStored();
    }

    [Fact]
    public async Task The_signature_is_checked_before_the_body_is_read_so_an_unsigned_unreadable_body_gets_403()
    {
        var body = ClientBody().Replace("\"first_name\":\"Mary\"", "\"first_name\":\"Ma\\ud800ry\",\"first_name\":1");
        Assert.Equal((HttpStatusCode.Forbidden, """{"detail":"Unauthorized key"}"""), await PostTc2(body, Tc2Webhooks.Sign(body, "not-the-tc2-key")));
        await AssertNothingStored();
    }

    [Fact]
    public async Task A_name_longer_than_its_column_is_kept_cut_to_255_characters_without_splitting_a_character()
    {
        var name = new string('a', 254) + "😀 Tutors";
        await Send(Client(name: name));

        Assert.Equal([new string('a', 254)], (await All(db => db.Companies)).Select(c => c.Name));
    }

    [Fact]
    public async Task A_client_id_too_big_to_store_is_answered_200_and_logged_as_an_error_naming_it_and_nothing_is_written()
    {
        var body = ClientBody();
        Assert.Contains("\"id\":10,", body);
        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), await PostTc2(body.Replace("\"id\":10,", "\"id\":99999999999999999999,")));
        await RunJobs();

        var entry = Assert.Single(await WebhookLog());
        Assert.Equal(("tc2", "error", "the client's id 99999999999999999999 is not a whole number from 1 to 2147483647"), (entry.Source, entry.Outcome, entry.Error));
        Assert.Empty(await All(db => db.Companies));
        Assert.Empty(await AllJobs());
    }
}

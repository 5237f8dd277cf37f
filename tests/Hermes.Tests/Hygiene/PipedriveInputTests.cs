using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Pipedrive;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Hygiene;

/// <summary>
/// The Pipedrive door's input hygiene (issue 12): text PostgreSQL or System.Text.Json cannot take is refused with 400
/// naming the field, the body is still stored (escaped where it must be) and marked rejected, and nothing else
/// changes; strings that are too long are cut to their column without splitting a character.
/// </summary>
public class PipedriveInputTests : PipedriveWebhookTest
{
    async Task<HttpResponseMessage> PostBytes(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("pipedrive:webhook-secret")));
        return await Hermes.Http.SendAsync(request);
    }

    /// <summary>A v2 organization create with <paramref name="name"/> written into the JSON text as it is (escapes included).</summary>
    static string OrgCreate(string rawName) =>
        Create(V2, "organization", Org()).ToJsonString().Replace("\"name\":\"Test company\"", $"\"name\":\"{rawName}\"");

    async Task AssertRefusedAndStored(HttpResponseMessage response, string detail, string storedBody)
    {
        var expected = new JsonObject { ["detail"] = $"Invalid Pipedrive webhook: {detail}" };
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest && JsonNode.DeepEquals(expected, answer), $"{(int)response.StatusCode} {answer?.ToJsonString()}");
        var logged = Assert.Single(await All(db => db.WebhookLogs));
        Assert.Equal((WebhookLog.OutcomeRejected, detail, storedBody, (string?)null), (logged.Outcome, logged.Error, logged.Body, logged.Object));
        Assert.Empty(await All(db => db.Companies));
        Assert.Empty(await All(db => db.PipedriveObjects));
        Assert.Empty(await PendingJobs());
    }

    public static TheoryData<string, string> UnreadableNames => new()
    {
        { @"Test \ud800company", @"data.name contains an unpaired UTF-16 surrogate (\ud800), which is not valid Unicode" },
        { @"Test \udc00company", @"data.name contains an unpaired UTF-16 surrogate (\udc00), which is not valid Unicode" },
        { @"Test company\ud83d", @"data.name contains an unpaired UTF-16 surrogate (\ud83d), which is not valid Unicode" },
        { @"Test \u0000company", @"data.name contains a NUL character (\u0000)" },
    };

    [Theory, MemberData(nameof(UnreadableNames))]
    public async Task A_lone_surrogate_or_NUL_in_a_string_is_refused_with_400_naming_the_field_and_the_body_is_stored_as_sent(string rawName, string detail)
    {
        var body = OrgCreate(rawName);
        await AssertRefusedAndStored(await PostBytes(Encoding.UTF8.GetBytes(body)), detail, body);
    }

    [Fact]
    public async Task A_duplicate_key_is_refused_with_400_naming_the_key()
    {
        var body = OrgCreate("Test company").Replace("\"name\":\"Test company\"", "\"name\":\"Test company\",\"name\":\"Other\"");
        await AssertRefusedAndStored(await PostBytes(Encoding.UTF8.GetBytes(body)), "data.name is a key that appears twice in one object", body);
    }

    [Fact]
    public async Task A_body_with_a_raw_NUL_byte_is_refused_and_stored_with_the_NUL_escaped()
    {
        var body = OrgCreate("Test company");
        var bytes = Encoding.UTF8.GetBytes(body).Prepend((byte)0).ToArray();
        await AssertRefusedAndStored(await PostBytes(bytes), "the body is not valid JSON", "\\u0000" + body);
    }

    [Fact]
    public async Task A_body_that_is_not_UTF_8_is_refused_naming_the_byte_and_stored_with_a_replacement_character()
    {
        var body = OrgCreate("Test company");
        var at = body.IndexOf("Test company", StringComparison.Ordinal);
        byte[] bytes = [.. Encoding.UTF8.GetBytes(body[..at]), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes(body[at..])];
        await AssertRefusedAndStored(await PostBytes(bytes), $"the body is not valid UTF-8 (byte {at})", body[..at] + "\uFFFD\uFFFD\uFFFD" + body[at..]);
    }

    [Fact]
    public async Task A_body_nested_deeper_than_32_levels_is_refused_naming_where()
    {
        var body = OrgCreate("Test company").Replace("\"visible_to\":3", "\"visible_to\":" + new string('[', 40) + new string(']', 40));
        // The root and data are two levels, visible_to a third: the 33rd level is its 30th nested array.
        var where = "data.visible_to" + string.Concat(Enumerable.Repeat(".0", 30));
        await AssertRefusedAndStored(await PostBytes(Encoding.UTF8.GetBytes(body)), $"{where} is nested more than 32 levels deep", body);
    }

    [Fact]
    public async Task An_entity_and_action_longer_than_their_columns_are_logged_cut_to_50_characters()
    {
        var entity = new string('x', 49) + "😀" + "tail";
        var action = new string('y', 300);
        var body = Create(V2, "organization", Org());
        body["meta"]!["entity"] = entity;
        body["meta"]!["action"] = action;

        await PostOk(body);

        var logged = Assert.Single(await All(db => db.WebhookLogs));
        // 49 units and then a pair: the pair would be cut in half at 50, so it goes.
        Assert.Equal((WebhookLog.OutcomeIgnored, new string('x', 49), new string('y', 50)), (logged.Outcome, logged.Object, logged.Action));
        Assert.Empty(await All(db => db.Companies));
    }

    [Theory, InlineData(254), InlineData(255)]
    public async Task A_name_longer_than_its_column_is_cut_to_255_characters_without_splitting_one(int before)
    {
        var name = new string('a', before) + "😀" + "tail";
        await PostOk(Create(V2, "organization", Org(name: name)));

        // 254 units and then a pair would be 256: the pair goes rather than half of it.
        var expected = before == 254 ? new string('a', 254) : new string('a', 255);
        Assert.Equal([expected], (await All(db => db.Companies)).Select(c => c.Name));
    }
}

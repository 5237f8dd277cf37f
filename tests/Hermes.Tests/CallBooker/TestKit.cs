using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.CallBooker;

/// <summary>Whole-response assertions and the rows call booker tests start from.</summary>
public static class TestKit
{
    static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    /// <summary>Asserts the status code and the whole JSON body (key order ignored, everything else compared).</summary>
    public static async Task<JsonNode?> AssertJson(HttpResponseMessage response, HttpStatusCode status, string expectedJson)
    {
        var text = await response.Content.ReadAsStringAsync();
        var actual = text.Length == 0 ? null : JsonNode.Parse(text);
        var expected = JsonNode.Parse(expectedJson);
        if (response.StatusCode != status || !JsonNode.DeepEquals(expected, actual))
            Assert.Equal($"{(int)status}\n{expected?.ToJsonString(Pretty)}", $"{(int)response.StatusCode}\n{actual?.ToJsonString(Pretty)}");
        return actual;
    }

    public static async Task<JsonNode?> AssertJson(HttpResponseMessage response, HttpStatusCode status, JsonNode expected) =>
        await AssertJson(response, status, expected.ToJsonString());

    public static Task<HttpResponseMessage> PostJson(this HermesInstance hermes, string path, object body) =>
        hermes.Http.PostAsync(path, new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public static Admin Steve(int? tc2AdminId = 20, string timezone = "Europe/London", string username = "climan@example.com") => new()
    {
        FirstName = "Steve", LastName = "Jobs", Username = username, Tc2AdminId = tc2AdminId, PdOwnerId = 99,
        IsSalesPerson = true, SellsPayg = true, SellsGb = true, Timezone = timezone,
    };

    /// <summary>Three pipelines, one per price plan, each with its own entry stage, named in the config row.</summary>
    public static async Task<(Config Config, Pipeline Payg, Pipeline Startup, Pipeline Enterprise)> SeedConfigAsync(
        this HermesInstance hermes, Action<Config>? change = null)
    {
        await using var db = hermes.Db();
        Pipeline Make(string name, int pd) => new() { Name = name, PdPipelineId = pd, DftEntryStage = new Stage { Name = $"{name} new", PdStageId = pd * 10 } };
        var (payg, startup, enterprise) = (Make("payg", 1), Make("startup", 2), Make("enterprise", 3));
        var config = new Config { PaygPipeline = payg, StartupPipeline = startup, EnterprisePipeline = enterprise };
        change?.Invoke(config);
        db.Add(config);
        await db.SaveChangesAsync();
        return (config, payg, startup, enterprise);
    }

    public static string Iso(DateTime utc) => Hermes.CallBooker.Dates.Iso(utc);
}

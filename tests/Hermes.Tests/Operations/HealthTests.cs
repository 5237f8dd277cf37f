using System.Net;
using Hermes.Jobs;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Operations;

/// <summary>
/// <c>/health</c>: 200 ok; 200 degraded when jobs failed for good or the oldest due job waits more than 10 minutes;
/// 503 when the database cannot be reached. <c>/health/live</c>: 200 while the process serves.
/// </summary>
public class HealthTests
{
    static async Task<(HttpStatusCode, string)> Get(HermesInstance hermes, string path)
    {
        using var response = await hermes.Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static async Task AddJob(HermesInstance hermes, string status, TimeSpan runAfterAgo)
    {
        var now = hermes.Clock.GetUtcNow().UtcDateTime;
        await using var db = hermes.Db();
        db.Jobs.Add(new Job { Kind = "test.kind", Payload = "{}", Status = status, MaxAttempts = 10, RunAfter = now - runAfterAgo, CreatedAt = now - runAfterAgo, UpdatedAt = now });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_due_job_waiting_up_to_10_minutes_is_ok_and_longer_is_degraded_but_still_200()
    {
        await using var hermes = await HermesInstance.StartAsync();
        await AddJob(hermes, Job.Pending, TimeSpan.FromMinutes(9));
        await AddJob(hermes, Job.Pending, TimeSpan.FromMinutes(-5)); // not due yet
        Assert.Equal((HttpStatusCode.OK, """{"status":"ok","database":"ok","jobs":{"pending":2,"running":0,"failed":0,"due":1,"oldestDueAgeSeconds":540},"error":null,"problems":[]}"""),
            await Get(hermes, "/health"));

        hermes.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal((HttpStatusCode.OK, """{"status":"degraded","database":"ok","jobs":{"pending":2,"running":0,"failed":0,"due":1,"oldestDueAgeSeconds":601},"error":null,"problems":["the oldest due job has waited 601 s (more than 600 s): are the job workers running?"]}"""),
            await Get(hermes, "/health"));
    }

    [Fact]
    public async Task Jobs_that_failed_for_good_make_health_degraded_but_still_200()
    {
        await using var hermes = await HermesInstance.StartAsync();
        await AddJob(hermes, Job.Failed, TimeSpan.FromDays(1));
        await AddJob(hermes, Job.Failed, TimeSpan.FromDays(2));
        Assert.Equal((HttpStatusCode.OK, """{"status":"degraded","database":"ok","jobs":{"pending":0,"running":0,"failed":2,"due":0,"oldestDueAgeSeconds":null},"error":null,"problems":["2 jobs failed for good"]}"""),
            await Get(hermes, "/health"));
    }

    [Fact]
    public async Task Health_is_503_when_the_database_cannot_be_reached_and_live_is_still_200()
    {
        var db = await TestDatabase.CreateAsync();
        await using var hermes = await HermesInstance.StartAsync(db: db);
        Assert.Equal(HttpStatusCode.OK, (await Get(hermes, "/health")).Item1);

        var name = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString).Database!;
        var server = TestDatabase.Server();
        server.Database = "postgres";
        server.Pooling = false;
        await TestDatabase.ExecuteAsync(new Hermes.Configuration.DatabaseUrl(Hermes.Configuration.DatabaseKind.Postgres, server.ConnectionString),
            $"DROP DATABASE \"{name}\" WITH (FORCE)");

        // The first answer may be about the pooled connection the drop cut; the next is PostgreSQL's "does not exist".
        foreach (var _ in new[] { 1, 2 })
        {
            var (status, body) = await Get(hermes, "/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.StartsWith("""{"status":"error","database":"unreachable","jobs":null,"error":""", body);
        }
        var error = System.Text.Json.Nodes.JsonNode.Parse((await Get(hermes, "/health")).Item2)!["error"]!.GetValue<string>();
        Assert.Equal($"3D000: database \"{name}\" does not exist", error);
        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), await Get(hermes, "/health/live"));
    }
}

using System.Text.Json.Nodes;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Hermes.Sandbox;
using Hermes.Tests.Infrastructure;
using Hermes.Tests.Tc2;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SimClient = Hermes.Sandbox.Tc2.SimulatedClient;
using SimRecipient = Hermes.Sandbox.Tc2.Tc2Recipient;

namespace Hermes.Tests.Sync;

/// <summary>
/// Nothing is lost and nothing is doubled while Pipedrive misbehaves: a batch of 50 new TC2 clients synced through
/// server errors, 429s, Cloudflare's 403, empty 200s, timeouts and dropped connections.
/// </summary>
public class SyncFaultTests : Tc2Test
{
    protected override void Settings(Dictionary<string, string?> settings)
    {
        settings["PD_RATE_LIMIT_BURST"] = "100";
        settings["PD_RATE_LIMIT_SEARCH"] = "50";
    }

    // A short timeout, so that the simulator's slow answers are timeouts.
    protected override void Services(IServiceCollection services) =>
        services.AddHttpClient<PipedriveClient>(c => c.Timeout = TimeSpan.FromSeconds(1));

    SimClient Numbered(int i) =>
        Client(id: 1000 + i, agencyId: 2000 + i, name: $"Tutors {i:00}", email: $"owner{i}@tutors.com",
            recipients: [new SimRecipient(3000 + i, "Owner", $"Number {i}", $"owner{i}@tutors.com")]);

    /// <summary>Runs jobs until none is left, moving the fake clock to each retry's time.</summary>
    async Task Drain()
    {
        for (var round = 0; round < 100; round++)
        {
            var ran = await Hermes.RunJobsAsync(workers: 4);
            await using var db = Hermes.Db();
            if (!await db.Jobs.AnyAsync(j => j.Status == Job.Pending)) return;
            // Jobs left wait for a retry time (or behind one of those, by company): move the clock to the first.
            var now = Now;
            var next = await db.Jobs.Where(j => j.Status == Job.Pending && j.RunAfter > now).OrderBy(j => j.RunAfter).Select(j => (DateTime?)j.RunAfter).FirstOrDefaultAsync();
            if (next is not null) Hermes.Clock.Advance(next.Value - now);
            else if (ran == 0) break;
        }
        var left = await All(db => db.Jobs.Where(j => j.Status != Job.Done).OrderBy(j => j.Id));
        Assert.Fail("the jobs did not finish: " + string.Join("; ", left.Select(j => $"{j.Id} {j.Kind} {j.Payload} {j.Status} attempts {j.Attempts} after {j.RunAfter:O}: {j.LastError}")));
    }

    [Fact]
    public async Task A_batch_of_50_companies_converges_through_Pipedrive_faults_without_duplicates_or_failed_jobs()
    {
        Pd.RateLimits.General = 100;
        Pd.RateLimits.Search = 50;
        var rules = new[]
        {
            Pd.Faults.Next(5, Fault.ServerError(503), "/api/v2/organizations", "POST"),
            Pd.Faults.Next(3, Fault.EmptyOk(), "/api/v2/organizations", "POST"),
            Pd.Faults.Next(3, Fault.ServerError(500), "/api/v2/persons", "POST"),
            Pd.Faults.Next(3, Fault.EmptyOk(), "/api/v2/persons", "POST"),
            Pd.Faults.Next(4, Fault.RateLimited(), "/api/v2/deals", "POST"),
            Pd.Faults.Next(2, Fault.Abort(), "/api/v2/deals", "POST"),
            Pd.Faults.Next(1, Fault.CloudflareForbidden(), "/api/v2/persons/search"),
            Pd.Faults.Next(3, Fault.Slow(TimeSpan.FromSeconds(3)), "/api/v2/organizations/search"),
            Pd.Faults.Next(2, Fault.RateLimited(), "/api/v2/organizations/*", "GET"),
        };
        for (var i = 0; i < 50; i++) Tc2.PutClient(Numbered(i));

        // TC2 sends them in five webhooks of ten events.
        for (var batch = 0; batch < 5; batch++)
        {
            var delivery = await Tc2.Webhooks.SendAsync(Enumerable.Range(batch * 10, 10).Select(i => Tc2.Webhooks.ClientEvent("CREATED_A_CLIENT", 1000 + i)).ToList());
            Assert.Equal((200, """{"status":"ok"}"""), (delivery.StatusCode, delivery.ResponseBody));
        }
        Assert.Equal(50, (await PendingJobs()).Count);

        await Drain();

        Assert.All(rules, r => Assert.Equal(0, r.Remaining)); // every fault happened
        Assert.Empty(await All(db => db.Jobs.Where(j => j.Status != Job.Done)));
        var companies = await All(db => db.Companies.Include(c => c.Contacts).Include(c => c.Deals).OrderBy(c => c.Id));
        Assert.Equal(50, companies.Count);
        var orgs = Pd.List("organizations");
        var persons = Pd.List("persons");
        var deals = Pd.List("deals");
        Assert.Equal((50, 50, 50), (orgs.Count, persons.Count, deals.Count));
        foreach (var company in companies)
        {
            var org = orgs.Single(o => o["id"]!.AsLong() == company.PdOrgId);
            Assert.Equal((company.Name, company.Id.ToString()), (org["name"]!.GetValue<string>(), org["custom_fields"]![OrgHermesId]!.GetValue<string>()));
            var contact = Assert.Single(company.Contacts);
            var person = persons.Single(p => p["id"]!.AsLong() == contact.PdPersonId);
            Assert.Equal((company.PdOrgId, contact.Email), ((int?)person["org_id"]!.AsLong(), person["emails"]![0]!["value"]!.GetValue<string>()));
            var deal = Assert.Single(company.Deals);
            var pdDeal = deals.Single(d => d["id"]!.AsLong() == deal.PdDealId);
            Assert.Equal((company.PdOrgId, contact.PdPersonId), ((int?)pdDeal["org_id"]!.AsLong(), (int?)pdDeal["person_id"]!.AsLong()));
        }
        // And TC2 heard about each of them once.
        Assert.Equal(50, Tc2.Requests.Matching("POST", "/api/clients/").Count);
    }
}

/// <summary>
/// One Pipedrive rate limit for every worker of every Hermes process on the database: two Hermes hosts with three
/// workers each never send Pipedrive more than the configured burst in any 2-second window, counted by the
/// simulator's own clock, and Pipedrive never has to answer 429.
/// </summary>
public class SyncRateLimitTests : Tc2Test
{
    const int Burst = 10, Search = 5;

    protected override void Settings(Dictionary<string, string?> settings)
    {
        settings["PD_RATE_LIMIT_BURST"] = Burst.ToString();
        settings["PD_RATE_LIMIT_SEARCH"] = Search.ToString();
    }

    static Action<IServiceCollection> Tag(string host) => services =>
        services.AddHttpClient<PipedriveClient>().AddHttpMessageHandler(() => new TagHandler(host));

    sealed class TagHandler(string host) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.Add("x-test-host", host);
            return base.SendAsync(request, ct);
        }
    }

    /// <summary>The most requests the simulator received in any 2-second window (by arrival time), among those picked.</summary>
    static int MostInAnyWindow(IReadOnlyList<RecordedRequest> requests)
    {
        var times = requests.Select(r => r.Time).Order().ToList();
        var most = 0;
        for (var i = 0; i < times.Count; i++)
            most = Math.Max(most, times.Skip(i).TakeWhile(t => t < times[i] + TimeSpan.FromSeconds(2)).Count());
        return most;
    }

    [Fact]
    public async Task Two_worker_hosts_never_send_more_than_the_configured_burst_in_any_2_second_window()
    {
        Pd.RateLimits.General = Burst;
        Pd.RateLimits.Search = Search;
        await using var a = await StartHermesAsync(db: Hermes.Database, services: Tag("a"));
        await using var b = await StartHermesAsync(db: Hermes.Database, services: Tag("b"));
        for (var i = 0; i < 16; i++)
        {
            Tc2.PutClient(Client(id: 100 + i, agencyId: 200 + i, name: $"Tutors {i}", email: $"owner{i}@tutors.com", status: "active",
                recipients: [new SimRecipient(300 + i, "Owner", $"Number {i}", $"owner{i}@tutors.com")]));
        }
        var delivery = await Tc2.Webhooks.SendAsync(Enumerable.Range(0, 16).Select(i => Tc2.Webhooks.ClientEvent("CREATED_A_CLIENT", 100 + i)).ToList());
        Assert.Equal(200, delivery.StatusCode);

        await Task.WhenAll(a.RunJobsAsync(workers: 3), b.RunJobsAsync(workers: 3));

        Assert.Empty(await All(db => db.Jobs.Where(j => j.Status != Job.Done)));
        var requests = Pd.Requests.All.Where(r => r.Header("x-test-host") is not null).ToList();
        Assert.Equal((16, 16), (Pd.List("organizations").Count, Pd.List("persons").Count));
        Assert.True(requests.Count(r => r.Header("x-test-host") == "a") > 0 && requests.Count(r => r.Header("x-test-host") == "b") > 0, "both hosts sent requests");
        var searches = requests.Where(r => r.Path.EndsWith("/search", StringComparison.Ordinal)).ToList();
        Assert.InRange(MostInAnyWindow(requests), 1, Burst);
        Assert.InRange(MostInAnyWindow(searches), 1, Search);
    }

    [Fact]
    public async Task A_lower_limit_in_Pipedrives_x_ratelimit_limit_header_is_followed()
    {
        Pd.RateLimits.General = 4; // Pipedrive allows less than Hermes is configured for (10)
        var queue = Hermes.App.Services.GetRequiredService<JobQueue>();
        await using (var db = Hermes.Db())
        {
            for (var i = 0; i < 8; i++)
            {
                var org = PdOrg($"Tutors {i}", new JsonObject { [OrgTc2Status] = "trial" });
                var company = new Hermes.Domain.Company { Name = $"Tutors {i}", PdOrgId = (int)org, Tc2Status = "active", SalesPersonId = Sales.Id, Created = Now };
                db.Companies.Add(company);
                await db.SaveChangesAsync();
                queue.Enqueue(db, new SyncCompany(company.Id));
            }
            await db.SaveChangesAsync();
        }
        Pd.Requests.Clear();

        await Hermes.RunJobsAsync(workers: 4);

        // Nothing had to wait for a 429: every job finished in this run, and no window held more than Pipedrive's 4.
        Assert.Empty(await All(db => db.Jobs.Where(j => j.Status != Job.Done)));
        var requests = Pd.Requests.All.Where(r => !r.Path.EndsWith("Fields", StringComparison.Ordinal)).ToList();
        Assert.Equal(16, requests.Count);
        Assert.InRange(MostInAnyWindow(requests), 1, 4);
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// The newest state wins whatever the arrival order (behaviour.md §2, Order): a seeded stream of a few hundred edits made
/// in the Pipedrive simulator (creates, updates, moves between organizations, merges and deletes of organizations,
/// persons and deals) is delivered in order to one Hermes, and shuffled, with duplicates, by several concurrent senders
/// to another, each of them running the job queue (the fetch of unknown organizations and the replays) now and then.
/// Both must end with the same companies, contacts and deals. The seed is printed; set <c>HERMES_REPLAY_SEED</c> to
/// replay a failure with it.
/// </summary>
public class ShuffledReplayTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Edits = 300;
    const int Senders = 4;
    const int JobsEvery = 15;

    SimulatorHost _simulators = null!;
    readonly FakeTimeProvider _pipedriveClock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync()
    {
        _simulators = await SimulatorHost.StartAsync(o => o.Time = _pipedriveClock);
        _simulators.Pipedrive.AddUser(10, "Sally Seller", "testing@example.com");
        _simulators.Pipedrive.AddUser(99, "Steve Jobs", "steve@example.com");
        // The simulator's clock stands still, so its rolling rate-limit window would never reopen.
        _simulators.Pipedrive.RateLimits.Enabled = false;
    }

    public async Task DisposeAsync() => await _simulators.DisposeAsync();

    async Task<HermesInstance> StartHermesAsync()
    {
        var hermes = await HermesInstance.StartAsync(s =>
        {
            s["PD_BASE_URL"] = _simulators.PipedriveBaseUrl;
            s["PD_API_KEY"] = _simulators.Pipedrive.Options.ApiToken;
            s["PD_RATE_LIMIT_BURST"] = "1000";
        });
        await using var db = hermes.Db();
        db.Admins.AddRange(
            new Admin { Username = "testing@example.com", FirstName = "Sally", LastName = "Seller", PdOwnerId = 10, IsSalesPerson = true },
            new Admin { Username = "steve@example.com", FirstName = "Steve", LastName = "Jobs", PdOwnerId = 99, IsSalesPerson = true });
        db.CustomFields.AddRange(HermesTest.HermesIdFields());
        await db.SaveChangesAsync();
        return hermes;
    }

    public static TheoryData<string, int> Streams => new()
    {
        { V1, 1201 },
        { V2, 2202 },
        { PipedriveEditStream.Mixed, 3303 },
    };

    [Theory, MemberData(nameof(Streams))]
    public async Task A_stream_of_edits_shuffled_with_duplicates_from_concurrent_senders_ends_in_the_same_rows_as_in_order(string version, int defaultSeed)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HERMES_REPLAY_SEED"), out var chosen) ? chosen : defaultSeed;
        var random = new Random(seed);
        var edits = await PipedriveEditStream.RecordAsync(_simulators.Pipedrive, _pipedriveClock, version, random, Edits);

        var shuffled = edits.Stream.Concat(edits.Stream.Where(_ => random.Next(4) == 0)).OrderBy(_ => random.Next()).ToList();
        output.WriteLine($"seed {seed} (HERMES_REPLAY_SEED={seed} replays it), webhooks {version}: {edits.Stream.Count} events, " +
                         $"{shuffled.Count} deliveries shuffled with duplicates by {Senders} senders");
        output.WriteLine("edits: " + string.Join(", ", edits.Edits.Select(kv => $"{kv.Key} {kv.Value}")));

        await using var inOrder = await StartHermesAsync();
        foreach (var body in edits.Setup.Concat(edits.Stream)) await PostOk(inOrder, body);
        while (await inOrder.RunJobsAsync() > 0) { }
        var expected = await Rows(inOrder);

        await using var outOfOrder = await StartHermesAsync();
        foreach (var body in edits.Setup) await PostOk(outOfOrder, body);
        var queue = new ConcurrentQueue<JsonNode>(shuffled);
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            var sent = 0;
            while (queue.TryDequeue(out var body))
            {
                await PostOk(outOfOrder, body);
                if (++sent % JobsEvery == 0) await outOfOrder.RunJobsAsync();
            }
        }));
        while (await outOfOrder.RunJobsAsync() > 0) { }
        var actual = await Rows(outOfOrder);

        output.WriteLine($"in order: {expected.Count(l => l.StartsWith("org "))} companies, {expected.Count(l => l.StartsWith("person "))} contacts, " +
                         $"{expected.Count(l => l.StartsWith("deal "))} deals");
        Assert.True(expected.Count(l => l.StartsWith("org ")) >= 5 && expected.Count(l => l.StartsWith("person ")) >= 5 && expected.Count(l => l.StartsWith("deal ")) >= 5,
            $"seed {seed}: the stream left too little to compare:\n{string.Join("\n", expected)}");
        if (!expected.SequenceEqual(actual))
        {
            var differing = expected.Except(actual).Concat(actual.Except(expected)).ToList();
            throw new XunitException(
                $"seed {seed} ({version}): shuffled delivery ended elsewhere than in-order delivery (HERMES_REPLAY_SEED={seed} replays it)\n" +
                $"only in order:\n  {string.Join("\n  ", expected.Except(actual))}\nonly shuffled:\n  {string.Join("\n  ", actual.Except(expected))}\n" +
                $"in order, what Hermes made of their webhooks:\n  {string.Join("\n  ", await History(inOrder, differing))}\n" +
                $"shuffled, what Hermes made of their webhooks:\n  {string.Join("\n  ", await History(outOfOrder, differing))}");
        }
        var unfinished = await Unfinished(outOfOrder);
        Assert.True(unfinished.Count == 0, $"seed {seed} ({version}): left unfinished:\n  {string.Join("\n  ", unfinished)}");
    }

    static async Task PostOk(HermesInstance hermes, JsonNode body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("pipedrive:webhook-secret"u8.ToArray()));
        using var response = await hermes.Http.SendAsync(request);
        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Hermes's companies, contacts and deals, described by their Pipedrive ids rather than Hermes's own (which differ between runs).</summary>
    static async Task<List<string>> Rows(HermesInstance hermes)
    {
        await using var db = hermes.Db();
        var companies = await db.Companies.OrderBy(c => c.PdOrgId).ThenBy(c => c.Name)
            .Select(c => $"org {c.PdOrgId}: {c.Name} | sales {c.SalesPerson!.Username}").ToListAsync();
        var contacts = await db.Contacts.OrderBy(c => c.PdPersonId).ThenBy(c => c.LastName)
            .Select(c => $"person {c.PdPersonId}: {c.FirstName} {c.LastName} | {c.Email} | org {c.Company!.PdOrgId}").ToListAsync();
        var deals = await db.Deals.OrderBy(d => d.PdDealId).ThenBy(d => d.Name)
            .Select(d => $"deal {d.PdDealId}: {d.Name} | {d.Status} | org {d.Company!.PdOrgId} | person {d.Contact!.PdPersonId} | {d.Stage!.Name} | {d.Pipeline!.Name} | owner {d.Admin!.Username}")
            .ToListAsync();
        return [.. companies, .. contacts, .. deals];
    }

    /// <summary>The webhook log of the objects the differing rows name ("org 21", "person 30 … org 25"), in arrival order.</summary>
    static async Task<List<string>> History(HermesInstance hermes, IEnumerable<string> rows)
    {
        var named = rows.SelectMany(r => System.Text.RegularExpressions.Regex.Matches(r, @"\b(org|person|deal) (\d+)"))
            .Select(m => (Entity: m.Groups[1].Value == "org" ? "organization" : m.Groups[1].Value, Id: m.Groups[2].Value)).Distinct().ToList();
        await using var db = hermes.Db();
        var log = await db.WebhookLogs.OrderBy(w => w.Id).Select(w => new { w.Id, w.Object, w.Action, w.ObjectIds, w.Outcome, w.Error }).ToListAsync();
        return log.Where(w => named.Any(n => n.Entity == w.Object && (w.ObjectIds ?? "").Split('→').Contains(n.Id)))
            .Select(w => $"#{w.Id} {w.Object} {w.Action} {w.ObjectIds}: {w.Outcome}: {w.Error}").ToList();
    }

    /// <summary>Webhooks neither processed nor ignored, and fetch jobs not done: none may be left.</summary>
    static async Task<List<string>> Unfinished(HermesInstance hermes)
    {
        await using var db = hermes.Db();
        var webhooks = await db.WebhookLogs.Where(w => w.Outcome != WebhookLog.OutcomeProcessed && w.Outcome != WebhookLog.OutcomeIgnored)
            .Select(w => $"webhook {w.Id} {w.Object} {w.ObjectIds}: {w.Outcome} {w.Error}").ToListAsync();
        var jobs = await db.Jobs.Where(j => j.Kind == global::Hermes.Pipedrive.FetchOrganization.Kind && j.Status != global::Hermes.Jobs.Job.Done)
            .Select(j => $"job {j.Id} {j.Kind} {j.Payload}: {j.Status} {j.LastError}").ToListAsync();
        return [.. webhooks, .. jobs];
    }
}

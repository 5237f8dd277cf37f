using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// Two versions of one object arriving at the same moment (Pipedrive's retries, bulk edits, several Hermes workers):
/// events for one object are applied one at a time, so the newer version wins whichever commits last, and the
/// remembered <c>update_time</c> (<c>pipedrive_object.updated_at</c>) is the newer one, never going backwards.
/// </summary>
public class ConcurrentVersionsTests : PipedriveWebhookTest
{
    const int Pairs = 60;
    static readonly DateTime Start = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    [Theory, InlineData(V1), InlineData(V2)]
    public async Task Pairs_of_versions_of_one_organization_person_and_deal_sent_at_the_same_moment__the_newer_wins_every_time(string v)
    {
        await PostOk(Create(v, "organization", With(Org(20, "Org 0"), ("update_time", Start))));
        await PostOk(Create(v, "organization", With(Org(21, "Other org"), ("update_time", Start))));
        await PostOk(Create(v, "person", With(Person(30, "Pat Zero", orgId: 20), ("update_time", Start))));
        await PostOk(Create(v, "deal", With(PdDeal(40, "Deal 0", orgId: 20, personId: 30, stageId: null, pipelineId: null), ("update_time", Start))));
        var last = (Org: Org(20, "Org 0"), Person: Person(30, "Pat Zero", orgId: 20), Deal: PdDeal(40, "Deal 0", orgId: 20, personId: 30, stageId: null, pipelineId: null));

        var outcomes = new List<string>();
        for (var i = 1; i <= Pairs; i++)
        {
            var (older, newer) = (Start.AddSeconds(2 * i), Start.AddSeconds(2 * i + 1));
            var (olderOrg, newerOrg) = i % 2 == 0 ? (21, 20) : (20, 21);
            var org = (Old: With(Org(20, $"Org old {i}", owner: 99), ("update_time", older)), New: With(Org(20, $"Org new {i}"), ("update_time", newer)));
            var person = (Old: With(Person(30, $"Pat Old{i}", orgId: olderOrg), ("update_time", older)), New: With(Person(30, $"Pat New{i}", orgId: newerOrg), ("update_time", newer)));
            var deal = (Old: With(PdDeal(40, $"Deal old {i}", orgId: olderOrg, personId: 30, stageId: null, pipelineId: null, status: "lost"), ("update_time", older)),
                New: With(PdDeal(40, $"Deal new {i}", orgId: newerOrg, personId: 30, stageId: null, pipelineId: null), ("update_time", newer)));
            var bodies = new[]
            {
                Update(v, "organization", last.Org, org.Old), Update(v, "organization", last.Org, org.New),
                Update(v, "person", last.Person, person.Old), Update(v, "person", last.Person, person.New),
                Update(v, "deal", last.Deal, deal.Old), Update(v, "deal", last.Deal, deal.New),
            };
            // All six requests are on their way before any answer is awaited; every other round the newer ones go first.
            var sending = (i % 2 == 0 ? bodies.Reverse() : bodies).Select(b => Post(b)).ToList();
            foreach (var response in await Task.WhenAll(sending))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            last = (org.New, person.New, deal.New);

            await using var db = Hermes.Db();
            var company = await db.Companies.Include(c => c.SalesPerson).SingleAsync(c => c.PdOrgId == 20);
            var contact = await db.Contacts.Include(c => c.Company).SingleAsync(c => c.PdPersonId == 30);
            var hermesDeal = await db.Deals.Include(d => d.Company).SingleAsync(d => d.PdDealId == 40);
            var seen = await db.PipedriveObjects.Where(o => o.PdId == 20 || o.PdId == 30 || o.PdId == 40)
                .OrderBy(o => o.PdId).Select(o => $"{o.Entity} {o.UpdatedAt:HH:mm:ss}").ToListAsync();
            outcomes.Add(string.Join(" | ", company.Name, company.SalesPerson!.Username, $"{contact.FirstName} {contact.LastName}", contact.Company!.PdOrgId,
                hermesDeal.Name, hermesDeal.Status, hermesDeal.Company!.PdOrgId, string.Join(", ", seen)));
        }

        // Pair by pair: the newer version of each object, and its time remembered.
        var expected = Enumerable.Range(1, Pairs).Select(i =>
        {
            var newerOrg = i % 2 == 0 ? 20 : 21;
            var time = Start.AddSeconds(2 * i + 1);
            return string.Join(" | ", $"Org new {i}", "testing@example.com", $"Pat New{i}", newerOrg, $"Deal new {i}", "open", newerOrg,
                $"organization {time:HH:mm:ss}, person {time:HH:mm:ss}, deal {time:HH:mm:ss}");
        });
        Assert.Equal(expected, outcomes);
        Assert.Empty(await All(db => db.WebhookLogs.Where(w => w.Outcome != WebhookLog.OutcomeProcessed && w.Outcome != WebhookLog.OutcomeIgnored)
            .Select(w => $"{w.Object} {w.ObjectIds}: {w.Outcome} {w.Error}")));
    }

    [Fact]
    public async Task On_SQLite_too__pairs_of_versions_of_one_organization_sent_at_the_same_moment__the_newer_wins_every_time()
    {
        await Hermes.DisposeAsync();
        Hermes = await HermesInstance.StartAsync(db: TestSqlite.NewFile());
        await using (var db = Hermes.Db())
        {
            db.Admins.AddRange(new Admin { Username = "testing@example.com", PdOwnerId = 10, IsSalesPerson = true }, new Admin { Username = "steve@example.com", PdOwnerId = 99, IsSalesPerson = true });
            await db.SaveChangesAsync();
        }
        await PostOk(Create(V2, "organization", With(Org(20, "Org 0"), ("update_time", Start))));

        var outcomes = new List<string>();
        for (var i = 1; i <= Pairs / 2; i++)
        {
            var older = Update(V2, "organization", Org(20), With(Org(20, $"Org old {i}", owner: 99), ("update_time", Start.AddSeconds(2 * i))));
            var newer = Update(V2, "organization", Org(20), With(Org(20, $"Org new {i}"), ("update_time", Start.AddSeconds(2 * i + 1))));
            var sending = (i % 2 == 0 ? new[] { newer, older } : [older, newer]).Select(b => Post(b)).ToList();
            foreach (var response in await Task.WhenAll(sending)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var db = Hermes.Db();
            var company = await db.Companies.Include(c => c.SalesPerson).SingleAsync(c => c.PdOrgId == 20);
            var seen = await db.PipedriveObjects.SingleAsync(o => o.Entity == PipedriveObject.Organization && o.PdId == 20);
            outcomes.Add($"{company.Name} | {company.SalesPerson!.Username} | {seen.UpdatedAt:HH:mm:ss}");
        }

        Assert.Equal(Enumerable.Range(1, Pairs / 2).Select(i => $"Org new {i} | testing@example.com | {Start.AddSeconds(2 * i + 1):HH:mm:ss}"), outcomes);
    }
}

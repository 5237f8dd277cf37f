using System.Text.Json.Nodes;
using Hermes.Sandbox.Pipedrive;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Tests.Pipedrive;

/// <summary>
/// A seeded run of random edits made in the Pipedrive simulator the way a sales team makes them (organizations, persons
/// and deals created, renamed, moved between organizations, merged and deleted), one second apart on the simulator's
/// clock, and the webhooks Pipedrive sent for them in the order it made them. The simulator keeps the final objects, so
/// Hermes can fetch an organization it has not heard of.
/// </summary>
public sealed class PipedriveEditStream
{
    /// <summary>v1 or v2 webhooks, or each change in either (as while an account moves from v1 to v2 subscriptions).</summary>
    public const string Mixed = "mixed";

    public required List<JsonNode> Setup { get; init; }
    public required List<JsonNode> Stream { get; init; }
    /// <summary>How many edits of each kind were made ("person move" → 31).</summary>
    public required SortedDictionary<string, int> Edits { get; init; }

    static readonly string[] FirstNames = ["Ann", "Bob", "Cleo", "Dev", "Eve", "Femi", "Gus", "Hana", "Ivo", "Jo"];
    static readonly string[] Words = ["Acme", "Beta", "Coral", "Delta", "Ember", "Fjord", "Gala", "Helix", "Iris", "Juno"];

    public static async Task<PipedriveEditStream> RecordAsync(PipedriveSimulator pd, FakeTimeProvider clock, string version, Random random, int edits)
    {
        var v1 = version is PipedriveWebhooks.V1 or Mixed ? pd.Webhooks.Subscribe(new Uri("http://127.0.0.1:9/v1"), "1.0", "pipedrive", "webhook-secret") : null;
        var v2 = version is PipedriveWebhooks.V2 or Mixed ? pd.Webhooks.Subscribe(new Uri("http://127.0.0.1:9/v2"), "2.0", "pipedrive", "webhook-secret") : null;
        long Id(JsonObject o) => o["id"]!.GetValue<long>();
        void Tick() => clock.Advance(TimeSpan.FromSeconds(1));

        var pipeline = Id(pd.Create("pipeline", new JsonObject { ["name"] = "Sales" }));
        var stages = new[] { "New", "Demo", "Proposal" }.Select(name => { Tick(); return Id(pd.Create("stage", new JsonObject { ["name"] = name, ["pipeline_id"] = pipeline })); }).ToArray();
        var setupChanges = pd.Webhooks.Pending.Select(d => d.Change.Sequence).ToHashSet();

        var counts = new SortedDictionary<string, int>();
        var serial = 0;
        string Name() => $"{Words[random.Next(Words.Length)]} {++serial}";
        string PersonName() => $"{FirstNames[random.Next(FirstNames.Length)]} P{++serial}";
        JsonArray Emails() => new(new JsonObject { ["value"] = $"p{++serial}@example.com", ["label"] = "work", ["primary"] = true });
        long Pick(IReadOnlyList<JsonObject> live) => Id(live[random.Next(live.Count)]);
        long Owner() => random.Next(3) == 0 ? 99 : 10;

        var made = 0;
        while (made < edits)
        {
            var orgs = pd.List("organization");
            var persons = pd.List("person");
            var deals = pd.List("deal");
            // Weighted choice; an edit that doesn't apply to what exists now is skipped and another drawn.
            var (kind, weight) = Choices[random.Next(Choices.Length)];
            if (random.Next(10) >= weight) continue;
            Tick();
            switch (kind)
            {
                case "organization create" when orgs.Count < 16 || made < 5:
                    pd.Create("organization", new JsonObject { ["name"] = Name(), ["owner_id"] = Owner() });
                    break;
                case "organization rename" when orgs.Count > 0:
                    pd.Update("organization", Pick(orgs), new JsonObject { ["name"] = Name() });
                    break;
                case "organization owner" when orgs.Count > 0:
                    pd.Update("organization", Pick(orgs), new JsonObject { ["owner_id"] = Owner() });
                    break;
                case "organization delete" when orgs.Count > 5:
                    pd.Delete("organization", Pick(orgs));
                    break;
                case "organization merge" when orgs.Count > 5:
                    var (orgFrom, orgInto) = Two(orgs);
                    pd.Merge("organization", orgFrom, orgInto);
                    break;
                case "person create" when orgs.Count > 0:
                    pd.Create("person", new JsonObject { ["name"] = PersonName(), ["org_id"] = Pick(orgs), ["emails"] = Emails(), ["owner_id"] = 10 });
                    break;
                case "person rename" when persons.Count > 0:
                    pd.Update("person", Pick(persons), new JsonObject { ["name"] = PersonName() });
                    break;
                case "person email" when persons.Count > 0:
                    pd.Update("person", Pick(persons), new JsonObject { ["emails"] = Emails() });
                    break;
                case "person move" when persons.Count > 0 && orgs.Count > 1:
                    pd.Update("person", Pick(persons), new JsonObject { ["org_id"] = Pick(orgs) });
                    break;
                case "person delete" when persons.Count > 6:
                    pd.Delete("person", Pick(persons));
                    break;
                case "person merge" when persons.Count > 6:
                    var (personFrom, personInto) = Two(persons);
                    pd.Merge("person", personFrom, personInto);
                    break;
                case "deal create" when orgs.Count > 0:
                    var deal = new JsonObject
                    {
                        ["title"] = $"Deal {++serial}", ["org_id"] = Pick(orgs), ["owner_id"] = Owner(), ["stage_id"] = stages[random.Next(stages.Length)],
                    };
                    if (persons.Count > 0 && random.Next(5) > 0) deal["person_id"] = Pick(persons);
                    pd.Create("deal", deal);
                    break;
                case "deal title" when deals.Count > 0:
                    pd.Update("deal", Pick(deals), new JsonObject { ["title"] = $"Deal {++serial}" });
                    break;
                case "deal status" when deals.Count > 0:
                    pd.Update("deal", Pick(deals), new JsonObject { ["status"] = new[] { "open", "won", "lost" }[random.Next(3)] });
                    break;
                case "deal stage" when deals.Count > 0:
                    pd.Update("deal", Pick(deals), new JsonObject { ["stage_id"] = stages[random.Next(stages.Length)] });
                    break;
                case "deal move" when deals.Count > 0 && orgs.Count > 1:
                    pd.Update("deal", Pick(deals), new JsonObject { ["org_id"] = Pick(orgs) });
                    break;
                case "deal person" when deals.Count > 0 && persons.Count > 0:
                    pd.Update("deal", Pick(deals), new JsonObject { ["person_id"] = Pick(persons) });
                    break;
                case "deal delete" when deals.Count > 4:
                    pd.Delete("deal", Pick(deals));
                    break;
                case "deal merge" when deals.Count > 4:
                    var (dealFrom, dealInto) = Two(deals);
                    pd.Merge("deal", dealFrom, dealInto);
                    break;
                default:
                    continue;
            }
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
            made++;
        }

        // Each delivery fails (nothing listens there), but its attempt keeps the exact body Pipedrive sent.
        var deliveries = pd.Webhooks.Pending.ToList();
        var attempts = (await pd.Webhooks.DeliverPendingAsync()).ToDictionary(a => a.DeliveryId);
        // Mixed: each change in v1 or v2, but both halves of a merge in the same version (a merge's v1 delete of the
        // absorbed object cannot be told from a plain delete, so it is only ever paired with v1's "merged").
        var versionOf = deliveries.Select(d => d.Change.CorrelationSequence).Distinct()
            .ToDictionary(c => c, _ => v1 is not null && (v2 is null || random.Next(2) == 0) ? v1 : v2!);
        var bodies = deliveries
            .Where(d => d.Subscription == versionOf[d.Change.CorrelationSequence])
            .OrderBy(d => d.Change.Sequence)
            .Select(d => (Setup: setupChanges.Contains(d.Change.Sequence), Body: attempts[d.Id].Json!))
            .ToList();
        foreach (var s in new[] { v1, v2 }.OfType<WebhookSubscription>()) pd.Webhooks.Unsubscribe(s);
        return new PipedriveEditStream
        {
            Setup = bodies.Where(b => b.Setup).Select(b => b.Body).ToList(),
            Stream = bodies.Where(b => !b.Setup).Select(b => b.Body).ToList(),
            Edits = counts,
        };

        (long From, long Into) Two(IReadOnlyList<JsonObject> live)
        {
            var from = Pick(live);
            var into = Pick(live);
            while (into == from) into = Pick(live);
            return (from, into);
        }
    }

    /// <summary>The kinds of edit and how often each is drawn (out of 10).</summary>
    static readonly (string Kind, int Weight)[] Choices =
    [
        ("organization create", 8), ("organization rename", 6), ("organization owner", 3), ("organization delete", 2), ("organization merge", 3),
        ("person create", 10), ("person rename", 5), ("person email", 5), ("person move", 8), ("person delete", 2), ("person merge", 3),
        ("deal create", 8), ("deal title", 4), ("deal status", 4), ("deal stage", 5), ("deal move", 8), ("deal person", 4),
        ("deal delete", 2), ("deal merge", 2),
    ];
}

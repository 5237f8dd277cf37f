using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Tc2;

/// <summary>
/// TC2 events for one client are applied one at a time and in the order TC2 made them (each carries its
/// <c>timestamp</c>): two versions of a client arriving at the same moment end with the newer one, whichever commits
/// last, and an older event arriving late changes nothing.
/// </summary>
public class Tc2ConcurrentVersionsTests : Tc2Test
{
    const int Pairs = 40;
    static readonly DateTime Start = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>The client as TC2 holds it now, in an event stamped with <paramref name="time"/>.</summary>
    JsonObject EventAt(string action, DateTime time, Hermes.Sandbox.Tc2.SimulatedClient? client = null)
    {
        if (client is not null) Tc2.PutClient(client);
        var e = action == "DELETED_A_CLIENT" ? Tc2.Webhooks.ClientDeletedEvent(10) : Tc2.Webhooks.ClientEvent(action, 10);
        e["timestamp"] = time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        return e;
    }

    async Task SendAtOnce(params JsonObject[] events)
    {
        var deliveries = await Task.WhenAll(events.Select(e => Tc2.Webhooks.SendAsync([e])));
        Assert.All(deliveries, d => Assert.Equal((200, """{"status":"ok"}"""), (d.StatusCode, d.ResponseBody)));
    }

    [Fact]
    public async Task Pairs_of_versions_of_one_client_sent_at_the_same_moment__the_newer_wins_every_time()
    {
        await SendAtOnce(EventAt("CREATED_A_CLIENT", Start, Client(status: "active", paidInvoices: 1)));

        var outcomes = new List<string>();
        for (var i = 1; i <= Pairs; i++)
        {
            var older = EventAt("EDITED_A_CLIENT", Start.AddSeconds(2 * i), Client(status: "suspended", paidInvoices: 2 * i, plan: "2-startup"));
            var newer = EventAt("EDITED_A_CLIENT", Start.AddSeconds(2 * i + 1), Client(status: "active", paidInvoices: 2 * i + 1, plan: "1-payg"));
            // Both on their way before either answer is awaited; every other round the newer one goes first.
            await (i % 2 == 0 ? SendAtOnce(newer, older) : SendAtOnce(older, newer));

            await using var db = Hermes.Db();
            var company = await db.Companies.SingleAsync(c => c.Tc2CligencyId == 10);
            var seen = await db.Tc2ClientEvents.SingleAsync(t => t.CligencyId == 10);
            outcomes.Add($"{company.Tc2Status} | {company.PaidInvoiceCount} | {company.PricePlan} | {seen.EventTime:HH:mm:ss}");
        }

        Assert.Equal(Enumerable.Range(1, Pairs).Select(i => $"active | {2 * i + 1} | payg | {Start.AddSeconds(2 * i + 1):HH:mm:ss}"), outcomes);
        // The older one of a pair is skipped when it comes second, applied and then overwritten when it comes first.
        Assert.All((await WebhookLog()).Skip(1), w => Assert.True(
            w.Outcome == "processed" || w.Error == "ignored: an older event of client 10 than one already applied", $"{w.Outcome}: {w.Error}"));
    }

    [Fact]
    public async Task An_older_edit_of_a_client_arriving_after_its_delete_does_not_bring_it_back()
    {
        await SendAtOnce(EventAt("CREATED_A_CLIENT", Start, Client(status: "active", paidInvoices: 1)));
        var edit = EventAt("EDITED_A_CLIENT", Start.AddSeconds(1), Client(status: "active", paidInvoices: 2));
        var delete = EventAt("DELETED_A_CLIENT", Start.AddSeconds(2));

        await SendAtOnce(delete);
        await SendAtOnce(edit);

        Assert.Empty(await All(db => db.Companies));
        Assert.Equal(
            [("tc2", "Client", "CREATED_A_CLIENT", "10", "processed"), ("tc2", "Client", "DELETED_A_CLIENT", "10", "processed"),
                ("tc2", "Client", "EDITED_A_CLIENT", "10", "ignored")],
            (await WebhookLog()).Select(w => (w.Source, w.Object, w.Action, w.Ids, w.Outcome)));
    }
}

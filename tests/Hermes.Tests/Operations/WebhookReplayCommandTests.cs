using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Sandbox;
using Hermes.Sandbox.Tc2;
using Microsoft.EntityFrameworkCore;
using Log = Hermes.Domain.WebhookLog;

namespace Hermes.Tests.Operations;

/// <summary>
/// <c>webhooks replay ID…</c>: webhooks that failed because Hermes lacked an admin, replayed once staff added them.
/// The dry run runs the rules in a transaction it rolls back: it tells what would happen and changes nothing.
/// </summary>
public class WebhookReplayCommandTests : CommandTest
{
    static readonly Tc2Admin Nina = new(35, "Nina", "New", "nina@tc.com");

    [Fact]
    public async Task A_rejected_Pipedrive_webhook_replayed_after_its_owner_became_an_admin_creates_the_company_and_the_dry_run_changes_nothing()
    {
        Pd.Webhooks.Subscribe(new Uri(Hermes.BaseAddress, "/pipedrive/callback/"), "2.0", "pipedrive", "webhook-secret");
        Pd.AddUser(13, "Nina New", "nina@tc.com");
        var org = Pd.Create("organization", new JsonObject { ["name"] = "Ninas Tutors", ["owner_id"] = 13 })["id"]!.AsLong();
        var delivery = Assert.Single(await Pd.Webhooks.DeliverPendingAsync());
        Assert.Equal(422, delivery.StatusCode);
        var received = (await All(db => db.WebhookLogs)).Single().ReceivedAt;
        Assert.Equal([("pipedrive", "organization", "create", $"{org}", Log.OutcomeRejected, "owner_id: Admin with pd_owner_id 13 does not exist")],
            await WebhookLog());
        await Save(new Admin { Username = "nina@tc.com", FirstName = "Nina", LastName = "New", PdOwnerId = 13, IsSalesPerson = true });
        var rows = await Rows();

        var dry = await Command("webhooks", "replay", "1");

        // The preview's ids come from sequences, which a rolled-back transaction still advances: the real replay's differ.
        Assert.Equal(new Run(0, Table(
                ["Id", "Source", "Event", "Received (UTC)", "Outcome before", "Would be", "Detail"],
                ["1", "pipedrive", $"organization create {org}", $"{received:yyyy-MM-dd HH:mm:ss}", "rejected", "processed", "company 1 created"])
            + "\nSummary\n" + Table(["Would be", "Webhooks"], ["processed", "1"])
            + "\nDry run: nothing was changed. Run again with --apply to replay them.\n", ""), dry);
        Assert.Equal(rows, await Rows());

        var applied = await Command("webhooks", "replay", "1", "--apply");

        Assert.Equal(new Run(0, Table(
                ["Id", "Source", "Event", "Received (UTC)", "Outcome before", "Outcome now", "Detail"],
                ["1", "pipedrive", $"organization create {org}", $"{received:yyyy-MM-dd HH:mm:ss}", "rejected", "processed", "company 2 created"])
            + "\nSummary\n" + Table(["Outcome now", "Webhooks"], ["processed", "1"]) + "\nApplied.\n", ""), applied);
        Assert.Equal([(2, "Ninas Tutors", (int?)(int)org, "nina@tc.com")],
            (await All(db => db.Companies.Include(c => c.SalesPerson))).Select(c => (c.Id, c.Name, c.PdOrgId, c.SalesPerson!.Username)));
        Assert.Equal([("pipedrive", "organization", "create", $"{org}", Log.OutcomeProcessed, "company 2 created")], await WebhookLog());
    }

    [Fact]
    public async Task A_TC2_webhook_that_failed_for_an_unknown_sales_person_replayed_once_they_are_an_admin_creates_the_company_and_queues_its_sync()
    {
        Tc2.AddAdmin(Nina);
        Pd.AddUser(13, "Nina New", "nina@tc.com");
        await Send(Client(10, sales: Nina));
        Assert.Equal([("tc2", "Client", "CREATED_A_CLIENT", "10", Log.OutcomeError, "sales_person_id: Admin with tc2_admin_id 35 does not exist")],
            await WebhookLog());
        await Save(new Admin { Username = "nina@tc.com", FirstName = "Nina", LastName = "New", Tc2AdminId = 35, PdOwnerId = 13, IsSalesPerson = true });
        var received = (await All(db => db.WebhookLogs)).Single().ReceivedAt;
        var rows = await Rows();
        var sim = SimulatorState();

        var dry = await Command("webhooks", "replay", "1");

        Assert.Equal(new Run(0, Table(
                ["Id", "Source", "Event", "Received (UTC)", "Outcome before", "Would be", "Detail"],
                ["1", "tc2", "Client CREATED_A_CLIENT 10", $"{received:yyyy-MM-dd HH:mm:ss}", "error", "processed", "company 1 created (deal created)"])
            + "\nSummary\n" + Table(["Would be", "Webhooks"], ["processed", "1"])
            + "\nDry run: nothing was changed. Run again with --apply to replay them.\n", ""), dry);
        Assert.Equal(rows, await Rows());
        Assert.Equal(sim, SimulatorState());

        var applied = await Command("webhooks", "replay", "1", "--apply");

        Assert.Equal(new Run(0, Table(
                ["Id", "Source", "Event", "Received (UTC)", "Outcome before", "Outcome now", "Detail"],
                ["1", "tc2", "Client CREATED_A_CLIENT 10", $"{received:yyyy-MM-dd HH:mm:ss}", "error", "processed", "company 2 created (deal created)"])
            + "\nSummary\n" + Table(["Outcome now", "Webhooks"], ["processed", "1"]) + "\nApplied.\n", ""), applied);
        Assert.Equal([(2, "MyTutors", (int?)10, "nina@tc.com")],
            (await All(db => db.Companies.Include(c => c.SalesPerson))).Select(c => (c.Id, c.Name, c.Tc2CligencyId, c.SalesPerson!.Username)));
        Assert.Equal([SyncJob(2)], await PendingJobs());
        Assert.Equal([("tc2", "Client", "CREATED_A_CLIENT", "10", Log.OutcomeProcessed, "company 2 created (deal created)")], await WebhookLog());

        // The queued sync takes the company to Pipedrive, owned by the new admin.
        await RunJobs();
        Assert.Equal([("MyTutors", 13L)], Pd.List("organization").Select(o => (o["name"]!.GetValue<string>(), o["owner_id"]!.AsLong())));
    }

    [Fact]
    public async Task Replaying_a_webhook_that_does_not_exist_or_cannot_be_read_exits_1_and_still_replays_the_others()
    {
        await Send(Client(10));
        await Save(new Log { Source = "pipedrive", ReceivedAt = Now, Outcome = Log.OutcomeRejected, Error = "the body is not valid JSON", Body = "{nope" });

        var run = await Command("webhooks", "replay", "1", "2", "99", "--apply");

        Assert.Equal(new Run(1, Table(
                ["Id", "Source", "Event", "Received (UTC)", "Outcome before", "Outcome now", "Detail"],
                ["1", "tc2", "Client CREATED_A_CLIENT 10", $"{Now:yyyy-MM-dd HH:mm:ss}", "processed", "processed", "company 1 unchanged"],
                ["2", "pipedrive", "", $"{Now:yyyy-MM-dd HH:mm:ss}", "rejected", "unreadable", "the body is not valid JSON"],
                ["99", "", "", "", "", "missing", "there is no webhook 99"])
            + "\nSummary\n" + Table(["Outcome now", "Webhooks"], ["missing", "1"], ["processed", "1"], ["unreadable", "1"]) + "\nApplied.\n", ""), run);
        Assert.Equal([SyncJob(1)], await PendingJobs());
    }
}

using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Operations;

/// <summary>
/// <c>pipedrive reconcile</c> against a Pipedrive simulator put out of step behind Hermes's back (changes whose
/// webhooks never came): an organization deleted, two organizations and two persons merged, a wrong hermes_id, a
/// duplicate organization, a deal deleted.
/// </summary>
public class ReconcileCommandTests : CommandTest
{
    sealed record Linked(int Company, int Contact, int Deal, int Org, int Person, int PdDeal);

    /// <summary>Five TC2 clients, synced: each a company, contact and deal in Hermes and an organization, person and deal in Pipedrive.</summary>
    async Task<Linked[]> FiveSyncedCompanies()
    {
        string[] names = ["Alpha Tutors", "Bravo Tutors", "Charlie Tutors", "Delta Tutors", "Echo Tutors"];
        for (var i = 0; i < names.Length; i++)
            await Send(Client(10 + i, agencyId: 20 + i, name: names[i], recipients: [new(40 + i, "Pat", $"Person{i}", $"pat{i}@example.com")]));
        await RunJobs();
        await using var db = Hermes.Db();
        var companies = await db.Companies.OrderBy(c => c.Id).ToListAsync();
        var contacts = await db.Contacts.OrderBy(c => c.Id).ToListAsync();
        var deals = await db.Deals.OrderBy(d => d.Id).ToListAsync();
        Assert.Equal(names, companies.Select(c => c.Name));
        return companies.Select((c, i) => new Linked(c.Id, contacts[i].Id, deals[i].Id, c.PdOrgId!.Value, contacts[i].PdPersonId!.Value, deals[i].PdDealId!.Value)).ToArray();
    }

    [Fact]
    public async Task Pipedrive_reconcile_reports_what_is_out_of_step_changing_nothing_then_apply_repairs_it_and_a_second_run_finds_nothing()
    {
        var x = await FiveSyncedCompanies();
        var (a, b, c, d, e) = (x[0], x[1], x[2], x[3], x[4]);
        Pd.Delete("organization", a.Org, notify: false);
        Pd.Merge("organization", b.Org, c.Org, notify: false);
        Pd.Merge("person", b.Person, c.Person, notify: false);
        Pd.Update("organization", d.Org, new JsonObject { ["custom_fields"] = new JsonObject { [OrgHermesId] = $"{c.Company}" } }, notify: false);
        Pd.Delete("deal", d.PdDeal, notify: false);
        var duplicate = (int)Pd.Create("organization", new JsonObject
        {
            ["name"] = "Echo Tutors", ["owner_id"] = 10, ["custom_fields"] = new JsonObject { [OrgHermesId] = $"{e.Company}" },
        }, notify: false)["id"]!.GetValue<long>();
        Assert.Equal($"{c.Company}, {b.Company}", PdObject("organization", c.Org)["custom_fields"]![OrgHermesId]!.GetValue<string>());
        var rows = await Rows();
        var sim = SimulatorState();
        Pd.Requests.Clear();

        var dry = await Command("pipedrive", "reconcile");

        const string Deleted = "record it as deleted there (dashboard); the link stays so the sync never recreates it";
        string[][] Findings(params string[] results) =>
        [
            ["Pipedrive", "Hermes", "Problem", "Repair", "Result"],
            [$"organization {a.Org}", $"company {a.Company}", "deleted in Pipedrive (404)", Deleted, results[0]],
            [$"organization {b.Org}", $"company {b.Company}", $"merged in Pipedrive into organization {c.Org} (its hermes_id names company {b.Company})",
                $"apply the merge: company {b.Company} merged into company {c.Company} (its children move); hermes_id rewritten", results[1]],
            [$"organization {d.Org}", $"company {d.Company}", $"hermes_id says {c.Company}, but company {d.Company} is linked to it",
                $"rewrite hermes_id to {d.Company} (pipedrive.write_hermes_id)", results[2]],
            [$"organization {duplicate}", $"company {e.Company}", $"duplicate: a second organization for company {e.Company}, which is linked to organization {e.Org}",
                $"clear its hermes_id (pipedrive.clear_hermes_id) so it cannot take the link; merge it into organization {e.Org} in Pipedrive if it is the same", results[3]],
            [$"person {b.Person}", $"contact {b.Contact}", $"merged in Pipedrive into person {c.Person} (its hermes_id names contact {b.Contact})",
                $"apply the merge: contact {b.Contact} merged into contact {c.Contact} (its children move); hermes_id rewritten", results[4]],
            [$"deal {d.PdDeal}", $"deal {d.Deal}", "deleted in Pipedrive (404)", Deleted, results[5]],
        ];
        string[] SummaryHead(string done) => ["Object", "In Pipedrive", "Linked in Hermes", "Known deleted there", "Problems", done, "Left for staff", "Errors"];
        Assert.Equal(new Run(0, Table(Findings(Enumerable.Repeat("would repair", 6).ToArray())) + "\nSummary\n" + Table(
            SummaryHead("To repair"),
            ["organization", "4", "5", "0", "4", "4", "0", "0"],
            ["person", "4", "5", "0", "1", "1", "0", "0"],
            ["deal", "4", "5", "0", "1", "1", "0", "0"]) + "\nDry run: nothing was changed. Run again with --apply to repair.\n", ""), dry);
        Assert.Equal(rows, await Rows());
        Assert.Equal(sim, SimulatorState());
        Assert.Equal(
        [
            "GET /organizations?limit=500", $"GET /organizations/{a.Org}", $"GET /organizations/{b.Org}",
            "GET /persons?limit=500", $"GET /persons/{b.Person}",
            "GET /deals?limit=500", $"GET /deals/{d.PdDeal}",
        ], PdRequests());
        Pd.Requests.Clear();

        var applied = await Command("pipedrive", "reconcile", "--apply");

        var queued = await All(db => db.Jobs.Where(j => j.Status == Job.Pending).OrderBy(j => j.Id));
        Assert.Equal(
        [
            ("pipedrive.write_hermes_id", $$"""{"objectType":"Company","hermesId":{{c.Company}},"companyId":{{c.Company}}}"""),
            ("pipedrive.write_hermes_id", $$"""{"objectType":"Company","hermesId":{{d.Company}},"companyId":{{d.Company}}}"""),
            ("pipedrive.clear_hermes_id", $$"""{"objectType":"Company","pdId":{{duplicate}},"hermesId":{{e.Company}},"companyId":{{e.Company}}}"""),
            ("pipedrive.write_hermes_id", $$"""{"objectType":"Contact","hermesId":{{c.Contact}},"companyId":{{c.Company}}}"""),
        ], queued.Select(j => (j.Kind, j.Payload)));
        Assert.Equal(new Run(0, Table(Findings(
                "done: recorded as deleted in Pipedrive", $"done: company {b.Company} merged into company {c.Company}",
                $"queued job {queued[1].Id}", $"queued job {queued[2].Id}", $"done: contact {b.Contact} merged into contact {c.Contact}",
                "done: recorded as deleted in Pipedrive")) + "\nSummary\n" + Table(
            SummaryHead("Repaired or queued"),
            ["organization", "4", "5", "0", "4", "4", "0", "0"],
            ["person", "4", "5", "0", "1", "1", "0", "0"],
            ["deal", "4", "5", "0", "1", "1", "0", "0"]) + "\nApplied.\n", ""), applied);

        // Hermes: B's contact and deal moved to C (and B's contact merged into C's), B gone, the deleted objects remembered.
        Assert.Equal([(a.Company, (int?)a.Org), (c.Company, c.Org), (d.Company, d.Org), (e.Company, e.Org)],
            (await All(db => db.Companies.OrderBy(co => co.Id))).Select(co => (co.Id, co.PdOrgId)));
        Assert.Equal([(a.Contact, a.Company, (int?)a.Person), (c.Contact, c.Company, c.Person), (d.Contact, d.Company, d.Person), (e.Contact, e.Company, e.Person)],
            (await All(db => db.Contacts.OrderBy(co => co.Id))).Select(co => (co.Id, co.CompanyId, co.PdPersonId)));
        Assert.Equal([(a.Deal, a.Company, (int?)a.Contact, (int?)a.PdDeal), (b.Deal, c.Company, c.Contact, b.PdDeal), (c.Deal, c.Company, c.Contact, c.PdDeal),
                (d.Deal, d.Company, d.Contact, d.PdDeal), (e.Deal, e.Company, e.Contact, e.PdDeal)],
            (await All(db => db.Deals.OrderBy(de => de.Id))).Select(de => (de.Id, de.CompanyId, de.ContactId, de.PdDealId)));
        Assert.Equal(
        [
            ("deal", d.PdDeal, PipedriveDeletion.NotFound, (int?)null, (int?)null, (string?)null),
            ("organization", a.Org, PipedriveDeletion.NotFound, null, 10, "Alpha Tutors"),
            ("organization", b.Org, PipedriveDeletion.Merged, (int?)c.Org, 11, "Bravo Tutors"),
            ("person", b.Person, PipedriveDeletion.Merged, (int?)c.Person, null, null),
        ], (await All(db => db.PipedriveObjects.Where(o => o.DeletedAt != null).OrderBy(o => o.Entity).ThenBy(o => o.PdId)))
            .Select(o => (o.Entity, o.PdId, o.DeletedReason!.Value, o.MergedIntoPdId, o.Tc2CligencyId, o.CompanyName)));
        Assert.Equal([$"GET /organizations?limit=500", $"GET /organizations/{a.Org}", $"GET /organizations/{b.Org}",
            "GET /persons?limit=500", $"GET /persons/{b.Person}", "GET /deals?limit=500", $"GET /deals/{d.PdDeal}"], PdRequests());
        Pd.Requests.Clear();

        // The queued jobs put Pipedrive's hermes_ids right; Pipedrive's webhooks for those changes come back to Hermes.
        Pd.Webhooks.Subscribe(new Uri(Hermes.BaseAddress, "/pipedrive/callback/"), "2.0", "pipedrive", "webhook-secret");
        await RunJobs();
        Assert.Equal([
            $"PATCH /organizations/{c.Org} {{\"custom_fields\":{{\"{OrgHermesId}\":\"{c.Company}\"}}}}",
            $"PATCH /organizations/{d.Org} {{\"custom_fields\":{{\"{OrgHermesId}\":\"{d.Company}\"}}}}",
            $"PATCH /organizations/{duplicate} {{\"custom_fields\":{{\"{OrgHermesId}\":null}}}}",
            $"PATCH /persons/{c.Person} {{\"custom_fields\":{{\"{PersonHermesId}\":\"{c.Contact}\"}}}}",
        ], PdWrites());
        Assert.Equal([$"{c.Company}", $"{d.Company}", $"{e.Company}", null],
            Pd.List("organization").Select(o => o["custom_fields"]![OrgHermesId]?.GetValue<string>()));
        Assert.All(await Pd.Webhooks.DeliverPendingAsync(), delivery => Assert.Equal(200, delivery.StatusCode));
        // The duplicate, no longer claiming company E, is an organization of its own: Hermes makes its company, as
        // for any organization made in Pipedrive (merging it into E's in Pipedrive would merge the two companies).
        Assert.Equal(
        [
            ("pipedrive", "organization", "change", $"{c.Org}", "processed", $"company {c.Company} updated"),
            ("pipedrive", "organization", "change", $"{d.Org}", "processed", $"company {d.Company} updated"),
            ("pipedrive", "organization", "change", $"{duplicate}", "processed", $"company {e.Company + 1} created"),
            ("pipedrive", "person", "change", $"{c.Person}", "processed", $"contact {c.Contact} updated"),
        ], (await WebhookLog()).Where(w => w.Source == "pipedrive").Select(w => (w.Source, w.Object, w.Action, w.Ids, w.Outcome, w.Error)));
        Assert.Equal([(a.Company, (int?)a.Org), (c.Company, c.Org), (d.Company, d.Org), (e.Company, e.Org), (e.Company + 1, duplicate)],
            (await All(db => db.Companies.OrderBy(co => co.Id))).Select(co => (co.Id, co.PdOrgId)));

        var again = await Command("pipedrive", "reconcile");

        Assert.Equal(new Run(0, "Nothing is out of step.\n\nSummary\n" + Table(
            SummaryHead("To repair"),
            ["organization", "4", "5", "1", "0", "0", "0", "0"],
            ["person", "4", "4", "0", "0", "0", "0", "0"],
            ["deal", "4", "5", "1", "0", "0", "0", "0"]) + "\nDry run: nothing was changed. Run again with --apply to repair.\n", ""), again);
    }
}

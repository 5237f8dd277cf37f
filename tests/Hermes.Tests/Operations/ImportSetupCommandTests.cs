using Hermes.Domain;
using Hermes.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Operations;

/// <summary>
/// <c>pipedrive import-setup</c> on a Hermes that has almost nothing yet: Pipedrive's three pipelines with their
/// stages, and users for the admins (plus the API user and a deactivated one nobody in Hermes is).
/// </summary>
public class ImportSetupCommandTests : CommandTest
{
    [Fact]
    public async Task Import_setup_shows_what_a_new_installation_takes_from_Pipedrive_changing_nothing_then_apply_writes_it_and_a_second_run_has_nothing_to_change()
    {
        // A new installation: no config, one pipeline under an old name without an entry stage, a stage Pipedrive no
        // longer has, owner ids missing or naming no Pipedrive user.
        int oldStage, payg;
        await using (var db = Hermes.Db())
        {
            await db.Configs.ExecuteDeleteAsync();
            await db.Pipelines.ExecuteDeleteAsync();
            await db.Stages.ExecuteDeleteAsync();
            var stage = new Stage { PdStageId = 999, Name = "Old stage" };
            var pipeline = new Pipeline { PdPipelineId = 1, Name = "Pay as you go" };
            db.AddRange(stage, pipeline);
            await db.SaveChangesAsync();
            (oldStage, payg) = (stage.Id, pipeline.Id);
            await db.Admins.Where(a => a.Id == Sales.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PdOwnerId, (int?)null));
            await db.Admins.Where(a => a.Id == Support.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PdOwnerId, 99));
        }
        Pd.AddUser(14, "Old Rep", "old@tc.com", active: false);
        var rows = await Rows();
        var sim = SimulatorState();

        var dry = await Command("pipedrive", "import-setup");

        string[][] Changes(string result) =>
        [
            ["What", "Pipedrive", "Hermes", "Action", "Result"],
            ["stage", "stage 1 'New'", "(none)", "create", result],
            ["stage", "stage 2 'Demo booked'", "(none)", "create", result],
            ["stage", "stage 3 'New'", "(none)", "create", result],
            ["stage", "stage 4 'Demo booked'", "(none)", "create", result],
            ["stage", "stage 5 'New'", "(none)", "create", result],
            ["stage", "stage 6 'Demo booked'", "(none)", "create", result],
            ["stage", "(none)", $"stage {oldStage} 'Old stage' (Pipedrive 999)", "none: not in Pipedrive; deals keep it (delete it at /stage/list when unused)", "noted"],
            ["pipeline", "pipeline 1 'PAYG'", $"pipeline {payg} 'Pay as you go'", "rename to 'PAYG'; default entry stage 'New'", result],
            ["pipeline", "pipeline 2 'STARTUP'", "(none)", "create, default entry stage 'New'", result],
            ["pipeline", "pipeline 3 'ENTERPRISE'", "(none)", "create, default entry stage 'New'", result],
            ["owner", "user 1 api-user@example.com", "(none)", "none: no admin has this email (add one at /admin/create if they sell)", "noted"],
            ["owner", "user 10 brian@tc.com", $"admin {Sales.Id} brian@tc.com", "set pd_owner_id 10", result],
            ["owner", "user 11 sue@tc.com", $"admin {Support.Id} sue@tc.com (pd_owner_id 99, no such user)", "set pd_owner_id 11", result],
            ["owner", "user 14 old@tc.com (deactivated)", "(none)", "none: no admin has this email (add one at /admin/create if they sell)", "noted"],
            ["config", "", "no config row", "none: choose the PAYG, Startup, Enterprise pipelines at /config/list", "noted"],
        ];
        Assert.Equal(new Run(0, Table(Changes("would apply")) + "\nSummary\n" + Table(["What", "Count"],
                ["pipelines in Pipedrive", "3"], ["stages in Pipedrive", "6"], ["users in Pipedrive", "5"], ["already as in Pipedrive", "1"],
                ["to change", "11"], ["for staff", "4"])
            + "\nDry run: nothing was changed. Run again with --apply to write them.\n", ""), dry);
        Assert.Equal(rows, await Rows());
        Assert.Equal(sim, SimulatorState());
        Assert.Equal(["GET /pipelines?limit=500", "GET /stages?limit=500", "GET /api/v1/users"], PdRequests());

        var applied = await Command("pipedrive", "import-setup", "--apply");

        Assert.Equal(new Run(0, Table(Changes("done")) + "\nSummary\n" + Table(["What", "Count"],
                ["pipelines in Pipedrive", "3"], ["stages in Pipedrive", "6"], ["users in Pipedrive", "5"], ["already as in Pipedrive", "1"],
                ["changed", "11"], ["for staff", "4"]) + "\nApplied.\n", ""), applied);
        Assert.Equal([(1, "New"), (2, "Demo booked"), (3, "New"), (4, "Demo booked"), (5, "New"), (6, "Demo booked"), (999, "Old stage")],
            (await All(db => db.Stages.OrderBy(s => s.PdStageId))).Select(s => (s.PdStageId, s.Name)));
        Assert.Equal([(1, "PAYG", (int?)1), (2, "STARTUP", 3), (3, "ENTERPRISE", 5)],
            (await All(db => db.Pipelines.Include(p => p.DftEntryStage).OrderBy(p => p.PdPipelineId))).Select(p => (p.PdPipelineId, p.Name, p.DftEntryStage?.PdStageId)));
        Assert.Equal([("brian@tc.com", (int?)10), ("sue@tc.com", 11), ("bea@tc.com", 12)],
            (await All(db => db.Admins.OrderBy(a => a.Id))).Select(a => (a.Username, a.PdOwnerId)));

        var again = await Command("pipedrive", "import-setup");

        Assert.Equal(new Run(0, Table(
                ["What", "Pipedrive", "Hermes", "Action", "Result"],
                ["stage", "(none)", $"stage {oldStage} 'Old stage' (Pipedrive 999)", "none: not in Pipedrive; deals keep it (delete it at /stage/list when unused)", "noted"],
                ["owner", "user 1 api-user@example.com", "(none)", "none: no admin has this email (add one at /admin/create if they sell)", "noted"],
                ["owner", "user 14 old@tc.com (deactivated)", "(none)", "none: no admin has this email (add one at /admin/create if they sell)", "noted"],
                ["config", "", "no config row", "none: choose the PAYG, Startup, Enterprise pipelines at /config/list", "noted"])
            + "\nSummary\n" + Table(["What", "Count"],
                ["pipelines in Pipedrive", "3"], ["stages in Pipedrive", "6"], ["users in Pipedrive", "5"], ["already as in Pipedrive", "12"],
                ["to change", "0"], ["for staff", "4"])
            + "\nDry run: nothing was changed. Run again with --apply to write them.\n", ""), again);
    }

    [Fact]
    public async Task Import_setup_exits_1_and_writes_nothing_when_Pipedrive_cannot_answer()
    {
        await using (var db = Hermes.Db()) await db.Admins.Where(a => a.Id == Sales.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PdOwnerId, (int?)null));
        var rows = await Rows();
        Pd.Faults.Next(1, Fault.ServerError(500), "/api/v2/stages");

        var run = await Command("pipedrive", "import-setup", "--apply");

        Assert.Equal(1, run.Exit);
        Assert.Equal("", run.Output);
        Assert.StartsWith("The command failed: PipedriveException: Pipedrive GET stages answered 500: ", run.Error);
        Assert.Equal(rows, await Rows());
    }
}

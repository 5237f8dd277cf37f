using Hermes.Jobs;
using Hermes.Pipedrive;
using Hermes.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Operations;

/// <summary><c>jobs list</c>, <c>jobs retry-failed</c> and <c>jobs cancel</c> against Hermes's queue and the Pipedrive simulator.</summary>
public class JobsCommandTests : CommandTest
{
    // One attempt per job: a Pipedrive failure fails the job for good at once.
    protected override void Settings(Dictionary<string, string?> settings) => settings["JOB_MAX_ATTEMPTS"] = "1";

    /// <summary>Two TC2 clients whose organization Pipedrive refused to create (503): two failed sync jobs.</summary>
    async Task TwoFailedSyncs()
    {
        Pd.Faults.Next(2, Fault.ServerError(503), "/api/v2/organizations", "POST");
        await Send(Client(10));
        await Send(Client(11, agencyId: 21, name: "Junes Ltd", recipients: [new(41, "June", "Moon", "june@junes.com")]));
        Assert.Equal(2, await Hermes.RunJobsAsync());
    }

    [Fact]
    public async Task Jobs_list_shows_the_newest_jobs_of_a_status_with_their_error_and_every_status_count()
    {
        await TwoFailedSyncs();

        var run = await Command("jobs", "list", "--status", "failed");

        var error = "PipedriveException: Pipedrive POST organizations answered 503: {\"success\":false,\"error\":\"Service Unavailable\",\"error_info\":\"Please check de…";
        var finished = Now.ToString("yyyy-MM-dd HH:mm:ss");
        Assert.Equal(new Run(0, $"""
            Jobs (status failed), newest first: 2 of 2

            | Id | Kind                   | Key       | Status | Attempts | Due / finished (UTC) | Last error{new string(' ', error.Length - 10)} |
            |----|------------------------|-----------|--------|----------|----------------------|-{new string('-', error.Length)}-|
            | 2  | pipedrive.sync_company | company:2 | failed | 1/1      | {finished}  | {error} |
            | 1  | pipedrive.sync_company | company:1 | failed | 1/1      | {finished}  | {error} |

            Summary
            | Status    | Jobs |
            |-----------|------|
            | failed    | 2    |
            | pending   | 0    |
            | running   | 0    |
            | done      | 0    |
            | cancelled | 0    |

            """, ""), run);
    }

    [Fact]
    public async Task Jobs_retry_failed_is_a_dry_run_that_changes_nothing_and_with_apply_queues_them_again_so_a_job_run_reaches_Pipedrive()
    {
        await TwoFailedSyncs();
        var rows = await Rows();
        var sim = SimulatorState();
        Pd.Requests.Clear();

        var dry = await Command("jobs", "retry-failed", "--kind", "pipedrive.sync_company");

        var error = "PipedriveException: Pipedrive POST organizations answered 503: {\"success\":false,\"error\":\"Service Unavailable\",\"error_info\":\"Please check de…";
        string Listing(string result) => Table(
            ["Id", "Kind", "Key", "Attempts", "Last error", "Result"],
            ["1", "pipedrive.sync_company", "company:1", "1/1", error, result],
            ["2", "pipedrive.sync_company", "company:2", "1/1", error, result]);
        Assert.Equal(new Run(0, "Failed jobs of kind pipedrive.sync_company: 2\n\n" + Listing("would retry") + "\nSummary\n" + Table(
            ["What", "Jobs"], ["failed", "2"], ["would be queued again", "2"], ["no longer failed (left alone)", "0"])
            + "\nDry run: nothing was changed. Run again with --apply to queue them again.\n", ""), dry);
        Assert.Equal(rows, await Rows());
        Assert.Equal(sim, SimulatorState());
        Assert.Empty(Pd.Requests.All);

        var applied = await Command("jobs", "retry-failed", "--kind", "pipedrive.sync_company", "--apply");

        Assert.Equal(new Run(0, "Failed jobs of kind pipedrive.sync_company: 2\n\n" + Listing("queued again") + "\nSummary\n" + Table(
            ["What", "Jobs"], ["failed", "2"], ["queued again", "2"], ["no longer failed (left alone)", "0"]) + "\nApplied.\n", ""), applied);
        Assert.Equal([("pipedrive.sync_company", Job.Pending, 0, error[..^1]), ("pipedrive.sync_company", Job.Pending, 0, error[..^1])],
            (await All(db => db.Jobs.OrderBy(j => j.Id))).Select(j => (j.Kind, j.Status, j.Attempts, j.LastError![..(error.Length - 1)])));

        await RunJobs();
        Assert.Equal(["MyTutors", "Junes Ltd"], Pd.List("organization").Select(o => o["name"]!.GetValue<string>()));
        var again = await Command("jobs", "retry-failed", "--apply");
        Assert.Equal((0, "Failed jobs: 0\n"), (again.Exit, again.Output.Split('\n')[0] + "\n"));
    }

    [Fact]
    public async Task Jobs_cancel_is_a_dry_run_and_with_apply_stops_a_pending_job_so_the_one_behind_it_runs_and_a_job_not_pending_exits_1()
    {
        await Send(Client(10));
        await using (var db = Hermes.Db())
        {
            // A second sync queued behind the first (as a later change would queue it).
            Hermes.App.Services.GetRequiredService<JobQueue>().Enqueue(db, new SyncCompany(1));
            await db.SaveChangesAsync();
        }
        Assert.Equal([SyncJob(1), SyncJob(1)], await PendingJobs());
        var rows = await Rows();

        var dry = await Command("jobs", "cancel", "1");

        Assert.Equal(new Run(0, Table(["Id", "Kind", "Key", "Status", "Result"], ["1", "pipedrive.sync_company", "company:1", "pending", "would cancel"])
            + "\nSummary\n" + Table(["What", "Jobs"], ["would be cancelled", "1"], ["could not be cancelled", "0"])
            + "\nDry run: nothing was changed. Run again with --apply to cancel them.\n", ""), dry);
        Assert.Equal(rows, await Rows());

        var applied = await Command("jobs", "cancel", "1", "--apply");

        Assert.Equal(new Run(0, Table(["Id", "Kind", "Key", "Status", "Result"], ["1", "pipedrive.sync_company", "company:1", "pending", "cancelled"])
            + "\nSummary\n" + Table(["What", "Jobs"], ["cancelled", "1"], ["could not be cancelled", "0"]) + "\nApplied.\n", ""), applied);
        var cancelled = await All(db => db.Jobs.Where(j => j.Id == 1));
        Assert.Equal([(Job.Cancelled, (DateTime?)Now, "cancelled by the jobs command")], cancelled.Select(j => (j.Status, j.FinishedAt, j.LastError)));

        await Hermes.RunJobsAsync();
        Assert.Equal([("pipedrive.sync_company", Job.Cancelled, 0), ("pipedrive.sync_company", Job.Done, 1), ("tc2.update_client", Job.Done, 1)],
            (await All(db => db.Jobs.OrderBy(j => j.Id))).Select(j => (j.Kind, j.Status, j.Attempts)));
        Assert.Equal(["MyTutors"], Pd.List("organization").Select(o => o["name"]!.GetValue<string>()));

        var refused = await Command("jobs", "cancel", "1", "2", "99", "--apply");
        Assert.Equal(new Run(1, Table(["Id", "Kind", "Key", "Status", "Result"],
                ["1", "pipedrive.sync_company", "company:1", "cancelled", "error: not pending (cancelled)"],
                ["2", "pipedrive.sync_company", "company:1", "done", "error: not pending (done)"],
                ["99", "", "", "", "error: no such job"])
            + "\nSummary\n" + Table(["What", "Jobs"], ["cancelled", "0"], ["could not be cancelled", "3"]) + "\nApplied.\n", ""), refused);
    }

    [Fact]
    public async Task A_bad_argument_exits_1_naming_the_problem_and_changes_nothing()
    {
        await TwoFailedSyncs();
        var rows = await Rows();

        var status = await Command("jobs", "list", "--status", "stuck");
        var kind = await Command("jobs", "retry-failed", "--kind");
        var ids = await Command("jobs", "cancel", "one");
        var unknown = await Command("jobs", "purge");

        Assert.Equal(1, status.Exit);
        Assert.StartsWith("Argument 'stuck' not recognized. Must be one of:\n\t'failed'\n\t'pending'\n\t'running'\n\t'done'\n\t'cancelled'", status.Error);
        Assert.Equal((1, "Required argument missing for option: '--kind'."), (kind.Exit, kind.Error.Trim()));
        Assert.Equal((1, "Unrecognized command or argument 'one'."), (ids.Exit, ids.Error.Trim()));
        Assert.Equal((1, "Required command was not provided.\nUnrecognized command or argument 'purge'."), (unknown.Exit, unknown.Error.Trim()));
        Assert.Equal(rows, await Rows());
    }
}

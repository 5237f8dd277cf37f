using System.CommandLine;
using Hermes.Jobs;

namespace Hermes.Operations.Commands;

/// <summary><c>jobs list</c>, <c>jobs retry-failed</c> and <c>jobs cancel</c>: the job queue, through <see cref="JobMaintenance"/> (as the admin UI).</summary>
public static class JobsCommands
{
    const string By = "the jobs command";

    public static Command Build(CommandHost host, TextWriter output)
    {
        var jobs = new Command("jobs", "The durable job queue (outbound work for Pipedrive, TC2 and Google).");
        jobs.Subcommands.Add(List(host, output));
        jobs.Subcommands.Add(RetryFailed(host, output));
        jobs.Subcommands.Add(Cancel(host, output));
        return jobs;
    }

    static Command List(CommandHost host, TextWriter output)
    {
        var status = new Option<string?>("--status") { Description = "Only jobs with this status" };
        status.AcceptOnlyFromAmong(JobMaintenance.Statuses);
        var kind = new Option<string?>("--kind") { Description = "Only jobs of this kind, e.g. pipedrive.sync_company" };
        var limit = new Option<int>("--limit") { Description = "How many of the newest to show", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--limit must be at least 1"); });
        var command = new Command("list", "List the newest jobs, with their attempts and last error.") { status, kind, limit };
        command.SetAction(async (parse, ct) =>
        {
            var (s, k) = (parse.GetValue(status), parse.GetValue(kind));
            var listing = await host.Get<JobMaintenance>().ListAsync(s, k, parse.GetValue(limit), ct);
            var filter = string.Join(", ", new[] { s is null ? null : $"status {s}", k is null ? null : $"kind {k}" }.OfType<string>());
            output.WriteLine($"Jobs{(filter.Length > 0 ? $" ({filter})" : "")}, newest first: {listing.Jobs.Count} of {listing.Total}");
            output.WriteLine();
            var table = new ReportTable("Id", "Kind", "Key", "Status", "Attempts", "Due / finished (UTC)", "Last error");
            foreach (var j in listing.Jobs)
                table.Add(j.Id, j.Kind, j.OrderingKey, j.Status, $"{j.Attempts}/{j.MaxAttempts}", j.Status == Job.Pending ? j.RunAfter : j.FinishedAt ?? j.UpdatedAt, j.LastError);
            table.WriteTo(output);
            var summary = new ReportTable("Status", "Jobs");
            foreach (var st in JobMaintenance.Statuses) summary.Add(st, listing.CountsByStatus.GetValueOrDefault(st));
            MaintenanceCommands.WriteSummary(output, summary);
            return 0;
        });
        return command;
    }

    static Command RetryFailed(CommandHost host, TextWriter output)
    {
        var kind = new Option<string?>("--kind") { Description = "Only failed jobs of this kind" };
        var apply = MaintenanceCommands.ApplyOption("Queue them again with fresh attempts");
        var command = new Command("retry-failed", "Queue failed jobs again (all, or one kind) with fresh attempts.") { kind, apply };
        command.SetAction(async (parse, ct) =>
        {
            var (k, write) = (parse.GetValue(kind), parse.GetValue(apply));
            var outcomes = await host.Get<JobMaintenance>().RetryFailedAsync(k, write, By, ct);
            output.WriteLine($"Failed jobs{(k is null ? "" : $" of kind {k}")}: {outcomes.Count}");
            output.WriteLine();
            var table = new ReportTable("Id", "Kind", "Key", "Attempts", "Last error", "Result");
            foreach (var o in outcomes)
                table.Add(o.Job.Id, o.Job.Kind, o.Job.OrderingKey, $"{o.Job.Attempts}/{o.Job.MaxAttempts}", o.Job.LastError,
                    !write ? "would retry" : o.Retried ? "queued again" : "no longer failed");
            table.WriteTo(output);
            MaintenanceCommands.WriteSummary(output, new ReportTable("What", "Jobs")
                .Add("failed", outcomes.Count)
                .Add(write ? "queued again" : "would be queued again", write ? outcomes.Count(o => o.Retried) : outcomes.Count)
                .Add("no longer failed (left alone)", outcomes.Count(o => write && !o.Retried)));
            MaintenanceCommands.WriteMode(output, write, "queue them again");
            return 0;
        });
        return command;
    }

    static Command Cancel(CommandHost host, TextWriter output)
    {
        var ids = new Argument<long[]>("id") { Description = "The ids of pending jobs", Arity = ArgumentArity.OneOrMore };
        var apply = MaintenanceCommands.ApplyOption("Cancel them");
        var command = new Command("cancel", "Cancel pending jobs: they never run, and jobs behind them (same key) go ahead.") { ids, apply };
        command.SetAction(async (parse, ct) =>
        {
            var write = parse.GetValue(apply);
            var maintenance = host.Get<JobMaintenance>();
            var table = new ReportTable("Id", "Kind", "Key", "Status", "Result");
            var failed = 0;
            foreach (var id in parse.GetValue(ids)!.Distinct())
            {
                var job = await maintenance.FindAsync(id, ct);
                string result;
                if (job is null) result = "error: no such job";
                else if (job.Status != Job.Pending) result = $"error: not pending ({job.Status})";
                else if (!write) result = "would cancel";
                else result = await maintenance.CancelAsync(id, By, ct) ? "cancelled" : "error: no longer pending";
                if (result.StartsWith("error", StringComparison.Ordinal)) failed++;
                table.Add(id, job?.Kind, job?.OrderingKey, job?.Status, result);
            }
            table.WriteTo(output);
            MaintenanceCommands.WriteSummary(output, new ReportTable("What", "Jobs")
                .Add(write ? "cancelled" : "would be cancelled", table.Count - failed).Add("could not be cancelled", failed));
            MaintenanceCommands.WriteMode(output, write, "cancel them");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}

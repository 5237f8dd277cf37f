using System.CommandLine;
using Hermes.Pipedrive;

namespace Hermes.Operations.Commands;

/// <summary>
/// <c>pipedrive reconcile</c> (<see cref="PipedriveReconcile"/>) and <c>pipedrive import-setup</c>
/// (<see cref="PipedriveImportSetup"/>): Pipedrive compared with Hermes, and what a new installation takes from it.
/// </summary>
public static class PipedriveCommands
{
    public static Command Build(CommandHost host, TextWriter output)
    {
        var pipedrive = new Command("pipedrive", "Hermes and Pipedrive side by side.");
        pipedrive.Subcommands.Add(Reconcile(host, output));
        pipedrive.Subcommands.Add(ImportSetup(host, output));
        return pipedrive;
    }

    static Command Reconcile(CommandHost host, TextWriter output)
    {
        var apply = MaintenanceCommands.ApplyOption("Repair what Hermes can decide (changes in Pipedrive go through the job queue)");
        var command = new Command("reconcile",
            "Walk Pipedrive's organizations, persons and deals and Hermes's links: links to deleted or merged objects, wrong hermes_ids, duplicates.") { apply };
        command.SetAction(async (parse, ct) =>
        {
            var write = parse.GetValue(apply);
            var report = await host.Get<PipedriveReconcile>().RunAsync(write, ct);
            if (report.Findings.Count == 0) output.WriteLine("Nothing is out of step.");
            else
            {
                var table = new ReportTable("Pipedrive", "Hermes", "Problem", "Repair", "Result");
                foreach (var f in report.Findings) table.Add(f.Pipedrive, f.Hermes, f.Problem, f.Repair, f.Result);
                table.WriteTo(output);
            }
            foreach (var note in report.Notes) output.WriteLine($"Note: {note}");
            var summary = new ReportTable("Object", "In Pipedrive", "Linked in Hermes", "Known deleted there", "Problems", write ? "Repaired or queued" : "To repair", "Left for staff", "Errors");
            foreach (var (entity, listed, linked, knownDeleted) in report.Counts)
            {
                var mine = report.Findings.Where(f => f.Pipedrive.StartsWith(entity + " ", StringComparison.Ordinal)).ToList();
                summary.Add(entity, listed, linked, knownDeleted, mine.Count,
                    mine.Count(f => write ? f.Result.StartsWith("done", StringComparison.Ordinal) || f.Result.Contains("queued", StringComparison.Ordinal) : f.Result == PipedriveReconcile.WouldRepair),
                    mine.Count(f => f.Result == PipedriveReconcile.LeftForStaff), mine.Count(f => f.Failed));
            }
            MaintenanceCommands.WriteSummary(output, summary);
            MaintenanceCommands.WriteMode(output, write, "repair");
            return report.Findings.Any(f => f.Failed) ? 1 : 0;
        });
        return command;
    }

    static Command ImportSetup(CommandHost host, TextWriter output)
    {
        var apply = MaintenanceCommands.ApplyOption("Write the pipelines, stages and owner ids");
        var command = new Command("import-setup",
            "Take Pipedrive's pipelines, stages and users (admins' pd_owner_id, by email) into Hermes, as a new installation needs.") { apply };
        command.SetAction(async (parse, ct) =>
        {
            var write = parse.GetValue(apply);
            var report = await host.Get<PipedriveImportSetup>().RunAsync(write, ct);
            if (report.Changes.Count == 0) output.WriteLine("Hermes has Pipedrive's set-up already.");
            else
            {
                var table = new ReportTable("What", "Pipedrive", "Hermes", "Action", "Result");
                foreach (var c in report.Changes) table.Add(c.What, c.Pipedrive, c.Hermes, c.Action, c.Result);
                table.WriteTo(output);
            }
            var changing = report.Changes.Count(c => c.Result != PipedriveImportSetup.Noted);
            MaintenanceCommands.WriteSummary(output, new ReportTable("What", "Count")
                .Add("pipelines in Pipedrive", report.Pipelines).Add("stages in Pipedrive", report.Stages).Add("users in Pipedrive", report.Users)
                .Add("already as in Pipedrive", report.UpToDate).Add(write ? "changed" : "to change", changing)
                .Add("for staff", report.Changes.Count - changing));
            MaintenanceCommands.WriteMode(output, write, "write them");
            return 0;
        });
        return command;
    }
}

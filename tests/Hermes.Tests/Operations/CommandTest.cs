using Hermes.Operations.Commands;
using Hermes.Tests.Infrastructure;
using Hermes.Tests.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Operations;

/// <summary>
/// Maintenance commands run as <c>dotnet Hermes.dll …</c> runs them (<see cref="MaintenanceCommands.RunAsync"/>, the
/// web app's services built but not started), with the settings of the Hermes under test: its database, the
/// Pipedrive and TC2 simulators, its fake clock. What they print is asserted whole, with the rows and the requests the
/// simulators received.
/// </summary>
public abstract class CommandTest : SyncTest
{
    public sealed record Run(int Exit, string Output, string Error);

    protected async Task<Run> Command(params string[] args)
    {
        var settings = HermesInstance.DefaultSettings(Hermes.Database);
        SimulatorSettings(settings);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await MaintenanceCommands.RunAsync(args, output, error,
            c => c.AddInMemoryCollection(settings), s => s.AddSingleton<TimeProvider>(Hermes.Clock));
        return new Run(exit, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>Every row of every table Hermes writes, to show that a dry run changed nothing.</summary>
    protected async Task<string> Rows()
    {
        var tables = new[]
        {
            "admin", "stage", "pipeline", "config", "company", "contact", "deal", "meeting", "customfield", "customfieldvalue",
            "hermes_job", "hermes_webhook", "pipedrive_object", "pipedrive_create_attempt",
        };
        var all = new List<string>();
        foreach (var table in tables)
            all.AddRange((await TestDatabase.QueryAsync(Hermes.Database, $"SELECT * FROM \"{table}\" ORDER BY 1")).Select(r => $"{table}: {r}"));
        return string.Join("\n", all);
    }

    /// <summary>The simulators' whole state (objects, users, webhook outbox), to compare before and after.</summary>
    protected string SimulatorState() => Pd.DumpState().ToJsonString() + "\n" + Tc2.DumpState().ToJsonString();

    /// <summary>A command's table, from its header lines: what the expected outputs are written in.</summary>
    protected static string Table(params string[][] rows)
    {
        var table = new ReportTable(rows[0]);
        foreach (var row in rows.Skip(1)) table.Add(row.Cast<object?>().ToArray());
        using var w = new StringWriter();
        table.WriteTo(w);
        return w.ToString().ReplaceLineEndings("\n");
    }
}

using System.CommandLine;

namespace Hermes.Operations.Commands;

/// <summary><c>webhooks replay ID…</c>: stored webhooks applied again through the endpoints' code (<see cref="WebhookReplay"/>).</summary>
public static class WebhooksCommands
{
    public static Command Build(CommandHost host, TextWriter output)
    {
        var webhooks = new Command("webhooks", "The stored webhooks from Pipedrive and TC2 (the webhook log).");
        var ids = new Argument<long[]>("id") { Description = "The ids of stored webhooks (see /webhook/list)", Arity = ArgumentArity.OneOrMore };
        var apply = MaintenanceCommands.ApplyOption("Apply them again and record the new outcome");
        var replay = new Command("replay", "Apply stored webhooks again, as if they had just arrived. A dry run shows what each would do.") { ids, apply };
        replay.SetAction(async (parse, ct) =>
        {
            var write = parse.GetValue(apply);
            var outcomes = await host.Get<WebhookReplay>().RunAsync(parse.GetValue(ids)!.Distinct().ToList(), write, ct);
            var table = new ReportTable("Id", "Source", "Event", "Received (UTC)", "Outcome before", write ? "Outcome now" : "Would be", "Detail");
            foreach (var o in outcomes)
                table.Add(o.Id, o.Webhook?.Source, o.Webhook is { } w ? $"{w.Object} {w.Action} {w.ObjectIds}".Trim() : null, o.Webhook?.ReceivedAt,
                    o.Before, o.After, o.Detail);
            table.WriteTo(output);
            var summary = new ReportTable(write ? "Outcome now" : "Would be", "Webhooks");
            foreach (var group in outcomes.GroupBy(o => o.After).OrderBy(g => g.Key, StringComparer.Ordinal)) summary.Add(group.Key, group.Count());
            MaintenanceCommands.WriteSummary(output, summary);
            MaintenanceCommands.WriteMode(output, write, "replay them");
            return outcomes.Any(o => o.Failed) ? 1 : 0;
        });
        webhooks.Subcommands.Add(replay);
        return webhooks;
    }
}

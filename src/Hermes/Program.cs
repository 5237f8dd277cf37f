// With a maintenance command (jobs, webhooks, pipedrive) run it; otherwise serve, or migrate with "migrate".
if (Hermes.Operations.Commands.MaintenanceCommands.IsCommand(args)) return await Hermes.Operations.Commands.MaintenanceCommands.RunAsync(args);
return await Hermes.HermesApp.RunAsync(args);

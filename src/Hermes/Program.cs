return await Hermes.HermesApp.RunAsync(args);

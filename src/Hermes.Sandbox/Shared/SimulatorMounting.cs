using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox;

public static class SimulatorMounting
{
    /// <summary>
    /// Serves the simulator below <paramref name="prefix"/> as its own branch of the pipeline, outside endpoint
    /// routing, so its routes never mix with the host's (nor show up in its API docs).
    /// </summary>
    public static IApplicationBuilder MapSimulator(this IApplicationBuilder app, PathString prefix, Simulator simulator) =>
        app.Map(prefix, branch => branch.Run(simulator.HandleAsync));
}

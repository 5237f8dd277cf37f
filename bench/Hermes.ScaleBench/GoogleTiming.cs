using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Hermes.ScaleBench;

/// <summary>
/// Time Hermes spends waiting for Google Calendar during one request (the simulator runs in this process, so it also
/// competes for the CPU): summed over the request's outgoing calls to the simulator's /google paths and sent back in
/// the X-Bench-Google-Ms header, so a booking's figure can leave Google out.
/// </summary>
sealed class GoogleTiming : DelegatingHandler
{
    public const string Header = "X-Bench-Google-Ms";
    static readonly AsyncLocal<StrongBox<double>?> Current = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (Current.Value is not { } box || request.RequestUri?.AbsolutePath.Contains("/google/", StringComparison.Ordinal) != true)
            return await base.SendAsync(request, ct);
        var watch = Stopwatch.StartNew();
        try { return await base.SendAsync(request, ct); }
        finally { box.Value += watch.Elapsed.TotalMilliseconds; }
    }

    /// <summary>Gives each request its own sum.</summary>
    public sealed class Scope : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var box = new StrongBox<double>();
                Current.Value = box;
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers[Header] = box.Value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
                    return Task.CompletedTask;
                });
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

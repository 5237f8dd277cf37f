using Hermes.Configuration;
using Hermes.Jobs;
using Sentry;

namespace Hermes.Operations;

/// <summary>
/// Sentry (<c>SENTRY_DSN</c>), as hermes_v2 had it: unhandled exceptions (requests, and anything logged as an error)
/// and every job that fails for good, tagged with its kind and id. Nothing is set up, sent or paid for when unset.
/// </summary>
public sealed class ErrorReports(HermesSettings settings, IServiceProvider services)
{
    readonly IHub? _hub = settings.Operations.SentryDsn.Length > 0 ? services.GetService<IHub>() : null;

    public static void Configure(WebApplicationBuilder builder, HermesSettings settings)
    {
        builder.Services.AddSingleton<ErrorReports>();
        if (settings.Operations.SentryDsn.Length == 0) return;
        builder.WebHost.UseSentry(o =>
        {
            o.Dsn = settings.Operations.SentryDsn;
            o.Release = typeof(ErrorReports).Assembly.GetName().Version?.ToString();
            o.Environment = settings.Sandbox ? "sandbox" : settings.DevMode ? "development" : "production";
            o.SendDefaultPii = false; // no request bodies, cookies or user addresses
            o.AutoSessionTracking = false;
            o.MinimumEventLevel = LogLevel.Error;
            o.MinimumBreadcrumbLevel = LogLevel.Information;
        });
    }

    /// <summary>A job that will not be tried again (its attempts are used up, or retrying cannot fix it).</summary>
    public void JobFailedForGood(Job job, Exception? error, string message)
    {
        if (_hub is null) return;
        var exception = error ?? new JobFailedException(message);
        _hub.CaptureException(exception, scope =>
        {
            scope.SetTag("job.kind", job.Kind);
            scope.SetTag("job.id", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            scope.SetExtra("job.attempts", job.Attempts);
            scope.SetExtra("job.error", message);
            scope.Fingerprint = ["{{ default }}", job.Kind]; // grouped per job kind as well as by Sentry's own rules
        });
    }

    /// <summary>Stands for a failure that had no exception (a job of a kind nothing handles).</summary>
    public sealed class JobFailedException(string message) : Exception(message);
}

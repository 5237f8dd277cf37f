using Hermes.Configuration;

namespace Hermes.Operations;

public static class Logging
{
    /// <summary><c>LOG_LEVEL</c> as hermes_v2 named them; JSON lines outside development so log drains can index fields.</summary>
    public static void Configure(ILoggingBuilder logging, HermesSettings settings)
    {
        logging.ClearProviders();
        if (settings.DevMode || settings.Sandbox)
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else
            logging.AddJsonConsole(o => { o.IncludeScopes = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; o.UseUtcTimestamp = true; });
        logging.SetMinimumLevel(settings.LogLevel switch
        {
            "DEBUG" => LogLevel.Debug,
            "WARNING" or "WARN" => LogLevel.Warning,
            "ERROR" => LogLevel.Error,
            "CRITICAL" => LogLevel.Critical,
            _ => LogLevel.Information,
        });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
    }
}

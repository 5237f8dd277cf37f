using System.Net;

namespace Hermes.Pipedrive;

/// <summary>
/// Pipedrive answered with an error. Decisions are taken on <see cref="Status"/>, never on the message text; what a job
/// does about each is <see cref="PipedriveErrorPolicy"/>.
/// </summary>
public class PipedriveException(HttpStatusCode status, string method, string path, string body)
    : Exception($"Pipedrive {method} {path} answered {(int)status}: {Truncate(body)}")
{
    public HttpStatusCode Status { get; } = status;
    public string Body { get; } = body;

    static string Truncate(string s) => s.Length > 500 ? s[..500] + "…" : s;
}

/// <summary>404 or 410: the object is gone from Pipedrive (deleted or merged away).</summary>
public sealed class PipedriveGoneException(HttpStatusCode status, string method, string path, string body)
    : PipedriveException(status, method, path, body);

/// <summary>429, or Cloudflare's 403 page that Pipedrive serves to clients that keep going after a 429: wait and try again.</summary>
public sealed class PipedriveRateLimitedException(TimeSpan retryAfter, string reason) : Exception(reason)
{
    public TimeSpan Delay { get; } = retryAfter;
}

/// <summary>A 2xx with an empty or non-JSON body, which Pipedrive sometimes sends: retried like any transient failure.</summary>
public sealed class PipedriveEmptyResponseException(string method, string path, int status)
    : Exception($"Pipedrive {method} {path} answered {status} with an empty or non-JSON body");

/// <summary>No answer: the connection failed or the request timed out. Retried like any transient failure; the request may still have been applied.</summary>
public sealed class PipedriveUnavailableException(string method, string path, string reason, Exception inner)
    : Exception($"Pipedrive {method} {path}: {reason}", inner);

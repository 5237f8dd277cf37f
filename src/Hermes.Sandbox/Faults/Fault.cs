namespace Hermes.Sandbox;

public enum FaultKind
{
    /// <summary>A 5xx answer with the simulator's own error body.</summary>
    ServerError,
    /// <summary>429 with rate-limit headers, as when the burst limit is exceeded.</summary>
    RateLimited,
    /// <summary>403 with Cloudflare's HTML error page, as Pipedrive answers clients that keep going after 429s.</summary>
    CloudflareForbidden,
    /// <summary>200 with an empty body (a known Pipedrive quirk).</summary>
    EmptyOk,
    /// <summary>Wait (on the simulator's clock) before answering normally: longer than the client's timeout.</summary>
    Delay,
    /// <summary>Drop the connection without an answer.</summary>
    Abort,
}

/// <summary>How a simulator misbehaves for a request. Build with the factory methods.</summary>
public sealed record Fault(FaultKind Kind, int Status, TimeSpan Delay)
{
    public static Fault ServerError(int status = 500) =>
        status is >= 500 and <= 599 ? new(FaultKind.ServerError, status, TimeSpan.Zero) : throw new ArgumentOutOfRangeException(nameof(status), "a 5xx status");
    public static Fault RateLimited() => new(FaultKind.RateLimited, 429, TimeSpan.Zero);
    public static Fault CloudflareForbidden() => new(FaultKind.CloudflareForbidden, 403, TimeSpan.Zero);
    public static Fault EmptyOk() => new(FaultKind.EmptyOk, 200, TimeSpan.Zero);
    public static Fault Slow(TimeSpan delay) => new(FaultKind.Delay, 0, delay);
    public static Fault Abort() => new(FaultKind.Abort, 0, TimeSpan.Zero);

    /// <summary>The name used in recorded requests and on the HTTP control surface, e.g. <c>server_error</c>.</summary>
    public string Name => Kind switch
    {
        FaultKind.ServerError => "server_error",
        FaultKind.RateLimited => "rate_limited",
        FaultKind.CloudflareForbidden => "cloudflare_403",
        FaultKind.EmptyOk => "empty_200",
        FaultKind.Delay => "delay",
        _ => "abort",
    };

    /// <summary>Parses the control surface's names; null when the name is unknown.</summary>
    public static Fault? Parse(string name, int? status, int? delayMs) => name switch
    {
        "server_error" => ServerError(status ?? 500),
        "rate_limited" => RateLimited(),
        "cloudflare_403" => CloudflareForbidden(),
        "empty_200" => EmptyOk(),
        "delay" => Slow(TimeSpan.FromMilliseconds(delayMs ?? 60_000)),
        "abort" => Abort(),
        _ => null,
    };
}

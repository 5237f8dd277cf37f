using System.Text.Json.Nodes;

namespace Hermes.Sandbox;

/// <summary>One "misbehave" instruction: which fault, for which requests, and for how many or until when.</summary>
public sealed class FaultRule
{
    public required Fault Fault { get; init; }
    /// <summary>Path glob below the simulator's prefix (<see cref="PathPattern"/>); null for every path.</summary>
    public string? Path { get; init; }
    /// <summary>HTTP method; null for every method.</summary>
    public string? Method { get; init; }
    /// <summary>Requests still to be spoiled; null when the rule is limited by time instead.</summary>
    public int? Remaining { get; internal set; }
    /// <summary>The rule stops applying at this time (simulator clock); null when limited by count.</summary>
    public DateTimeOffset? Until { get; init; }
    public int Applied { get; internal set; }

    public bool IsActive(DateTimeOffset now) => (Remaining is null or > 0) && (Until is null || now < Until);

    internal JsonObject ToJson() => new()
    {
        ["fault"] = Fault.Name, ["status"] = Fault.Status == 0 ? null : Fault.Status,
        ["delay_ms"] = Fault.Kind == FaultKind.Delay ? (long)Fault.Delay.TotalMilliseconds : null,
        ["path"] = Path, ["method"] = Method, ["remaining"] = Remaining,
        ["until"] = Until is { } u ? Json.Rfc3339(u) : null, ["applied"] = Applied,
    };
}

/// <summary>
/// Tells one simulator to misbehave for the next N requests or for a time window, optionally only for some paths.
/// The first rule that matches a request (in the order they were added) spoils it. Control requests are never spoiled.
/// </summary>
public sealed class FaultInjector(TimeProvider time)
{
    readonly object _gate = new();
    readonly List<FaultRule> _rules = [];

    public IReadOnlyList<FaultRule> Rules { get { lock (_gate) return _rules.ToArray(); } }

    /// <summary>Spoils the next <paramref name="count"/> matching requests.</summary>
    public FaultRule Next(int count, Fault fault, string? path = null, string? method = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Add(new FaultRule { Fault = fault, Path = path, Method = method, Remaining = count });
    }

    /// <summary>Spoils every matching request from now until <paramref name="window"/> has passed on the simulator's clock.</summary>
    public FaultRule During(TimeSpan window, Fault fault, string? path = null, string? method = null) =>
        Add(new FaultRule { Fault = fault, Path = path, Method = method, Until = time.GetUtcNow() + window });

    public void Clear()
    {
        lock (_gate) _rules.Clear();
    }

    FaultRule Add(FaultRule rule)
    {
        lock (_gate) _rules.Add(rule);
        return rule;
    }

    /// <summary>The fault to apply to this request, if any; counts it against its rule.</summary>
    internal Fault? Take(string method, string path)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var rule = _rules.FirstOrDefault(r => r.IsActive(now) &&
                (r.Method is null || r.Method.Equals(method, StringComparison.OrdinalIgnoreCase)) && PathPattern.Matches(r.Path, path));
            if (rule is null) return null;
            rule.Applied++;
            if (rule.Remaining is { } left) rule.Remaining = left - 1;
            return rule.Fault;
        }
    }
}

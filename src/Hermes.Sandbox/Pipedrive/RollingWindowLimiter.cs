namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// Counts accepted requests over a rolling window, as Pipedrive's burst limit does. Rejected requests don't count.
/// Not thread-safe: the simulator calls it under its lock.
/// </summary>
sealed class RollingWindowLimiter(Func<int> limit, Func<TimeSpan> window)
{
    readonly Queue<DateTimeOffset> _accepted = new();

    public int Limit => limit();

    /// <summary>Takes a slot if one is free. Remaining and reset (whole seconds) describe the window afterwards.</summary>
    public (bool Allowed, int Remaining, int ResetSeconds) TryAcquire(DateTimeOffset now)
    {
        Expire(now);
        var allowed = _accepted.Count < limit();
        if (allowed) _accepted.Enqueue(now);
        var (remaining, reset) = Peek(now);
        return (allowed, remaining, reset);
    }

    public (int Remaining, int ResetSeconds) Peek(DateTimeOffset now)
    {
        Expire(now);
        var reset = _accepted.Count == 0 ? window() : _accepted.Peek() + window() - now;
        return (Math.Max(0, limit() - _accepted.Count), Math.Max(1, (int)Math.Ceiling(reset.TotalSeconds)));
    }

    public void Clear() => _accepted.Clear();

    void Expire(DateTimeOffset now)
    {
        while (_accepted.Count > 0 && _accepted.Peek() + window() <= now) _accepted.Dequeue();
    }
}

using System.Collections.Concurrent;

namespace Hermes.AdminUi;

/// <summary>
/// Sign-in lock-out: after <see cref="MaxFailures"/> failed attempts for one email within <see cref="Window"/>, that
/// email cannot sign in for <see cref="LockFor"/>, even with the right password. Kept in memory: the state is small and
/// short-lived, needs no schema change to hermes_v2's tables, and a restart (which an attacker cannot cause) only
/// forgets it early. With several Hermes processes each counts its own failures.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(15);

    sealed record Entry(int Failures, DateTimeOffset FirstFailure, DateTimeOffset? LockedUntil);

    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);

    static string Key(string username) => username.Trim();

    /// <summary>When the email is locked out, until when.</summary>
    public DateTimeOffset? LockedUntil(string username)
    {
        if (!_entries.TryGetValue(Key(username), out var e) || e.LockedUntil is not { } until) return null;
        if (until > clock.GetUtcNow()) return until;
        _entries.TryRemove(new KeyValuePair<string, Entry>(Key(username), e));
        return null;
    }

    /// <summary>Counts a failure; returns the lock's end when this failure locked the email.</summary>
    public DateTimeOffset? Failed(string username)
    {
        var now = clock.GetUtcNow();
        if (_entries.Count > 10_000) Prune(now); // failures for made-up emails must not grow without bound
        var entry = _entries.AddOrUpdate(Key(username),
            _ => new Entry(1, now, null),
            (_, e) => e.LockedUntil is { } until && until > now ? e
                : now - e.FirstFailure > Window || e.LockedUntil is not null ? new Entry(1, now, null)
                : new Entry(e.Failures + 1, e.FirstFailure, null));
        if (entry.Failures < MaxFailures || entry.LockedUntil is not null) return entry.LockedUntil;
        var locked = entry with { LockedUntil = now + LockFor };
        _entries[Key(username)] = locked;
        return locked.LockedUntil;
    }

    public void Succeeded(string username) => _entries.TryRemove(Key(username), out _);

    void Prune(DateTimeOffset now)
    {
        foreach (var (key, e) in _entries)
            if (e.LockedUntil is { } until ? until <= now : now - e.FirstFailure > Window)
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, e));
    }
}

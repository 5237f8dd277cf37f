namespace Hermes.Sandbox;

/// <summary>
/// Every request one simulator received, in arrival order, for assertions. Tests filter by method and path pattern
/// (<see cref="PathPattern"/>) and can await a request instead of polling for it.
/// </summary>
public sealed class RequestLog
{
    readonly object _gate = new();
    readonly List<RecordedRequest> _requests = [];
    readonly List<(Func<RecordedRequest, bool> Match, TaskCompletionSource<RecordedRequest> Done)> _waiters = [];
    long _sequence;

    public IReadOnlyList<RecordedRequest> All { get { lock (_gate) return _requests.ToArray(); } }

    public int Count { get { lock (_gate) return _requests.Count; } }

    /// <summary>Requests with this method (any when null) whose path matches the pattern.</summary>
    public IReadOnlyList<RecordedRequest> Matching(string? method, string? pathPattern = null) =>
        All.Where(r => (method is null || r.Method.Equals(method, StringComparison.OrdinalIgnoreCase)) && PathPattern.Matches(pathPattern, r.Path)).ToArray();

    /// <summary>The one matching request; throws (listing what was received) when there are none or several.</summary>
    public RecordedRequest Single(string? method, string? pathPattern = null)
    {
        var found = Matching(method, pathPattern);
        if (found.Count == 1) return found[0];
        throw new InvalidOperationException(
            $"Expected one {method ?? "*"} {pathPattern ?? "*"} request, found {found.Count}. Received: {string.Join("; ", All.Select(r => r.ToString()))}");
    }

    /// <summary>Completes with the first request (already received or still to come) that matches.</summary>
    public Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> match, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var existing = _requests.FirstOrDefault(match);
            if (existing is not null) return Task.FromResult(existing);
            var done = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            if (ct.CanBeCanceled) ct.Register(() => done.TrySetCanceled(ct));
            return done.Task;
        }
    }

    public void Clear()
    {
        lock (_gate) _requests.Clear();
    }

    internal RecordedRequest Add(DateTimeOffset time, string method, string path, string query,
        IReadOnlyDictionary<string, string> headers, string body, string? fault)
    {
        RecordedRequest request;
        List<TaskCompletionSource<RecordedRequest>> completed = [];
        lock (_gate)
        {
            request = new RecordedRequest(++_sequence, time, method, path, query, headers, body, fault);
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Match(request)) { completed.Add(_waiters[i].Done); _waiters.RemoveAt(i); }
        }
        foreach (var done in completed) done.TrySetResult(request);
        return request;
    }
}

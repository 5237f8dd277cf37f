using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>Where the simulator posts webhooks: a URL (resolved at delivery time), format version and Basic credentials.</summary>
public sealed class WebhookSubscription
{
    public required long Id { get; init; }
    public required Func<Uri?> Url { get; init; }
    /// <summary><c>1.0</c> or <c>2.0</c>.</summary>
    public string Version { get; set; } = "2.0";
    public string? Username { get; init; }
    public string? Password { get; init; }

    internal JsonObject ToJson() => new()
    {
        ["id"] = Id, ["url"] = Url()?.ToString(), ["version"] = Version, ["http_auth_user"] = Username,
        ["http_auth_password"] = Password is null ? null : "***",
    };
}

/// <summary>One webhook to deliver to one subscription, with every attempt made so far.</summary>
public sealed class WebhookDelivery
{
    internal WebhookDelivery(long id, WebhookSubscription subscription, PdChange change, IReadOnlyList<PdCustomField> fields, DateTimeOffset due)
    {
        Id = id;
        Subscription = subscription;
        Change = change;
        Fields = fields;
        NextAttemptAt = due;
    }

    public long Id { get; }
    public WebhookSubscription Subscription { get; }
    public PdChange Change { get; }
    internal IReadOnlyList<PdCustomField> Fields { get; }
    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c> (after the last retry).</summary>
    public string Status { get; internal set; } = "pending";
    public DateTimeOffset NextAttemptAt { get; internal set; }
    internal List<WebhookAttempt> AttemptList { get; } = [];
    public IReadOnlyList<WebhookAttempt> Attempts => AttemptList.ToArray();

    internal JsonObject ToJson() => new()
    {
        ["id"] = Id, ["subscription_id"] = Subscription.Id, ["entity"] = Change.Entity.Name, ["action"] = Change.Action,
        ["entity_id"] = Change.Id, ["status"] = Status, ["next_attempt_at"] = Status == "pending" ? Json.Rfc3339(NextAttemptAt) : null,
        ["attempts"] = Json.Array(AttemptList.Select(a => (JsonNode)a.ToJson())),
    };
}

/// <summary>One POST of a webhook: what was sent and what came back (a status, or the error when nothing did).</summary>
public sealed record WebhookAttempt(
    long DeliveryId, int Number, DateTimeOffset Time, string Url, string? Authorization, string Body, int? StatusCode, string? ResponseBody, string? Error)
{
    public JsonNode? Json => Sandbox.Json.TryParse(Body);

    internal JsonObject ToJson() => new()
    {
        ["number"] = Number, ["time"] = Sandbox.Json.Rfc3339(Time), ["url"] = Url, ["status_code"] = StatusCode,
        ["response_body"] = ResponseBody, ["error"] = Error, ["body"] = Json?.DeepClone(),
    };
}

/// <summary>
/// The simulator's webhook outbox. Every change to an organization, person, deal, pipeline or stage (API writes
/// included: Pipedrive echoes them) becomes one delivery per subscription. Deliveries go out when a test calls
/// <see cref="DeliverPendingAsync"/> (deterministic) or, in the sandbox, from <see cref="RunPumpAsync"/>. As Pipedrive
/// does, a delivery that fails (not 2xx, or no answer within 10 s) is retried 3, 30 and 150 s later, then given up.
/// </summary>
public sealed class PipedriveWebhooks : IDisposable
{
    static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(150)];

    readonly PipedriveOptions _options;
    readonly TimeProvider _time;
    readonly object _gate = new();
    readonly List<WebhookSubscription> _subscriptions = [];
    readonly List<WebhookDelivery> _deliveries = [];
    readonly List<(Func<WebhookAttempt, bool> Match, TaskCompletionSource<WebhookAttempt> Done)> _waiters = [];
    readonly SemaphoreSlim _delivering = new(1, 1);
    readonly HttpClient _http;
    TaskCompletionSource _enqueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long _lastSubscriptionId;
    long _lastDeliveryId;

    internal PipedriveWebhooks(PipedriveOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>How long a delivery may take before it counts as failed (Pipedrive: 10 s).</summary>
    public TimeSpan Timeout
    {
        get => _http.Timeout;
        set => _http.Timeout = value;
    }

    public WebhookSubscription Subscribe(Uri url, string version = "2.0", string? username = null, string? password = null) =>
        Subscribe(() => url, version, username, password);

    /// <summary>Subscribes a URL known only later (e.g. the host's own port once it listens).</summary>
    public WebhookSubscription Subscribe(Func<Uri?> url, string version = "2.0", string? username = null, string? password = null)
    {
        if (version is not ("1.0" or "2.0")) throw new ArgumentException("webhook version is 1.0 or 2.0", nameof(version));
        lock (_gate)
        {
            var subscription = new WebhookSubscription { Id = ++_lastSubscriptionId, Url = url, Version = version, Username = username, Password = password };
            _subscriptions.Add(subscription);
            return subscription;
        }
    }

    public void Unsubscribe(WebhookSubscription subscription)
    {
        lock (_gate) _subscriptions.Remove(subscription);
    }

    public IReadOnlyList<WebhookSubscription> Subscriptions { get { lock (_gate) return _subscriptions.ToArray(); } }

    public IReadOnlyList<WebhookDelivery> Deliveries { get { lock (_gate) return _deliveries.ToArray(); } }

    public IReadOnlyList<WebhookDelivery> Pending { get { lock (_gate) return _deliveries.Where(d => d.Status == "pending").ToArray(); } }

    /// <summary>Forgets deliveries (subscriptions are configuration and stay).</summary>
    internal void Clear()
    {
        lock (_gate) _deliveries.Clear();
    }

    internal void Enqueue(IEnumerable<PdChange> changes, Func<PdEntity, IReadOnlyList<PdCustomField>> fields)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            var added = false;
            foreach (var change in changes.Where(c => c.Entity.SendsWebhooks))
                foreach (var subscription in _subscriptions)
                {
                    _deliveries.Add(new WebhookDelivery(++_lastDeliveryId, subscription, change, fields(change.Entity).ToArray(), change.Time));
                    added = true;
                }
            if (!added) return;
            signal = _enqueued;
            _enqueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
    }

    /// <summary>Makes one attempt at every delivery that is due now (simulator clock), in order, and returns them.</summary>
    public async Task<IReadOnlyList<WebhookAttempt>> DeliverPendingAsync(CancellationToken ct = default)
    {
        await _delivering.WaitAsync(ct);
        try
        {
            WebhookDelivery[] due;
            var now = _time.GetUtcNow();
            lock (_gate) due = _deliveries.Where(d => d.Status == "pending" && d.NextAttemptAt <= now).ToArray();
            var attempts = new List<WebhookAttempt>();
            foreach (var delivery in due) attempts.Add(await AttemptAsync(delivery, ct));
            return attempts;
        }
        finally
        {
            _delivering.Release();
        }
    }

    /// <summary>Completes with the first attempt (made already or still to come) that matches.</summary>
    public Task<WebhookAttempt> WaitForAttemptAsync(Func<WebhookAttempt, bool> match, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var existing = _deliveries.SelectMany(d => d.AttemptList).FirstOrDefault(match);
            if (existing is not null) return Task.FromResult(existing);
            var done = new TaskCompletionSource<WebhookAttempt>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            if (ct.CanBeCanceled) ct.Register(() => done.TrySetCanceled(ct));
            return done.Task;
        }
    }

    /// <summary>Delivers continuously: whenever something is enqueued, and when a retry falls due, until cancelled.</summary>
    public async Task RunPumpAsync(CancellationToken ct)
    {
        var stopped = Task.Delay(System.Threading.Timeout.Infinite, ct);
        while (!ct.IsCancellationRequested)
        {
            Task enqueued;
            lock (_gate) enqueued = _enqueued.Task;
            try
            {
                await DeliverPendingAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            DateTimeOffset? next;
            lock (_gate) next = _deliveries.Where(d => d.Status == "pending").Select(d => (DateTimeOffset?)d.NextAttemptAt).Min();
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var waits = new List<Task> { enqueued, stopped };
            if (next is { } at)
            {
                var wait = at - _time.GetUtcNow();
                waits.Add(wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _time, wake.Token));
            }
            await Task.WhenAny(waits);
            await wake.CancelAsync();
        }
    }

    async Task<WebhookAttempt> AttemptAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        var subscription = delivery.Subscription;
        var number = delivery.AttemptList.Count + 1;
        var body = subscription.Version == "1.0"
            ? WebhookPayloads.V1(delivery.Change, number, subscription.Id, _options, _ => delivery.Fields)
            : WebhookPayloads.V2(delivery.Change, number, subscription.Id, _options, _ => delivery.Fields);
        var text = Json.Serialize(body);
        var url = subscription.Url();
        string? authorization = subscription.Username is null
            ? null
            : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{subscription.Username}:{subscription.Password}"));
        int? status = null;
        string? responseBody = null, error = null;
        if (url is null)
            error = "the subscription's URL is not known yet";
        else
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
                if (authorization is not null) request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
                request.Headers.UserAgent.ParseAdd("Pipedrive-Webhooks/" + subscription.Version);
                using var response = await _http.SendAsync(request, ct);
                status = (int)response.StatusCode;
                responseBody = await response.Content.ReadAsStringAsync(ct);
                if (responseBody.Length > 2000) responseBody = responseBody[..2000];
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = e is TaskCanceledException ? $"no answer within {_http.Timeout.TotalSeconds:0.#} s" : e.Message;
            }
        }

        var attempt = new WebhookAttempt(delivery.Id, number, _time.GetUtcNow(), url?.ToString() ?? "", authorization, text, status, responseBody, error);
        List<TaskCompletionSource<WebhookAttempt>> completed = [];
        lock (_gate)
        {
            delivery.AttemptList.Add(attempt);
            if (status is >= 200 and < 300) delivery.Status = "delivered";
            else if (number > RetryDelays.Length) delivery.Status = "failed";
            else delivery.NextAttemptAt = attempt.Time + RetryDelays[number - 1];
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Match(attempt)) { completed.Add(_waiters[i].Done); _waiters.RemoveAt(i); }
        }
        foreach (var done in completed) done.TrySetResult(attempt);
        return attempt;
    }

    public void Dispose()
    {
        _http.Dispose();
        _delivering.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using Hermes.Configuration;
using Npgsql;

namespace Hermes.Pipedrive;

/// <summary>
/// The rules both limiters follow (behaviour.md §6, research/external_apis.md §C). Pipedrive counts requests per API
/// token over a rolling 2-second window: a burst limit for everything and a lower one for the search endpoints.
/// <list type="bullet">
/// <item>Every request takes a slot in the <c>general</c> bucket, a search also one in <c>search</c>.</item>
/// <item>A slot counts from when the request is sent until <see cref="Window"/> after its answer arrived, so however
///   slow the network, no rolling window at Pipedrive can see more requests than the limit.</item>
/// <item>The limit is the configured one (<c>PD_RATE_LIMIT_BURST</c>, <c>PD_RATE_LIMIT_SEARCH</c>), or Pipedrive's
///   <c>x-ratelimit-limit</c> when that is lower.</item>
/// <item>A 429, Cloudflare's 403 or <c>x-ratelimit-remaining: 0</c> while Hermes itself is under the limit (someone else
///   uses the token) blocks the bucket until <c>x-ratelimit-reset</c> has passed.</item>
/// </list>
/// Time is the wall clock (the database's on PostgreSQL), never the application's <see cref="TimeProvider"/>: the
/// limit is about real seconds at Pipedrive.
/// </summary>
public static class PipedriveRateRules
{
    public const string General = "general";
    public const string Search = "search";
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    /// <summary>A request still unanswered after this long is assumed dead (the client times out after 30 s).</summary>
    public static readonly TimeSpan InFlightLimit = TimeSpan.FromSeconds(60);

    public static string[] Buckets(bool search) => search ? [General, Search] : [General];

    public static int ConfiguredLimit(HermesSettings settings, string bucket) =>
        bucket == Search ? settings.PdRateLimitSearch : settings.PdRateLimitBurst;

    public sealed record Observation(int? Limit, bool Exhausted, bool RateLimited, TimeSpan Reset);

    /// <summary>What a response says about the limit; null when it says nothing.</summary>
    public static Observation? Read(HttpResponseMessage? response)
    {
        if (response is null) return null;
        var limit = Header(response, "x-ratelimit-limit");
        var remaining = Header(response, "x-ratelimit-remaining");
        var reset = Header(response, "x-ratelimit-reset");
        var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests || PipedriveClient.IsCloudflareBlock(response);
        if (limit is null && remaining is null && !rateLimited) return null;
        var resetTime = reset is { } r && r >= 0 ? TimeSpan.FromSeconds(Math.Min(r, 3600)) : Window;
        if (rateLimited && response.StatusCode == HttpStatusCode.Forbidden && reset is null)
            resetTime = TimeSpan.FromSeconds(10); // Cloudflare gives no figures: back off for longer than one window
        return new Observation(limit is { } l && l >= 1 ? (int)l : null, remaining is 0, rateLimited, resetTime);
    }

    static double? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) &&
        double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary>
/// The limiter for Hermes on PostgreSQL: its state is two small tables (<c>pipedrive_rate_slot</c>,
/// <c>pipedrive_rate_limit</c>), read and written under a transaction-scoped advisory lock, so every worker of every
/// Hermes process sharing the database draws from one budget. Each wait is a short transaction; none is held while
/// the request is on its way.
/// </summary>
public sealed class SharedPipedriveRateLimit(HermesSettings settings, ILogger<SharedPipedriveRateLimit> log) : IPipedriveRateLimit, IDisposable
{
    const long LockKey = 0x48524D5F50445254; // "HRM_PDRT"
    readonly NpgsqlDataSource _data = NpgsqlDataSource.Create(settings.Database.ConnectionString);
    long _acquisitions;

    public async Task<IPipedrivePermit> AcquireAsync(bool search, CancellationToken ct)
    {
        var buckets = PipedriveRateRules.Buckets(search);
        while (true)
        {
            var wait = await TryTakeAsync(buckets, ct);
            if (wait.Slots is { } slots) return new Permit(this, buckets, slots);
            Operations.Telemetry.PipedriveRateLimitWait(wait.Delay);
            await Task.Delay(wait.Delay, ct);
        }
    }

    async Task<(long[]? Slots, TimeSpan Delay)> TryTakeAsync(string[] buckets, CancellationToken ct)
    {
        await using var conn = await _data.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockKey})", conn, tx))
            await lockCmd.ExecuteNonQueryAsync(ct);

        if (Interlocked.Increment(ref _acquisitions) % 200 == 1)
            await using (var cleanup = new NpgsqlCommand("DELETE FROM pipedrive_rate_slot WHERE started_at < clock_timestamp() - interval '5 minutes'", conn, tx))
                await cleanup.ExecuteNonQueryAsync(ct);

        var delay = TimeSpan.Zero;
        DateTime now;
        await using (var cmd = new NpgsqlCommand("""
            WITH t AS (SELECT clock_timestamp() AS now)
            SELECT l.bucket, t.now, l.blocked_until, l.observed_limit,
                   (SELECT count(*) FROM pipedrive_rate_slot s WHERE s.bucket = l.bucket AND (s.finished_at > t.now - @window
                        OR (s.finished_at IS NULL AND s.started_at > t.now - @inflight))) AS used,
                   (SELECT min(s.finished_at) FROM pipedrive_rate_slot s WHERE s.bucket = l.bucket AND s.finished_at > t.now - @window) AS oldest
            FROM pipedrive_rate_limit l, t WHERE l.bucket = ANY(@buckets)
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("window", PipedriveRateRules.Window);
            cmd.Parameters.AddWithValue("inflight", PipedriveRateRules.InFlightLimit);
            cmd.Parameters.AddWithValue("buckets", buckets);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            now = DateTime.UtcNow;
            var seen = 0;
            while (await reader.ReadAsync(ct))
            {
                seen++;
                var bucket = reader.GetString(0);
                now = reader.GetDateTime(1);
                var blockedUntil = reader.IsDBNull(2) ? (DateTime?)null : reader.GetDateTime(2);
                var observed = reader.IsDBNull(3) ? (int?)null : reader.GetInt32(3);
                var used = reader.GetInt64(4);
                var oldest = reader.IsDBNull(5) ? (DateTime?)null : reader.GetDateTime(5);
                var limit = Math.Min(PipedriveRateRules.ConfiguredLimit(settings, bucket), observed ?? int.MaxValue);
                if (blockedUntil > now) delay = Max(delay, blockedUntil.Value - now);
                if (used >= limit)
                    delay = Max(delay, oldest is { } o ? o + PipedriveRateRules.Window - now : TimeSpan.FromMilliseconds(20));
            }
            if (seen != buckets.Length) throw new InvalidOperationException("the pipedrive_rate_limit table is missing its buckets (migration 0005)");
        }

        if (delay > TimeSpan.Zero)
        {
            await tx.CommitAsync(ct);
            return (null, Clamp(delay));
        }
        var slots = new long[buckets.Length];
        await using (var insert = new NpgsqlCommand("INSERT INTO pipedrive_rate_slot (bucket, started_at) SELECT b, clock_timestamp() FROM unnest(@buckets) AS b RETURNING id", conn, tx))
        {
            insert.Parameters.AddWithValue("buckets", buckets);
            await using var reader = await insert.ExecuteReaderAsync(ct);
            var i = 0;
            while (await reader.ReadAsync(ct)) slots[i++] = reader.GetInt64(0);
        }
        await tx.CommitAsync(ct);
        return (slots, TimeSpan.Zero);
    }

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Waits in steps of at most a second (the state may change sooner), at least a few milliseconds.</summary>
    static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : delay > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay;

    async Task CompleteAsync(string[] buckets, long[] slots, HttpResponseMessage? response)
    {
        try
        {
            await using var conn = await _data.OpenConnectionAsync(CancellationToken.None);
            await using (var cmd = new NpgsqlCommand("UPDATE pipedrive_rate_slot SET finished_at = clock_timestamp() WHERE id = ANY(@ids)", conn))
            {
                cmd.Parameters.AddWithValue("ids", slots);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
            if (PipedriveRateRules.Read(response) is not { } seen) return;
            // The headers describe the bucket the request was counted in: the search one for a search. "None remaining"
            // only blocks when Hermes itself had room when it sent the request (Pipedrive counted someone else's requests
            // too); counted from the request's start, as Pipedrive counted when the request arrived.
            var bucket = buckets[^1];
            var configured = PipedriveRateRules.ConfiguredLimit(settings, bucket);
            await using var update = new NpgsqlCommand("""
                UPDATE pipedrive_rate_limit l SET
                    observed_limit = CASE WHEN @limit IS NULL THEN l.observed_limit WHEN @limit >= @configured THEN NULL ELSE @limit END,
                    blocked_until = CASE
                        WHEN @rateLimited OR (@exhausted AND (SELECT count(*) FROM pipedrive_rate_slot s WHERE s.bucket = l.bucket
                                AND (s.finished_at > (SELECT started_at FROM pipedrive_rate_slot WHERE id = @slot) - @window OR s.finished_at IS NULL)) < LEAST(@configured, COALESCE(@limit, @configured)))
                        THEN GREATEST(COALESCE(l.blocked_until, '-infinity'), clock_timestamp() + @reset)
                        ELSE l.blocked_until END
                WHERE l.bucket = @bucket
                """, conn);
            update.Parameters.AddWithValue("limit", NpgsqlTypes.NpgsqlDbType.Integer, (object?)seen.Limit ?? DBNull.Value);
            update.Parameters.AddWithValue("configured", configured);
            update.Parameters.AddWithValue("rateLimited", seen.RateLimited);
            update.Parameters.AddWithValue("exhausted", seen.Exhausted);
            update.Parameters.AddWithValue("window", PipedriveRateRules.Window);
            update.Parameters.AddWithValue("reset", seen.Reset);
            update.Parameters.AddWithValue("bucket", bucket);
            update.Parameters.AddWithValue("slot", slots[^1]);
            await update.ExecuteNonQueryAsync(CancellationToken.None);
            if (seen.RateLimited)
                log.LogWarning("Pipedrive rate limited Hermes ({Status}); {Bucket} requests wait {Reset}", (int)response!.StatusCode, bucket, seen.Reset);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The slot then counts as in flight until it expires: slower, never faster.
            log.LogWarning(e, "Could not record the end of a Pipedrive request in the rate limiter");
        }
    }

    public void Dispose() => _data.Dispose();

    sealed class Permit(SharedPipedriveRateLimit limiter, string[] buckets, long[] slots) : IPipedrivePermit
    {
        int _done;
        public Task CompleteAsync(HttpResponseMessage? response) =>
            Interlocked.Exchange(ref _done, 1) == 0 ? limiter.CompleteAsync(buckets, slots, response) : Task.CompletedTask;
    }
}

/// <summary>
/// The limiter for Hermes on SQLite, which is a single process: the same rules, in memory, on the system clock.
/// </summary>
public sealed class InProcessPipedriveRateLimit(HermesSettings settings, ILogger<InProcessPipedriveRateLimit> log) : IPipedriveRateLimit
{
    sealed class Slot { public TimeSpan Started; public TimeSpan? Finished; }
    sealed class Bucket { public readonly List<Slot> Slots = []; public TimeSpan BlockedUntil; public int? Observed; }

    readonly object _gate = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Dictionary<string, Bucket> _buckets = new() { [PipedriveRateRules.General] = new(), [PipedriveRateRules.Search] = new() };

    public async Task<IPipedrivePermit> AcquireAsync(bool search, CancellationToken ct)
    {
        var names = PipedriveRateRules.Buckets(search);
        while (true)
        {
            TimeSpan delay;
            lock (_gate)
            {
                var now = _clock.Elapsed;
                delay = TimeSpan.Zero;
                foreach (var name in names)
                {
                    var bucket = _buckets[name];
                    bucket.Slots.RemoveAll(s => s.Finished is { } f ? f <= now - PipedriveRateRules.Window : s.Started <= now - PipedriveRateRules.InFlightLimit);
                    var limit = Math.Min(PipedriveRateRules.ConfiguredLimit(settings, name), bucket.Observed ?? int.MaxValue);
                    if (bucket.BlockedUntil > now && bucket.BlockedUntil - now > delay) delay = bucket.BlockedUntil - now;
                    if (bucket.Slots.Count >= limit)
                    {
                        var oldest = bucket.Slots.Where(s => s.Finished is not null).Select(s => s.Finished!.Value).DefaultIfEmpty(TimeSpan.MaxValue).Min();
                        var wait = oldest == TimeSpan.MaxValue ? TimeSpan.FromMilliseconds(20) : oldest + PipedriveRateRules.Window - now;
                        if (wait > delay) delay = wait;
                    }
                }
                if (delay <= TimeSpan.Zero)
                {
                    var taken = names.Select(n => (n, new Slot { Started = now })).ToArray();
                    foreach (var (n, slot) in taken) _buckets[n].Slots.Add(slot);
                    return new Permit(this, taken);
                }
            }
            delay = delay < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : delay > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay;
            Operations.Telemetry.PipedriveRateLimitWait(delay);
            await Task.Delay(delay, ct);
        }
    }

    void Complete((string Bucket, Slot Slot)[] taken, HttpResponseMessage? response)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed;
            foreach (var (_, slot) in taken) slot.Finished = now;
            if (PipedriveRateRules.Read(response) is not { } seen) return;
            var name = taken[^1].Bucket;
            var bucket = _buckets[name];
            var configured = PipedriveRateRules.ConfiguredLimit(settings, name);
            if (seen.Limit is { } l) bucket.Observed = l >= configured ? null : l;
            var sent = taken[^1].Slot.Started;
            var inWindow = bucket.Slots.Count(s => s.Finished is null || s.Finished > sent - PipedriveRateRules.Window);
            if (seen.RateLimited || (seen.Exhausted && inWindow < Math.Min(configured, seen.Limit ?? configured)))
            {
                if (now + seen.Reset > bucket.BlockedUntil) bucket.BlockedUntil = now + seen.Reset;
                if (seen.RateLimited) log.LogWarning("Pipedrive rate limited Hermes ({Status}); {Bucket} requests wait {Reset}", (int)response!.StatusCode, name, seen.Reset);
            }
        }
    }

    sealed class Permit(InProcessPipedriveRateLimit limiter, (string, Slot)[] taken) : IPipedrivePermit
    {
        int _done;
        public Task CompleteAsync(HttpResponseMessage? response)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) limiter.Complete(taken, response);
            return Task.CompletedTask;
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hermes.CustomFields;

/// <summary>
/// The <c>customfield</c> table kept in memory per database, so a webhook or job does not read it each time. A save in
/// this process that adds, changes or deletes a custom field (the admin UI, the sandbox seed) drops the copy at once;
/// another Hermes process on the same database sees the edit within <see cref="Ttl"/>. A copy read inside a transaction
/// that later rolls back its own custom-field edit lives at most that long too.
/// </summary>
public static class CustomFieldCache
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    static readonly ConcurrentDictionary<string, Entry> Maps = new(StringComparer.Ordinal);

    sealed record Entry(CustomFieldMap? Map, long LoadedAt, long Version);

    public static readonly IInterceptor Invalidation = new InvalidateOnSave();

    public static async Task<CustomFieldMap> GetAsync(HermesDb db, Func<Task<CustomFieldMap>> load)
    {
        var key = db.Database.GetConnectionString() ?? "";
        var now = Environment.TickCount64;
        var entry = Maps.GetOrAdd(key, _ => new Entry(null, 0, 0));
        if (entry.Map is { } cached && now - entry.LoadedAt < Ttl.TotalMilliseconds) return cached;
        var map = await load();
        // Kept only if nothing was saved to customfield while it was read (the version would have moved on).
        Maps.TryUpdate(key, entry with { Map = map, LoadedAt = now }, entry);
        return map;
    }

    static void Invalidate(DbContext context)
    {
        var key = context.Database.GetConnectionString() ?? "";
        Maps.AddOrUpdate(key, _ => new Entry(null, 0, 1), (_, e) => new Entry(null, 0, e.Version + 1));
    }

    /// <summary>Drops the copy when a save touches customfield, and again once it is written (a load in between read the old rows).</summary>
    sealed class InvalidateOnSave : SaveChangesInterceptor
    {
        readonly ConditionalWeakTable<DbContext, object> _touched = new();

        void Saving(DbContext? context)
        {
            if (context is null || !context.ChangeTracker.Entries<CustomField>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)) return;
            _touched.AddOrUpdate(context, this);
            Invalidate(context);
        }

        void Saved(DbContext? context)
        {
            if (context is not null && _touched.Remove(context)) Invalidate(context);
        }

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Saving(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            Saving(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            Saved(eventData.Context);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
        {
            Saved(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override void SaveChangesFailed(DbContextErrorEventData eventData) => Saved(eventData.Context);

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
        {
            Saved(eventData.Context);
            return Task.CompletedTask;
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Hermes.Domain;

/// <summary>
/// The tables staff edit and every webhook reads (<c>customfield</c>, <c>admin</c>) kept in memory per database, so a
/// webhook or job does not read them each time. A save in this process that adds, changes or deletes such a row (the
/// admin UI, the sandbox seed, the Pipedrive import) drops the copy at once; another Hermes process on the same database
/// sees the edit within <see cref="Ttl"/>. A copy read inside a transaction that later rolls back its own edit lives at
/// most that long too.
/// </summary>
public static class StaffTables
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    static readonly ConcurrentDictionary<(string Database, Type Table), Entry> Copies = new();

    sealed record Entry(object? Copy, long LoadedAt, long Version);

    public static readonly IInterceptor Invalidation = new InvalidateOnSave();

    /// <summary>This database's copy of what <paramref name="load"/> makes of the <typeparamref name="TTable"/> rows.</summary>
    public static async Task<TCopy> GetAsync<TTable, TCopy>(HermesDb db, Func<Task<TCopy>> load) where TCopy : class
    {
        var key = (db.Database.GetConnectionString() ?? "", typeof(TTable));
        var now = Environment.TickCount64;
        var entry = Copies.GetOrAdd(key, _ => new Entry(null, 0, 0));
        if (entry.Copy is TCopy cached && now - entry.LoadedAt < Ttl.TotalMilliseconds) return cached;
        var copy = await load();
        // Kept only if nothing was saved to the table while it was read (the version would have moved on).
        Copies.TryUpdate(key, entry with { Copy = copy, LoadedAt = now }, entry);
        return copy;
    }

    static bool Cached(Type table) => table == typeof(CustomField) || table == typeof(Admin);

    static void Invalidate(DbContext context, Type table)
    {
        var key = (context.Database.GetConnectionString() ?? "", table);
        Copies.AddOrUpdate(key, _ => new Entry(null, 0, 1), (_, e) => new Entry(null, 0, e.Version + 1));
    }

    /// <summary>Drops the copy when a save touches its table, and again once it is written (a load in between read the old rows).</summary>
    sealed class InvalidateOnSave : SaveChangesInterceptor
    {
        readonly ConditionalWeakTable<DbContext, Type[]> _touched = new();

        void Saving(DbContext? context)
        {
            if (context is null) return;
            var tables = context.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && Cached(e.Metadata.ClrType))
                .Select(e => e.Metadata.ClrType).Distinct().ToArray();
            if (tables.Length == 0) return;
            _touched.AddOrUpdate(context, tables);
            foreach (var table in tables) Invalidate(context, table);
        }

        void Saved(DbContext? context)
        {
            if (context is null || !_touched.TryGetValue(context, out var tables)) return;
            _touched.Remove(context);
            foreach (var table in tables) Invalidate(context, table);
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

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Hermes.Operations.Input;

/// <summary>
/// The last step before any row is written: every string added or changed is cut to its column's length on a
/// character boundary (<see cref="InputText.Clip"/>), so a long name from Pipedrive or TC2 is kept shortened rather
/// than failing the whole change (PostgreSQL 22001). Text that still holds a NUL or an unpaired surrogate here got
/// past a door that should have refused it: it is repaired and logged as a warning rather than failing the change
/// (22021, or Npgsql's encoder). Bulk <c>ExecuteUpdate</c> statements do not pass through here.
/// </summary>
public sealed class StoredText(ColumnLimits limits, ILogger<StoredText> log) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Clean(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Clean(eventData.Context);
        return ValueTask.FromResult(result);
    }

    void Clean(DbContext? context)
    {
        if (context is null) return;
        // SaveChanges detects changes after the interceptors run; detect them now to see every changed string.
        if (context.ChangeTracker.AutoDetectChangesEnabled) context.ChangeTracker.DetectChanges();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            var values = entry.CurrentValues; // a new object each time it is asked for
            foreach (var (property, table, column) in StringColumns(entry.Metadata))
            {
                if ((entry.State == EntityState.Modified && !entry.Property(property).IsModified) || values[property] is not string value) continue;
                var stored = value;
                if (InputText.Problem(stored) is { } problem)
                {
                    log.LogWarning("{Table}.{Column} {Problem}: stored without it", table, column, problem);
                    stored = InputText.Repair(stored);
                }
                if (limits.MaxLength(table, column) is { } max && stored.Length > max) stored = InputText.Clip(stored, max);
                if (!ReferenceEquals(stored, value)) values[property] = stored;
            }
        }
    }

    /// <summary>An entity's string properties with their table and column, worked out once per entity type.</summary>
    static (IProperty Property, string? Table, string? Column)[] StringColumns(IEntityType type) =>
        Columns.GetOrAdd(type, t => t.GetProperties().Where(p => p.ClrType == typeof(string))
            .Select(p => (p, t.GetTableName(), (string?)p.GetColumnName())).ToArray());

    static readonly System.Collections.Concurrent.ConcurrentDictionary<IEntityType, (IProperty, string?, string?)[]> Columns = new();
}

using System.Globalization;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi;

public enum TallyKind { Exact, Estimate, AtLeast }

/// <summary>
/// A count the admin shows without counting a million rows on every page view: exact up to <see cref="CountCap"/>, then
/// the planner's estimate of the table's size (for a whole table) or "more than 10,000" (for a filter or search). The
/// page says which.
/// </summary>
public readonly record struct Tally(long Value, TallyKind Kind)
{
    public const int CountCap = 10_000;
    /// <summary>
    /// A search counts its matches up to this many. Each is a row found through an index, or, for a common term, one
    /// of the rows a scan reads until it has this many; past it the list's own order finds a page of matches quickly.
    /// </summary>
    public const int SearchCap = 250;

    public static Tally Exact(long value) => new(value, TallyKind.Exact);

    /// <summary>"30", "about 1,000,000" or "more than 10,000".</summary>
    public override string ToString() => Kind switch
    {
        TallyKind.Estimate => "about " + Value.ToString("N0", CultureInfo.InvariantCulture),
        TallyKind.AtLeast => "more than " + Value.ToString("N0", CultureInfo.InvariantCulture),
        _ => Value.ToString("N0", CultureInfo.InvariantCulture),
    };

    /// <summary>For a number on its own (the dashboard): "30", "≈ 1,000,000" or "10,000+".</summary>
    public string Short => Kind switch
    {
        TallyKind.Estimate => "≈ " + Value.ToString("N0", CultureInfo.InvariantCulture),
        TallyKind.AtLeast => Value.ToString("N0", CultureInfo.InvariantCulture) + "+",
        _ => Value.ToString("N0", CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Counts at most <see cref="CountCap"/> + 1 rows of <paramref name="query"/>; beyond that, the estimate or "more
    /// than". A table the statistics put well past the cap is not counted at all.
    /// </summary>
    public static async Task<Tally> CountAsync<T>(IQueryable<T> query, Func<CancellationToken, Task<long?>>? estimate, CancellationToken ct)
    {
        var rows = estimate is null ? null : await estimate(ct);
        if (rows > 2 * CountCap) return new(rows.Value, TallyKind.Estimate);
        var counted = await query.Take(CountCap + 1).LongCountAsync(ct);
        if (counted <= CountCap) return Exact(counted);
        return rows > CountCap ? new(rows.Value, TallyKind.Estimate) : new(CountCap, TallyKind.AtLeast);
    }

    /// <summary>
    /// The number of rows PostgreSQL's statistics give for a table (kept by autovacuum; rounded to three significant
    /// digits, as it is only an estimate). Null on SQLite, or when the table has never been analysed.
    /// </summary>
    public static Func<CancellationToken, Task<long?>> TableSize(HermesDb db, string table) => async ct =>
    {
        if (!db.IsPostgres) return null;
        var rows = (await db.Database.SqlQuery<double>($"SELECT reltuples::float8 AS \"Value\" FROM pg_class WHERE oid = to_regclass({table})")
            .ToListAsync(ct)).FirstOrDefault();
        if (rows <= 0) return null;
        var unit = Math.Pow(10, Math.Max(0, Math.Floor(Math.Log10(rows)) - 2)); // three significant digits
        return (long)(Math.Round(rows / unit) * unit);
    };
}

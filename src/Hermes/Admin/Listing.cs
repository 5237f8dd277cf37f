using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Hermes.AdminUi;

/// <summary>A list page's query string: <c>q</c> (search), <c>sort</c>, <c>dir</c> (asc/desc) and <c>page</c>.</summary>
public sealed class ListQuery
{
    public const int PageSize = 25;
    /// <summary>
    /// The deepest page a list shows. Reaching page N costs a walk over N × 25 index entries, so beyond this the way on
    /// is a search, a filter or the other sort direction.
    /// </summary>
    public const int MaxPage = 2_000;
    public string? Q { get; set; }
    public string? Sort { get; set; }
    public string? Dir { get; set; }
    public int Page { get; set; } = 1;

    public string? Search => string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
    public bool Descending => string.Equals(Dir, "desc", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One page of rows and what the pager needs to link to the others.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, Tally Total, int Page, int PageSize, bool HasNext)
{
    /// <summary>The last page, when the total is exact; else as far as the pager goes (<see cref="ListQuery.MaxPage"/>).</summary>
    public int Pages => Total.Kind == TallyKind.Exact
        ? (int)Math.Clamp((Total.Value + PageSize - 1) / PageSize, 1, ListQuery.MaxPage)
        : ListQuery.MaxPage;
    public bool Empty => Total.Kind == TallyKind.Exact && Total.Value == 0;
    public int From => Items.Count == 0 ? 0 : (Page - 1) * PageSize + 1;
    public int To => Items.Count == 0 ? 0 : (Page - 1) * PageSize + Items.Count;
    /// <summary>There are rows after this page that the pager does not reach.</summary>
    public bool Capped => Page >= ListQuery.MaxPage && HasNext;
}

/// <summary>The columns a list can be sorted by, each a typed key expression EF Core translates.</summary>
public sealed class SortMap<T>
{
    readonly Dictionary<string, Func<IQueryable<T>, bool, IOrderedQueryable<T>>> _sorts = new(StringComparer.OrdinalIgnoreCase);
    readonly string _default;
    readonly bool _defaultDescending;
    Func<IOrderedQueryable<T>, bool, IOrderedQueryable<T>>? _tiebreak;

    public SortMap(string defaultSort, bool defaultDescending = false)
    {
        _default = defaultSort;
        _defaultDescending = defaultDescending;
    }

    public SortMap<T> Add<TKey>(string name, Expression<Func<T, TKey>> key)
    {
        _sorts[name] = (q, desc) => desc ? q.OrderByDescending(key) : q.OrderBy(key);
        return this;
    }

    /// <summary>The unique key that orders rows the sort leaves tied, in the same direction, so pages never overlap.</summary>
    public SortMap<T> ThenBy<TKey>(Expression<Func<T, TKey>> key)
    {
        _tiebreak = (q, desc) => desc ? q.ThenByDescending(key) : q.ThenBy(key);
        return this;
    }

    /// <summary>Normalises the query's sort and direction to known values, so links and headers agree with the data.</summary>
    public IQueryable<T> Apply(IQueryable<T> query, ListQuery list)
    {
        if (list.Sort is null || !_sorts.ContainsKey(list.Sort))
        {
            list.Sort = _default;
            list.Dir ??= _defaultDescending ? "desc" : "asc";
        }
        var ordered = _sorts[list.Sort](query, list.Descending);
        return _tiebreak is null ? ordered : _tiebreak(ordered, list.Descending);
    }
}

public static class Listing
{
    /// <summary>
    /// One page of <paramref name="query"/> in the list's order. The total is counted only up to
    /// <see cref="Tally.CountCap"/> rows; past that it is <paramref name="estimate"/> (the table's size from the planner's
    /// statistics, for an unfiltered list) or "more than". The page's keys are found first, by an index-only walk in
    /// the list's order, and its rows read afterwards: a deep page reads 25 rows, not every row before it.
    /// </summary>
    public static async Task<Paged<T>> PageAsync<T, TKey>(this IQueryable<T> query, SortMap<T> sorts, ListQuery list,
        Expression<Func<T, TKey>> key, Func<CancellationToken, Task<long?>>? estimate = null, CancellationToken ct = default) =>
        await PageOfAsync(query, sorts, list, key, await Tally.CountAsync(query, estimate, ct), ct);

    /// <summary>
    /// One page of a search's matches. The keys of the matches are collected from each of its index-driven arms, at
    /// most <see cref="Tally.SearchCap"/> + 1 from each: when there are no more than that, the count is exact and the
    /// page is read by key. A term that matches more is common, and its page comes from walking the list's order.
    /// </summary>
    public static async Task<Paged<T>> PageAsync<T, TKey>(this SearchQuery<T> search, SortMap<T> sorts, ListQuery list,
        Expression<Func<T, TKey>> key, CancellationToken ct = default)
    {
        var keys = search.Arms.Select(a => a.Select(key).Take(Tally.SearchCap + 1)).Aggregate(Queryable.Union);
        var matches = new Keys<TKey> { Values = await keys.Take(Tally.SearchCap + 1).ToListAsync(ct) };
        if (matches.Values.Count > Tally.SearchCap)
            return await PageOfAsync(search.Matching, sorts, list, key, new Tally(Tally.SearchCap, TallyKind.AtLeast), ct);
        var row = Expression.Parameter(typeof(T), "row");
        var matched = Expression.Lambda<Func<T, bool>>(Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(TKey)],
            Expression.Field(Expression.Constant(matches), nameof(Keys<TKey>.Values)), Rebind(key, row)), row);
        return await PageOfAsync(search.All.Where(matched), sorts, list, key, Tally.Exact(matches.Values.Count), ct);
    }

    static async Task<Paged<T>> PageOfAsync<T, TKey>(IQueryable<T> query, SortMap<T> sorts, ListQuery list,
        Expression<Func<T, TKey>> key, Tally total, CancellationToken ct)
    {
        var lastPage = total.Kind == TallyKind.Exact
            ? (int)Math.Clamp((total.Value + ListQuery.PageSize - 1) / ListQuery.PageSize, 1, ListQuery.MaxPage)
            : ListQuery.MaxPage;
        list.Page = Math.Clamp(list.Page, 1, lastPage);

        var keys = sorts.Apply(query, list).Select(key).Skip((list.Page - 1) * ListQuery.PageSize).Take(ListQuery.PageSize + 1);
        var row = Expression.Parameter(typeof(T), "row"); // the key's own parameter is already used inside the subquery
        var inPage = Expression.Lambda<Func<T, bool>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.Contains), [typeof(TKey)], keys.Expression, Rebind(key, row)), row);
        var items = await sorts.Apply(query.Where(inPage), list).ToListAsync(ct);
        var hasNext = items.Count > ListQuery.PageSize;
        if (hasNext) items.RemoveAt(items.Count - 1);
        return new Paged<T>(items, total, list.Page, ListQuery.PageSize, hasNext);
    }

    static Expression Rebind<T, TKey>(Expression<Func<T, TKey>> key, ParameterExpression row) =>
        new ReplacingExpressionVisitor([key.Parameters[0]], [row]).Visit(key.Body);

    /// <summary>A search's matching keys, held in a field so that EF Core sends them as one array parameter.</summary>
    sealed class Keys<TKey>
    {
        public List<TKey> Values = [];
    }

    /// <summary>Case-insensitive "contains" that EF Core translates on PostgreSQL and SQLite alike (small tables only).</summary>
    public static string Like(string search) => search.ToLowerInvariant();
}

/// <summary>What <c>_Pager</c> renders under a list.</summary>
public sealed record PagerView(ListPageModel Model, Tally Total, int Page, int Pages, int From, int To, bool HasNext, bool Capped, string Noun)
{
    public static PagerView For<T>(ListPageModel model, Paged<T> paged, string noun) =>
        new(model, paged.Total, paged.Page, paged.Pages, paged.From, paged.To, paged.HasNext, paged.Capped, noun);
}

/// <summary>What <c>_Search</c> renders above a list.</summary>
public sealed record SearchView(ListPageModel Page, string Placeholder);

/// <summary>Job rows for the dashboard and the job queue page.</summary>
public sealed record JobRowsView(IEnumerable<Hermes.Jobs.Job> Jobs, string ReturnUrl, bool ShowPayload = false);

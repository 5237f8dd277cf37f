using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi;

/// <summary>A list page's query string: <c>q</c> (search), <c>sort</c>, <c>dir</c> (asc/desc) and <c>page</c>.</summary>
public sealed class ListQuery
{
    public const int PageSize = 25;
    public string? Q { get; set; }
    public string? Sort { get; set; }
    public string? Dir { get; set; }
    public int Page { get; set; } = 1;

    public string? Search => string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
    public bool Descending => string.Equals(Dir, "desc", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One page of rows and what the pager needs to link to the others.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public int From => Total == 0 ? 0 : (Page - 1) * PageSize + 1;
    public int To => Math.Min(Total, Page * PageSize);
}

/// <summary>The columns a list can be sorted by, each a typed key expression EF Core translates.</summary>
public sealed class SortMap<T>
{
    readonly Dictionary<string, Func<IQueryable<T>, bool, IOrderedQueryable<T>>> _sorts = new(StringComparer.OrdinalIgnoreCase);
    readonly string _default;
    readonly bool _defaultDescending;

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

    /// <summary>Normalises the query's sort and direction to known values, so links and headers agree with the data.</summary>
    public IQueryable<T> Apply(IQueryable<T> query, ListQuery list)
    {
        if (list.Sort is null || !_sorts.ContainsKey(list.Sort))
        {
            list.Sort = _default;
            list.Dir ??= _defaultDescending ? "desc" : "asc";
        }
        return _sorts[list.Sort](query, list.Descending);
    }
}

public static class Listing
{
    public static async Task<Paged<T>> PageAsync<T>(this IQueryable<T> query, ListQuery list, CancellationToken ct = default)
    {
        var total = await query.CountAsync(ct);
        var pages = Math.Max(1, (total + ListQuery.PageSize - 1) / ListQuery.PageSize);
        list.Page = Math.Clamp(list.Page, 1, pages);
        var items = await query.Skip((list.Page - 1) * ListQuery.PageSize).Take(ListQuery.PageSize).ToListAsync(ct);
        return new Paged<T>(items, total, list.Page, ListQuery.PageSize);
    }

    /// <summary>Case-insensitive "contains" that EF Core translates on PostgreSQL and SQLite alike.</summary>
    public static string Like(string search) => search.ToLowerInvariant();
}

/// <summary>What <c>_Pager</c> renders under a list.</summary>
public sealed record PagerView(ListPageModel Model, int Total, int Page, int Pages, int From, int To, string Noun)
{
    public static PagerView For<T>(ListPageModel model, Paged<T> paged, string noun) =>
        new(model, paged.Total, paged.Page, paged.Pages, paged.From, paged.To, noun);
}

/// <summary>What <c>_Search</c> renders above a list.</summary>
public sealed record SearchView(ListPageModel Page, string Placeholder);

/// <summary>Job rows for the dashboard and the job queue page.</summary>
public sealed record JobRowsView(IEnumerable<Hermes.Jobs.Job> Jobs, string ReturnUrl, bool ShowPayload = false);

using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Hermes.AdminUi;

/// <summary>A list page: reads <see cref="ListQuery"/> from the query string and renders sortable headers and the pager.</summary>
public abstract class ListPageModel : PageModel
{
    public ListQuery List { get; private set; } = new();
    /// <summary>Extra query parameters (filters) kept by every sort and page link.</summary>
    protected Dictionary<string, string?> Filters { get; } = new();

    protected ListQuery ReadList()
    {
        var q = Request.Query;
        List = new ListQuery
        {
            Q = q["q"].FirstOrDefault(),
            Sort = q["sort"].FirstOrDefault(),
            Dir = q["dir"].FirstOrDefault() is "desc" ? "desc" : q["dir"].FirstOrDefault() is "asc" ? "asc" : null,
            Page = int.TryParse(q["page"].FirstOrDefault(), out var p) ? p : 1,
        };
        return List;
    }

    public string ListUrl(string? sort = null, string? dir = null, int? page = null)
    {
        var values = new Dictionary<string, string?>(Filters.Where(f => !string.IsNullOrEmpty(f.Value)))
        {
            ["q"] = List.Search,
            ["sort"] = sort ?? List.Sort,
            ["dir"] = dir ?? List.Dir,
        };
        if ((page ?? 1) > 1) values["page"] = page!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString(Request.Path, values.Where(v => !string.IsNullOrEmpty(v.Value))!);
    }

    /// <summary>A column header that sorts by <paramref name="column"/>, toggling the direction when it already does.</summary>
    public IHtmlContent SortHeader(string column, string label, string? css = null)
    {
        var active = string.Equals(List.Sort, column, StringComparison.OrdinalIgnoreCase);
        var nextDir = active && !List.Descending ? "desc" : "asc";
        var aria = active ? (List.Descending ? "descending" : "ascending") : null;
        var th = new Microsoft.AspNetCore.Mvc.Rendering.TagBuilder("th");
        th.Attributes["scope"] = "col";
        if (css is not null) th.AddCssClass(css);
        if (aria is not null) th.Attributes["aria-sort"] = aria;
        var a = new Microsoft.AspNetCore.Mvc.Rendering.TagBuilder("a");
        a.Attributes["href"] = ListUrl(column, nextDir, 1);
        a.AddCssClass("sort");
        a.InnerHtml.Append(label);
        var indicator = new Microsoft.AspNetCore.Mvc.Rendering.TagBuilder("span");
        indicator.AddCssClass("sort-ind");
        indicator.Attributes["aria-hidden"] = "true";
        indicator.InnerHtml.Append(active ? (List.Descending ? "▼" : "▲") : "↕");
        a.InnerHtml.AppendHtml(indicator);
        th.InnerHtml.AppendHtml(a);
        return th;
    }
}

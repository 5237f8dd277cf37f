namespace Hermes.Operations;

/// <summary>
/// hermes_v2's API paths end in a slash and callers use them that way; a request without the slash must work too
/// (contract.md §2). Rewriting before routing keeps one route per endpoint.
/// </summary>
public static class TrailingSlash
{
    static readonly string[] ApiPrefixes =
    [
        "/pipedrive/callback", "/tc2/callback", "/callbooker/", "/choose-roundrobin/", "/loc", "/companies",
    ];

    public static IApplicationBuilder UseApiTrailingSlash(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path.Value;
        if (path is { Length: > 1 } && !path.EndsWith('/') && IsApiPath(path))
            context.Request.Path = path + "/";
        return next(context);
    });

    /// <summary>One of hermes_v2's API paths (which answer JSON), as opposed to the admin's and the booker's pages.</summary>
    public static bool IsApiPath(PathString path) => path.Value is { Length: > 1 } value &&
        ApiPrefixes.Any(p => value.StartsWith(p, StringComparison.OrdinalIgnoreCase) &&
                             (value.Length == p.TrimEnd('/').Length || p.EndsWith('/') || value[p.Length] == '/'));
}

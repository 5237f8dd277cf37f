using System.Text;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Hermes.Operations.Input;

/// <summary>
/// Refuses a query string holding a NUL (<c>%00</c>) or malformed UTF-8 (which would decode to U+FFFD behind the
/// endpoint's back; <c>%ED%A0%80</c> is a UTF-16 surrogate written in UTF-8) before any endpoint reads it: the API
/// answers 422 in FastAPI's shape naming the parameter, pages a plain 400.
/// </summary>
public static class QueryStrings
{
    public sealed record Problem(string Name, string Type, string Message);

    public static IApplicationBuilder UseQueryStringHygiene(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.QueryString.HasValue || Unread(request.Path) || Find(request.QueryString.Value!) is not { } problem)
        {
            await next(context);
            return;
        }
        if (TrailingSlash.IsApiPath(request.Path))
        {
            context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["detail"] = new JsonArray(new JsonObject
                {
                    ["type"] = problem.Type, ["loc"] = new JsonArray("query", problem.Name), ["msg"] = problem.Message, ["input"] = null,
                }),
            });
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"Query parameter '{problem.Name}': {problem.Message}.");
        }
    });

    /// <summary>
    /// Paths whose query string nothing reads: the simulators, and the webhooks, which must answer their caller's
    /// authentication first (401, or TC2's 403) and read only the body.
    /// </summary>
    static bool Unread(PathString path) =>
        path.StartsWithSegments("/sandbox") || path.StartsWithSegments("/pipedrive/callback") || path.StartsWithSegments("/tc2/callback");

    /// <summary>The first parameter of a query string (or urlencoded form body) whose name or value cannot be read as text, or null.</summary>
    public static Problem? Find(string queryString)
    {
        foreach (var part in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var rawName = eq < 0 ? part : part[..eq];
            var name = Decode(rawName);
            // A name that cannot be read is named as it was written.
            if (Check(name) is { } nameProblem) return new Problem(rawName, nameProblem.Type, "Name " + nameProblem.Message);
            if (eq >= 0 && Check(Decode(part[(eq + 1)..])) is { } valueProblem)
                return new Problem(Encoding.UTF8.GetString(name), valueProblem.Type, "Value " + valueProblem.Message);
        }
        return null;
    }

    static (string Type, string Message)? Check(byte[] bytes) =>
        !Utf8.IsValid(bytes) ? (JsonProblem.NotUtf8, "is not valid UTF-8 once percent-decoded")
        : bytes.Contains((byte)0) ? (JsonProblem.Nul, "contains a NUL character (%00)")
        : null;

    /// <summary>Percent-decoding to bytes, '+' as a space; a '%' not followed by two hex digits stays as it is (as ASP.NET Core reads it).</summary>
    static byte[] Decode(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '+') bytes.Add((byte)' ');
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i++, 2)));
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return [.. bytes];
    }
}

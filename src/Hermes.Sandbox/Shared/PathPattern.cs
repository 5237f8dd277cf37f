using System.Text.RegularExpressions;

namespace Hermes.Sandbox;

/// <summary>
/// A path glob for picking requests: <c>*</c> matches any run of characters (slashes included), matching ignores
/// case, and the whole path must match. <c>null</c> or <c>*</c> matches everything.
/// </summary>
public static class PathPattern
{
    public static bool Matches(string? pattern, string path)
    {
        if (pattern is null or "*") return true;
        var regex = "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$";
        return Regex.IsMatch(path, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}

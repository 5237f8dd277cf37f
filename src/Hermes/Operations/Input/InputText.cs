using System.Globalization;
using System.Text;

namespace Hermes.Operations.Input;

/// <summary>
/// What text Hermes can keep. PostgreSQL refuses a NUL character in any text column (22021), and Npgsql's strict
/// UTF-8 encoder refuses an unpaired UTF-16 surrogate, so both are refused at the doors; and a string cut to its
/// column must not end in half a surrogate pair.
/// </summary>
public static class InputText
{
    /// <summary>Why <paramref name="text"/> cannot be stored as it is, or null when it can.</summary>
    public static string? Problem(string? text)
    {
        if (text is null) return null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return "contains a NUL character (\\u0000)";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return $"contains an unpaired UTF-16 surrogate ({Escape(c)}), which is not valid Unicode";
        }
        return null;
    }

    public static bool IsStorable(string? text) => Problem(text) is null;

    /// <summary>
    /// At most <paramref name="max"/> UTF-16 units, cut before a surrogate pair rather than through it. (A PostgreSQL
    /// <c>varchar(n)</c> counts characters, of which there are never more than UTF-16 units.)
    /// </summary>
    public static string Clip(string text, int max)
    {
        if (text.Length <= max) return text;
        var end = max;
        if (end > 0 && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end])) end--;
        return text[..end];
    }

    /// <inheritdoc cref="Clip(string, int)"/>
    public static string? ClipOrNull(string? text, int max) => text is null ? null : Clip(text, max);

    /// <summary>
    /// The text with each NUL and unpaired surrogate written as a JSON-style escape (<c>\u0000</c>, <c>\ud800</c>), for
    /// keeping what a caller sent (a refused webhook's body) and for naming a field whose name is itself invalid.
    /// </summary>
    public static string Escape(string text)
    {
        if (IsStorable(text)) return text;
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) sb.Append(c).Append(text[++i]);
            else if (c == '\0' || char.IsSurrogate(c)) sb.Append(Escape(c));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Last resort before the database: NUL removed, unpaired surrogates replaced with U+FFFD.</summary>
    public static string Repair(string text)
    {
        if (IsStorable(text)) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) sb.Append(c).Append(text[++i]);
            else if (char.IsSurrogate(c)) sb.Append('\uFFFD');
            else if (c != '\0') sb.Append(c);
        }
        return sb.ToString();
    }

    static string Escape(char c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
}

using System.Net.Mail;

namespace Hermes.AdminUi;

public static class AdminForm
{
    /// <summary>A text field longer than its column (<c>varchar(n)</c>) is refused next to the field rather than cut.</summary>
    public const string TooLong = "Use at most {1} characters.";

    public static bool IsEmail(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Contains(' ')) return false;
        try
        {
            var address = new MailAddress(value);
            return address.Address == value && value.Contains('.', StringComparison.Ordinal) && value.IndexOf('@') > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Every IANA time zone this machine knows, for the admin timezone select.</summary>
    public static readonly Lazy<IReadOnlyList<string>> Timezones = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC")
            .Where(id => id.Contains('/') || id == "UTC").Distinct().Order(StringComparer.Ordinal).ToList());

    public static bool IsTimezone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _) && (id.Contains('/') || id == "UTC");

    /// <summary>"HH:MM" as hermes_v2 validated it: hour 0–23, minute 0–59.</summary>
    public static bool TryParseTime(string? value, out TimeOnly time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(value)) return false;
        var parts = value.Trim().Split(':');
        if (parts.Length != 2 || parts[0].Length is < 1 or > 2 || parts[1].Length != 2) return false;
        if (!int.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out var h) ||
            !int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out var m)) return false;
        if (h is < 0 or > 23 || m is < 0 or > 59) return false;
        time = new TimeOnly(h, m);
        return true;
    }
}

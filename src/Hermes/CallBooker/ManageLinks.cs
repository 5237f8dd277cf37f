using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hermes.Configuration;

namespace Hermes.CallBooker;

/// <summary>
/// Signed links a prospect uses to reschedule or cancel their own call: <c>{CALLBOOKER_BASE_URL}/manage/{meeting_id}/?s=…</c>.
/// <c>s</c> is a hex HMAC-SHA256 with <c>SIGNING_KEY</c> over the meeting id and the link's expiry, which is the meeting's
/// start (unix seconds) when the link was made. The expiry is not in the URL: Hermes knows every start the meeting has had
/// (its start now and the <c>from</c> of each move), so it finds the start a link was signed for, and a link made for a
/// start that has passed has expired. A move puts a new link (for the new start) in the invitation.
/// </summary>
public sealed class ManageLinks(HermesSettings settings)
{
    /// <summary><c>SIGNING_KEY</c>; in dev mode without one, a key of this process (links last until a restart).</summary>
    readonly byte[] _key = Encoding.UTF8.GetBytes(settings.SigningKey.Length > 0
        ? settings.SigningKey : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    public string Url(int meetingId, DateTime start) =>
        $"{settings.CallbookerBaseUrl}/manage/{meetingId.ToString(CultureInfo.InvariantCulture)}/?s={Sign(meetingId, start)}";

    public string Sign(int meetingId, DateTime start)
    {
        var data = $"manage-link|{meetingId.ToString(CultureInfo.InvariantCulture)}|{Expiry(start).ToString(CultureInfo.InvariantCulture)}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(data)));
    }

    /// <summary>The start (among those the meeting has had) the signature was made for, or null when it matches none.</summary>
    public DateTime? SignedFor(int meetingId, string? signature, IEnumerable<DateTime> starts)
    {
        if (string.IsNullOrWhiteSpace(signature)) return null;
        var given = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        DateTime? match = null;
        // Every candidate is compared (in constant time each), so the answer's timing does not say which one matched.
        foreach (var start in starts.Distinct())
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Sign(meetingId, start))))
                match = start;
        return match;
    }

    static long Expiry(DateTime start) => new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)).ToUnixTimeSeconds();
}

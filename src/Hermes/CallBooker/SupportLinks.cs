using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hermes.Configuration;

namespace Hermes.CallBooker;

/// <summary>
/// Signed links to an admin's support booker (behaviour.md §4.3):
/// <c>{CALLBOOKER_BASE_URL}/{admin_id}/?s=…&amp;admin_id=…&amp;company_id=…&amp;e=…[&amp;ex=1]</c>. <c>s</c> is a hex
/// HMAC-SHA256 with <c>SIGNING_KEY</c> over the admin, the company, the expiry and whether the link is express, so
/// none of them can be changed. <c>ex=1</c> is what the website already looks for to offer express slots; the
/// signature, not the parameter, decides. Links hermes_v2 signed (SHA-1 of <c>key:admin-company-e</c>) are still
/// accepted, as standard links, until they expire.
/// </summary>
public sealed class SupportLinks(HermesSettings settings, TimeProvider clock)
{
    public sealed record Verified(bool Express, bool Legacy);

    /// <summary><c>SIGNING_KEY</c>; in the sandbox or dev mode without one, a key of this process (links last until a restart).</summary>
    readonly string _key = settings.SigningKey.Length > 0 ? settings.SigningKey : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string Create(int adminId, int companyId, bool express, out long expiry)
    {
        expiry = clock.GetUtcNow().AddDays(settings.SupportTtlDays).ToUnixTimeSeconds();
        var e = expiry.ToString(CultureInfo.InvariantCulture);
        var link = $"{settings.CallbookerBaseUrl}/{adminId}/?s={Sign(adminId, companyId, e, express)}&admin_id={adminId}&company_id={companyId}&e={e}";
        return express ? link + "&ex=1" : link;
    }

    public string Sign(int adminId, int companyId, string expiry, bool express)
    {
        var data = $"support-link|{adminId}|{companyId}|{expiry}|{(express ? "express" : "standard")}";
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(_key), Encoding.UTF8.GetBytes(data));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>hermes_v2's signature: hex SHA-1 of <c>SIGNING_KEY + ":" + "-".join(args)</c>, empty or zero args left out.</summary>
    public string LegacySign(params string[] args)
    {
        var joined = string.Join("-", args.Where(a => a.Length > 0 && a != "0"));
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{_key}:{joined}")));
    }

    /// <summary>Which link the signature is for (standard or express, new or legacy), or null when it matches none.</summary>
    public Verified? Verify(string adminId, string companyId, string expiry, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return null;
        if (!int.TryParse(adminId, NumberStyles.None, CultureInfo.InvariantCulture, out var admin)
            || !int.TryParse(companyId, NumberStyles.None, CultureInfo.InvariantCulture, out var company))
            return null;
        var given = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        bool Same(string expected) => CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(expected));
        if (Same(Sign(admin, company, expiry, express: false))) return new Verified(false, false);
        if (Same(Sign(admin, company, expiry, express: true))) return new Verified(true, false);
        if (Same(LegacySign(adminId, companyId, expiry))) return new Verified(false, true);
        return null;
    }

    public bool Expired(long expiry) => clock.GetUtcNow().ToUnixTimeSeconds() > expiry;
}

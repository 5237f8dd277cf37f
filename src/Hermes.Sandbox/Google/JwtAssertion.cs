using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Google;

/// <summary>
/// The JWT a service account sends to the token endpoint (research/external_apis.md §E.3): RS256 over
/// <c>header.payload</c>, claims <c>iss</c> (client email), <c>scope</c>, <c>aud</c> (the token URI), <c>iat</c>,
/// <c>exp</c> (at most an hour after iat) and <c>sub</c> (the user impersonated by domain-wide delegation).
/// </summary>
sealed record JwtAssertion(JsonObject Header, JsonObject Claims, byte[] SignedPart, byte[] Signature)
{
    public static JwtAssertion? Parse(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])) as JsonObject;
            var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) as JsonObject;
            if (header is null || claims is null) return null;
            return new JwtAssertion(header, claims, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public string? Claim(string name) => Claims[name] is JsonValue v && Json.IsString(v, out var s) ? s : null;

    public long? NumericClaim(string name) => Json.TryGetLong(Claims[name], out var n) ? n : null;

    public bool IsSignedBy(RSA key) => key.VerifyData(SignedPart, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Google;

/// <summary>
/// A service account key made at run time (nothing committed): what a client needs to sign its JWTs
/// (<c>G_PRIVATE_KEY</c>, <c>G_CLIENT_EMAIL</c> …) and the public half the simulator checks them against.
/// </summary>
public sealed record GoogleServiceAccountKey(string ClientEmail, string PrivateKeyPem, string PublicKeyPem, string PrivateKeyId, string ClientId, string ProjectId)
{
    public static GoogleServiceAccountKey Generate(string clientEmail, string projectId = "hermes-sandbox")
    {
        using var rsa = RSA.Create(2048);
        return new GoogleServiceAccountKey(clientEmail, rsa.ExportPkcs8PrivateKeyPem(), rsa.ExportSubjectPublicKeyInfoPem(),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)),
            "1" + string.Concat(RandomNumberGenerator.GetBytes(10).Select(b => (b % 10).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            projectId);
    }

    /// <summary>The key file Google hands out (<c>GoogleCredential.FromJson</c> reads it), pointing at <paramref name="tokenUri"/>.</summary>
    public string ToKeyFileJson(string tokenUri) => Json.Serialize(new JsonObject
    {
        ["type"] = "service_account", ["project_id"] = ProjectId, ["private_key_id"] = PrivateKeyId, ["private_key"] = PrivateKeyPem,
        ["client_email"] = ClientEmail, ["client_id"] = ClientId, ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = tokenUri,
    });
}

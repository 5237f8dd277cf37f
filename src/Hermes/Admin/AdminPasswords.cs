using Hermes.Domain;
using Microsoft.AspNetCore.Identity;

namespace Hermes.AdminUi;

/// <summary>
/// Admin UI passwords. New hashes are ASP.NET Core Identity's (PBKDF2-HMAC-SHA512, 100,000 iterations, salted);
/// hashes made by hermes_v2's admin (bcrypt, <c>$2b$…</c>) still verify and are replaced at the next sign-in.
/// </summary>
public sealed class AdminPasswords
{
    public const int MinLength = 8;
    readonly PasswordHasher<Domain.Admin> _hasher = new();

    public enum Result { Failed, Success, SuccessRehashNeeded }

    public string Hash(Domain.Admin admin, string password) => _hasher.HashPassword(admin, password);

    public Result Verify(Domain.Admin admin, string password)
    {
        var hash = admin.Password;
        if (string.IsNullOrEmpty(hash) || string.IsNullOrEmpty(password)) return Result.Failed;
        if (IsBcrypt(hash))
        {
            try
            {
                return BCrypt.Net.BCrypt.Verify(password, hash) ? Result.SuccessRehashNeeded : Result.Failed;
            }
            catch (BCrypt.Net.SaltParseException)
            {
                return Result.Failed;
            }
        }
        try
        {
            return _hasher.VerifyHashedPassword(admin, hash, password) switch
            {
                PasswordVerificationResult.Success => Result.Success,
                PasswordVerificationResult.SuccessRehashNeeded => Result.SuccessRehashNeeded,
                _ => Result.Failed,
            };
        }
        catch (FormatException)
        {
            return Result.Failed; // not a hash at all (e.g. a plain value someone wrote into the column)
        }
    }

    static bool IsBcrypt(string hash) => hash.Length == 60 && hash[0] == '$' && hash[1] == '2' && hash[3] == '$';

    /// <summary>What a cookie remembers about the password: changing or removing it signs out every session.</summary>
    public static string Stamp(string? hash) => string.IsNullOrEmpty(hash)
        ? ""
        : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hash)))[..16];

    /// <summary>A form's password rule, or null when it is acceptable.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or "" => "Enter a password.",
        { Length: < MinLength } => $"Use at least {MinLength} characters.",
        _ when string.IsNullOrWhiteSpace(password) => "The password cannot be only spaces.",
        _ => null,
    };
}

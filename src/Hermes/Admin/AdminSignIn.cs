using System.Security.Claims;
using Hermes.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi;

/// <summary>Checks an email and password (with lock-out), upgrades old hashes and issues the session cookie.</summary>
public sealed class AdminSignIn(HermesDb db, AdminPasswords passwords, LoginThrottle throttle, TimeProvider clock, ILogger<AdminSignIn> log)
{
    static readonly Domain.Admin TimingDummy = new() { Password = new AdminPasswords().Hash(new Domain.Admin(), Guid.NewGuid().ToString()) };

    public abstract record Outcome;
    public sealed record SignedIn(Domain.Admin Admin) : Outcome;
    public sealed record WrongCredentials : Outcome;
    public sealed record LockedOut(DateTimeOffset Until) : Outcome;

    public async Task<Outcome> SignInAsync(HttpContext http, string username, string password)
    {
        username = username.Trim();
        if (throttle.LockedUntil(username) is { } lockedUntil)
        {
            log.LogWarning("Admin sign-in refused for {Username}: locked out until {Until}", username, lockedUntil);
            return new LockedOut(lockedUntil);
        }
        var lower = username.ToLower();
        // Emails are not unique in hermes_v2's table: try each admin with that email, oldest first.
        var candidates = await db.Admins.Where(a => a.Username.ToLower() == lower && a.Password != null)
            .OrderBy(a => a.Id).ToListAsync();
        foreach (var admin in candidates)
        {
            var result = passwords.Verify(admin, password);
            if (result == AdminPasswords.Result.Failed) continue;
            if (result == AdminPasswords.Result.SuccessRehashNeeded)
            {
                admin.Password = passwords.Hash(admin, password);
                await db.SaveChangesAsync();
                log.LogInformation("Upgraded the password hash of admin {AdminId}", admin.Id);
            }
            throttle.Succeeded(username);
            await IssueCookieAsync(http, admin);
            log.LogInformation("Admin {AdminId} signed in", admin.Id);
            return new SignedIn(admin);
        }
        // No admin with that email: spend the same hashing time, so the answer's timing does not say whether it exists.
        if (candidates.Count == 0) passwords.Verify(TimingDummy, password);
        var locked = throttle.Failed(username);
        log.LogWarning("Admin sign-in failed for {Username}{Locked}", username, locked is null ? "" : "; now locked out");
        return locked is { } until ? new LockedOut(until) : new WrongCredentials();
    }

    public Task IssueCookieAsync(HttpContext http, Domain.Admin admin)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, admin.Username),
            new Claim(ClaimTypes.GivenName, admin.Name),
            new Claim(AdminUiSetup.StampClaim, AdminPasswords.Stamp(admin.Password)),
        ], AdminUiSetup.Scheme);
        return http.SignInAsync(AdminUiSetup.Scheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, IssuedUtc = clock.GetUtcNow() });
    }
}

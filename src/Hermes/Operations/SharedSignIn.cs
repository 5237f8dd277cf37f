using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;

namespace Hermes.Operations;

/// <summary>
/// What lets staff stay signed in across processes, restarts and deploys, and keeps their cookie Secure behind a
/// TLS-terminating proxy:
/// <list type="bullet">
/// <item>the data-protection keys that sign the admin cookie and antiforgery tokens live in the database
///   (<c>hermes_data_protection_key</c>), so every Hermes process on it reads and writes the same key ring;</item>
/// <item><c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c> from the peers <c>FORWARDED_ALLOW_IPS</c> trusts make the
///   request https (so the cookie is <c>Secure</c>) and give the client's address.</item>
/// </list>
/// </summary>
public static class SharedSignIn
{
    /// <summary>One name for every process, so they all accept each other's cookies.</summary>
    public const string ApplicationName = "hermes";

    public static IServiceCollection AddSharedSignIn(this IServiceCollection services, HermesSettings settings)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToDbContext<HermesDb>();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            var trust = settings.Operations.Forwarded;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            if (trust.Any) return; // empty lists: any peer is believed
            foreach (var ip in trust.Proxies) o.KnownProxies.Add(ip);
            foreach (var network in trust.Networks) o.KnownIPNetworks.Add(network);
        });
        return services;
    }

    /// <summary>First in the pipeline: everything after it sees the scheme and client address the proxy saw.</summary>
    public static WebApplication UseSharedSignIn(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}

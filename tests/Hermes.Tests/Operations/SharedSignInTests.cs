using System.Net;
using System.Text.RegularExpressions;
using Hermes.AdminUi;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Operations;

/// <summary>
/// Staff sign in once: the data-protection keys that sign the admin cookie and antiforgery tokens are in the database,
/// so every Hermes process on it accepts the cookie, also after a restart; behind a TLS-terminating proxy the cookie
/// is still Secure.
/// </summary>
public partial class SharedSignInTests
{
    const string Email = "ops@tutorcruncher.com";
    const string Password = "correct horse battery";

    static async Task<DatabaseUrl> DatabaseWithAnAdminAsync()
    {
        var db = await TestDatabase.CreateAsync();
        await using var hermes = await HermesInstance.StartAsync(db: db);
        await using var rows = hermes.Db();
        var admin = new Admin { Username = Email, FirstName = "Ops", LastName = "Person" };
        admin.Password = new AdminPasswords().Hash(admin, Password);
        rows.Admins.Add(admin);
        await rows.SaveChangesAsync();
        return db;
    }

    static HttpClient Browser(HermesInstance hermes) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = hermes.BaseAddress };

    /// <summary>The login form from <paramref name="formFrom"/> posted to <paramref name="postTo"/>; the answer to the post.</summary>
    static async Task<HttpResponseMessage> SignInAsync(HermesInstance formFrom, HermesInstance postTo, Action<HttpRequestMessage>? alter = null)
    {
        using var http = Browser(formFrom);
        using var form = await http.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var token = TokenField().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var antiforgery = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".hermes.antiforgery=", StringComparison.Ordinal)).Split(';')[0];

        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(postTo.BaseAddress, "/login"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Username"] = Email, ["Password"] = Password, ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("Cookie", antiforgery);
        alter?.Invoke(post);
        using var client = Browser(postTo);
        return await client.SendAsync(post);
    }

    static string AdminCookie(HttpResponseMessage signedIn)
    {
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".hermes.admin=", StringComparison.Ordinal));
    }

    static async Task<HttpStatusCode> DashboardAsync(HermesInstance hermes, string cookie)
    {
        using var http = Browser(hermes);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Two_Hermes_processes_on_one_database_accept_each_others_admin_cookie_and_a_restart_keeps_it()
    {
        var db = await DatabaseWithAnAdminAsync();
        string fromA, fromB;
        await using (var a = await HermesInstance.StartAsync(db: db))
        await using (var b = await HermesInstance.StartAsync(db: db))
        {
            // The form (and its antiforgery token) from one process, the sign-in at the other.
            fromA = AdminCookie(await SignInAsync(formFrom: b, postTo: a));
            fromB = AdminCookie(await SignInAsync(formFrom: a, postTo: b));
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK),
                (await DashboardAsync(a, fromA), await DashboardAsync(b, fromA), await DashboardAsync(a, fromB), await DashboardAsync(b, fromB)));
            Assert.Equal(HttpStatusCode.Redirect, await DashboardAsync(b, ".hermes.admin=forged"));
        }
        Assert.Equal(["1"], await TestDatabase.QueryAsync(db, "SELECT count(*) FROM hermes_data_protection_key"));

        // A deploy: new processes, same database.
        await using var restarted = await HermesInstance.StartAsync(db: db);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (await DashboardAsync(restarted, fromA), await DashboardAsync(restarted, fromB)));
    }

    [Fact]
    public async Task Behind_a_TLS_terminating_proxy_the_admin_cookie_is_Secure()
    {
        var db = await DatabaseWithAnAdminAsync();
        await using var hermes = await HermesInstance.StartAsync(db: db);
        var direct = AdminCookie(await SignInAsync(hermes, hermes));
        var proxied = AdminCookie(await SignInAsync(hermes, hermes, r => { r.Headers.Add("X-Forwarded-Proto", "https"); r.Headers.Add("X-Forwarded-For", "203.0.113.9"); }));
        Assert.DoesNotContain("secure", direct, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; secure", proxied, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", proxied, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task X_Forwarded_Proto_from_a_peer_FORWARDED_ALLOW_IPS_does_not_trust_is_ignored()
    {
        var db = await DatabaseWithAnAdminAsync();
        await using var hermes = await HermesInstance.StartAsync(db: db, settings: s => s["FORWARDED_ALLOW_IPS"] = "10.1.2.3,192.168.0.0/16");
        var proxied = AdminCookie(await SignInAsync(hermes, hermes, r => r.Headers.Add("X-Forwarded-Proto", "https")));
        Assert.DoesNotContain("secure", proxied, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("", "", false, "::1", "127.0.0.0/8")]
    [InlineData("", "web.1", true, "", "")]
    [InlineData("*", "", true, "", "")]
    [InlineData("10.0.0.1, 10.2.0.0/16", "web.1", false, "10.0.0.1", "10.2.0.0/16")]
    public void FORWARDED_ALLOW_IPS_says_whose_forwarded_headers_are_believed_and_a_Heroku_dyno_trusts_its_router(
        string value, string dyno, bool any, string proxies, string networks)
    {
        var trust = OperationsSettings.Load(k => k switch { "FORWARDED_ALLOW_IPS" => value, "DYNO" => dyno, _ => null }).Forwarded;
        Assert.Equal((any, proxies, networks), (trust.Any, string.Join(",", trust.Proxies), string.Join(",", trust.Networks)));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

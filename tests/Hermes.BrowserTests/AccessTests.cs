using System.Net;
using Hermes.BrowserTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class AccessTests(BrowserFixture browser)
{
    static readonly string[] Pages =
    [
        "/", "/admin/list", "/admin/create", "/admin/update/1", "/config/list", "/pipeline/list", "/pipeline/update/1",
        "/stage/list", "/company/list", "/company/1", "/company/update/1", "/contact/list", "/deal/list", "/meeting/list",
        "/customfield/list", "/customfield/create", "/customfield/update/1", "/job/list", "/webhook/list", "/webhook/1",
        "/support-link",
    ];

    [Fact]
    public async Task Every_admin_page_sends_a_browser_without_a_session_to_sign_in()
    {
        await using var s = await AdminSession.StartAsync(browser);
        foreach (var path in Pages)
        {
            await s.Page.GotoAsync(path);
            await Expect(s.Page).ToHaveURLAsync(s.Hermes.BaseAddress + "login?ReturnUrl=" + Uri.EscapeDataString(path));
            await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task Plain_http_without_the_cookie_is_redirected_for_get_and_refused_with_401_otherwise()
    {
        await using var s = await AdminSession.StartAsync(browser);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = s.Hermes.BaseAddress };

        var got = new List<string>();
        foreach (var path in Pages)
        {
            var response = await http.GetAsync(path);
            got.Add($"GET {path} {(int)response.StatusCode} {response.Headers.Location}");
        }
        Assert.Equal(Pages.Select(p => $"GET {p} 302 {s.Hermes.BaseAddress}login?ReturnUrl={Uri.EscapeDataString(p)}"), got);

        foreach (var path in new[] { "/config/list", "/admin/create", "/admin/update/1?handler=delete", "/job/retry/1", "/job/retry-failed", "/job/cancel/1",
                     "/webhook/1?handler=replay", "/customfield/create", "/company/update/1", "/support-link" })
        {
            var response = await http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" }));
            Assert.Equal((path, HttpStatusCode.Unauthorized), (path, response.StatusCode));
        }

        // What stays public: sign-in, first-run set-up, the stylesheet, and the API next to the UI.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/init")).StatusCode);
        var css = await http.GetAsync("/ui/admin.css");
        Assert.Equal((HttpStatusCode.OK, "text/css"), (css.StatusCode, css.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/scalar/v1")).StatusCode);
        Assert.Equal("""{"country_code":"GB"}""", await http.GetStringAsync("/loc/"));
        Assert.Equal("[]", await http.GetStringAsync("/companies/?name=Nobody"));
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused_with_400_and_changes_nothing()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync();

        // Signing in needs the token too (no login CSRF).
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = s.Hermes.BaseAddress };
        var login = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "brain@example.com", ["Password"] = AdminSession.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.False(login.Headers.Contains("Set-Cookie") && login.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(".hermes.admin=", StringComparison.Ordinal)));

        // Signed in, a post carrying the session cookie but no token is refused; the same post with the page's token works.
        await s.SignInAsync();
        await s.Page.GotoAsync("/config/list");
        var form = new Dictionary<string, string>
        {
            ["Input.MeetingDurMins"] = "45", ["Input.MeetingBufferMins"] = "5", ["Input.MeetingMinStart"] = "09:00", ["Input.MeetingMaxEnd"] = "16:00",
        };
        var refused = await s.Context.APIRequest.PostAsync("/config/list", new() { Form = Form(form), MaxRedirects = 0 });
        Assert.Equal(400, refused.Status);
        await using (var db = s.Db())
            Assert.Empty(await db.Configs.ToListAsync());

        form["__RequestVerificationToken"] = await s.Page.Locator("main form input[name=__RequestVerificationToken]").InputValueAsync();
        var accepted = await s.Context.APIRequest.PostAsync("/config/list", new() { Form = Form(form), MaxRedirects = 0 });
        Assert.Equal((302, "/config/list"), (accepted.Status, accepted.Headers["location"]));
        await using (var db = s.Db())
        {
            var config = Assert.Single(await db.Configs.ToListAsync());
            Assert.Equal((45, 5, "09:00", "16:00"), (config.MeetingDurMins, config.MeetingBufferMins, config.MeetingMinStart, config.MeetingMaxEnd));
        }

        IFormData Form(Dictionary<string, string> values)
        {
            var data = s.Context.APIRequest.CreateFormData();
            foreach (var (k, v) in values) data.Set(k, v);
            return data;
        }
    }
}

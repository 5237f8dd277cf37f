using System.Net;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class SignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task First_run_init_creates_the_first_admin_signs_them_in_and_then_closes()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var page = s.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login?ReturnUrl=%2F");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create the first admin" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "init");

        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Create admin and sign in" });
        await submit.ClickAsync();
        await Expect(s.FieldError("Username")).ToHaveTextAsync("Enter an email address, like name@tutorcruncher.com.");
        await Expect(s.FieldError("FirstName")).ToHaveTextAsync("Enter a first name.");
        await Expect(s.FieldError("Password")).ToHaveTextAsync("Enter a password.");

        await page.GetByLabel("Email").FillAsync("testing@example.com");
        await page.GetByLabel("First name").FillAsync("Brain");
        await page.GetByLabel("Last name").FillAsync("Jones");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await submit.ClickAsync();
        await Expect(s.FieldError("Password")).ToHaveTextAsync("Use at least 8 characters.");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("testing@example.com");

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("testing-password");
        await page.GetByLabel("Repeat the password").FillAsync("testing-passw0rd");
        await submit.ClickAsync();
        await Expect(s.FieldError("ConfirmPassword")).ToHaveTextAsync("The two passwords are different.");

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("testing-password");
        await page.GetByLabel("Repeat the password").FillAsync("testing-password");
        await submit.ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Welcome, Brain Jones. You are the first admin who can sign in; /init is now closed.");
        await Expect(page.Locator(".topbar .who")).ToHaveTextAsync("testing@example.com");

        await using (var db = s.Db())
        {
            var admin = Assert.Single(await db.Admins.ToListAsync());
            Assert.Equal(("testing@example.com", "Brain", "Jones", "Europe/London", false), (admin.Username, admin.FirstName, admin.LastName, admin.Timezone, admin.IsSalesPerson));
            Assert.NotEqual("testing-password", admin.Password);
            Assert.StartsWith("AQAAAA", admin.Password); // ASP.NET Core Identity's v3 format (PBKDF2)
            Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<Admin>().VerifyHashedPassword(admin, admin.Password!, "testing-password"));
        }

        // Closed now: 404 for the page, and the login page no longer offers it.
        var init = await page.GotoAsync("/init");
        Assert.Equal(404, init!.Status);
        using var anonymous = new HttpClient { BaseAddress = s.Hermes.BaseAddress };
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/init")).StatusCode);
        Assert.DoesNotContain("Create the first admin", await anonymous.GetStringAsync("/login"));
    }

    [Fact]
    public async Task Init_is_closed_as_soon_as_any_admin_has_a_password()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync("nopassword@example.com", password: null);
        using var http = new HttpClient { BaseAddress = s.Hermes.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/init")).StatusCode);

        await s.AddAdminAsync("someone@example.com");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/init")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_right_one_signs_in_and_returns_to_the_page_asked_for()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync("testing@example.com");
        var page = s.Page;

        await page.GotoAsync("/admin/list");
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login?ReturnUrl=%2Fadmin%2Flist");
        await page.GetByLabel("Email").FillAsync("testing@example.com");
        await page.GetByLabel("Password").FillAsync("foo");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(401, response.Status);
        await Expect(page.GetByTestId("form-error")).ToHaveTextAsync("That email and password don't match an admin who can sign in.");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("testing@example.com");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        await Expect(page.Locator(".topbar")).ToHaveCountAsync(0);

        await page.GetByLabel("Password").FillAsync(AdminSession.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "admin/list");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Admins", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".topbar .who")).ToHaveTextAsync("testing@example.com");
    }

    [Fact]
    public async Task Five_failures_lock_the_email_for_15_minutes_even_with_the_right_password()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync("testing@example.com");
        await s.AddAdminAsync("other@example.com");
        var page = s.Page;
        var error = page.GetByTestId("form-error");

        async Task Attempt(string email, string password)
        {
            await page.GotoAsync("/login");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        }

        for (var i = 1; i <= 4; i++)
        {
            await Attempt("testing@example.com", $"wrong-{i}");
            await Expect(error).ToHaveTextAsync("That email and password don't match an admin who can sign in.");
        }
        await Attempt("TESTING@example.com", "wrong-5"); // the count is per email, whatever its case
        await Expect(error).ToHaveTextAsync("Too many failed sign-ins for this email. Try again in 15 minutes.");

        s.Hermes.Clock.Advance(TimeSpan.FromMinutes(10));
        await Attempt("testing@example.com", AdminSession.Password);
        await Expect(error).ToHaveTextAsync("Too many failed sign-ins for this email. Try again in 5 minutes.");
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login");

        // Another admin is not affected.
        await s.SignInAsync("other@example.com");
        await page.Locator(".topbar").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login");

        s.Hermes.Clock.Advance(TimeSpan.FromMinutes(5));
        await s.SignInAsync("testing@example.com");
        await Expect(page.Locator(".topbar .who")).ToHaveTextAsync("testing@example.com");
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync();
        await s.SignInAsync();
        var page = s.Page;

        await page.Locator(".topbar").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login");
        Assert.DoesNotContain(await s.Context.CookiesAsync(), c => c.Name == ".hermes.admin");
        await page.GotoAsync("/config/list");
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login?ReturnUrl=%2Fconfig%2Flist");

        // GET /logout asks first (hermes_v2 had the URL); the button signs out.
        await s.SignInAsync();
        await page.GotoAsync("/logout");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign out?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "login");
    }

    [Fact]
    public async Task A_hermes_v2_bcrypt_password_still_signs_in_and_is_rehashed_with_the_modern_hasher()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var bcrypt = BCrypt.Net.BCrypt.HashPassword("testing", BCrypt.Net.BCrypt.GenerateSalt(10, 'b'));
        Assert.StartsWith("$2b$10$", bcrypt);
        var admin = await s.AddAdminAsync("testing@example.com", password: null, a => a.Password = bcrypt);

        await s.SignInAsync("testing@example.com", "testing");

        await using (var db = s.Db())
        {
            var row = await db.Admins.SingleAsync(a => a.Id == admin.Id);
            Assert.StartsWith("AQAAAA", row.Password);
            Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<Admin>().VerifyHashedPassword(row, row.Password!, "testing"));
        }
        // The upgraded hash signs in too; the bcrypt one is gone, so its session stamp changed but this session was issued after.
        await s.Page.Locator(".topbar").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await s.SignInAsync("testing@example.com", "testing");
    }

    [Fact]
    public async Task Changing_an_admins_password_elsewhere_ends_their_sessions()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var admin = await s.AddAdminAsync();
        await s.SignInAsync();
        await using (var db = s.Db())
        {
            var row = await db.Admins.SingleAsync(a => a.Id == admin.Id);
            row.Password = new PasswordHasher<Admin>().HashPassword(row, "a brand new password");
            await db.SaveChangesAsync();
        }
        await s.Page.GotoAsync("/company/list");
        await Expect(s.Page).ToHaveURLAsync(s.Hermes.BaseAddress + "login?ReturnUrl=%2Fcompany%2Flist");
    }
}

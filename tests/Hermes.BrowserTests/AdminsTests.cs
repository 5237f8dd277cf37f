using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class AdminsTests(BrowserFixture browser)
{
    [Fact]
    public async Task Adding_an_admin_with_a_timezone_and_password_stores_every_column_and_lists_them()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var me = await s.AddAdminAsync("testing@example.com");
        await s.SignInAsync("testing@example.com");
        var page = s.Page;

        await page.GotoAsync("/admin/list");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add admin" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "admin/create");
        await Expect(page.GetByLabel("Timezone")).ToHaveValueAsync("Europe/London");

        var add = page.GetByRole(AriaRole.Button, new() { Name = "Add admin" });
        await page.GetByLabel("Email").FillAsync("TESTING@example.com");
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("jamie-password");
        await page.GetByLabel("Repeat the new password").FillAsync("something else");
        await add.ClickAsync();
        await Expect(s.FieldError("Input_Username")).ToHaveTextAsync("Another admin already has this email.");
        await Expect(s.FieldError("Input_FirstName")).ToHaveTextAsync("Enter a first name.");
        await Expect(s.FieldError("Input_ConfirmPassword")).ToHaveTextAsync("The two passwords are different.");
        await Expect(page.GetByLabel("New password", new() { Exact = true })).ToHaveValueAsync("");

        await page.GetByLabel("Email").FillAsync("jamie@example.com");
        await page.GetByLabel("First name").FillAsync("Jamie");
        await page.GetByLabel("Last name").FillAsync("Small");
        await page.GetByLabel("Timezone").SelectOptionAsync("America/New_York");
        await page.GetByLabel("TC2 admin id").FillAsync("30");
        await page.GetByLabel("Pipedrive owner id").FillAsync("40");
        await page.GetByLabel("Sales person").CheckAsync();
        await page.GetByLabel("PAYG").CheckAsync();
        await page.GetByLabel("Enterprise").CheckAsync();
        await page.GetByLabel("US", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("jamie-password");
        await page.GetByLabel("Repeat the new password").FillAsync("jamie-password");
        await add.ClickAsync();

        await Expect(page).ToHaveURLAsync(s.Hermes.BaseAddress + "admin/list");
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Added Jamie Small (jamie@example.com).");
        await using var db = s.Db();
        var jamie = await db.Admins.SingleAsync(a => a.Username == "jamie@example.com");
        Assert.Equal(
            [
                [$"{me.Id}", "Brain Jones", "testing@example.com", "", "", "Europe/London", "", "", "Yes"],
                [$"{jamie.Id}", "Jamie Small", "jamie@example.com", "30", "40", "America/New_York", "Sales", "PAYG Enterprise US", "Yes"],
            ],
            await AdminSession.RowsAsync(page.GetByTestId("admins")));
        Assert.Equal(
            ("Jamie", "Small", "America/New_York", (int?)30, (int?)40, true, false, false, true, false, true, true, false, false, false, false, false),
            (jamie.FirstName, jamie.LastName, jamie.Timezone, jamie.Tc2AdminId, jamie.PdOwnerId, jamie.IsSalesPerson, jamie.IsSupportPerson,
                jamie.IsBdrPerson, jamie.SellsPayg, jamie.SellsStartup, jamie.SellsEnterprise, jamie.SellsUs, jamie.SellsGb, jamie.SellsAu,
                jamie.SellsCa, jamie.SellsEu, jamie.SellsRow));
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<Admin>().VerifyHashedPassword(jamie, jamie.Password!, "jamie-password"));

        // The edit page shows every column but never a hash; the new admin can sign in.
        await page.GetByRole(AriaRole.Link, new() { Name = "Jamie Small" }).ClickAsync();
        await Expect(page.GetByLabel("Timezone")).ToHaveValueAsync("America/New_York");
        await Expect(page.GetByLabel("TC2 admin id")).ToHaveValueAsync("30");
        Assert.DoesNotContain(jamie.Password!, await page.ContentAsync());
        Assert.DoesNotContain(me.Password!, await page.ContentAsync());
        await page.Locator(".topbar").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await s.SignInAsync("jamie@example.com", "jamie-password");
    }

    [Fact]
    public async Task Editing_an_admin_resets_or_removes_the_password_and_deleting_is_refused_while_records_point_at_them()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync("testing@example.com");
        var jamie = await s.AddAdminAsync("jamie@example.com", change: a => (a.FirstName, a.LastName) = ("Jamie", "Small"));
        var free = await s.AddAdminAsync("free@example.com", password: null, a => (a.FirstName, a.LastName) = ("Free", "Agent"));
        var company = await s.AddAsync(new Company { Name = "Julies Ltd", SalesPersonId = jamie.Id, Created = DateTime.UtcNow });
        await s.SignInAsync("testing@example.com");
        var page = s.Page;

        await page.GotoAsync($"/admin/update/{jamie.Id}");
        await Expect(page.GetByTestId("delete-blocked")).ToHaveTextAsync(
            "This admin is linked to 1 company, 0 deals and 0 meetings; deleting them would delete those too. Reassign them first.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete admin" })).ToHaveCountAsync(0);
        await page.GetByLabel("Remove the password (this admin can no longer sign in)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Saved Jamie Small (jamie@example.com).");
        await using (var db = s.Db())
            Assert.Null((await db.Admins.SingleAsync(a => a.Id == jamie.Id)).Password);

        await page.GotoAsync($"/admin/update/{free.Id}");
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("free-password");
        await page.GetByLabel("Repeat the new password").FillAsync("free-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Saved Free Agent (free@example.com).");

        await page.GotoAsync($"/admin/update/{free.Id}");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete admin" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Deleted Free Agent (free@example.com).");
        await using (var db = s.Db())
        {
            Assert.Equal(["jamie@example.com", "testing@example.com"], await db.Admins.OrderBy(a => a.Username).Select(a => a.Username).ToListAsync());
            Assert.Equal(company.Id, (await db.Companies.SingleAsync()).Id);
        }
    }
}

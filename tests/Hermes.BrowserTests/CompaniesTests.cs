using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class CompaniesTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_company_list_searches_sorts_and_pages_and_links_to_pipedrive_and_tc2()
    {
        await using var s = await AdminSession.StartAsync(browser, settings =>
        {
            settings["PD_BASE_URL"] = "https://tutorcruncher.pipedrive.com";
            settings["TC2_BASE_URL"] = "https://secure.tutorcruncher.com";
        });
        var me = await s.AddAdminAsync();
        var created = s.Hermes.Clock.GetUtcNow().UtcDateTime.AddDays(-30);
        var companies = Enumerable.Range(1, 30).Select(i => new Company
        {
            Name = $"Acme {i:00}", SalesPersonId = me.Id, Created = created.AddHours(i), PdOrgId = 1000 + i, Tc2CligencyId = 2000 + i,
            Country = "GB", PaidInvoiceCount = i % 3,
        }).ToList();
        await using (var db = s.Db())
        {
            db.Companies.AddRange(companies);
            await db.SaveChangesAsync();
        }
        await s.SignInAsync();
        var page = s.Page;

        await page.GotoAsync("/company/list");
        var table = page.GetByTestId("companies");
        var rows = await AdminSession.RowsAsync(table);
        Assert.Equal(25, rows.Count);
        Assert.Equal("Acme 30", rows[0][1]); // newest first
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–25 of 30 companies");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("26–30 of 30 companies");
        Assert.Equal(["Acme 05", "Acme 04", "Acme 03", "Acme 02", "Acme 01"], (await AdminSession.RowsAsync(table)).Select(r => r[1]));

        await page.GetByRole(AriaRole.Link, new() { Name = "Name" }).ClickAsync();
        await Expect(page.Locator("th[aria-sort=ascending]")).ToHaveTextAsync("Name▲");
        Assert.Equal("Acme 01", (await AdminSession.RowsAsync(table))[0][1]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Name" }).ClickAsync();
        await Expect(page.Locator("th[aria-sort=descending]")).ToHaveTextAsync("Name▼");
        Assert.Equal("Acme 30", (await AdminSession.RowsAsync(table))[0][1]);

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("acme 07");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–1 of 1 companies");
        var acme7 = companies[6];
        Assert.Equal(
            [[$"{acme7.Id}", "Acme 07", "pending_email_conf", "payg", "GB", "Brain Jones", "1", acme7.Created.ToString("yyyy-MM-dd"), "Org 1007 ↗", "Client 2007 ↗"]],
            await AdminSession.RowsAsync(table));
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("2011"); // a TC2 cligency id
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=2011"));
        Assert.Equal(["Acme 11"], (await AdminSession.RowsAsync(table)).Select(r => r[1]));

        await page.GetByRole(AriaRole.Link, new() { Name = "Acme 11" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme 11", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open in Pipedrive ↗" })).ToHaveAttributeAsync("href", "https://tutorcruncher.pipedrive.com/organization/1011/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open in TC2 ↗" })).ToHaveAttributeAsync("href", "https://secure.tutorcruncher.com/clients/2011/");

        // Editing and deleting from the company page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.GetByLabel("Pipedrive organization id").FillAsync("1012");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save company" }).ClickAsync();
        await Expect(s.FieldError("Input_PdOrgId")).ToHaveTextAsync("Another company is linked to this Pipedrive organization.");
        await page.GetByLabel("Pipedrive organization id").FillAsync("");
        await page.GetByLabel("Website").FillAsync("https://acme11.example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save company" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Saved Acme 11.");
        await using (var db = s.Db())
        {
            var row = await db.Companies.SingleAsync(c => c.Name == "Acme 11");
            Assert.Equal(((int?)null, "https://acme11.example.com", (int?)2011), (row.PdOrgId, row.Website, row.Tc2CligencyId));
        }
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete company" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Deleted Acme 11 and its contacts, deals and meetings from Hermes. Pipedrive and TC2 were not changed.");
        await using (var db = s.Db()) Assert.Equal(29, await db.Companies.CountAsync());
    }
}

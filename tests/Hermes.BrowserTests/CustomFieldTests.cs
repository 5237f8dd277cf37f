using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class CustomFieldTests(BrowserFixture browser)
{
    [Fact]
    public async Task Editing_a_custom_field_saves_the_row_and_the_next_pipedrive_webhook_uses_it_without_a_restart()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync(change: a => a.PdOwnerId = 99);
        var website = await s.AddAsync(new CustomField
        {
            Name = "Website", MachineName = "website", FieldType = "str", HermesFieldName = "website", PdFieldId = "123_website_456", LinkedObjectType = "Company",
        });
        var source = await s.AddAsync(new CustomField
        {
            Name = "Source", MachineName = "source", FieldType = "str", PdFieldId = "123_source_456", LinkedObjectType = "Company",
        });
        await s.SignInAsync();
        var page = s.Page;

        await page.GotoAsync("/customfield/list");
        Assert.Equal(
            [
                [$"{source.Id}", "Company", "source", "Source", "str", "(value table)", "", "123_source_456", "0", "Edit"],
                [$"{website.Id}", "Company", "website", "Website", "str", "website", "", "123_website_456", "0", "Edit"],
            ],
            await AdminSession.RowsAsync(page.GetByTestId("customfields")));

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit Source (Company)" }).ClickAsync();
        await page.GetByLabel("Hermes field name").FillAsync("nope");
        await page.GetByLabel("Machine name", new() { Exact = true }).FillAsync("Lead Source");
        await page.GetByLabel("Pipedrive field id").FillAsync("123_website_456");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(s.FieldError("Input_HermesFieldName")).ToHaveTextAsync("Company has no column 'nope'. Leave it empty to keep values in the value table.");
        await Expect(s.FieldError("Input_MachineName")).ToHaveTextAsync("Use lower-case letters, digits and underscores only (e.g. estimated_income).");
        await Expect(s.FieldError("Input_PdFieldId")).ToHaveTextAsync("Another Company field already uses this Pipedrive field id.");

        await page.GetByLabel("Hermes field name").FillAsync("");
        await page.GetByLabel("Machine name", new() { Exact = true }).FillAsync("");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Lead source");
        await page.GetByLabel("TC2 machine name").FillAsync("lead_source");
        await page.GetByLabel("Pipedrive field id").FillAsync("abc_source_def");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Saved custom field Lead source (Company). It is used from the next webhook or sync on.");
        Assert.Equal(
            [
                [$"{source.Id}", "Company", "lead_source", "Lead source", "str", "(value table)", "lead_source", "abc_source_def", "0", "Edit"],
                [$"{website.Id}", "Company", "website", "Website", "str", "website", "", "123_website_456", "0", "Edit"],
            ],
            await AdminSession.RowsAsync(page.GetByTestId("customfields")));
        await using (var db = s.Db())
        {
            var row = await db.CustomFields.SingleAsync(f => f.Id == source.Id);
            Assert.Equal(("Lead source", "lead_source", "str", (string?)null, "lead_source", "abc_source_def", "Company"),
                (row.Name, row.MachineName, row.FieldType, row.HermesFieldName, row.Tc2MachineName, row.PdFieldId, row.LinkedObjectType));
        }

        // The running Hermes reads the new key on the next webhook: an organization created in Pipedrive with it.
        var webhook = new JsonObject
        {
            ["v"] = 1,
            ["meta"] = new JsonObject { ["v"] = 1, ["action"] = "added", ["object"] = "organization", ["id"] = 501, ["timestamp"] = 1_790_000_000 },
            ["current"] = new JsonObject
            {
                ["id"] = 501, ["name"] = "Julies Ltd", ["owner_id"] = new JsonObject { ["id"] = 99, ["name"] = "Brain", ["value"] = 99 },
                ["abc_source_def"] = "Google", ["123_source_456"] = "old key",
            },
            ["previous"] = null,
            ["event"] = "added.organization",
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/") { Content = new StringContent(webhook.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("pipedrive:webhook-secret")));
        var response = await s.Hermes.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using (var db = s.Db())
        {
            var company = await db.Companies.SingleAsync(c => c.PdOrgId == 501);
            var values = await db.CustomFieldValues.Where(v => v.CompanyId == company.Id).Select(v => new { v.CustomFieldId, v.Value }).ToListAsync();
            Assert.Equal([new { CustomFieldId = source.Id, Value = (string?)"Google" }], values);
        }
        await page.GotoAsync("/customfield/list?object=Company");
        Assert.Equal("1", (await AdminSession.RowsAsync(page.GetByTestId("customfields")))[0][8]);
    }

    [Fact]
    public async Task Adding_and_deleting_a_custom_field()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync();
        await s.SignInAsync();
        var page = s.Page;

        await page.GotoAsync("/customfield/list");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add custom field" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Estimated Monthly Income");
        await page.GetByLabel("Linked object").SelectOptionAsync("Deal");
        await page.GetByLabel("Field type").SelectOptionAsync("int");
        await page.GetByLabel("Pipedrive field id").FillAsync("234_estimated_monthly_income_567");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add custom field" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Added custom field Estimated Monthly Income (Deal). It is used from the next webhook or sync on.");
        await using (var db = s.Db())
        {
            var row = await db.CustomFields.SingleAsync();
            Assert.Equal(("estimated_monthly_income", "int", "Deal", (string?)null, (string?)null),
                (row.MachineName, row.FieldType, row.LinkedObjectType, row.HermesFieldName, row.Tc2MachineName));
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit Estimated Monthly Income (Deal)" }).ClickAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete custom field" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Deleted custom field Estimated Monthly Income (Deal) and its values.");
        Assert.Equal([["No custom fields match."]], await AdminSession.RowsAsync(page.GetByTestId("customfields")));
        await using (var db = s.Db()) Assert.Empty(await db.CustomFields.ToListAsync());
    }
}

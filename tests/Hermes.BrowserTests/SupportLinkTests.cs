using System.Text.Json.Nodes;
using System.Web;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class SupportLinkTests(BrowserFixture browser)
{
    [Fact]
    public async Task Staff_make_an_express_support_link_that_the_call_booker_accepts()
    {
        await using var s = await AdminSession.StartAsync(browser, settings => settings["CALLBOOKER_BASE_URL"] = "https://tutorcruncher.com/book-a-call");
        var me = await s.AddAdminAsync();
        var support = await s.AddAdminAsync("sophie@example.com", password: null, a => (a.FirstName, a.LastName, a.IsSupportPerson) = ("Sophie", "Support", true));
        var company = await s.AddAsync(new Company { Name = "Julies Ltd", SalesPersonId = me.Id, Tc2CligencyId = 5678, Created = DateTime.UtcNow });
        await s.AddAsync(new Company { Name = "Juliet Tutors", SalesPersonId = me.Id, Created = DateTime.UtcNow });
        await s.SignInAsync();
        var page = s.Page;

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Support link" }).ClickAsync();
        await Expect(page.GetByLabel("Admin")).ToHaveValueAsync($"{me.Id}"); // the signed-in admin to start with
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate link" }).ClickAsync();
        await Expect(page.Locator("span[data-valmsg-for=CompanyId]")).ToHaveTextAsync("Find and choose the company.");

        await page.GetByLabel("Admin").SelectOptionAsync(new SelectOptionValue { Label = "Sophie Support (sophie@example.com) · support" });
        await page.GetByLabel("Company").FillAsync("julie");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Radio)).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Radio, new() { Name = "Julies Ltd" }).CheckAsync();
        await page.GetByLabel("Express").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate link" }).ClickAsync();

        var card = page.GetByTestId("support-link");
        await Expect(card.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Link for Julies Ltd");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        var link = new Uri(await page.GetByLabel("Support link").InputValueAsync());
        Assert.Equal($"https://tutorcruncher.com/book-a-call/{support.Id}/", link.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(link.Query);
        Assert.Equal(["s", "admin_id", "company_id", "e", "ex"], query.AllKeys.Select(k => k!).ToArray());
        Assert.Equal(($"{support.Id}", $"{company.Id}", "1"), (query["admin_id"], query["company_id"], query["ex"]));
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(query["e"]!));
        Assert.Equal(s.Hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds(), expiry.ToUnixTimeSeconds());
        await Expect(card.Locator("p.muted")).ToHaveTextAsync($"Express link · expires {expiry.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

        var validated = await s.Hermes.Http.GetFromJsonAsync<JsonObject>(
            $"/callbooker/support-link/validate/?admin_id={query["admin_id"]}&company_id={query["company_id"]}&e={query["e"]}&s={query["s"]}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"status":"ok","company_name":"Julies Ltd","express":true}"""), validated), validated!.ToJsonString());
    }
}

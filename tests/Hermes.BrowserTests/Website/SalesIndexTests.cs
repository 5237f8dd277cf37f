using Hermes.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>
/// seed/workflows.md, "Workflows on callbooker on the website" → Sales callbooker → Index page, for a visitor who has
/// not booked before (no localStorage).
/// </summary>
[Collection(BrowserCollection.Name)]
public class SalesIndexTests(BrowserFixture browser)
{
    static readonly string[] GbpBrackets =
        ["£0 - £50,000", "£50,000 - £150,000", "£150,000 - £500,000", "£500,000 - £1,000,000", "£1,000,000 - £3,000,000", "£3,000,000+"];

    [Fact]
    public async Task Index_page__The_page_shows_both_sales_persons_and_their_descriptions_with_a_CTA_to_book_a_call()
    {
        await using var s = await BookerSession.StartAsync(browser);
        await s.Page.GotoAsync("/book-a-call/");

        var reps = s.Page.Locator("#reps li");
        await Expect(reps).ToHaveCountAsync(2);
        await Expect(reps.Locator("h3")).ToHaveTextAsync(["Amelia Hart", "Ben Carter"]);
        await Expect(reps.Locator("p")).ToHaveTextAsync([
            "Amelia helps businesses on our Pay as you go and Startup plans set up on TutorCruncher. Based in London.",
            "Ben helps businesses on our Enterprise plan set up on TutorCruncher. Based in New York.",
        ]);
        await Expect(s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" })).ToBeVisibleAsync();
        // Support people are never offered on the sales page.
        await Expect(s.Page.GetByText("Chloe")).ToHaveCountAsync(0);
        await s.ScreenshotAsync("01-sales-index");
    }

    [Fact]
    public async Task Index_page__Clicking_the_CTA_loads_a_modal_asking_the_user_whether_they_have_previously_booked_a_call_with_us()
    {
        await using var s = await BookerSession.StartAsync(browser);
        await s.Page.GotoAsync("/book-a-call/");
        var dialog = s.Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeHiddenAsync();

        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();

        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Have you booked a call with us before?");
        await Expect(dialog.Locator("#step-question button")).ToHaveTextAsync(["Yes", "No", "Not sure"]);
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Yes" })).ToBeFocusedAsync(); // keyboard users start in the modal
        await s.ScreenshotAsync("02-booked-before-modal");
        await s.Page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
    }

    [Fact]
    public async Task No_or_not_sure__User_is_asked_their_revenue_bracket()
    {
        await using var s = await BookerSession.StartAsync(browser);
        foreach (var answer in new[] { "No", "Not sure" })
        {
            await s.Page.GotoAsync("/book-a-call/");
            await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();
            await s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = answer, Exact = true }).ClickAsync();

            var revenue = s.Page.GetByLabel("Roughly, what is your annual revenue?");
            await Expect(revenue).ToBeVisibleAsync();
            await Expect(revenue).ToBeFocusedAsync();
            await Expect(revenue.Locator("option")).ToHaveTextAsync(["Please select", .. GbpBrackets]);
            await Expect(s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Book a call" })).ToBeDisabledAsync();
        }
        await s.ScreenshotAsync("03-revenue-question");
    }

    [Theory]
    [InlineData("GB", "GBP (£)", "£0 - £50,000")]
    [InlineData("US", "USD ($)", "$0 - $50,000")]
    [InlineData("DE", "EUR (€)", "€0 - €60,000")]
    [InlineData("NZ", "USD ($)", "$0 - $50,000")] // NZD is not one of ours: USD
    public async Task No_or_not_sure__The_users_country_comes_from_loc_and_its_main_currency_is_used_or_USD_when_not_supported(
        string country, string currency, string firstBracket)
    {
        await using var s = await BookerSession.StartAsync(browser, country);
        var loc = s.Page.WaitForResponseAsync(r => r.Url.EndsWith("/loc/"));
        await s.Page.GotoAsync("/book-a-call/");
        Assert.Equal($$"""{"country_code":"{{country}}"}""", await (await loc).TextAsync());

        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "No", Exact = true }).ClickAsync();

        await Expect(s.Page.Locator("#currency-note")).ToHaveTextAsync($"Amounts in {currency}");
        await Expect(s.Page.Locator("#revenue option").Nth(1)).ToHaveTextAsync(firstBracket);
        Assert.Equal(country, await s.LocalStorageAsync("_country_code")); // asked once, then remembered
    }

    [Fact]
    public async Task No_or_not_sure__The_revenue_brackets_are_chosen_from_the_currency()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["GB"] = GbpBrackets,
            ["US"] = ["$0 - $50,000", "$50,000 - $150,000", "$150,000 - $500,000", "$500,000 - $1,000,000", "$1,000,000 - $3,000,000", "$3,000,000+"],
            ["AU"] = ["$0 - $70,000", "$70,000 - $200,000", "$200,000 - $700,000", "$700,000 - $1,500,000", "$1,500,000 - $4,000,000", "$4,000,000+"],
            ["FR"] = ["€0 - €60,000", "€60,000 - €175,000", "€175,000 - €600,000", "€600,000 - €1,200,000", "€1,200,000 - €3,500,000", "€3,500,000+"],
            ["ZA"] = ["R0 - R1,000,000", "R1,000,000 - R2,500,000", "R2,500,000 - R10,000,000", "R10,000,000 - R20,000,000", "R20,000,000 - R50,000,000", "R50,000,000+"],
        };
        await using var s = await BookerSession.StartAsync(browser, country: null);
        foreach (var (country, brackets) in expected)
        {
            // The remembered country decides (as for a returning visitor); /loc/ is only asked when there is none.
            await s.Page.GotoAsync("/book-a-call/");
            await s.Page.EvaluateAsync("c => localStorage.setItem('_country_code', c)", country);
            await s.Page.ReloadAsync();
            await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();
            await s.Page.GetByRole(AriaRole.Button, new() { Name = "Not sure" }).ClickAsync();
            await Expect(s.Page.Locator("#revenue option")).ToHaveTextAsync(["Please select", .. brackets]);
        }
    }

    [Fact]
    public async Task No_or_not_sure__The_price_plan_is_calculated_from_the_revenue_bracket_and_Hermes_names_the_next_salesperson()
    {
        await using var s = await BookerSession.StartAsync(browser, "US");
        var amelia = await s.AdminAsync("Amelia");
        var ben = await s.AdminAsync("Ben");
        // bracket index → plan → the sandbox's seller of that plan (Amelia sells PAYG and Startup, Ben Enterprise)
        foreach (var (bracket, plan, admin) in new[] { (0, "payg", amelia), (2, "startup", amelia), (4, "enterprise", ben) })
        {
            await s.Page.GotoAsync("/book-a-call/");
            await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();
            await s.Page.GetByRole(AriaRole.Button, new() { Name = "No", Exact = true }).ClickAsync();
            await s.Page.Locator("#revenue").SelectOptionAsync(new SelectOptionValue { Index = bracket + 1 });
            var roundRobin = s.Page.WaitForResponseAsync(r => r.Url.Contains("/choose-roundrobin/sales/"));
            await s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();

            var response = await roundRobin;
            Assert.EndsWith($"/choose-roundrobin/sales/?plan={plan}&country_code=US", response.Url);
            Assert.Equal(200, response.Status); // its body names the admin the page goes to (read here it would race the navigation)
            await Expect(s.Page).ToHaveURLAsync($"{s.Hermes.BaseAddress}book-a-call/{admin.Id}/?rb={bracket}");
        }
    }

    [Fact]
    public async Task No_or_not_sure__The_user_clicks_the_CTA_to_Book_a_call_and_is_directed_to_the_admins_callbooker()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        // Tracking parameters on the index page follow the visitor to the booker.
        await s.Page.GotoAsync("/book-a-call/?utm_source=newsletter&utm_campaign=winter&bdr=505");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Not sure" }).ClickAsync();
        await s.Page.Locator("#revenue").SelectOptionAsync("1"); // £50,000 - £150,000: startup
        await s.ScreenshotAsync("04-revenue-chosen");
        await s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();

        await Expect(s.Page).ToHaveURLAsync($"{s.Hermes.BaseAddress}book-a-call/{amelia.Id}/?utm_source=newsletter&utm_campaign=winter&bdr=505&rb=1");
        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Meet with Amelia Hart from TutorCruncher");
        await Expect(s.EnabledDays.First).ToBeVisibleAsync();
    }
}

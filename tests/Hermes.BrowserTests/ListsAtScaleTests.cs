using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

/// <summary>
/// The big lists as they behave with many rows: search by the trigram indexes, counts that stop at 10,000 and then
/// say they are an estimate (or "more than"), deep pages read by key, and no page past 2,000.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ListsAtScaleTests(BrowserFixture browser)
{
    /// <summary><paramref name="n"/> companies named "Company i", created a minute apart (the newest is "Company n"), each with a contact.</summary>
    static async Task AddCompaniesAsync(AdminSession s, int salesPersonId, int n) =>
        await TestDatabase.ExecuteAsync(s.Hermes.Database, $"""
            INSERT INTO company (name, sales_person_id, created, website)
            SELECT 'Company ' || i, {salesPersonId}, timestamptz '2025-01-01' + i * interval '1 minute', 'https://company' || i || '.example.com'
            FROM generate_series(1, {n}) i;
            INSERT INTO contact (first_name, last_name, email, company_id, created)
            SELECT 'Ann', 'Smith' || i, 'ann' || i || '@company' || i || '.example.com', id, created FROM company, LATERAL (SELECT substr(name, 9) AS i) x;
            ANALYZE company;
            ANALYZE contact;
            """);

    async Task Search(IPage page, string term)
    {
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync(term);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
    }

    [Fact]
    public async Task Search_matches_part_of_a_name_website_email_or_company_in_any_case_takes_wildcards_literally_and_matches_ids()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var me = await s.AddAdminAsync();
        var now = s.Hermes.Clock.GetUtcNow().UtcDateTime;
        Company Add(string name, string? website, int? pdOrgId = null) =>
            new() { Name = name, Website = website, PdOrgId = pdOrgId, SalesPersonId = me.Id, Created = now };
        var bright = await s.AddAsync(Add("Bright Academy 101", "https://bright101.example.com", pdOrgId: 9001));
        var junes = await s.AddAsync(Add("Junes Tutors", "https://junes.com"));
        var percent = await s.AddAsync(Add("100% Tutors", null));
        var underscore = await s.AddAsync(Add("Acme_Learning", null));
        await s.AddAsync(Add("1000 Tutors", null));
        await s.AddAsync(Add("AcmeXLearning", null));
        await s.AddAsync(new Contact { FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Phone = "+44 7700 900123", CompanyId = junes.Id, Created = now });
        await s.AddAsync(new Contact { FirstName = "Ann", LastName = "Bright", Email = "ann@bright101.example.com", CompanyId = bright.Id, Created = now });
        await s.SignInAsync();
        var page = s.Page;
        var companies = page.GetByTestId("companies");
        var contacts = page.GetByTestId("contacts");

        await page.GotoAsync("/company/list");
        foreach (var (term, expected) in new (string, string[])[]
                 {
                     ("ACADEMY 1", ["Bright Academy 101"]),   // part of the name, another case
                     ("junes.com", ["Junes Tutors"]),         // the website
                     ("100%", ["100% Tutors"]),               // % is a character, not a wildcard
                     ("e_L", ["Acme_Learning"]),              // and so is _
                     ("9001", ["Bright Academy 101"]),        // a Pipedrive organization id
                     ($"{underscore.Id}", ["Acme_Learning"]), // a Hermes id
                     ("nothing like it", []),
                 })
        {
            await Search(page, term);
            await Expect(page.Locator(".pager-info")).ToHaveTextAsync(expected.Length == 0 ? "No companies" : $"1–{expected.Length} of {expected.Length} companies");
            Assert.Equal(expected, (await AdminSession.RowsAsync(companies)).Where(r => r.Length > 1).Select(r => r[1]));
        }
        Assert.NotEqual(0, percent.Id);

        await page.GotoAsync("/contact/list");
        foreach (var (term, expected) in new (string, string[])[]
                 {
                     ("brain junes", ["Brain Junes"]),   // first and last name
                     ("900123", ["Brain Junes"]),        // part of the phone
                     ("@BRIGHT101", ["Ann Bright"]),     // part of the email
                     ("junes tutors", ["Brain Junes"]),  // the company's name
                     ("academy", ["Ann Bright"]),
                 })
        {
            await Search(page, term);
            await Expect(page.Locator(".pager-info")).ToHaveTextAsync($"1–{expected.Length} of {expected.Length} contacts");
            Assert.Equal(expected, (await AdminSession.RowsAsync(contacts)).Select(r => r[1]));
        }
    }

    [Fact]
    public async Task On_sqlite_search_matches_the_start_of_a_name_email_or_phone_in_any_case_and_ids()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hermes-lists-{Guid.NewGuid():N}.db");
        await using var s = await AdminSession.StartAsync(browser, settings: v => v["DATABASE_URL"] = "sqlite:///" + file);
        var me = await s.AddAdminAsync();
        var now = s.Hermes.Clock.GetUtcNow().UtcDateTime;
        Company Add(string name, int? pdOrgId = null) => new() { Name = name, PdOrgId = pdOrgId, SalesPersonId = me.Id, Created = now };
        var bright = await s.AddAsync(Add("Bright Academy 101", pdOrgId: 9001));
        var junes = await s.AddAsync(Add("Junes Tutors"));
        await s.AddAsync(Add("100% Tutors"));
        await s.AddAsync(Add("1000 Tutors"));
        await s.AddAsync(new Contact { FirstName = "Brain", LastName = "Junes", Email = "brain@junes.com", Phone = "+44 7700 900123", CompanyId = junes.Id, Created = now });
        await s.AddAsync(new Contact { FirstName = "Ann", LastName = "Bright", Email = "ann@bright101.example.com", CompanyId = bright.Id, Created = now });
        await s.SignInAsync();
        var page = s.Page;

        await page.GotoAsync("/company/list");
        foreach (var (term, expected) in new (string, string[])[]
                 {
                     ("BRIGHT a", ["Bright Academy 101"]), // the start of the name, another case
                     ("academy", []),                      // not the middle: SQLite has no trigram index
                     ("100%", ["100% Tutors"]),            // % is a character, not a wildcard
                     ("9001", ["Bright Academy 101"]),     // a Pipedrive organization id
                 })
        {
            await Search(page, term);
            await Expect(page.Locator(".pager-info")).ToHaveTextAsync(expected.Length == 0 ? "No companies" : $"1–{expected.Length} of {expected.Length} companies");
            Assert.Equal(expected, (await AdminSession.RowsAsync(page.GetByTestId("companies"))).Where(r => r.Length > 1).Select(r => r[1]));
        }

        await page.GotoAsync("/contact/list");
        foreach (var (term, expected) in new (string, string[])[]
                 {
                     ("brain j", ["Brain Junes"]),   // first and last name
                     ("+44 770", ["Brain Junes"]),   // the start of the phone
                     ("ANN@", ["Ann Bright"]),       // the start of the email
                     ("junes tut", ["Brain Junes"]), // the start of the company's name
                 })
        {
            await Search(page, term);
            await Expect(page.Locator(".pager-info")).ToHaveTextAsync($"1–{expected.Length} of {expected.Length} contacts");
            Assert.Equal(expected, (await AdminSession.RowsAsync(page.GetByTestId("contacts"))).Select(r => r[1]));
        }
    }

    [Fact]
    public async Task Past_ten_thousand_rows_the_total_is_estimated_and_says_so_and_a_deep_page_shows_its_own_rows()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var me = await s.AddAdminAsync();
        await AddCompaniesAsync(s, me.Id, 12_600);
        await s.SignInAsync();
        var page = s.Page;
        var table = page.GetByTestId("companies");

        await Expect(page.GetByTestId("count-companies")).ToHaveTextAsync("≈ 12,600");
        await Expect(page.Locator(".stat").Filter(new() { HasText = "Companies" }).GetByTestId("estimated")).ToHaveTextAsync("estimated");

        await page.GotoAsync("/company/list");
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–25 of about 12,600 companies (estimated)");
        Assert.Equal("Company 12600", (await AdminSession.RowsAsync(table))[0][1]);

        // Page 500, newest first: rows 12,476 to 12,500 are companies 125 down to 101.
        await page.GotoAsync("/company/list?page=500");
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("12,476–12,500 of about 12,600 companies (estimated)");
        await Expect(page.Locator(".pager-page")).ToHaveTextAsync("Page 500");
        Assert.Equal(Enumerable.Range(101, 25).Reverse().Select(i => $"Company {i}"), (await AdminSession.RowsAsync(table)).Select(r => r[1]));
        await page.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("12,501–12,525 of about 12,600 companies (estimated)");
        Assert.Equal("Company 100", (await AdminSession.RowsAsync(table))[0][1]);

        // A search counts its matches exactly up to 250 …
        await Search(page, "company 125");
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–25 of 111 companies"); // 125, 1250–1259, 12500–12599
        await Expect(page.Locator(".pager-page")).ToHaveTextAsync("Page 1 of 5");
        Assert.Equal("Company 12599", (await AdminSession.RowsAsync(table))[0][1]);
        // … and says "more than" past that, still newest first.
        await Search(page, "company");
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–25 of more than 250 companies");
        Assert.Equal("Company 12600", (await AdminSession.RowsAsync(table))[0][1]);
        await Expect(page.GetByTestId("estimated")).ToHaveCountAsync(0);

        await page.GotoAsync("/contact/list?q=smith");
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–25 of more than 250 contacts");
        await page.GotoAsync("/contact/list?q=smith1259");
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("1–11 of 11 contacts"); // Smith1259 and Smith12590–12599
    }

    [Fact]
    public async Task The_list_stops_at_page_2000_and_says_how_to_reach_the_rest()
    {
        await using var s = await AdminSession.StartAsync(browser);
        var me = await s.AddAdminAsync();
        await AddCompaniesAsync(s, me.Id, 50_100);
        await s.SignInAsync();
        var page = s.Page;
        var table = page.GetByTestId("companies");

        await page.GotoAsync("/company/list?page=2500");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("page=2500"));
        await Expect(page.Locator(".pager-info")).ToHaveTextAsync("49,976–50,000 of about 50,100 companies (estimated)");
        await Expect(page.Locator(".pager-page")).ToHaveTextAsync("Page 2000");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Next →" })).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("pager-capped")).ToHaveTextAsync(
            "Pages after 2,000 are not shown: search, filter or sort the other way to reach the rest.");
        Assert.Equal("Company 125", (await AdminSession.RowsAsync(table))[0][1]);

        // The other way round, the oldest come first.
        await page.GotoAsync("/company/list?sort=created&dir=asc");
        Assert.Equal(["Company 1", "Company 2"], (await AdminSession.RowsAsync(table)).Take(2).Select(r => r[1]));
    }
}

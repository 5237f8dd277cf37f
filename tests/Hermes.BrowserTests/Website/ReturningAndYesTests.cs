using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests.Website;

/// <summary>seed/workflows.md → Sales callbooker → Index page: "User chooses Yes" and "localStorage exists".</summary>
[Collection(BrowserCollection.Name)]
public class ReturningAndYesTests(BrowserFixture browser)
{
    static async Task AnswerYesAsync(BookerSession s)
    {
        await s.Page.GotoAsync("/book-a-call/");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book a call" }).ClickAsync();
        await s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Yes" }).ClickAsync();
    }

    [Fact]
    public async Task Yes__The_user_chooses_a_salesperson_and_gets_redirected_to_the_admins_callbooker()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var ben = await s.AdminAsync("Ben");
        await AnswerYesAsync(s);
        var dialog = s.Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.Locator("#rep-question")).ToHaveTextAsync("Who did you speak to?");
        await Expect(dialog.Locator("#rep-choices button")).ToHaveTextAsync(["Amelia Hart", "Ben Carter"]);
        await s.ScreenshotAsync("13-yes-choose-rep");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Ben Carter" }).ClickAsync();

        await Expect(s.Page).ToHaveURLAsync($"{s.Hermes.BaseAddress}book-a-call/{ben.Id}/");
        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Meet with Ben Carter from TutorCruncher");
    }

    [Fact]
    public async Task Yes__The_logic_after_Callbooker_calendar_start_is_followed()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var ben = await s.AdminAsync("Ben");
        var slots = await s.SlotsAsync(ben);
        await AnswerYesAsync(s);
        await s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Ben Carter" }).ClickAsync();
        await Expect(s.EnabledDays.First).ToBeVisibleAsync();

        await s.ChooseSlotAsync(slots[0]);
        await s.FillSalesFormAsync(name: "Sam Stone", email: "sam@stone.example.com", company: "Stone Academy");
        await s.Page.GetByLabel("Estimated annual revenue").SelectOptionAsync("£1,000,000 - £3,000,000");
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();

        await Expect(s.Page.Locator("#callbooked-success")).ToContainTextAsync("Your call with Ben Carter is on");
        await using var db = s.Hermes.Db();
        var meeting = await db.Meetings.AsNoTracking().Include(m => m.Contact!.Company).SingleAsync();
        Assert.Equal((ben.Id, slots[0].Start.UtcDateTime, "Stone Academy", "enterprise", "£1,000,000 - £3,000,000"),
            (meeting.AdminId, meeting.StartTime, meeting.Contact!.Company!.Name, meeting.Contact.Company.PricePlan, meeting.Contact.Company.EstimatedIncome));
    }

    [Fact]
    public async Task Yes__The_revenue_bracket_is_not_prefilled()
    {
        await using var s = await BookerSession.StartAsync(browser);
        var amelia = await s.AdminAsync("Amelia");
        var slots = await s.SlotsAsync(amelia);
        await AnswerYesAsync(s);
        await s.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Amelia Hart" }).ClickAsync();
        await s.ChooseSlotAsync(slots[0]);

        var revenue = s.Page.GetByLabel("Estimated annual revenue");
        await Expect(revenue).ToHaveValueAsync("");
        await Expect(revenue.Locator("option:checked")).ToHaveTextAsync("Please select");
        await s.FillSalesFormAsync();
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();
        await Expect(s.Page.Locator("#revenue-error")).ToHaveTextAsync("Please choose your estimated annual revenue.");
    }

    /// <summary>A visitor who booked with Ben last time, from Germany (so in euros), with a bracket other than their plan's first.</summary>
    static readonly JsonObject LastBooking = new()
    {
        ["admin_id"] = 0, ["bdr_person_id"] = null, ["utm_campaign"] = null, ["utm_source"] = null,
        ["name"] = "Greta Berg", ["email"] = "greta@berg-nachhilfe.example.de", ["company_name"] = "Berg Nachhilfe",
        ["website"] = "berg-nachhilfe.example.de", ["country"] = "DE", ["phone"] = "+49 30 1234567",
        ["estimated_income"] = "€1,200,000 - €3,500,000", ["currency"] = "EUR", ["price_plan"] = "enterprise",
        ["meeting_dt"] = "2026-01-05T10:00:00.000Z", ["call_type"] = "sales",
    };

    static async Task<BookerSession> ReturningAsync(BrowserFixture browser, string country = "GB")
    {
        var s = await BookerSession.StartAsync(browser, country);
        var ben = await s.AdminAsync("Ben");
        var last = (JsonObject)LastBooking.DeepClone();
        last["admin_id"] = ben.Id;
        await s.Context.AddInitScriptAsync($"localStorage.getItem('call_data') || localStorage.setItem('call_data', {System.Text.Json.JsonSerializer.Serialize(last.ToJsonString())})");
        return s;
    }

    [Fact]
    public async Task LocalStorage__The_user_is_redirected_to_the_callbooker_for_the_admin_they_had_previously_booked_a_call_with()
    {
        await using var s = await ReturningAsync(browser);
        var ben = await s.AdminAsync("Ben");

        await s.Page.GotoAsync("/book-a-call/?utm_source=email");

        await Expect(s.Page).ToHaveURLAsync($"{s.Hermes.BaseAddress}book-a-call/{ben.Id}/?utm_source=email&name=Greta+Berg&email=greta%40berg-nachhilfe.example.de" +
                                            "&company=Berg+Nachhilfe&website=berg-nachhilfe.example.de&phone=%2B49+30+1234567&currency=EUR&rb=4");
        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Meet with Ben Carter from TutorCruncher");

        // Someone whose rep has left the team (not in the reps file any more) stays on the index.
        await s.Page.EvaluateAsync("() => localStorage.setItem('call_data', JSON.stringify({...JSON.parse(localStorage.getItem('call_data')), admin_id: 4242}))");
        await s.Page.GotoAsync("/book-a-call/");
        await Expect(s.Page.Locator("#reps li")).ToHaveCountAsync(2);
        Assert.Equal($"{s.Hermes.BaseAddress}book-a-call/", s.Page.Url);

        // A support booking last time does not send them to the support admin.
        await s.Page.EvaluateAsync("id => localStorage.setItem('call_data', JSON.stringify({...JSON.parse(localStorage.getItem('call_data')), admin_id: id, call_type: 'support'}))", ben.Id);
        await s.Page.GotoAsync("/book-a-call/");
        await Expect(s.Page.Locator("#reps li")).ToHaveCountAsync(2);
        Assert.Equal($"{s.Hermes.BaseAddress}book-a-call/", s.Page.Url);
    }

    [Fact]
    public async Task LocalStorage__The_logic_after_Callbooker_calendar_start_is_followed()
    {
        await using var s = await ReturningAsync(browser);
        var ben = await s.AdminAsync("Ben");
        var slots = await s.SlotsAsync(ben);
        await s.Page.GotoAsync("/book-a-call/");
        await Expect(s.EnabledDays.First).ToBeVisibleAsync();

        await s.ChooseSlotAsync(slots[1]);
        await s.Page.GetByRole(AriaRole.Button, new() { Name = "Book call" }).ClickAsync();

        await Expect(s.Page.Locator("#callbooked-success")).ToContainTextAsync("We've sent a calendar invite to greta@berg-nachhilfe.example.de");
        await using var db = s.Hermes.Db();
        var meeting = await db.Meetings.AsNoTracking().Include(m => m.Contact!.Company).SingleAsync();
        Assert.Equal((ben.Id, slots[1].Start.UtcDateTime, "Berg Nachhilfe", "+49 30 1234567", "EUR", "€1,200,000 - €3,500,000"),
            (meeting.AdminId, meeting.StartTime, meeting.Contact!.Company!.Name, meeting.Contact.Phone, meeting.Contact.Company.Currency, meeting.Contact.Company.EstimatedIncome));
        var stored = await s.LocalStorageJsonAsync("call_data");
        Assert.Equal(slots[1].Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), stored!["meeting_dt"]!.GetValue<string>());
    }

    [Fact]
    public async Task LocalStorage__All_fields_on_the_form_are_prefilled_with_the_data_the_user_entered_last_time()
    {
        // Browsing from Britain this time: what they entered (German number, euros) wins over what the country suggests.
        await using var s = await ReturningAsync(browser, "GB");
        var ben = await s.AdminAsync("Ben");
        var slots = await s.SlotsAsync(ben);
        await s.Page.GotoAsync("/book-a-call/");
        await s.ChooseSlotAsync(slots[0]);

        var form = s.Page.Locator("#step-form");
        await Expect(form.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Greta Berg");
        await Expect(form.GetByLabel("Email", new() { Exact = true })).ToHaveValueAsync("greta@berg-nachhilfe.example.de");
        await Expect(form.GetByLabel("Company name", new() { Exact = true })).ToHaveValueAsync("Berg Nachhilfe");
        await Expect(form.GetByLabel("Website", new() { Exact = true })).ToHaveValueAsync("berg-nachhilfe.example.de");
        await Expect(form.GetByLabel("Dialling code")).ToHaveValueAsync("+49");
        await Expect(form.GetByLabel("Phone number", new() { Exact = true })).ToHaveValueAsync("30 1234567");
        await Expect(form.GetByLabel("Currency")).ToHaveValueAsync("EUR");
        await Expect(form.GetByLabel("Estimated annual revenue")).ToHaveValueAsync("€1,200,000 - €3,500,000");
        await s.ScreenshotAsync("14-returning-prefilled");
    }
}

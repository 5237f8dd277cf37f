using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class ConfigTests(BrowserFixture browser)
{
    [Fact]
    public async Task Editing_config_shows_field_errors_then_saves_and_the_availability_slots_follow_at_once()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var s = await AdminSession.StartAsync(browser, google.Configure);
        var me = await s.AddAdminAsync(change: a => a.Timezone = "Europe/London");
        var payg = await s.AddAsync(new Pipeline { Name = "PAYG sales", PdPipelineId = 11 });
        var startup = await s.AddAsync(new Pipeline { Name = "Startup sales", PdPipelineId = 12 });
        await s.SignInAsync();
        var page = s.Page;

        // A weekday at least two days after the (fake) clock, so the 2-hour notice cuts nothing.
        var day = DateOnly.FromDateTime(s.Hermes.Clock.GetUtcNow().UtcDateTime).AddDays(3);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        async Task<List<string>> Slots()
        {
            var from = day.ToDateTime(TimeOnly.MinValue).ToString("yyyy-MM-ddTHH:mm:ss") + "Z";
            var to = day.ToDateTime(new TimeOnly(23, 59)).ToString("yyyy-MM-ddTHH:mm:ss") + "Z";
            var body = await s.Hermes.Http.GetFromJsonAsync<JsonObject>($"/callbooker/availability/?admin_id={me.Id}&start_dt={from}&end_dt={to}");
            Assert.Equal("ok", body!["status"]!.GetValue<string>());
            return body["slots"]!.AsArray().Select(p => $"{p![0]} {p[1]}").ToList();
        }
        List<string> Expected(int duration, int buffer, TimeOnly start, TimeOnly end)
        {
            var slots = new List<string>();
            for (var t = day.ToDateTime(start); t.AddMinutes(duration) <= day.ToDateTime(end); t = t.AddMinutes(duration + buffer))
            {
                var utc = TimeZoneInfo.ConvertTimeToUtc(t, london);
                slots.Add($"{utc:yyyy-MM-ddTHH:mm:ss}+00:00 {utc.AddMinutes(duration):yyyy-MM-ddTHH:mm:ss}+00:00");
            }
            return slots;
        }
        Assert.Equal(Expected(30, 15, new TimeOnly(10, 0), new TimeOnly(17, 30)), await Slots()); // no config row: hermes_v2's defaults

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Config" }).ClickAsync();
        await Expect(page.GetByText("There is no config row yet")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Earliest start (HH:MM)")).ToHaveValueAsync("10:00");
        await Expect(page.GetByLabel("Latest end (HH:MM)")).ToHaveValueAsync("17:30");

        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save config" });
        await page.GetByLabel("Meeting length (minutes)").FillAsync("2");
        await page.GetByLabel("Earliest start (HH:MM)").FillAsync("25:00");
        await page.GetByLabel("Latest end (HH:MM)").FillAsync("9.30");
        await save.ClickAsync();
        await Expect(s.FieldError("Input_MeetingDurMins")).ToHaveTextAsync("Enter a whole number of minutes from 5 to 480.");
        await Expect(s.FieldError("Input_MeetingMinStart")).ToHaveTextAsync("Enter a time as HH:MM, from 00:00 to 23:59 (e.g. 10:00).");
        await Expect(s.FieldError("Input_MeetingMaxEnd")).ToHaveTextAsync("Enter a time as HH:MM, from 00:00 to 23:59 (e.g. 17:30).");
        await Expect(page.GetByLabel("Earliest start (HH:MM)")).ToHaveValueAsync("25:00");

        await page.GetByLabel("Meeting length (minutes)").FillAsync("60");
        await page.GetByLabel("Earliest start (HH:MM)").FillAsync("12:00");
        await page.GetByLabel("Latest end (HH:MM)").FillAsync("09:00");
        await save.ClickAsync();
        await Expect(s.FieldError("Input_MeetingMaxEnd")).ToHaveTextAsync("The latest end must be after the earliest start.");
        await Expect(page.Locator(".field-validation-error")).ToHaveCountAsync(1);
        await using (var db = s.Db()) Assert.Empty(await db.Configs.ToListAsync());

        await page.GetByLabel("Buffer between meetings (minutes)").FillAsync("0");
        await page.GetByLabel("Earliest start (HH:MM)").FillAsync("9:00");
        await page.GetByLabel("Latest end (HH:MM)").FillAsync("12:00");
        await page.GetByLabel("PAYG pipeline").SelectOptionAsync(new SelectOptionValue { Label = "PAYG sales (Pipedrive 11)" });
        await page.GetByLabel("Startup pipeline").SelectOptionAsync(new SelectOptionValue { Label = "Startup sales (Pipedrive 12)" });
        await save.ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Config saved. The call booker uses it from now on.");
        await Expect(page.GetByLabel("Earliest start (HH:MM)")).ToHaveValueAsync("09:00");
        await Expect(page.GetByLabel("Enterprise pipeline")).ToHaveValueAsync("");

        await using (var db = s.Db())
        {
            var c = Assert.Single(await db.Configs.ToListAsync());
            Assert.Equal((60, 0, "09:00", "12:00", (int?)payg.Id, (int?)startup.Id, (int?)null),
                (c.MeetingDurMins, c.MeetingBufferMins, c.MeetingMinStart, c.MeetingMaxEnd, c.PaygPipelineId, c.StartupPipelineId, c.EnterprisePipelineId));
        }
        var after = await Slots();
        Assert.Equal(Expected(60, 0, new TimeOnly(9, 0), new TimeOnly(12, 0)), after);
        Assert.Equal(3, after.Count);
        Assert.Equal(["brain@example.com", "brain@example.com"], google.FreeBusyCalendars.ToArray());
    }

    [Fact]
    public async Task Setting_a_pipelines_default_entry_stage()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync();
        var stage = await s.AddAsync(new Stage { Name = "New", PdStageId = 1 });
        var stage2 = await s.AddAsync(new Stage { Name = "Stage 2", PdStageId = 2 });
        var pipeline = await s.AddAsync(new Pipeline { Name = "payg", PdPipelineId = 1, DftEntryStageId = stage.Id });
        var other = await s.AddAsync(new Pipeline { Name = "An Other Pipeline", PdPipelineId = 5 });
        await s.AddAsync(new Config { PaygPipelineId = pipeline.Id });
        await s.SignInAsync();
        var page = s.Page;

        await page.GotoAsync("/pipeline/list");
        Assert.Equal(
            [[$"{other.Id}", "An Other Pipeline", "5", "not set", "", "Edit"], [$"{pipeline.Id}", "payg", "1", "New", "PAYG", "Edit"]],
            await AdminSession.RowsAsync(page.GetByTestId("pipelines")));

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit payg" }).ClickAsync();
        await Expect(page.GetByLabel("Default entry stage")).ToHaveValueAsync(stage.Id.ToString());
        await page.GetByLabel("Pipedrive pipeline id").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save pipeline" }).ClickAsync();
        await Expect(s.FieldError("Input_PdPipelineId")).ToHaveTextAsync("Another pipeline already has this Pipedrive id.");

        await page.GetByLabel("Name").FillAsync("Startup");
        await page.GetByLabel("Pipedrive pipeline id").FillAsync("1234");
        await page.GetByLabel("Default entry stage").SelectOptionAsync(new SelectOptionValue { Label = "Stage 2 (Pipedrive 2)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save pipeline" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync("Saved pipeline Startup.");
        Assert.Equal(
            [[$"{other.Id}", "An Other Pipeline", "5", "not set", "", "Edit"], [$"{pipeline.Id}", "Startup", "1234", "Stage 2", "PAYG", "Edit"]],
            await AdminSession.RowsAsync(page.GetByTestId("pipelines")));
        await using (var db = s.Db())
        {
            var row = await db.Pipelines.SingleAsync(p => p.Id == pipeline.Id);
            Assert.Equal(("Startup", 1234, (int?)stage2.Id), (row.Name, row.PdPipelineId, row.DftEntryStageId));
        }

        await page.GotoAsync("/stage/list");
        Assert.Equal(
            [[$"{stage.Id}", "New", "1", "", "0"], [$"{stage2.Id}", "Stage 2", "2", "Startup", "0"]],
            await AdminSession.RowsAsync(page.GetByTestId("stages")));
    }
}

using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Hermes.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

/// <summary>Every main page with realistic rows, checked for its heading and saved under artifacts/screenshots/.</summary>
[Collection(BrowserCollection.Name)]
public class ScreenshotTests(BrowserFixture browser)
{
    static async Task SeedAsync(AdminSession s)
    {
        var now = s.Hermes.Clock.GetUtcNow().UtcDateTime;
        await using var db = s.Db();
        var stages = new[] { "New", "Demo booked", "Proposal", "Won" }.Select((n, i) => new Stage { Name = n, PdStageId = 10 + i }).ToList();
        Pipeline Pipe(string name, int pd) => new() { Name = name, PdPipelineId = pd, DftEntryStage = stages[0] };
        var (payg, startup, enterprise) = (Pipe("PAYG", 1), Pipe("Startup", 2), Pipe("Enterprise", 3));
        db.Configs.Add(new Config { PaygPipeline = payg, StartupPipeline = startup, EnterprisePipeline = enterprise });
        var admins = new[]
        {
            ("Fionn", "Murphy", "fionn@tutorcruncher.com", "Europe/London", true, false),
            ("Tony", "Rivera", "tony@tutorcruncher.com", "America/New_York", true, false),
            ("Sophie", "Laurent", "sophie@tutorcruncher.com", "Europe/Paris", false, true),
        }.Select((a, i) => new Admin
        {
            FirstName = a.Item1, LastName = a.Item2, Username = a.Item3, Timezone = a.Item4, IsSalesPerson = a.Item5, IsSupportPerson = a.Item6,
            Tc2AdminId = 60 + i, PdOwnerId = 900 + i, SellsPayg = a.Item5, SellsStartup = a.Item5, SellsGb = true, SellsUs = i == 1, SellsRow = i == 0,
        }).ToList();
        db.Admins.AddRange(admins);
        string[] names = ["Julies Tutoring Ltd", "Bright Minds Academy", "Kensington Tutors", "Maple Leaf Learning", "Sydney Study Hub", "Top Grade Tuition"];
        for (var i = 0; i < names.Length; i++)
        {
            var company = new Company
            {
                Name = names[i], SalesPerson = admins[i % 2], SupportPerson = i % 3 == 0 ? admins[2] : null, Created = now.AddDays(-i * 3),
                Tc2Status = i % 2 == 0 ? "trial" : "live", PricePlan = Company.PricePlans[i % 3], Country = new[] { "GB", "US", "GB", "CA", "AU", "GB" }[i],
                Website = $"https://{names[i].Split(' ')[0].ToLowerInvariant()}.example.com", PaidInvoiceCount = i * 2, PdOrgId = 3000 + i, Tc2CligencyId = 7000 + i,
                HasBookedCall = i % 2 == 0, HasSignedUp = true,
            };
            var contact = new Contact { FirstName = new[] { "Julie", "Ben", "Ann", "Marc", "Liam", "Tara" }[i], LastName = "Smith", Email = $"owner{i}@example.com", Phone = "+44 20 7946 0" + (100 + i), Company = company, Created = company.Created, PdPersonId = 4000 + i };
            var deal = new Deal { Name = company.Name, Company = company, Contact = contact, Admin = company.SalesPerson!, Pipeline = new[] { payg, startup, enterprise }[i % 3], Stage = stages[i % 4], Status = i == 3 ? Deal.StatusWon : Deal.StatusOpen, PdDealId = 5000 + i };
            db.AddRange(company, contact, deal);
            db.Meetings.Add(new Meeting { Admin = company.SalesPerson!, Contact = contact, Deal = deal, Created = company.Created, StartTime = now.AddDays(i - 2).Date.AddHours(10), EndTime = now.AddDays(i - 2).Date.AddHours(10.5), MeetingType = i == 5 ? Meeting.TypeSupport : Meeting.TypeSales });
        }
        db.CustomFields.AddRange(
            new CustomField { Name = "Hermes ID", MachineName = "hermes_id", FieldType = "fk_field", HermesFieldName = "id", Tc2MachineName = "hermes_id", PdFieldId = "123_hermes_id_456", LinkedObjectType = "Company" },
            new CustomField { Name = "Website", MachineName = "website", FieldType = "str", HermesFieldName = "website", PdFieldId = "123_website_456", LinkedObjectType = "Company" },
            new CustomField { Name = "Source", MachineName = "source", FieldType = "str", Tc2MachineName = "source", PdFieldId = "123_source_456", LinkedObjectType = "Company" },
            new CustomField { Name = "Source", MachineName = "source", FieldType = "str", PdFieldId = "234_source_567", LinkedObjectType = "Deal" });
        var queue = new JobQueue(s.Hermes.Clock, s.Hermes.Settings, new JobSignal());
        queue.Enqueue(db, "pipedrive.sync_company", new { companyId = 1 }, "company:1");
        queue.Enqueue(db, "pipedrive.sync_meeting", new { meetingId = 2, companyId = 2 }, "company:2");
        var failed = queue.Enqueue(db, "tc2.update_client", new { companyId = 3 }, "company:3");
        failed.Status = Job.Failed;
        failed.Attempts = 10;
        failed.LastError = "HttpRequestException: Response status code does not indicate success: 502 (Bad Gateway).";
        failed.FinishedAt = now;
        db.WebhookLogs.AddRange(
            new WebhookLog { Source = "pipedrive", ReceivedAt = now.AddMinutes(-3), Object = "organization", Action = "change", ObjectIds = "3000", Outcome = WebhookLog.OutcomeProcessed, Body = "{}" },
            new WebhookLog { Source = "tc2", ReceivedAt = now.AddMinutes(-9), Object = "Client", Action = "CHANGED_DETAILS", ObjectIds = "7001", Outcome = WebhookLog.OutcomeProcessed, Body = "{}" },
            new WebhookLog { Source = "pipedrive", ReceivedAt = now.AddMinutes(-20), Object = "person", Action = "create", ObjectIds = "4999", Outcome = WebhookLog.OutcomeIgnored, Error = "organization 999 is not a Hermes company", Body = "{}" },
            new WebhookLog { Source = "tc2", ReceivedAt = now.AddMinutes(-42), Object = "Client", Action = "CREATED_A_CLIENT", ObjectIds = "7100", Outcome = WebhookLog.OutcomeError, Error = "no Hermes admin has TC2 admin id 77 (sales_person)", Body = "{}" });
        db.PipedriveObjects.Add(new PipedriveObject { Entity = "organization", PdId = 3099, DeletedAt = now.AddHours(-5), DeletedReason = PipedriveDeletion.Webhook, Tc2CligencyId = 7099, CompanyName = "Old Oak Tutors" });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Screenshots_of_the_main_pages()
    {
        await using var s = await AdminSession.StartAsync(browser, settings =>
        {
            settings["PD_BASE_URL"] = "https://tutorcruncher.pipedrive.com";
            settings["TC2_BASE_URL"] = "https://secure.tutorcruncher.com";
        });
        var page = s.Page;
        await page.GotoAsync("/login");
        await s.ScreenshotAsync("00-init-offered");
        await s.AddAdminAsync("brain@tutorcruncher.com", change: a => a.IsSalesPerson = true);
        await SeedAsync(s);

        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync("brain@tutorcruncher.com");
        await page.GetByLabel("Password").FillAsync("wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("form-error")).ToBeVisibleAsync();
        await s.ScreenshotAsync("01-login-failed");
        await s.SignInAsync("brain@tutorcruncher.com");

        int company, pipeline, field, fionn;
        await using (var db = s.Db())
        {
            company = db.Companies.Single(c => c.Name == "Julies Tutoring Ltd").Id;
            pipeline = db.Pipelines.Single(p => p.Name == "PAYG").Id;
            field = db.CustomFields.Single(f => f.Name == "Hermes ID").Id;
            fionn = db.Admins.Single(a => a.FirstName == "Fionn").Id;
        }
        (string Path, string Heading, string File)[] pages =
        [
            ("/", "Dashboard", "02-dashboard"),
            ("/job/list", "Job queue", "03-jobs"),
            ("/webhook/list", "Webhooks", "04-webhooks"),
            ("/company/list", "Companies", "05-companies"),
            ($"/company/{company}", "Julies Tutoring Ltd", "06-company"),
            ($"/company/update/{company}", "Edit company", "07-company-edit"),
            ("/contact/list", "Contacts", "08-contacts"),
            ("/deal/list", "Deals", "09-deals"),
            ("/meeting/list", "Meetings", "10-meetings"),
            ("/config/list", "Config", "11-config"),
            ("/pipeline/list", "Pipelines", "12-pipelines"),
            ($"/pipeline/update/{pipeline}", "Pipeline PAYG", "13-pipeline-edit"),
            ("/stage/list", "Stages", "14-stages"),
            ("/customfield/list", "Custom fields", "15-customfields"),
            ($"/customfield/update/{field}", "Hermes ID", "16-customfield-edit"),
            ("/admin/list", "Admins", "17-admins"),
            ($"/admin/update/{fionn}", "Fionn Murphy", "18-admin-edit"),
            ("/support-link?q=tutor", "Support link", "19-support-link"),
        ];
        foreach (var (path, heading, file) in pages)
        {
            var response = await page.GotoAsync(path);
            Assert.Equal((path, 200), (path, response!.Status));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1, Exact = true })).ToBeVisibleAsync();
            await s.ScreenshotAsync(file);
        }

        // Validation messages next to their fields.
        await page.GotoAsync("/config/list");
        await page.GetByLabel("Earliest start (HH:MM)").FillAsync("18:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save config" }).ClickAsync();
        await Expect(s.FieldError("Input_MeetingMaxEnd")).ToBeVisibleAsync();
        await s.ScreenshotAsync("20-config-errors");

        await page.GotoAsync("/support-link?q=julies");
        await page.GetByRole(AriaRole.Radio).First.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate link" }).ClickAsync();
        await Expect(page.GetByTestId("support-link")).ToBeVisibleAsync();
        await s.ScreenshotAsync("21-support-link-made");

        // A phone-sized screen: the navigation becomes a scrolling strip above the content.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await s.ScreenshotAsync("22-dashboard-phone");
        await page.GotoAsync($"/admin/update/{fionn}");
        await s.ScreenshotAsync("23-admin-edit-phone");
    }
}

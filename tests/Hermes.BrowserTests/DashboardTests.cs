using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

[Collection(BrowserCollection.Name)]
public class DashboardTests(BrowserFixture browser)
{
    const string FlakyKind = "test.flaky";

    public sealed record FlakyJob(string Name);

    /// <summary>Fails for good on its first run (as if Pipedrive refused), succeeds after a retry.</summary>
    public sealed class FlakyHandler(FlakyRuns runs) : JobHandler<FlakyJob>
    {
        protected override Task RunAsync(FlakyJob payload, CancellationToken ct) =>
            Interlocked.Increment(ref runs.Count) == 1
                ? throw new PermanentJobFailureException($"Pipedrive refused {payload.Name}")
                : Task.CompletedTask;
    }

    public sealed class FlakyRuns { public int Count; }

    [Fact]
    public async Task A_failed_job_shows_its_error_and_retry_queues_it_again_until_a_job_run_completes_it()
    {
        await using var s = await AdminSession.StartAsync(browser, services: services =>
        {
            services.AddSingleton<FlakyRuns>();
            services.AddJobHandler<FlakyHandler>(FlakyKind);
        });
        await s.AddAdminAsync();
        long id;
        await using (var db = s.Db())
        {
            var job = s.Hermes.App.Services.GetRequiredService<JobQueue>().Enqueue(db, FlakyKind, new FlakyJob("org 42"), "company:42");
            await db.SaveChangesAsync();
            id = job.Id;
        }
        Assert.Equal(1, await s.Hermes.RunJobsAsync());
        await s.SignInAsync();
        var page = s.Page;

        await Expect(page.GetByTestId("count-failed")).ToHaveTextAsync("1");
        var warning = page.GetByTestId("warnings").Locator("li").Filter(new() { HasText = "1 failed job" });
        await Expect(warning.Locator("span")).ToHaveTextAsync("These changes have not reached Pipedrive, TC2 or Google. Fix the cause, then retry them.");
        await Expect(warning.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", "/job/list?status=failed");
        var rows = await AdminSession.RowsAsync(page.GetByTestId("dashboard-jobs"));
        var failed = Assert.Single(rows);
        Assert.Equal([$"{id}", "test.flaky company:42", "failed", "1/10", failed[4], "PermanentJobFailureException: Pipedrive refused org 42", "Retry"], failed);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Retry job {id}" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync($"Job {id} is queued again.");
        var pending = Assert.Single(await AdminSession.RowsAsync(page.GetByTestId("dashboard-jobs")));
        Assert.Equal([$"{id}", "test.flaky company:42", "pending", "0/10", pending[4], "PermanentJobFailureException: Pipedrive refused org 42", "Cancel"], pending);
        await Expect(page.GetByTestId("count-failed")).ToHaveTextAsync("0");
        await using (var db = s.Db())
        {
            var row = await db.Jobs.SingleAsync(j => j.Id == id);
            Assert.Equal((Job.Pending, 0, (DateTime?)null), (row.Status, row.Attempts, row.FinishedAt));
        }

        Assert.Equal(1, await s.Hermes.RunJobsAsync());
        await page.ReloadAsync();
        Assert.Equal([["Nothing failed, pending or running."]], await AdminSession.RowsAsync(page.GetByTestId("dashboard-jobs")));
        await page.GotoAsync("/job/list?status=done");
        var done = Assert.Single(await AdminSession.RowsAsync(page.GetByTestId("jobs")));
        Assert.Equal([$"{id}", "test.flaky company:42", "done", "1/10", done[4], "", "{\"name\":\"org 42\"}", ""], done);
        await using (var db = s.Db())
        {
            var row = await db.Jobs.SingleAsync(j => j.Id == id);
            Assert.Equal((Job.Done, (string?)null, 1), (row.Status, row.LastError, row.Attempts));
        }
    }

    [Fact]
    public async Task The_dashboard_warns_about_unauthenticated_webhooks_missing_pipelines_failed_webhooks_and_deleted_pipedrive_records()
    {
        await using var s = await AdminSession.StartAsync(browser, settings =>
        {
            settings["DEV_MODE"] = "true";
            settings["PD_WEBHOOK_AUTH"] = "none";
            settings["PD_WEBHOOK_USERNAME"] = "";
            settings["PD_WEBHOOK_PASSWORD"] = "";
        });
        await s.AddAdminAsync();
        var now = s.Hermes.Clock.GetUtcNow().UtcDateTime;
        var payg = await s.AddAsync(new Pipeline { Name = "PAYG sales", PdPipelineId = 1 });
        await s.AddAsync(new Config { PaygPipelineId = payg.Id });
        var ok = await s.AddAsync(new WebhookLog { Source = "pipedrive", ReceivedAt = now.AddMinutes(-5), Object = "deal", Action = "change", ObjectIds = "77", Outcome = WebhookLog.OutcomeProcessed, Body = "{}" });
        var bad = await s.AddAsync(new WebhookLog { Source = "tc2", ReceivedAt = now.AddMinutes(-1), Object = "Client", Action = "CHANGED_DETAILS", ObjectIds = "12", Outcome = WebhookLog.OutcomeError, Error = "No sales person", Body = "{\"events\":[]}" });
        await s.AddAsync(new PipedriveObject { Entity = "organization", PdId = 501, DeletedAt = now.AddHours(-1), DeletedReason = PipedriveDeletion.NotFound, Tc2CligencyId = 12, CompanyName = "Julies Ltd" });
        await s.AddAsync(new PipedriveObject { Entity = "organization", PdId = 502, DeletedAt = now.AddHours(-2), DeletedReason = PipedriveDeletion.Merged, MergedIntoPdId = 501 });
        await s.SignInAsync();
        var page = s.Page;

        await Expect(page.GetByTestId("env-banner")).ToHaveTextAsync("Dev modeTC2 signatures are not checked and any CORS origin is allowed.");
        var warnings = await page.GetByTestId("warnings").Locator("li strong").AllInnerTextsAsync();
        Assert.Equal(
        [
            "Pipedrive webhooks are not authenticated",
            "No pipeline set for Startup, Enterprise",
            "No default entry stage for PAYG sales",
            "1 webhook failed or rejected in the last 24 hours",
            "1 Pipedrive record was deleted upstream",
        ], warnings);
        Assert.Equal(
        [
            [$"{bad.Id}", now.AddMinutes(-1).ToString("yyyy-MM-dd HH:mm:ss"), "tc2", "Client CHANGED_DETAILS", "12", "error", "No sales person"],
            [$"{ok.Id}", now.AddMinutes(-5).ToString("yyyy-MM-dd HH:mm:ss"), "pipedrive", "deal change", "77", "processed", ""],
        ], await AdminSession.RowsAsync(page.GetByTestId("dashboard-webhooks")));
        Assert.Equal(
            [["organization", "501", "Julies Ltd", "12", "gone at sync (404)", now.AddHours(-1).ToString("yyyy-MM-dd HH:mm")]],
            await AdminSession.RowsAsync(page.GetByTestId("dashboard-deleted")));

        await page.GetByRole(AriaRole.Link, new() { Name = $"{bad.Id}", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Webhook #{bad.Id}" })).ToBeVisibleAsync();
        await Expect(page.Locator("pre.body")).ToHaveTextAsync("{\n  \"events\": []\n}");
    }

    [Fact]
    public async Task Without_sandbox_or_dev_mode_there_is_no_banner_and_a_complete_setup_has_no_warnings()
    {
        await using var s = await AdminSession.StartAsync(browser);
        await s.AddAdminAsync();
        Pipeline Make(string name, int pd) => new() { Name = name, PdPipelineId = pd, DftEntryStage = new Stage { Name = name + " new", PdStageId = pd } };
        await s.AddAsync(new Config { PaygPipeline = Make("payg", 1), StartupPipeline = Make("startup", 2), EnterprisePipeline = Make("enterprise", 3) });
        await s.SignInAsync();
        await Expect(s.Page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await Expect(s.Page.GetByTestId("env-banner")).ToHaveCountAsync(0);
        await Expect(s.Page.GetByTestId("warnings")).ToHaveCountAsync(0);
    }
}

using System.Text.Json.Nodes;
using Hermes.BrowserTests.Infrastructure;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Hermes.BrowserTests;

/// <summary>The maintenance buttons in Chromium: retry all failed jobs of a kind, cancel a pending job, replay a webhook.</summary>
[Collection(BrowserCollection.Name)]
public class MaintenanceTests(BrowserFixture browser)
{
    const string Kind = "test.refused";

    public sealed record RefusedJob(string Name);

    /// <summary>Fails for good while the far side refuses (as Pipedrive answering 400), succeeds once it accepts.</summary>
    public sealed class RefusedHandler(FarSide far) : JobHandler<RefusedJob>
    {
        protected override Task RunAsync(RefusedJob payload, CancellationToken ct) =>
            far.Accepts ? Task.CompletedTask : throw new PermanentJobFailureException($"refused {payload.Name}");
    }

    public sealed class FarSide { public bool Accepts; }

    [Fact]
    public async Task Staff_retry_all_failed_jobs_of_a_kind_cancel_a_pending_one_and_replay_a_rejected_webhook()
    {
        var far = new FarSide();
        await using var s = await AdminSession.StartAsync(browser, services: services =>
        {
            services.AddSingleton(far);
            services.AddJobHandler<RefusedHandler>(Kind);
        });
        await s.AddAdminAsync();
        var queue = s.Hermes.App.Services.GetRequiredService<JobQueue>();
        await using (var db = s.Db())
        {
            queue.Enqueue(db, Kind, new RefusedJob("org 1"), "company:1");
            queue.Enqueue(db, Kind, new RefusedJob("org 2"), "company:2");
            await db.SaveChangesAsync();
        }
        Assert.Equal(2, await s.Hermes.RunJobsAsync());
        long waiting;
        await using (var db = s.Db())
        {
            var job = queue.Enqueue(db, Kind, new RefusedJob("org 3"), "company:3", TimeSpan.FromHours(1));
            await db.SaveChangesAsync();
            waiting = job.Id;
        }
        await s.SignInAsync();
        var page = s.Page;

        await page.GotoAsync("/job/list?status=failed");
        await page.GetByTestId("failed-kinds").GetByRole(AriaRole.Button, new() { Name = $"Retry all 2 failed {Kind}" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync($"2 failed {Kind} jobs are queued again.");
        await Expect(page.GetByTestId("failed-kinds")).ToHaveCountAsync(0);
        Assert.Equal([["No jobs match."]], await AdminSession.RowsAsync(page.GetByTestId("jobs")));

        await page.GotoAsync("/job/list?status=pending");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Cancel job {waiting}" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync($"Job {waiting} is cancelled: it will not run.");
        await s.ScreenshotAsync("maintenance/job-cancelled");
        far.Accepts = true;
        s.Hermes.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, await s.Hermes.RunJobsAsync());
        await using (var db = s.Db())
            Assert.Equal([(Job.Done, 1), (Job.Done, 1), (Job.Cancelled, 0)], (await db.Jobs.OrderBy(j => j.Id).ToListAsync()).Select(j => (j.Status, j.Attempts)));

        // A Pipedrive webhook refused because its owner was no admin; the owner is one now.
        var body = new JsonObject
        {
            ["meta"] = new JsonObject { ["entity"] = "organization", ["action"] = "create", ["entity_id"] = "40", ["version"] = "2.0" },
            ["data"] = new JsonObject { ["id"] = 40, ["name"] = "Juniper Tutors", ["owner_id"] = 77, ["update_time"] = "2026-11-01T10:00:00Z" },
            ["previous"] = null,
        };
        var webhook = await s.AddAsync(new WebhookLog
        {
            Source = "pipedrive", ReceivedAt = s.Hermes.Clock.GetUtcNow().UtcDateTime, Object = "organization", Action = "create", ObjectIds = "40",
            Outcome = WebhookLog.OutcomeRejected, Error = "owner_id: Admin with pd_owner_id 77 does not exist", Body = body.ToJsonString(),
        });
        await s.AddAdminAsync("june@example.com", password: null, a => a.PdOwnerId = 77);
        await page.GotoAsync($"/webhook/{webhook.Id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await Expect(page.GetByTestId("flash")).ToHaveTextAsync($"Webhook {webhook.Id} replayed: processed (company 1 created).");
        await Expect(page.Locator("dl.props dd").Nth(2)).ToHaveTextAsync("processed");
        await s.ScreenshotAsync("maintenance/webhook-replayed");
        await using (var db = s.Db())
            Assert.Equal([("Juniper Tutors", (int?)40, "june@example.com")],
                (await db.Companies.Include(c => c.SalesPerson).ToListAsync()).Select(c => (c.Name, c.PdOrgId, c.SalesPerson!.Username)));
    }
}

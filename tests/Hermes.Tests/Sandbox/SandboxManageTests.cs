using System.Net;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Sandbox.Google;
using Hermes.Sandbox.Pipedrive;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.Sandbox;

/// <summary>
/// A call booked in the sandbox (SQLite, simulators inside Hermes) can still be moved and cancelled from its manage link
/// after a restart: the simulators start empty and are given the meetings' events and activities back.
/// </summary>
public sealed class SandboxManageTests
{
    static Task<HermesInstance> StartSandbox(DatabaseUrl db) => HermesInstance.StartAsync(db: db, settings: s =>
    {
        foreach (var key in new[] { "PD_API_KEY", "PD_BASE_URL", "TC2_API_KEY", "TC2_BASE_URL", "G_PRIVATE_KEY", "G_CLIENT_EMAIL", "G_PRIVATE_KEY_ID" })
            s.Remove(key);
        s["SANDBOX"] = "true";
    });

    [Fact]
    public async Task A_call_booked_before_a_sandbox_restart_is_moved_and_cancelled_from_its_link_afterwards()
    {
        var db = TestSqlite.NewFile();
        Uri link;
        DateTime start;
        string eventId;
        await using (var hermes = await StartSandbox(db))
        {
            start = hermes.Clock.GetUtcNow().UtcDateTime.Date.AddDays(3).AddHours(14);
            var booking = await hermes.PostJson("/callbooker/sales/book/", new JsonObject
            {
                ["admin_id"] = 1, ["name"] = "Jane Doe", ["email"] = "jane@example.com", ["company_name"] = "Doe Tutors", ["country"] = "GB",
                ["estimated_income"] = "£0 - £50,000", ["currency"] = "GBP", ["price_plan"] = "payg", ["meeting_dt"] = Iso(start),
            }.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, booking.StatusCode);
            link = new Uri(booking.Headers.GetValues("Hermes-Manage-Link").Single());
            await hermes.RunJobsAsync();
            eventId = hermes.App.Services.GetRequiredService<GoogleCalendarSimulator>().Events("amelia.hart@example.com").Single()["id"]!.GetValue<string>();
        }
        Assert.Equal("/book-a-call/manage/1/", link.AbsolutePath);

        await using var again = await StartSandbox(db);
        var google = again.App.Services.GetRequiredService<GoogleCalendarSimulator>();
        var pipedrive = again.App.Services.GetRequiredService<PipedriveSimulator>();
        var moveTo = start.AddDays(1);
        var moved = await again.PostJson($"/callbooker/meetings/1/reschedule/{link.Query}", $$"""{"meeting_dt":"{{Iso(moveTo)}}"}""");
        await AssertJson(moved, HttpStatusCode.OK, """{"status":"ok"}""");
        await again.RunJobsAsync();

        var ev = google.Events("amelia.hart@example.com").Single();
        Assert.Equal((eventId, moveTo.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")), (ev["id"]!.GetValue<string>(), ev["start"]!["dateTime"]!.GetValue<string>()));
        var activity = pipedrive.List("activity").Single();
        Assert.Equal((moveTo.ToString("yyyy-MM-dd"), "14:00"), (activity["due_date"]!.GetValue<string>(), activity["due_time"]!.GetValue<string>()));

        // The old link still works until the old start; the cancel reaches Google and Pipedrive.
        await AssertJson(await again.PostJson($"/callbooker/meetings/1/cancel/{link.Query}", """{"reason":"sandbox"}"""), HttpStatusCode.OK, """{"status":"ok"}""");
        await again.RunJobsAsync();
        Assert.Equal("cancelled", google.Events("amelia.hart@example.com").Single()["status"]!.GetValue<string>());
        Assert.True(pipedrive.List("activity").Single()["done"]!.GetValue<bool>());
        await using var hermesDb = again.Db();
        Assert.Equal("CANCELED", (await hermesDb.Meetings.SingleAsync()).Status);
        // A new booking after the restart gets an event id of its own, not one given back.
        var next = await again.PostJson("/callbooker/sales/book/", new JsonObject
        {
            ["admin_id"] = 1, ["name"] = "Ann Other", ["email"] = "ann@example.com", ["company_name"] = "Other Tutors", ["country"] = "GB",
            ["estimated_income"] = "£0 - £50,000", ["currency"] = "GBP", ["price_plan"] = "payg", ["meeting_dt"] = Iso(start.AddHours(2)),
        }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, google.Events("amelia.hart@example.com").Select(e => e["id"]!.GetValue<string>()).Distinct().Count());
        Assert.EndsWith("/book-a-call/manage/2/", new Uri(next.Headers.GetValues("Hermes-Manage-Link").Single()).AbsolutePath);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Tests.CallBooker.ManageKit;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>pipedrive.update_meeting: what Pipedrive receives after a prospect moves or cancels their call.</summary>
public class ManageJobTests
{
    sealed record Setup(BookerWorld World, Admin Admin) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => World.DisposeAsync();
    }

    /// <summary>Hermes with its config, and Pipedrive with the admin as a user and the pipelines and stages Hermes knows.</summary>
    static async Task<Setup> StartAsync()
    {
        var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        await w.Hermes.SeedConfigAsync();
        var pd = w.Sim.Pipedrive;
        pd.AddUser(99, "Steve Jobs", "climan@example.com");
        foreach (var (name, id) in new[] { ("payg", 1), ("startup", 2), ("enterprise", 3) })
        {
            pd.Create("pipeline", new JsonObject { ["name"] = name }, id, notify: false);
            pd.Create("stage", new JsonObject { ["name"] = $"{name} new", ["pipeline_id"] = id }, id * 10, notify: false);
        }
        return new Setup(w, admin);
    }

    /// <summary>Runs the queued jobs (none may fail) and answers what Hermes sent Pipedrive meanwhile, "METHOD /path body".</summary>
    static async Task<List<string>> PipedriveRequestsOfJobsAsync(BookerWorld w)
    {
        w.Sim.Pipedrive.Requests.Clear();
        await w.Hermes.RunJobsAsync();
        Assert.All(await w.JobsAsync(), j => Assert.Equal("done", j.Status));
        return w.Sim.Pipedrive.Requests.All.Where(r => !r.Path.EndsWith("Fields", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {r.Path.Replace("/api/v2", "")}{(r.Body.Length > 0 ? " " + JsonNode.Parse(r.Body)!.ToJsonString() : "")}").ToList();
    }

    static async Task<int> ActivityIdAsync(BookerWorld w, int meetingId)
    {
        await using var db = w.Db();
        return (await db.Meetings.AsNoTracking().SingleAsync(m => m.Id == meetingId)).PdActivityId!.Value;
    }

    static string Day(DateTime t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    static string Time(DateTime t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    [Fact]
    public async Task After_a_reschedule_the_job_moves_the_Pipedrive_activity_to_the_new_date_and_time()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var start = w.WeekdayAt(3, 10);
        var booked = await w.BookAsync(s.Admin, start);
        await PipedriveRequestsOfJobsAsync(w);
        var activity = await ActivityIdAsync(w, booked.Id);
        var moveTo = start.AddDays(1).AddHours(5).AddMinutes(15);

        await AssertJson(await w.Reschedule(booked.Id, booked.S, moveTo), HttpStatusCode.OK, Ok);

        Assert.Equal([
            $"GET /activities/{activity}",
            $$"""PATCH /activities/{{activity}} {"due_date":"{{Day(moveTo)}}","due_time":"{{Time(moveTo)}}"}""",
        ], await PipedriveRequestsOfJobsAsync(w));
        var pd = w.Sim.Pipedrive.Get("activity", activity)!;
        Assert.Equal((Day(moveTo), Time(moveTo), "00:30", false), (pd["due_date"]!.GetValue<string>(), pd["due_time"]!.GetValue<string>(),
            pd["duration"]!.GetValue<string>(), pd["done"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task After_a_cancel_the_job_marks_the_activity_done_with_the_reason_in_its_note_and_running_it_again_sends_nothing()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var booked = await w.BookAsync(s.Admin, w.WeekdayAt(3, 10));
        await PipedriveRequestsOfJobsAsync(w);
        var activity = await ActivityIdAsync(w, booked.Id);
        w.Clock.Advance(TimeSpan.FromMinutes(7));

        await AssertJson(await w.Cancel(booked.Id, booked.S, "We chose <another> system & thank you"), HttpStatusCode.OK, Ok);

        var note = $"<p>Cancelled by the prospect on {w.Now:yyyy-MM-dd HH:mm} UTC: We chose &lt;another&gt; system &amp; thank you</p>";
        Assert.Equal([
            $"GET /activities/{activity}",
            $"PATCH /activities/{activity} " + new JsonObject { ["done"] = true, ["note"] = note }.ToJsonString(),
        ], await PipedriveRequestsOfJobsAsync(w));
        var pd = w.Sim.Pipedrive.Get("activity", activity)!;
        Assert.Equal((true, note), (pd["done"]!.GetValue<bool>(), pd["note"]!.GetValue<string>()));

        // A job run again (a retry after a lost answer) reads the activity and leaves it as it is.
        await using (var db = w.Db())
        {
            w.Hermes.App.Services.GetRequiredService<JobQueue>().Enqueue(db, new UpdateMeeting(booked.Id, (await w.CompaniesAsync()).Single().Id));
            await db.SaveChangesAsync();
        }
        Assert.Equal([$"GET /activities/{activity}"], await PipedriveRequestsOfJobsAsync(w));
    }

    [Fact]
    public async Task A_note_the_sales_person_wrote_on_the_activity_is_kept_when_the_call_is_cancelled()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var booked = await w.BookAsync(s.Admin, w.WeekdayAt(3, 10));
        await PipedriveRequestsOfJobsAsync(w);
        var activity = await ActivityIdAsync(w, booked.Id);
        w.Sim.Pipedrive.Update("activity", activity, new JsonObject { ["note"] = "<p>Wants the API demo</p>" }, notify: false);

        await AssertJson(await w.Cancel(booked.Id, booked.S), HttpStatusCode.OK, Ok);
        await PipedriveRequestsOfJobsAsync(w);

        Assert.Equal($"<p>Wants the API demo</p><p>Cancelled by the prospect on {w.Now:yyyy-MM-dd HH:mm} UTC (no reason given)</p>",
            w.Sim.Pipedrive.Get("activity", activity)!["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_call_moved_before_its_activity_was_made_gets_the_activity_at_the_new_time_and_nothing_more()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var start = w.WeekdayAt(3, 10);
        var moveTo = start.AddDays(2);
        var booked = await w.BookAsync(s.Admin, start);

        await AssertJson(await w.Reschedule(booked.Id, booked.S, moveTo), HttpStatusCode.OK, Ok);
        var requests = await PipedriveRequestsOfJobsAsync(w);

        var activity = await ActivityIdAsync(w, booked.Id);
        var pd = w.Sim.Pipedrive.Get("activity", activity)!;
        Assert.Equal((Day(moveTo), Time(moveTo)), (pd["due_date"]!.GetValue<string>(), pd["due_time"]!.GetValue<string>()));
        Assert.Single(requests, r => r.StartsWith("POST /activities", StringComparison.Ordinal));
        Assert.Equal($"GET /activities/{activity}", requests[^1]);
        Assert.DoesNotContain(requests, r => r.StartsWith("PATCH /activities", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_cancelled_before_its_activity_was_made_gets_no_activity()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var booked = await w.BookAsync(s.Admin, w.WeekdayAt(3, 10));

        await AssertJson(await w.Cancel(booked.Id, booked.S, "changed my mind"), HttpStatusCode.OK, Ok);
        var requests = await PipedriveRequestsOfJobsAsync(w);

        // The organization, person and deal are made as for any booking; no activity.
        Assert.Contains(requests, r => r.StartsWith("POST /organizations", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Contains("/activities", StringComparison.Ordinal));
        Assert.Empty(w.Sim.Pipedrive.List("activity"));
        await using var db = w.Db();
        Assert.Null((await db.Meetings.AsNoTracking().SingleAsync()).PdActivityId);
    }

    [Fact]
    public async Task An_activity_deleted_in_Pipedrive_is_left_deleted()
    {
        await using var s = await StartAsync();
        var w = s.World;
        var booked = await w.BookAsync(s.Admin, w.WeekdayAt(3, 10));
        await PipedriveRequestsOfJobsAsync(w);
        var activity = await ActivityIdAsync(w, booked.Id);
        w.Sim.Pipedrive.Delete("activity", activity, notify: false);

        await AssertJson(await w.Cancel(booked.Id, booked.S), HttpStatusCode.OK, Ok);

        Assert.Equal([$"GET /activities/{activity}"], await PipedriveRequestsOfJobsAsync(w));
    }
}

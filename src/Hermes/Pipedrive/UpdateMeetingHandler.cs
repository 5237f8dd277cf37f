using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive.update_meeting</c>: after a meeting was moved or cancelled, its Activity is brought in line with Hermes —
/// due date, time and duration (UTC, as the activity was made), and for a cancelled meeting <c>done: true</c> with a
/// line saying who cancelled and why added to the activity's note (what a sales person wrote there is kept). It reads the
/// activity first and sends only what differs, so running it again changes nothing. A meeting without an activity
/// (a support call of a company not in Pipedrive, or cancelled before it was made) needs nothing.
/// </summary>
public sealed class UpdateMeetingHandler(
    IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, PipedriveSyncState state, ILogger<UpdateMeetingHandler> log)
    : JobHandler<UpdateMeeting>
{
    protected override Task RunAsync(UpdateMeeting job, CancellationToken ct) => UpdateAsync(job.MeetingId, ct);

    async Task UpdateAsync(int meetingId, CancellationToken ct)
    {
        Meeting? meeting;
        MeetingChange? cancel;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            meeting = await db.Meetings.AsNoTracking().FirstOrDefaultAsync(m => m.Id == meetingId, ct);
            cancel = await db.MeetingChanges.AsNoTracking().Where(c => c.MeetingId == meetingId && c.Kind == MeetingChange.Cancelled)
                .OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
        }
        if (meeting is null)
        {
            log.LogInformation("Meeting {Meeting} no longer exists: no activity to update", meetingId);
            return;
        }
        if (meeting.PdActivityId is not { } activityId)
        {
            // pipedrive.sync_meeting may be making it right now (it reads the meeting's times when it does): wait for it.
            if (await state.CreateAttemptedAsync(PipedriveSyncState.ActivityEntity, meetingId, ct))
                throw new InvalidOperationException($"the activity of meeting {meetingId} is being created; trying again after it");
            log.LogInformation("Meeting {Meeting} has no Pipedrive activity: nothing to update", meetingId);
            return;
        }

        JsonObject activity;
        try
        {
            activity = await pipedrive.GetAsync(PipedriveClient.Activities, activityId, ct);
        }
        catch (PipedriveGoneException)
        {
            log.LogInformation("Meeting {Meeting}: its activity {Activity} was deleted in Pipedrive; not updated", meetingId, activityId);
            return;
        }

        var wanted = Wanted(meeting, cancel);
        var changes = new JsonObject();
        foreach (var (field, value) in wanted)
            if (field == "note")
            {
                var note = PipedriveValues.Scalar(activity["note"]) ?? "";
                if (!note.Contains(value!.GetValue<string>(), StringComparison.Ordinal))
                    changes["note"] = note.Length == 0 ? value.DeepClone() : note + value.GetValue<string>();
            }
            else if (!Same(field, activity[field], value)) changes[field] = value?.DeepClone();
        if (changes.Count == 0) return;
        await pipedrive.UpdateAsync(PipedriveClient.Activities, activityId, changes, ct);
        log.LogInformation("Meeting {Meeting}: Pipedrive activity {Activity} updated ({Fields})", meetingId, activityId, string.Join(", ", changes.Select(c => c.Key)));
    }

    /// <summary>The activity's fields as Hermes's meeting says they should be.</summary>
    static JsonObject Wanted(Meeting meeting, MeetingChange? cancel)
    {
        var wanted = new JsonObject();
        if (meeting.StartTime is { } start)
        {
            wanted["due_date"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            wanted["due_time"] = start.ToString("HH:mm", CultureInfo.InvariantCulture);
            if (meeting.EndTime is { } end && end > start && end - start < TimeSpan.FromDays(1))
                wanted["duration"] = (end - start).ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        }
        if (meeting.Status == Meeting.StatusCanceled)
        {
            wanted["done"] = true;
            if (cancel is not null) wanted["note"] = CancelNote(cancel);
        }
        return wanted;
    }

    /// <summary>The note's line for a cancel, e.g. "Cancelled by the prospect on 2026-03-02 14:05 UTC: Something came up".</summary>
    public static string CancelNote(MeetingChange cancel)
    {
        var who = cancel.Actor == MeetingChange.ByProspect ? "the prospect" : cancel.Actor;
        var reason = string.IsNullOrWhiteSpace(cancel.Reason) ? " (no reason given)" : ": " + cancel.Reason.Trim();
        return $"<p>Cancelled by {Escape(who)} on {cancel.Created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC{Escape(reason)}</p>";
    }

    /// <summary>The note is HTML in Pipedrive: what a prospect typed must not become markup.</summary>
    static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    /// <summary>Pipedrive answers times as HH:MM:SS; "10:00" and "10:00:00" are the same.</summary>
    static bool Same(string field, JsonNode? current, JsonNode? wanted)
    {
        if (field == "done") return current is JsonValue c && c.TryGetValue<bool>(out var b) && wanted is JsonValue w && w.GetValue<bool>() == b;
        var have = PipedriveValues.Scalar(current);
        var want = wanted?.GetValue<string>();
        if (have is null || want is null) return have == want;
        return field is "due_time" or "duration" ? have.StartsWith(want, StringComparison.Ordinal) && have.Length is 5 or 8 : have == want;
    }
}

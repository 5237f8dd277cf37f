using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations;

namespace Hermes.CallBooker;

/// <summary>Who changes a meeting: the prospect through their manage link, or a member of staff in the admin UI.</summary>
public sealed record MeetingActor(string Name, bool Staff)
{
    public static readonly MeetingActor Prospect = new(MeetingChange.ByProspect, false);

    public static MeetingActor StaffMember(string name, string email) => new($"{name} <{email}>", true);
}

/// <summary>What a reschedule or cancel came to: 200, or the status and message to answer with.</summary>
public sealed record MeetingOutcome(int Status, string? Message)
{
    public static readonly MeetingOutcome Done = new(StatusCodes.Status200OK, null);
    public bool Ok => Status == StatusCodes.Status200OK;
    public IResult ToResult() => Ok ? Results.Json(ApiResults.Ok) : ApiResults.Error(Message!, Status);
    internal static MeetingOutcome Refused(string message) => new(StatusCodes.Status400BadRequest, message);
}

/// <summary>
/// Moves or cancels a booked call, for the prospect (manage link) and for staff (admin UI) alike. Like a booking, a move
/// runs under the admin's booking lock, checks Hermes's meetings and Google's free/busy, then changes Google first and
/// Hermes after, never holding a transaction across the call: if Google fails nothing changes. A move keeps the same
/// Google event (so its Meet link) and tells the guests; a cancel cancels the event and marks the meeting CANCELED. The
/// Pipedrive activity follows through a job (<c>pipedrive.update_meeting</c>).
/// Notice: a sales call can be moved to 2 hours from now at the earliest, as the sales booking allows; a support call
/// to 15 minutes from now, as the support booking allows (whether the original link was express is not recorded: the
/// booking does not carry the link), while the manage page, like the booker for a standard support link, offers 2 hours.
/// </summary>
public sealed class MeetingManagement(
    IDbContextFactory<HermesDb> dbs, AdminBookingLock locks, GoogleCalendarClient google, ManageLinks links, JobQueue queue,
    TimeProvider clock, HermesSettings settings, ILogger<MeetingManagement> log)
{
    public const string Cancelled = "This call was cancelled, so it can't be changed. Please book a new call.";
    public const string Started = "This call has already started, so it can't be changed.";
    public const string LockBusy = "Another booking with this admin is in progress; please try again in a moment.";

    public static TimeSpan Notice(string meetingType) =>
        meetingType == Meeting.TypeSupport ? CallBookerEndpoints.MinimumNotice : CallBookerEndpoints.SalesNotice;

    public static string NoEvent(Meeting meeting) =>
        $"This call was booked before it could be changed online. Please contact {meeting.Admin?.Name ?? "us"}{Email(meeting)} to reschedule or cancel it.";

    static string EventGone(Meeting meeting) =>
        $"This call's calendar event no longer exists, so it can't be changed online. Please contact {meeting.Admin?.Name ?? "us"}{Email(meeting)}.";

    static string Email(Meeting meeting) => meeting.Admin?.Username is { Length: > 0 } email ? $" ({email})" : "";

    static string TooSoon(string meetingType) => meetingType == Meeting.TypeSupport
        ? "Please choose a time at least 15 minutes from now."
        : "Please choose a time at least 2 hours from now.";

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Why the meeting can't be changed now (cancelled, started, no Google event), or null when it can.</summary>
    public string? WhyUnchangeable(Meeting meeting, MeetingActor actor)
    {
        if (meeting.Status == Meeting.StatusCanceled) return Cancelled;
        if (meeting.StartTime is not { } start || start <= Now) return meeting.StartTime is null ? NoEvent(meeting) : Started;
        if (meeting.GoogleEventId is null && !actor.Staff) return NoEvent(meeting);
        return null;
    }

    public async Task<MeetingOutcome> RescheduleAsync(int meetingId, DateTime newStart, MeetingActor actor, CancellationToken ct)
    {
        Meeting? seen;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            seen = await LoadAsync(db, meetingId, ct);
        if (seen is null) return new MeetingOutcome(StatusCodes.Status404NotFound, "Meeting not found");
        if (WhyUnchangeable(seen, actor) is { } why) return MeetingOutcome.Refused(why);
        // Without its Google event the invitation can't be moved, so nobody moves it here (staff can still cancel it).
        if (seen.GoogleEventId is null) return MeetingOutcome.Refused(NoEvent(seen));
        if (newStart == seen.StartTime) return MeetingOutcome.Done;
        if (newStart < Now + Notice(seen.MeetingType)) return MeetingOutcome.Refused(TooSoon(seen.MeetingType));

        IAsyncDisposable held;
        try { held = await locks.AcquireAsync(seen.AdminId, ct); }
        catch (AdminBusyLockTimeoutException) { return new MeetingOutcome(StatusCodes.Status503ServiceUnavailable, LockBusy); }
        await using (held)
        {
            Meeting meeting;
            DateTime newEnd;
            await using (var db = await dbs.CreateDbContextAsync(ct))
            {
                // Read again under the lock: another move or a cancel may have finished meanwhile.
                meeting = (await LoadAsync(db, meetingId, ct))!;
                if (WhyUnchangeable(meeting, actor) is { } again) return MeetingOutcome.Refused(again);
                if (newStart == meeting.StartTime) return MeetingOutcome.Done;
                newEnd = newStart + await DurationAsync(db, meeting, ct);
                if (await ContactHasMeetingAroundAsync(db, meeting, newStart, ct)) return Refused(meeting, BookingService.AlreadyBooked);
                if (await AdminHasOtherMeetingAsync(db, meeting, newStart, newEnd, ct)) return Refused(meeting, BookingService.AdminNotFree);
            }
            var (oldStart, oldEnd) = (meeting.StartTime!.Value, meeting.EndTime ?? meeting.StartTime!.Value);
            try
            {
                var busy = await google.FreeBusyAsync(meeting.Admin!.Username, newStart.AddHours(-1), newEnd.AddHours(1), ct);
                // The meeting's own event is busy where it is now; it does not stand in its own way.
                if (WithoutOwnTime(busy, oldStart, oldEnd).Any(b => BookingService.Overlaps(b.Start, b.End, newStart, newEnd)))
                    return Refused(meeting, BookingService.AdminNotFree);
                await google.MoveEventAsync(meeting.Admin.Username, meeting.GoogleEventId!, newStart, newEnd, Description(meeting, newStart), ct);
            }
            catch (GoogleEventGoneException e)
            {
                log.LogWarning(e, "Meeting {MeetingId}: its Google event {EventId} is gone; not moved", meeting.Id, meeting.GoogleEventId);
                return MeetingOutcome.Refused(EventGone(meeting));
            }
            catch (GoogleCalendarException e)
            {
                log.LogError(e, "Meeting {MeetingId}: moving its Google event failed; nothing was changed", meeting.Id);
                return new MeetingOutcome(StatusCodes.Status502BadGateway,
                    "The call could not be moved in the admin's Google Calendar, so nothing was changed. Please try again.");
            }

            try
            {
                await WriteAsync(meeting.Id, m => { m.StartTime = newStart; m.EndTime = newEnd; },
                    new MeetingChange { Kind = MeetingChange.Rescheduled, FromStart = oldStart, ToStart = newStart, Actor = actor.Name });
            }
            catch (Exception e)
            {
                log.LogError(e, "Meeting {MeetingId} was moved in Google but could not be saved; moving the event back", meeting.Id);
                try
                {
                    await google.MoveEventAsync(meeting.Admin.Username, meeting.GoogleEventId!, oldStart, oldEnd, Description(meeting, oldStart), CancellationToken.None);
                }
                catch (Exception back) when (back is GoogleCalendarException or GoogleEventGoneException)
                {
                    log.LogError(back, "Meeting {MeetingId}: Google event {EventId} is at {Start:o}, Hermes at {Old:o}; fix it by hand", meeting.Id, meeting.GoogleEventId, newStart, oldStart);
                }
                throw;
            }
            log.LogInformation("Meeting {MeetingId} moved from {From:o} to {To:o} by {Actor}", meeting.Id, oldStart, newStart, actor.Name);
            return MeetingOutcome.Done;
        }
    }

    public async Task<MeetingOutcome> CancelAsync(int meetingId, string? reason, MeetingActor actor, CancellationToken ct)
    {
        Meeting? seen;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            seen = await LoadAsync(db, meetingId, ct);
        if (seen is null) return new MeetingOutcome(StatusCodes.Status404NotFound, "Meeting not found");
        if (seen.Status == Meeting.StatusCanceled) return MeetingOutcome.Done; // a second cancel changes nothing
        if (WhyUnchangeable(seen, actor) is { } why) return MeetingOutcome.Refused(why);

        IAsyncDisposable held;
        try { held = await locks.AcquireAsync(seen.AdminId, ct); }
        catch (AdminBusyLockTimeoutException) { return new MeetingOutcome(StatusCodes.Status503ServiceUnavailable, LockBusy); }
        await using (held)
        {
            Meeting meeting;
            await using (var db = await dbs.CreateDbContextAsync(ct))
                meeting = (await LoadAsync(db, meetingId, ct))!;
            if (meeting.Status == Meeting.StatusCanceled) return MeetingOutcome.Done;
            if (WhyUnchangeable(meeting, actor) is { } again) return MeetingOutcome.Refused(again);
            if (meeting.GoogleEventId is { } eventId)
            {
                try
                {
                    await google.CancelEventAsync(meeting.Admin!.Username, eventId, ct);
                }
                catch (GoogleCalendarException e)
                {
                    log.LogError(e, "Meeting {MeetingId}: cancelling its Google event failed; nothing was changed", meeting.Id);
                    return new MeetingOutcome(StatusCodes.Status502BadGateway,
                        "The call could not be cancelled in the admin's Google Calendar, so nothing was changed. Please try again.");
                }
            }
            try
            {
                await WriteAsync(meeting.Id, m => m.Status = Meeting.StatusCanceled,
                    new MeetingChange { Kind = MeetingChange.Cancelled, FromStart = meeting.StartTime, Reason = reason, Actor = actor.Name });
            }
            catch (Exception e)
            {
                log.LogError(e, "Meeting {MeetingId}: its Google event {EventId} was cancelled but Hermes could not save it; the meeting is still PLANNED",
                    meeting.Id, meeting.GoogleEventId);
                throw;
            }
            log.LogInformation("Meeting {MeetingId} cancelled by {Actor}{NoEvent}", meeting.Id, actor.Name,
                meeting.GoogleEventId is null ? " (no Google event known: change the calendar by hand)" : "");
            return MeetingOutcome.Done;
        }
    }

    /// <summary>The invitation's text for the meeting at <paramref name="start"/>, with the manage link for that start.</summary>
    string Description(Meeting meeting, DateTime start) =>
        MeetingTemplates.Description(meeting.MeetingType, meeting.Contact!.Company!, meeting.Contact, settings, links.Url(meeting.Id, start));

    /// <summary>One transaction: the meeting, its history and the Pipedrive job.</summary>
    async Task WriteAsync(int meetingId, Action<Meeting> change, MeetingChange history)
    {
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var meeting = await db.Meetings.Include(m => m.Contact).FirstAsync(m => m.Id == meetingId);
        change(meeting);
        history.MeetingId = meetingId;
        history.Created = Now;
        db.MeetingChanges.Add(history);
        queue.Enqueue(db, new UpdateMeeting(meetingId, meeting.Contact!.CompanyId));
        await db.SaveChangesAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    MeetingOutcome Refused(Meeting meeting, string message)
    {
        log.LogInformation("Moving meeting {MeetingId} refused: {Reason}", meeting.Id, message);
        return MeetingOutcome.Refused(message);
    }

    static Task<Meeting?> LoadAsync(HermesDb db, int meetingId, CancellationToken ct) =>
        db.Meetings.AsNoTracking().Include(m => m.Admin).Include(m => m.Contact).ThenInclude(c => c!.Company)
            .FirstOrDefaultAsync(m => m.Id == meetingId, ct);

    /// <summary>The meeting keeps its own length; one without an end gets the configured length.</summary>
    async Task<TimeSpan> DurationAsync(HermesDb db, Meeting meeting, CancellationToken ct) =>
        meeting is { StartTime: { } s, EndTime: { } e } && e > s ? e - s : (await MeetingSettings.LoadAsync(db, log, ct)).Duration;

    /// <summary>The ±2 hours rule of a booking: another live meeting of the contact (any admin) starting within two hours.</summary>
    static Task<bool> ContactHasMeetingAroundAsync(HermesDb db, Meeting meeting, DateTime start, CancellationToken ct)
    {
        var (from, to) = (start - BookingService.DuplicateWindow, start + BookingService.DuplicateWindow);
        return db.Meetings.AnyAsync(m => m.ContactId == meeting.ContactId && m.Id != meeting.Id && m.Status != Meeting.StatusCanceled
                                         && m.StartTime >= from && m.StartTime <= to, ct);
    }

    static Task<bool> AdminHasOtherMeetingAsync(HermesDb db, Meeting meeting, DateTime start, DateTime end, CancellationToken ct) =>
        db.Meetings.AnyAsync(m => m.AdminId == meeting.AdminId && m.Id != meeting.Id && m.Status == Meeting.StatusPlanned
                                  && m.StartTime <= end && m.EndTime >= start, ct);

    /// <summary>Busy periods with the meeting's current time cut out (what is left either side stays busy).</summary>
    internal static IEnumerable<BusyPeriod> WithoutOwnTime(IEnumerable<BusyPeriod> busy, DateTime start, DateTime end)
    {
        foreach (var b in busy)
        {
            if (b.End <= start || b.Start >= end) { yield return b; continue; }
            if (b.Start < start) yield return b with { End = start };
            if (b.End > end) yield return b with { Start = end };
        }
    }
}

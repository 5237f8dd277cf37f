using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations;

namespace Hermes.CallBooker;

/// <summary>The call booker settings from the <c>config</c> row, or hermes_v2's defaults when there is none.</summary>
public sealed record MeetingSettings(int DurationMins, int BufferMins, TimeOnly MinStart, TimeOnly MaxEnd)
{
    public static readonly MeetingSettings Defaults = new(30, 15, new TimeOnly(10, 0), new TimeOnly(17, 30));

    public TimeSpan Duration => TimeSpan.FromMinutes(DurationMins);

    public static async Task<MeetingSettings> LoadAsync(HermesDb db, ILogger log, CancellationToken ct)
    {
        var config = await db.Configs.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        if (config is null) return Defaults;
        TimeOnly Time(string value, TimeOnly fallback, string column)
        {
            if (TimeOnly.TryParseExact(value.Trim(), ["H:mm", "HH:mm", "HH:mm:ss"], out var t)) return t;
            log.LogWarning("config.{Column} is {Value}, not HH:MM; using {Default}", column, value, fallback);
            return fallback;
        }
        return new MeetingSettings(
            config.MeetingDurMins > 0 ? config.MeetingDurMins : Defaults.DurationMins,
            Math.Max(0, config.MeetingBufferMins),
            Time(config.MeetingMinStart, Defaults.MinStart, "meeting_min_start"),
            Time(config.MeetingMaxEnd, Defaults.MaxEnd, "meeting_max_end"));
    }
}

/// <summary>
/// Books a sales or support call (behaviour.md §4.1) in three steps, none holding a database transaction across a
/// call to Google: prepare and check (the ±2 h rule), then — under the admin's booking lock — ask Google whether the
/// admin is free and create the calendar event (its text holds the meeting's manage link, so the meeting's id is taken
/// first), then write the company, contact, deal, meeting and Pipedrive jobs in one transaction. A refused or failed
/// booking writes nothing; if the write itself fails, the event is removed again. The answer's body is hermes_v2's;
/// the manage link travels in the <c>Hermes-Manage-Link</c> header.
/// </summary>
public sealed class BookingService(
    IDbContextFactory<HermesDb> dbs, BookingMatcher matcher, AdminBookingLock locks, GoogleCalendarClient google,
    JobQueue queue, ManageLinks manageLinks, TimeProvider clock, HermesSettings settings, ILogger<BookingService> log)
{
    public const string AlreadyBooked = "You already have a meeting booked around this time.";
    public const string AdminNotFree = "Admin is not free at this time.";
    public const string NoEmail = "Contact must have an email address to book a meeting.";
    public const string TooSoonSales = "Sales calls must be booked at least 2 hours ahead. Please choose a later time.";
    public const string TooSoon = "Calls must be booked at least 15 minutes ahead. Please choose a later time.";
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromHours(2);

    public async Task<IResult> BookAsync(BookingRequest request, CancellationToken ct)
    {
        var admin = request.Admin;
        var start = request.MeetingStart;
        // The visitor's choice of time: a sales call 2 hours ahead at least (the booker pages offer no sooner), any call 15 minutes.
        var sales = request.MeetingType == Meeting.TypeSales;
        if (start < clock.GetUtcNow().UtcDateTime + (sales ? CallBookerEndpoints.SalesNotice : CallBookerEndpoints.MinimumNotice))
            return Refused(request, sales ? TooSoonSales : TooSoon);
        MeetingSettings meeting;
        BookingPlan preview;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            meeting = await MeetingSettings.LoadAsync(db, log, ct);
            preview = await matcher.ResolveAsync(db, request, ct);
            if (!preview.NewContact && await HasMeetingAroundAsync(db, preview.Contact.Id, start, ct))
                return Refused(request, AlreadyBooked);
        }
        var end = start + meeting.Duration;
        if (string.IsNullOrEmpty(preview.Contact.Email)) return Refused(request, NoEmail);

        IAsyncDisposable held;
        try
        {
            held = await locks.AcquireAsync(admin.Id, ct);
        }
        catch (AdminBusyLockTimeoutException)
        {
            return ApiResults.Error("Another booking with this admin is in progress; please try again in a moment.", StatusCodes.Status503ServiceUnavailable);
        }
        await using (held)
        {
            await using (var db = await dbs.CreateDbContextAsync(ct))
                if (await AdminHasMeetingAsync(db, admin.Id, start, end, ct))
                    return Refused(request, AdminNotFree);

            // The invitation carries the meeting's manage link, so its id is taken now (MeetingIds).
            int meetingId;
            await using (var db = await dbs.CreateDbContextAsync(ct))
                meetingId = await MeetingIds.ReserveAsync(db, ct);
            var manageUrl = manageLinks.Url(meetingId, start);
            CalendarEvent calendarEvent;
            try
            {
                // Ask a little either side: a busy period that only touches the slot also makes the admin unavailable.
                var busy = await google.FreeBusyAsync(admin.Email, start.AddHours(-1), end.AddHours(1), ct);
                if (busy.Any(b => Overlaps(b.Start, b.End, start, end)))
                    return Refused(request, AdminNotFree);
                calendarEvent = await google.CreateEventAsync(new CalendarEventRequest(
                    admin.Email, preview.Contact.Email!, MeetingTemplates.Summary(request.MeetingType, admin),
                    MeetingTemplates.Description(request.MeetingType, preview.Company, preview.Contact, settings, manageUrl), start, end), ct);
            }
            catch (GoogleCalendarException e)
            {
                log.LogError(e, "Booking with admin {AdminId} at {Start:o} failed at Google; nothing was kept", admin.Id, start);
                return ApiResults.Error("The meeting could not be added to the admin's Google Calendar, so it was not booked. Please try again.",
                    StatusCodes.Status502BadGateway);
            }

            // The event exists now: finish even if the caller has gone away.
            string? conflict;
            try
            {
                conflict = await WriteAsync(request, start, end, meetingId, calendarEvent.Id, CancellationToken.None);
            }
            catch
            {
                await google.DeleteEventAsync(admin.Email, calendarEvent.Id, CancellationToken.None);
                throw;
            }
            if (conflict is not null)
            {
                await google.DeleteEventAsync(admin.Email, calendarEvent.Id, CancellationToken.None);
                return Refused(request, conflict);
            }
            log.LogInformation("Booked {Type} meeting {MeetingId} with admin {AdminId} at {Start:o} (Google event {EventId}, Meet {MeetLink})",
                request.MeetingType, meetingId, admin.Id, start, calendarEvent.Id, calendarEvent.MeetLink);
            return new WithHeader(Results.Json(ApiResults.Ok), ManageEndpoints.ManageLinkHeader, manageUrl);
        }
    }

    /// <summary>One transaction: the rows, the meeting and the Pipedrive jobs, all or nothing.</summary>
    async Task<string?> WriteAsync(BookingRequest request, DateTime start, DateTime end, int meetingId, string eventId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var plan = await matcher.ResolveAsync(db, request, ct);
        // Checked again: a booking that reached this point through another path (another admin's lock) may have won.
        if (!plan.NewContact && await HasMeetingAroundAsync(db, plan.Contact.Id, start, ct)) return AlreadyBooked;
        if (await AdminHasMeetingAsync(db, request.Admin.Id, start, end, ct)) return AdminNotFree;

        var meeting = new Meeting
        {
            Id = meetingId,
            GoogleEventId = eventId,
            Created = clock.GetUtcNow().UtcDateTime,
            StartTime = start,
            EndTime = end,
            Status = Meeting.StatusPlanned,
            MeetingType = request.MeetingType,
            AdminId = request.Admin.Id,
            Contact = plan.Contact,
            Deal = plan.Deal,
        };
        db.Meetings.Add(meeting);
        var newCompany = plan.NewCompany; // logged here, once, rather than by the preview that runs the same matching
        await db.SaveChangesAsync(ct);
        if (newCompany) log.LogInformation("Booking: new company {CompanyId} {CompanyName}", plan.Company.Id, plan.Company.Name);

        if (request.MeetingType == Meeting.TypeSales) queue.Enqueue(db, new SyncCompany(plan.Company.Id));
        // Support: the meeting's handler brings the organization and person into Pipedrive (no deal), then the activity.
        queue.Enqueue(db, new SyncMeeting(meeting.Id, plan.Company.Id));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    IResult Refused(BookingRequest request, string message)
    {
        log.LogInformation("Booking refused for {Email} with admin {AdminId} at {Start:o}: {Reason}",
            request.Email, request.Admin.Id, request.MeetingStart, message);
        return ApiResults.Error(message);
    }

    /// <summary>The ±2 hours rule: any meeting of the contact (any type, any admin, not cancelled) starting within two hours, bounds included.</summary>
    static Task<bool> HasMeetingAroundAsync(HermesDb db, int contactId, DateTime start, CancellationToken ct)
    {
        var from = start - DuplicateWindow;
        var to = start + DuplicateWindow;
        return db.Meetings.AnyAsync(m => m.ContactId == contactId && m.Status != Meeting.StatusCanceled && m.StartTime >= from && m.StartTime <= to, ct);
    }

    /// <summary>A planned meeting of the admin that overlaps or touches the slot (the same rule as Google's busy periods).</summary>
    static Task<bool> AdminHasMeetingAsync(HermesDb db, int adminId, DateTime start, DateTime end, CancellationToken ct) =>
        db.Meetings.AnyAsync(m => m.AdminId == adminId && m.Status == Meeting.StatusPlanned
                                  && m.StartTime <= end && m.EndTime >= start, ct);

    /// <summary>Inclusive overlap: a busy period that ends exactly when the slot starts (or starts when it ends) counts.</summary>
    public static bool Overlaps(DateTime busyStart, DateTime busyEnd, DateTime start, DateTime end) => busyStart <= end && start <= busyEnd;
}

using System.Globalization;
using System.Security.Claims;
using Hermes.CallBooker;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Meetings;

/// <summary>
/// One meeting: its status and history (booked, each move from → to, the cancel with its reason), the prospect's manage
/// link, and staff's own Reschedule and Cancel, which go through the same <see cref="MeetingManagement"/> as the prospect's.
/// </summary>
public class DetailModel(HermesDb db, MeetingManagement management, ManageLinks links, ILogger<DetailModel> log) : PageModel
{
    public Meeting Meeting { get; private set; } = null!;
    public List<MeetingChange> Changes { get; private set; } = [];
    public string? ManageUrl { get; private set; }
    public string? Unchangeable { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The new start, as UTC wall-clock time (the form's datetime-local).</summary>
    [BindProperty] public DateTime? NewStart { get; set; }
    [BindProperty] public string? Reason { get; set; }

    /// <summary>When it was booked for: the start before the first move, else the start now.</summary>
    public DateTime? BookedFor => Changes.FirstOrDefault(c => c.Kind == MeetingChange.Rescheduled)?.FromStart ?? Meeting.StartTime;

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRescheduleAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (NewStart is not { } start) return Refused("Choose the new start (UTC).");
        var outcome = await management.RescheduleAsync(id, DateTime.SpecifyKind(start, DateTimeKind.Utc), Actor(), ct);
        if (!outcome.Ok) return Refused(outcome.Message!);
        log.LogInformation("Meeting {MeetingId} moved to {Start:o} from the admin UI by {Admin}", id, start, User.Identity?.Name);
        TempData["Flash"] = $"Moved to {start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC. Google has told the guests; Pipedrive follows shortly.";
        return Redirect($"/meeting/{id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id)) return NotFound();
        var reason = string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim();
        if (reason?.Length > 1000) return Refused("The reason can be at most 1000 characters.");
        var outcome = await management.CancelAsync(id, reason, Actor(), ct);
        if (!outcome.Ok) return Refused(outcome.Message!);
        TempData["Flash"] = Meeting.GoogleEventId is null
            ? "Cancelled in Hermes; Pipedrive follows shortly. Hermes has no Google event for this meeting: remove it from the calendar by hand."
            : "Cancelled. Google has told the guests; Pipedrive follows shortly.";
        return Redirect($"/meeting/{id}");
    }

    IActionResult Refused(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    MeetingActor Actor() => MeetingActor.StaffMember(User.FindFirstValue(ClaimTypes.GivenName) ?? "staff", User.Identity?.Name ?? "");

    async Task<bool> LoadAsync(int id)
    {
        var meeting = await db.Meetings.AsNoTracking().Include(m => m.Admin).Include(m => m.Contact).ThenInclude(c => c!.Company)
            .Include(m => m.Deal).FirstOrDefaultAsync(m => m.Id == id);
        if (meeting is null) return false;
        Meeting = meeting;
        Changes = await db.MeetingChanges.AsNoTracking().Where(c => c.MeetingId == id).OrderBy(c => c.Id).ToListAsync();
        Unchangeable = meeting.Status == Meeting.StatusCanceled
            ? "This meeting was cancelled; there is nothing more to change."
            : management.WhyUnchangeable(meeting, MeetingActor.StaffMember("", ""));
        // The prospect's link, for staff to send on (a meeting without a Google event gets a page saying to contact the admin).
        ManageUrl = meeting.Status == Meeting.StatusPlanned && meeting.StartTime is { } s ? links.Url(meeting.Id, s) : null;
        return true;
    }

    public static string Who(MeetingChange change) => change.Actor == MeetingChange.ByProspect ? "the prospect (manage link)" : change.Actor;

    /// <summary>A UTC time also in the admin's own zone, e.g. "2026-03-02 10:00 UTC (10:00 Europe/London)".</summary>
    public string Both(DateTime? utc)
    {
        if (utc is not { } t) return "—";
        var text = t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        return Meeting.Admin?.Timezone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var tz)
            ? $"{text} ({TimeZoneInfo.ConvertTimeFromUtc(t, tz).ToString("ddd HH:mm", CultureInfo.InvariantCulture)} {zone})"
            : text;
    }
}

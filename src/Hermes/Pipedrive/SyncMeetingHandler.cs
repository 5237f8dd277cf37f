using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive.sync_meeting</c>: the Activity for a booked meeting, made once (<c>meeting.pd_activity_id</c>). A sales
/// meeting brings its organization, person and deal into Pipedrive first if they aren't there yet. A support meeting
/// brings its organization and person (created when Pipedrive has none, updated when Pipedrive's copy differs) and never
/// a deal (the checklist's "Support call booked → In Pipedrive"); an organization or person deleted there stays deleted.
/// </summary>
public sealed class SyncMeetingHandler(
    IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, PipedriveCompanySync companySync, PipedriveSyncState state,
    ILogger<SyncMeetingHandler> log) : JobHandler<SyncMeeting>
{
    protected override Task RunAsync(SyncMeeting job, CancellationToken ct) => SyncAsync(job.MeetingId, ct);

    async Task SyncAsync(int meetingId, CancellationToken ct)
    {
        Meeting? meeting;
        Company? company;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            meeting = await db.Meetings.AsNoTracking().Include(m => m.Admin).Include(m => m.Contact).Include(m => m.Deal)
                .FirstOrDefaultAsync(m => m.Id == meetingId, ct);
            company = meeting?.Contact is { } c ? await db.Companies.AsNoTracking().FirstOrDefaultAsync(x => x.Id == c.CompanyId, ct) : null;
        }
        if (meeting is null || company is null)
        {
            log.LogInformation("Meeting {Meeting} no longer exists: no activity", meetingId);
            return;
        }
        if (meeting.PdActivityId is not null) return;
        if (meeting.Status == Meeting.StatusCanceled)
        {
            log.LogInformation("Meeting {Meeting} was cancelled before its activity was made: no activity", meetingId);
            return;
        }
        var sales = meeting.MeetingType == Meeting.TypeSales;

        // The organization, person (and deal) the activity hangs on; synced first when any is missing.
        int? orgId = company.PdOrgId, personId = meeting.Contact!.PdPersonId, dealId = sales ? meeting.Deal?.PdDealId : null;
        var needDeal = sales && meeting.Deal is { Status: Deal.StatusOpen } && dealId is null;
        // A sales booking's company sync ran just before this job. A support booking has none: its organization and the
        // caller's person are brought up to date here (created, or updated where Pipedrive's copy differs), no deal.
        if (orgId is null || personId is null || needDeal || !sales)
        {
            var result = await companySync.SyncAsync(company.Id,
                sales ? PipedriveCompanySync.Scope.Everything : PipedriveCompanySync.Scope.OrganizationAndPersons, ct,
                onlyContactId: sales ? null : meeting.ContactId);
            orgId = result?.OrgId;
            personId = result is not null && result.PersonIds.TryGetValue(meeting.ContactId, out var p) ? p : null;
            if (sales && meeting.DealId is { } hermesDeal && result is not null && result.DealIds.TryGetValue(hermesDeal, out var d)) dealId = d;
        }
        else if (await state.DeletedAsync(PipedriveObject.Organization, orgId.Value, ct) is not null)
            orgId = null;
        if (orgId is null || personId is null)
        {
            log.LogInformation("Meeting {Meeting}: company {Company} or its contact is not in Pipedrive (deleted there?): no activity", meetingId, company.Id);
            return;
        }

        var start = meeting.StartTime ?? meeting.Created;
        var body = new JsonObject
        {
            ["subject"] = sales ? $"TutorCruncher demo with {meeting.Admin!.Name}" : $"TutorCruncher support meeting with {meeting.Admin!.Name}",
            ["type"] = "meeting",
            ["due_date"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["due_time"] = start.ToString("HH:mm", CultureInfo.InvariantCulture),
        };
        if (meeting.EndTime is { } end && end > start && end - start < TimeSpan.FromDays(1))
            body["duration"] = (end - start).ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        if (meeting.Admin.PdOwnerId is { } owner) body["owner_id"] = owner;
        if (dealId is not null) body["deal_id"] = dealId;
        body["org_id"] = orgId;
        body["participants"] = new JsonArray(new JsonObject { ["person_id"] = personId, ["primary"] = true });

        int? activityId = null;
        if (await state.CreateAttemptedAsync(PipedriveSyncState.ActivityEntity, meeting.Id, ct))
        {
            // An earlier run may have made it without hearing back: the same subject at the same time on this person.
            var existing = await pipedrive.ListAsync(PipedriveClient.Activities, new Dictionary<string, string>
            {
                ["person_id"] = personId.Value.ToString(CultureInfo.InvariantCulture),
            }, ct);
            activityId = existing.Where(a => PipedriveValues.Scalar(a["subject"]) == body["subject"]!.GetValue<string>()
                                             && PipedriveValues.Scalar(a["due_date"]) == body["due_date"]!.GetValue<string>()
                                             && PipedriveValues.Scalar(a["due_time"])?.StartsWith(body["due_time"]!.GetValue<string>(), StringComparison.Ordinal) == true)
                .Select(a => a["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? (int?)id : null).FirstOrDefault(id => id is not null);
        }
        if (activityId is null)
        {
            await state.MarkCreateAttemptAsync(PipedriveSyncState.ActivityEntity, meeting.Id, ct);
            var created = await pipedrive.CreateAsync(PipedriveClient.Activities, body, ct);
            activityId = created["id"] is JsonValue v && v.TryGetValue<long>(out var id) ? (int)id : throw new PipedriveEmptyResponseException("POST", "activities", 200);
            log.LogInformation("Meeting {Meeting}: Pipedrive activity {Activity} created", meeting.Id, activityId);
        }
        await state.LinkAsync(PipedriveSyncState.ActivityEntity, meeting.Id, activityId.Value, ct);
        await state.ClearCreateAttemptAsync(PipedriveSyncState.ActivityEntity, meeting.Id, ct);
    }
}

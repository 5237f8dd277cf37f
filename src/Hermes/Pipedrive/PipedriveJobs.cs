using Hermes.Domain;
using Hermes.Jobs;

namespace Hermes.Pipedrive;

/// <summary>
/// The outbound Pipedrive work other features queue. All of a company's Pipedrive jobs share the ordering key
/// <c>company:{id}</c>, so they run one at a time in the order they were queued. Queue them in the same transaction as
/// the change that causes them, after the rows have ids (SaveChanges inside the transaction first).
/// </summary>
public static class PipedriveJobs
{
    /// <summary>Create, link or update the Organization, its Persons and the company's Deals (behaviour.md §6).</summary>
    public const string SyncCompany = "pipedrive.sync_company";
    /// <summary>The Activity for a meeting, once; for a support meeting also its organization and person (no deal).</summary>
    public const string SyncMeeting = "pipedrive.sync_meeting";
    /// <summary>Bring a meeting's Activity in line after a move (due date/time) or a cancel (done, with the reason in its note).</summary>
    public const string UpdateMeeting = "pipedrive.update_meeting";
    /// <summary>Delete a narc company's deal, persons and organization from Pipedrive.</summary>
    public const string PurgeCompany = "pipedrive.purge_company";
    /// <summary>Write the surviving row's clean <c>hermes_id</c> back after a merge.</summary>
    public const string WriteHermesId = "pipedrive.write_hermes_id";
    /// <summary>Clear the <c>hermes_id</c> of an object no Hermes row is linked to that names a row linked to another one (reconcile).</summary>
    public const string ClearHermesId = "pipedrive.clear_hermes_id";

    public sealed record CompanyJob(int CompanyId);
    public sealed record MeetingJob(int MeetingId, int CompanyId);
    public sealed record HermesIdJob(string ObjectType, int HermesId, int CompanyId);
    public sealed record ClearHermesIdJob(string ObjectType, int PdId, int HermesId, int CompanyId);

    public static string Key(int companyId) => $"company:{companyId}";

    public static Job EnqueueCompanySync(this JobQueue queue, HermesDb db, int companyId) =>
        queue.Enqueue(db, SyncCompany, new CompanyJob(companyId), Key(companyId));

    public static Job EnqueueMeetingSync(this JobQueue queue, HermesDb db, int meetingId, int companyId) =>
        queue.Enqueue(db, SyncMeeting, new MeetingJob(meetingId, companyId), Key(companyId));

    public static Job EnqueueMeetingUpdate(this JobQueue queue, HermesDb db, int meetingId, int companyId) =>
        queue.Enqueue(db, UpdateMeeting, new MeetingJob(meetingId, companyId), Key(companyId));

    public static Job EnqueuePurge(this JobQueue queue, HermesDb db, int companyId) =>
        queue.Enqueue(db, PurgeCompany, new CompanyJob(companyId), Key(companyId));
}

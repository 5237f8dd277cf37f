using Hermes.Jobs;

namespace Hermes.Pipedrive;

/// <summary>
/// The outbound Pipedrive work. All of a company's Pipedrive (and TC2) jobs share the ordering key
/// <c>company:{id}</c>, so they run one at a time in the order they were queued. Queue them in the same transaction as
/// the change that causes them, after the rows have ids (SaveChanges inside the transaction first).
/// </summary>
public static class PipedriveJobs
{
    public static string Key(int companyId) => $"company:{companyId}";
}

/// <summary>Create, link or update the Organization, its Persons and the company's Deals (behaviour.md §6).</summary>
public sealed record SyncCompany(int CompanyId) : IJob<SyncCompany>
{
    public static string Kind => "pipedrive.sync_company";
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>The Activity for a meeting, once; for a support meeting also its organization and person (no deal).</summary>
public sealed record SyncMeeting(int MeetingId, int CompanyId) : IJob<SyncMeeting>
{
    public static string Kind => "pipedrive.sync_meeting";
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>Bring a meeting's Activity in line after a move (due date/time) or a cancel (done, with the reason in its note).</summary>
public sealed record UpdateMeeting(int MeetingId, int CompanyId) : IJob<UpdateMeeting>
{
    public static string Kind => "pipedrive.update_meeting";
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>
/// Delete a narc company's deals, persons and organization from Pipedrive. TC2's event has already removed the contacts
/// and deals from Hermes, so the job carries their Pipedrive ids.
/// </summary>
public sealed record PurgeCompany(int CompanyId, int? OrgId, IReadOnlyList<int> PersonIds, IReadOnlyList<int> DealIds) : IJob<PurgeCompany>
{
    public static string Kind => "pipedrive.purge_company";
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>Write the surviving row's clean <c>hermes_id</c> back after a merge or a match (ObjectType: Company, Contact or Deal).</summary>
public sealed record WriteHermesId(string ObjectType, int HermesId, int CompanyId) : IJob<WriteHermesId>
{
    public static string Kind => "pipedrive.write_hermes_id";
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>Clear the <c>hermes_id</c> of an object no Hermes row is linked to that names a row linked to another one (reconcile).</summary>
public sealed record ClearHermesId(string ObjectType, int PdId, int HermesId, int CompanyId) : IJob<ClearHermesId>
{
    public static string Kind => "pipedrive.clear_hermes_id";
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>
/// Fetch an organization a stored webhook named that Hermes doesn't have, then replay that webhook. Keyed by the
/// organization, so the webhooks waiting for one organization are replayed in order.
/// </summary>
public sealed record FetchOrganization(int OrgId, long WebhookId) : IJob<FetchOrganization>
{
    public static string Kind => "pipedrive.fetch_organization";
    public string? OrderingKey() => $"pdorg:{OrgId}";
}

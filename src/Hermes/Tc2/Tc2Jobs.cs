using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Pipedrive;

namespace Hermes.Tc2;

/// <summary>The outbound TC2 work: keyed like the Pipedrive jobs so a company's updates stay in order.</summary>
public static class Tc2Jobs
{
    /// <summary>Push Pipedrive-side facts (org URL, open deal's stage and pipeline, custom fields, admins) to the TC2 client (behaviour.md §5).</summary>
    public const string UpdateClient = "tc2.update_client";
    /// <summary>Re-read a client from TC2 after an Invoice event and process it as a client event.</summary>
    public const string RefreshClient = "tc2.refresh_client";

    public sealed record CompanyJob(int CompanyId);
    public sealed record ClientJob(int Tc2CligencyId);

    public static Job EnqueueTc2Update(this JobQueue queue, HermesDb db, int companyId) =>
        queue.Enqueue(db, UpdateClient, new CompanyJob(companyId), PipedriveJobs.Key(companyId));
}

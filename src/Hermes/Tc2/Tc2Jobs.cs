using Hermes.Jobs;
using Hermes.Pipedrive;

namespace Hermes.Tc2;

/// <summary>Push Pipedrive-side facts (org URL, open deal's stage and pipeline, custom fields, admins) to the TC2 client (behaviour.md §5).</summary>
public sealed record UpdateTc2Client(int CompanyId) : IJob<UpdateTc2Client>
{
    public static string Kind => "tc2.update_client";
    /// <summary>Keyed like the Pipedrive jobs, so a company's updates stay in order.</summary>
    public string? OrderingKey() => PipedriveJobs.Key(CompanyId);
}

/// <summary>Re-read a client from TC2 after an Invoice event and process it as a client event.</summary>
public sealed record RefreshTc2Client(int Tc2CligencyId) : IJob<RefreshTc2Client>
{
    public static string Kind => "tc2.refresh_client";
    public string? OrderingKey() => Key(Tc2CligencyId);
    public static string Key(int cligencyId) => $"tc2_client:{cligencyId}";
}

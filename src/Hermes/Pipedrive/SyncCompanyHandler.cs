using Hermes.Jobs;

namespace Hermes.Pipedrive;

/// <summary><c>pipedrive.sync_company</c>: the Organization, its Persons and the company's Deals (behaviour.md §6).</summary>
public sealed class SyncCompanyHandler(PipedriveCompanySync sync) : JobHandler<SyncCompany>
{
    protected override Task RunAsync(SyncCompany job, CancellationToken ct) =>
        sync.SyncAsync(job.CompanyId, PipedriveCompanySync.Scope.Everything, ct);
}

using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Infrastructure;

/// <summary>
/// What the Pipedrive webhook and sync test bases share: one Hermes per test, the Pipedrive ids of the hermes_id
/// custom fields, and the helpers that save rows and read rows and queued jobs back. Each base starts Hermes its own way.
/// </summary>
public abstract class HermesTest : IAsyncLifetime
{
    public const string OrgHermesId = "7f8959760703808f36b3795c15310566b74f5134";
    public const string PersonHermesId = "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d";
    public const string DealHermesId = "5be1188db52a8c7f0ea49331eb391ae54aeabafc";

    protected HermesInstance Hermes = null!;

    public abstract Task InitializeAsync();

    public virtual async Task DisposeAsync() => await Hermes.DisposeAsync();

    protected DateTime Now => Hermes.Clock.GetUtcNow().UtcDateTime;

    /// <summary>The hermes_id custom field of Company, Contact and Deal, mapped to its Pipedrive field.</summary>
    public static IEnumerable<CustomField> HermesIdFields() =>
        new[] { ("Company", OrgHermesId), ("Contact", PersonHermesId), ("Deal", DealHermesId) }.Select(f => new CustomField
        {
            Name = "Hermes ID", MachineName = "hermes_id", FieldType = CustomField.TypeFk, HermesFieldName = "id",
            Tc2MachineName = "hermes_id", PdFieldId = f.Item2, LinkedObjectType = f.Item1,
        });

    protected Task<T> Save<T>(T entity) where T : class => Hermes.Add(entity);

    protected async Task<List<T>> All<T>(Func<HermesDb, IQueryable<T>> query)
    {
        await using var db = Hermes.Db();
        return await query(db).ToListAsync();
    }

    /// <summary>Pending jobs as (kind, payload, ordering key), oldest first.</summary>
    protected async Task<List<(string Kind, string Payload, string? Key)>> PendingJobs()
    {
        await using var db = Hermes.Db();
        return (await db.Jobs.Where(j => j.Status == Job.Pending).OrderBy(j => j.Id).ToListAsync()).Select(j => (j.Kind, j.Payload, j.OrderingKey)).ToList();
    }
}

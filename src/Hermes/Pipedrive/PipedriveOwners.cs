using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// Which Hermes admin a Pipedrive user (an owner) is, and which admin ids exist: read by every organization and deal
/// event, so kept in memory and dropped when staff edit an admin (<see cref="StaffTables"/>).
/// </summary>
public sealed class PipedriveOwners
{
    readonly Dictionary<int, int> _adminByOwner;
    readonly HashSet<int> _admins;

    PipedriveOwners(List<(int Id, int? PdOwnerId)> admins)
    {
        _admins = admins.Select(a => a.Id).ToHashSet();
        // Two admins given one Pipedrive user: the first made keeps it.
        _adminByOwner = admins.Where(a => a.PdOwnerId is not null).GroupBy(a => a.PdOwnerId!.Value).ToDictionary(g => g.Key, g => g.Min(a => a.Id));
    }

    public static Task<PipedriveOwners> LoadAsync(HermesDb db, CancellationToken ct) =>
        StaffTables.GetAsync<Admin, PipedriveOwners>(db, async () =>
            new((await db.Admins.AsNoTracking().Select(a => new { a.Id, a.PdOwnerId }).ToListAsync(ct)).Select(a => (a.Id, a.PdOwnerId)).ToList()));

    /// <summary>The id of the admin who is this Pipedrive user, if any.</summary>
    public int? AdminFor(int? ownerId) => ownerId is { } id && _adminByOwner.TryGetValue(id, out var admin) ? admin : null;

    public bool IsAdmin(int adminId) => _admins.Contains(adminId);
}

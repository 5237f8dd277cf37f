using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.CustomFields;

/// <summary>
/// The <c>customfield</c> table as one snapshot, kept in memory and dropped when staff edit a field
/// (<see cref="Domain.StaffTables"/>), so an edit in the admin UI applies to the next event without a restart (hermes_v2
/// rebuilt its schemas only at start-up).
/// </summary>
public sealed class CustomFieldMap
{
    public const string HermesIdField = "id";
    readonly ILookup<string, CustomField> _byObject;

    public CustomFieldMap(IEnumerable<CustomField> fields)
    {
        All = fields.OrderBy(f => f.Id).ToList();
        _byObject = All.ToLookup(f => f.LinkedObjectType, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<CustomField> All { get; }

    /// <summary>The current map: from memory (<see cref="Domain.StaffTables"/>), read again after an edit.</summary>
    public static Task<CustomFieldMap> LoadAsync(HermesDb db, CancellationToken ct) =>
        StaffTables.GetAsync<CustomField, CustomFieldMap>(db, async () => new(await db.CustomFields.AsNoTracking().ToListAsync(ct)));

    public IEnumerable<CustomField> For(string objectType) => _byObject[objectType];

    /// <summary>The field through which Hermes's primary key travels to Pipedrive (and comes back in webhooks).</summary>
    public CustomField? HermesId(string objectType) => For(objectType).FirstOrDefault(f => f.HermesFieldName == HermesIdField);

    /// <summary>
    /// A Deal field that takes its value from the Company field of the same machine name (behaviour.md §7): Pipedrive
    /// shows company facts on the deal, but the company owns them.
    /// </summary>
    public CustomField? InheritedFrom(CustomField dealField) =>
        dealField.LinkedObjectType == "Deal" && dealField.HermesFieldName is null && dealField.MachineName is { Length: > 0 } name
            ? For("Company").FirstOrDefault(c => c.MachineName == name)
            : null;
}

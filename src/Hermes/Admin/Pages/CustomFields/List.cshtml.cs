using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.CustomFields;

public class ListModel(HermesDb db) : ListPageModel
{
    static readonly SortMap<CustomField> Sorts = new SortMap<CustomField>("object")
        .Add("id", f => f.Id).Add("machine", f => f.MachineName).Add("name", f => f.Name).Add("type", f => f.FieldType)
        .Add("hermes", f => f.HermesFieldName).Add("tc2", f => f.Tc2MachineName).Add("pd", f => f.PdFieldId)
        .Add("object", f => f.LinkedObjectType + " " + f.MachineName)
        .ThenBy(x => x.Id);

    public Paged<CustomField> Fields { get; private set; } = null!;
    public Dictionary<int, Tally> ValueCounts { get; } = [];
    public string? ObjectType { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var list = ReadList();
        ObjectType = CustomFieldRules.ObjectTypes.FirstOrDefault(t => t == Request.Query["object"].FirstOrDefault());
        Filters["object"] = ObjectType;
        var query = db.CustomFields.AsQueryable();
        if (ObjectType is not null) query = query.Where(f => f.LinkedObjectType == ObjectType);
        if (list.Search is { } s)
        {
            var like = Listing.Like(s);
            query = query.Where(f => f.Name.ToLower().Contains(like) || (f.MachineName ?? "").ToLower().Contains(like) ||
                                     (f.PdFieldId ?? "").ToLower().Contains(like) || (f.Tc2MachineName ?? "").ToLower().Contains(like) ||
                                     (f.HermesFieldName ?? "").ToLower().Contains(like));
        }
        Fields = await query.PageAsync(Sorts, list, f => f.Id, null, ct: ct);
        foreach (var field in Fields.Items)
            ValueCounts[field.Id] = await Tally.CountAsync(db.CustomFieldValues.Where(v => v.CustomFieldId == field.Id), null, ct);
    }
}

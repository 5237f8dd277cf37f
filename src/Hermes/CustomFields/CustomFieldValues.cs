using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.CustomFields;

/// <summary>Reads and writes custom field values wherever they live: a column (<c>hermes_field_name</c>) or a <c>customfieldvalue</c> row.</summary>
public static class CustomFieldValues
{
    public static async Task<object?> GetAsync(HermesDb db, CustomFieldMap map, CustomField field, object entity, HermesSettings settings, CancellationToken ct)
    {
        if (map.InheritedFrom(field) is { } companyField && entity is Deal deal)
        {
            var company = deal.Company ?? await db.Companies.FindAsync([deal.CompanyId], ct);
            return company is null ? null : await GetAsync(db, map, companyField, company, settings, ct);
        }
        if (field.HermesFieldName is { Length: > 0 } column)
            return FieldAccess.Get(entity, column, settings);
        var row = await Query(db, field, entity).FirstOrDefaultAsync(ct);
        return row?.Value;
    }

    /// <summary>Stores a value in the field's column or value row; a null value removes the row. False when it does not fit.</summary>
    public static async Task<bool> SetAsync(HermesDb db, CustomField field, object entity, object? value, CancellationToken ct)
    {
        if (field.HermesFieldName is { Length: > 0 } column)
            return FieldAccess.Set(entity, column, value);
        var row = await Query(db, field, entity).OrderBy(v => v.Id).FirstOrDefaultAsync(ct);
        var text = value is null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        if (text is null)
        {
            if (row is not null) db.CustomFieldValues.Remove(row);
            return true;
        }
        if (row is null)
        {
            row = new CustomFieldValue { CustomFieldId = field.Id, Value = text };
            switch (entity)
            {
                case Company c: row.CompanyId = c.Id; break;
                case Contact c: row.ContactId = c.Id; break;
                case Deal d: row.DealId = d.Id; break;
                case Meeting m: row.MeetingId = m.Id; break;
            }
            db.CustomFieldValues.Add(row);
        }
        else row.Value = text;
        return true;
    }

    static IQueryable<CustomFieldValue> Query(HermesDb db, CustomField field, object entity) => entity switch
    {
        Company c => db.CustomFieldValues.Where(v => v.CustomFieldId == field.Id && v.CompanyId == c.Id),
        Contact c => db.CustomFieldValues.Where(v => v.CustomFieldId == field.Id && v.ContactId == c.Id),
        Deal d => db.CustomFieldValues.Where(v => v.CustomFieldId == field.Id && v.DealId == d.Id),
        Meeting m => db.CustomFieldValues.Where(v => v.CustomFieldId == field.Id && v.MeetingId == m.Id),
        _ => throw new ArgumentException($"custom fields do not apply to {entity.GetType().Name}"),
    };
}

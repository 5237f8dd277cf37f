using System.Globalization;
using System.Reflection;
using System.Text;
using Hermes.Configuration;
using Hermes.Domain;

namespace Hermes.CustomFields;

/// <summary>
/// Reads and writes a Company/Contact/Deal column by the snake_case name a custom field's <c>hermes_field_name</c>
/// gives (hermes_v2's column names), plus the few computed fields hermes_v2 exposed (<c>tc2_cligency_url</c>) and the
/// admin links by name (<c>sales_person</c> → <c>sales_person_id</c>).
/// </summary>
public static class FieldAccess
{
    static readonly Dictionary<(Type, string), PropertyInfo> Columns = BuildColumns();

    static Dictionary<(Type, string), PropertyInfo> BuildColumns()
    {
        var map = new Dictionary<(Type, string), PropertyInfo>();
        foreach (var type in new[] { typeof(Company), typeof(Contact), typeof(Deal), typeof(Meeting) })
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && IsScalar(p.PropertyType)))
            {
                map[(type, SnakeCase(p.Name))] = p;
                if (p.Name.EndsWith("Id", StringComparison.Ordinal) && p.Name.Length > 2)
                    map.TryAdd((type, SnakeCase(p.Name[..^2])), p); // sales_person → SalesPersonId
            }
        return map;
    }

    static bool IsScalar(Type t) => (Nullable.GetUnderlyingType(t) ?? t) is var u && (u.IsPrimitive || u == typeof(string) || u == typeof(DateTime));

    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    public static bool IsComputed(string field) => field == "tc2_cligency_url";

    /// <summary>The value of <paramref name="field"/> on <paramref name="entity"/>; null when it has none or the name is unknown.</summary>
    public static object? Get(object entity, string field, HermesSettings settings)
    {
        if (entity is Company c && field == "tc2_cligency_url")
            return c.Tc2CligencyId is { } id && settings.Tc2BaseUrl.Length > 0 ? $"{settings.Tc2BaseUrl}/clients/{id}/" : null;
        return Columns.TryGetValue((entity.GetType(), field), out var p) ? p.GetValue(entity) : null;
    }

    public static bool Exists(Type entityType, string field) =>
        (entityType == typeof(Company) && IsComputed(field)) || Columns.ContainsKey((entityType, field));

    public static Type? ColumnType(Type entityType, string field) =>
        Columns.TryGetValue((entityType, field), out var p) ? p.PropertyType : null;

    /// <summary>
    /// Sets a column from a loosely typed webhook value, converting to the column's type. False when the value does
    /// not fit (it is then left as it was) or the field is computed or unknown.
    /// </summary>
    public static bool Set(object entity, string field, object? value)
    {
        if (!Columns.TryGetValue((entity.GetType(), field), out var p) || field == "id") return false;
        var target = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        var nullable = !p.PropertyType.IsValueType || Nullable.GetUnderlyingType(p.PropertyType) is not null;
        if (value is null)
        {
            if (!nullable) return false;
            p.SetValue(entity, null);
            return true;
        }
        if (!TryConvert(value, target, out var converted)) return false;
        p.SetValue(entity, converted);
        return true;
    }

    public static bool TryConvert(object value, Type target, out object? converted)
    {
        converted = null;
        var text = Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim() ?? "";
        if (target == typeof(string)) { converted = text; return true; }
        if (target == typeof(int))
        {
            if (value is double d && d == Math.Floor(d)) { converted = (int)d; return true; }
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) { converted = i; return true; }
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f == Math.Floor(f)) { converted = (int)f; return true; }
            return false;
        }
        if (target == typeof(bool))
        {
            if (value is bool b) { converted = b; return true; }
            switch (text.ToLowerInvariant())
            {
                case "true" or "1" or "yes": converted = true; return true;
                case "false" or "0" or "no": converted = false; return true;
                default: return false;
            }
        }
        if (target == typeof(DateTime) && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
        {
            converted = DateTime.SpecifyKind(dt, DateTimeKind.Utc);
            return true;
        }
        return false;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.CustomFields;
using Hermes.Domain;

namespace Hermes.Pipedrive;

/// <summary>
/// The types of Pipedrive's custom fields (<c>GET /api/v2/{object}Fields</c>), read once per process and refreshed
/// every ten minutes: a value must be sent as the type the field has in Pipedrive (API v2 rejects a number for a text
/// field and a string for a numeric one), whatever type Hermes gives it (hermes_v3's production lesson: hermes_id and
/// paid_invoice_count are text fields there).
/// </summary>
public sealed class PipedriveFieldTypes(ILogger<PipedriveFieldTypes> log)
{
    static readonly TimeSpan Fresh = TimeSpan.FromMinutes(10);
    static readonly TimeSpan RetryUnavailable = TimeSpan.FromMinutes(1);
    readonly Dictionary<string, (IReadOnlyDictionary<string, string>? Types, DateTime Until)> _cache = new();
    readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Field key → Pipedrive type for organization, person or deal; null when Pipedrive would not say.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> ForAsync(PipedriveClient pipedrive, string objectName, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_cache.TryGetValue(objectName, out var cached) && cached.Until > DateTime.UtcNow) return cached.Types;
            try
            {
                var types = await pipedrive.FieldTypesAsync(objectName, ct);
                _cache[objectName] = (types, DateTime.UtcNow + Fresh);
                return types;
            }
            catch (PipedriveException e)
            {
                log.LogWarning("Pipedrive {Object} field types unavailable ({Status}); values are sent by Hermes's field types", objectName, (int)e.Status);
                _cache[objectName] = (null, DateTime.UtcNow + RetryUnavailable);
                return null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>Custom field values as Pipedrive API v2 takes them, and comparing them with what Pipedrive has.</summary>
public static class PipedriveValues
{
    static readonly HashSet<string> TextTypes = ["varchar", "text", "varchar_auto", "phone", "address", "varchar_options"];
    static readonly HashSet<string> NumberTypes = ["double", "monetary"];
    static readonly HashSet<string> IdTypes = ["enum", "user", "org", "people", "status"];

    /// <summary>
    /// The JSON Pipedrive gets for a field's value. Conventions kept from hermes_v2 so that existing Pipedrive data
    /// compares equal: an int field without a value is 0; an admin (fk) field holds the Hermes admin id; the
    /// questionnaire is its JSON text in Python's formatting; hermes_id is text unless Pipedrive says otherwise.
    /// </summary>
    public static JsonNode? ToPipedrive(object? value, CustomField field, string? pdType)
    {
        if (value is null && field.FieldType == CustomField.TypeInt) value = 0;
        if (value is null) return null;
        var type = pdType ?? (field.HermesFieldName == CustomFieldMap.HermesIdField ? "varchar" : field.FieldType switch
        {
            CustomField.TypeInt or CustomField.TypeFk => "double",
            _ => "varchar",
        });
        if (NumberTypes.Contains(type) || IdTypes.Contains(type))
        {
            if (TryNumber(value, out var number)) return IdTypes.Contains(type) ? JsonValue.Create((long)number) : JsonValue.Create(number);
            return null; // nothing numeric to send: clear rather than be refused
        }
        if (type == "date")
            return value is DateTime d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Text(value);
        return Text(value);
    }

    static string? Text(object value) => value switch
    {
        string s when LooksLikeJsonObject(s) => Hermes.Sandbox.PythonJson.Serialize(JsonNode.Parse(s)),
        string s => s,
        bool b => b ? "True" : "False",
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    static bool LooksLikeJsonObject(string s)
    {
        var t = s.TrimStart();
        if (!t.StartsWith('{')) return false;
        try { return JsonNode.Parse(s) is JsonObject; }
        catch (JsonException) { return false; }
    }

    static bool TryNumber(object value, out double number)
    {
        switch (value)
        {
            case int i: number = i; return true;
            case long l: number = l; return true;
            case double d: number = d; return true;
            case decimal m: number = (double)m; return true;
            case bool b: number = b ? 1 : 0; return true;
            default:
                return double.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
    }

    /// <summary>Equal as Pipedrive would show them: text "12" equals number 12, null equals empty, a monetary object compares by value.</summary>
    public static bool Same(JsonNode? desired, JsonNode? actual)
    {
        var a = Scalar(desired);
        var b = Scalar(actual);
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b)) return string.IsNullOrEmpty(a) && string.IsNullOrEmpty(b);
        if (double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) &&
            double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            return x == y;
        return a == b;
    }

    /// <summary>A value as text: strings as they are, numbers in invariant form, objects by their <c>value</c> (or <c>id</c>).</summary>
    public static string? Scalar(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => Scalar(o["value"] ?? o["id"]),
        JsonArray a => string.Join(",", a.Select(Scalar)),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            _ => null,
        },
        _ => null,
    };
}

using System.Text;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi;

/// <summary>What a <c>customfield</c> row may hold (behaviour.md §7).</summary>
public static class CustomFieldRules
{
    public static readonly string[] ObjectTypes = ["Company", "Contact", "Deal", "Meeting"];
    public static readonly string[] FieldTypes = [CustomField.TypeInt, CustomField.TypeStr, CustomField.TypeBool, CustomField.TypeFk];

    public static Type? EntityFor(string objectType) => objectType switch
    {
        "Company" => typeof(Company),
        "Contact" => typeof(Contact),
        "Deal" => typeof(Deal),
        "Meeting" => typeof(Meeting),
        _ => null,
    };

    /// <summary>The columns a field of this object type may live in: the table's columns (<c>id</c> included).</summary>
    public static IReadOnlyList<string> HermesColumns(HermesDb db, string objectType) =>
        EntityFor(objectType) is { } type && db.Model.FindEntityType(type) is { } entity
            ? entity.GetProperties().Select(p => p.GetColumnName()).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>hermes_v2 derived the machine name from the name: lower case, words joined by underscores.</summary>
    public static string MachineNameFrom(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        var text = sb.ToString();
        while (text.Contains("__", StringComparison.Ordinal)) text = text.Replace("__", "_", StringComparison.Ordinal);
        return text.Trim('_');
    }

    public static bool IsMachineName(string value) =>
        value.Length is > 0 and <= 255 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}

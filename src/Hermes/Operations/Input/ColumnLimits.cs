using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Operations.Input;

/// <summary>
/// The declared length of every <c>varchar(n)</c> column, read from the database itself once it is migrated, so an
/// adopted hermes_v2 database is described as it is (SQLite declares the same lengths without enforcing them).
/// </summary>
public sealed partial class ColumnLimits
{
    volatile Dictionary<(string Table, string Column), int> _limits = [];

    public int? MaxLength(string? table, string? column) =>
        table is not null && column is not null && _limits.TryGetValue((table, column), out var max) ? max : null;

    public int Count => _limits.Count;

    public async Task LoadAsync(HermesDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = db.IsPostgres
                ? "SELECT table_name, column_name, character_maximum_length::int FROM information_schema.columns " +
                  "WHERE table_schema = current_schema() AND character_maximum_length IS NOT NULL"
                : "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
            var limits = new Dictionary<(string, string), int>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                if (Length(reader) is { } max) limits[(reader.GetString(0), reader.GetString(1))] = max;
            _limits = limits;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static int? Length(DbDataReader reader)
    {
        if (reader.IsDBNull(2)) return null;
        if (reader.GetFieldType(2) == typeof(int)) return reader.GetInt32(2);
        return SqliteVarchar().Match(reader.GetString(2)) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^\s*(?:N?VARCHAR|CHARACTER VARYING|N?CHAR)\s*\(\s*(\d+)\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex SqliteVarchar();
}

using Npgsql;

namespace Hermes.Domain;

/// <summary>
/// Checks a hermes_v2 database before Hermes takes it over. The expected schema is the baseline migration itself,
/// built inside a transaction in a scratch schema and rolled back, so the check and the baseline can never disagree.
/// Compared: every table and column, the type family of each column, and the single-column unique constraints on the
/// id columns. Extra tables and columns (aerich's, later hermes_v2 additions) are allowed.
/// </summary>
public static class SchemaAdoption
{
    public static async Task<IReadOnlyList<string>> CompareAsync(NpgsqlConnection conn, string baselineSql, CancellationToken ct)
    {
        var live = await ReadAsync(conn, null, "current_schema()", ct);
        Schema expected;
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await using (var cmd = new NpgsqlCommand("CREATE SCHEMA hermes_expected; SET LOCAL search_path TO hermes_expected;", conn, tx))
                await cmd.ExecuteNonQueryAsync(ct);
            await using (var cmd = new NpgsqlCommand(baselineSql, conn, tx))
                await cmd.ExecuteNonQueryAsync(ct);
            expected = await ReadAsync(conn, tx, "'hermes_expected'", ct);
            await tx.RollbackAsync(ct);
        }

        var differences = new List<string>();
        foreach (var (table, columns) in expected.Columns.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!live.Columns.TryGetValue(table, out var liveColumns))
            {
                differences.Add($"table \"{table}\" is missing");
                continue;
            }
            foreach (var (column, type) in columns.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (!liveColumns.TryGetValue(column, out var liveType))
                    differences.Add($"column \"{table}\".\"{column}\" is missing (expected {type})");
                else if (Family(liveType) != Family(type))
                    differences.Add($"column \"{table}\".\"{column}\" is {liveType}, expected {type}");
            }
        }
        foreach (var unique in expected.Uniques.Order(StringComparer.Ordinal))
            if (!live.Uniques.Contains(unique) && live.Columns.ContainsKey(unique.Split('.')[0]))
                differences.Add($"column \"{unique.Replace(".", "\".\"")}\" has no unique constraint");
        return differences;
    }

    /// <summary>After adoption, make sure each id sequence continues after the rows already there (never moving it back).</summary>
    public static async Task ContinueSequencesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        foreach (var table in new[] { "admin", "company", "contact", "deal", "meeting", "pipeline", "stage", "config", "customfield", "customfieldvalue" })
        {
            string? sequence;
            await using (var cmd = new NpgsqlCommand($"SELECT pg_get_serial_sequence('\"{table}\"', 'id')", conn))
                sequence = await cmd.ExecuteScalarAsync(ct) as string;
            if (sequence is null) continue;
            long maxId;
            await using (var cmd = new NpgsqlCommand($"SELECT COALESCE(MAX(\"id\"), 0) FROM \"{table}\"", conn))
                maxId = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
            long issued;
            await using (var cmd = new NpgsqlCommand($"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}", conn))
                issued = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
            if (maxId <= issued) continue;
            await using (var cmd = new NpgsqlCommand("SELECT setval(@seq::regclass, @max, true)", conn))
            {
                cmd.Parameters.AddWithValue("seq", sequence);
                cmd.Parameters.AddWithValue("max", maxId);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
    }

    sealed record Schema(Dictionary<string, Dictionary<string, string>> Columns, HashSet<string> Uniques);

    static async Task<Schema> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string schemaExpr, CancellationToken ct)
    {
        var columns = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(
            $"SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = {schemaExpr}", conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                if (!columns.TryGetValue(reader.GetString(0), out var table))
                    columns[reader.GetString(0)] = table = new(StringComparer.Ordinal);
                table[reader.GetString(1)] = reader.GetString(2);
            }

        var uniques = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand($"""
            SELECT tc.table_name, min(kcu.column_name)
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
              ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
            WHERE tc.constraint_type = 'UNIQUE' AND tc.table_schema = {schemaExpr}
            GROUP BY tc.table_name, tc.constraint_name HAVING count(*) = 1
            """, conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) uniques.Add($"{reader.GetString(0)}.{reader.GetString(1)}");

        // A unique index (rather than a constraint) serves as well.
        await using (var cmd = new NpgsqlCommand($"""
            SELECT t.relname, a.attname
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
            WHERE i.indisunique AND NOT i.indisprimary AND i.indnatts = 1 AND n.nspname = {schemaExpr}
            """, conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) uniques.Add($"{reader.GetString(0)}.{reader.GetString(1)}");
        return new Schema(columns, uniques);
    }

    static string Family(string dataType) => dataType switch
    {
        "smallint" or "integer" or "bigint" => "integer",
        "character varying" or "text" or "character" => "text",
        "json" or "jsonb" => "json",
        _ => dataType,
    };
}

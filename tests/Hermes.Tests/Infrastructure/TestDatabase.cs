using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hermes.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL database of its own for each test: copied from a template migrated once per run, which takes a few
/// milliseconds. The server is the one <c>./test.sh</c> started (its <c>DATABASE_URL</c>).
/// </summary>
public static class TestDatabase
{
    static readonly SemaphoreSlim TemplateLock = new(1, 1);
    static string? _template;

    public static NpgsqlConnectionStringBuilder Server()
    {
        var url = Environment.GetEnvironmentVariable("DATABASE_URL");
        if (string.IsNullOrEmpty(url))
            throw new InvalidOperationException("DATABASE_URL is not set: run the tests with ./test.sh, which starts a PostgreSQL server");
        var parsed = DatabaseUrl.Parse(url, Directory.GetCurrentDirectory());
        if (parsed.Kind != DatabaseKind.Postgres)
            throw new InvalidOperationException("DATABASE_URL must point at a PostgreSQL server for the tests");
        return new NpgsqlConnectionStringBuilder(parsed.ConnectionString);
    }

    /// <summary>A database with Hermes's full schema and no rows.</summary>
    public static async Task<DatabaseUrl> CreateAsync()
    {
        var template = await TemplateAsync();
        return await CreateDatabaseAsync($"TEMPLATE \"{template}\"");
    }

    /// <summary>An empty database, for tests of migrations and adoption.</summary>
    public static Task<DatabaseUrl> CreateEmptyAsync() => CreateDatabaseAsync("TEMPLATE template0");

    public static async Task ExecuteAsync(DatabaseUrl db, string sql)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<List<string>> QueryAsync(DatabaseUrl db, string sql)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }

    static async Task<string> TemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is not null) return _template;
            var name = $"hermes_template_{Environment.ProcessId}";
            await AdminAsync($"DROP DATABASE IF EXISTS \"{name}\"");
            await AdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE template0");
            var url = For(name, pooling: false);
            await new SchemaMigrator(url, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
            _template = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    static async Task<DatabaseUrl> CreateDatabaseAsync(string template)
    {
        var name = $"hermes_test_{Guid.NewGuid():N}"[..40];
        await AdminAsync($"CREATE DATABASE \"{name}\" {template}");
        return For(name, pooling: true);
    }

    static DatabaseUrl For(string database, bool pooling)
    {
        var b = Server();
        b.Database = database;
        b.Pooling = pooling;
        b.MaxPoolSize = 20;
        return new DatabaseUrl(DatabaseKind.Postgres, b.ConnectionString);
    }

    static async Task AdminAsync(string sql)
    {
        var b = Server();
        b.Database = "postgres";
        b.Pooling = false;
        await using var conn = new NpgsqlConnection(b.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

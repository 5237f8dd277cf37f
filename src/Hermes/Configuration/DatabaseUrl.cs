using Npgsql;

namespace Hermes.Configuration;

public enum DatabaseKind { Postgres, Sqlite }

/// <summary>Where the data lives: <c>DATABASE_URL</c> in URL form (as Heroku gives it), Npgsql key/value form, or unset (SQLite).</summary>
public sealed record DatabaseUrl(DatabaseKind Kind, string ConnectionString)
{
    public const string DefaultSqliteFile = "hermes.db";

    public static DatabaseUrl Parse(string? value, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(value))
            return new(DatabaseKind.Sqlite, $"Data Source={Path.Combine(contentRoot, DefaultSqliteFile)}");
        value = value.Trim();

        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..].TrimStart('/');
            if (value.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase) && value.Length > 10 && value[10] == '/')
                path = "/" + path; // sqlite:////abs/path
            if (path.Length == 0) throw new SettingsException("DATABASE_URL", "a sqlite: URL needs a file path, e.g. sqlite:///hermes.db");
            return new(DatabaseKind.Sqlite, $"Data Source={(Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path))}");
        }

        if (value.Contains("://"))
            return new(DatabaseKind.Postgres, FromUrl(value));

        if (!value.Contains('='))
            throw new SettingsException("DATABASE_URL", "expected postgres://user:password@host:port/database or a key=value connection string");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
                throw new SettingsException("DATABASE_URL", "the connection string has no Host");
            return new(DatabaseKind.Postgres, builder.ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new SettingsException("DATABASE_URL", $"not a valid connection string ({e.Message})");
        }
    }

    static string FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            throw new SettingsException("DATABASE_URL", "not a valid URL; expected postgres://user:password@host:port/database");
        if (uri.Scheme is not ("postgres" or "postgresql"))
            throw new SettingsException("DATABASE_URL", $"unsupported scheme '{uri.Scheme}'; use postgres:// or postgresql://");
        if (string.IsNullOrEmpty(uri.Host))
            throw new SettingsException("DATABASE_URL", "the URL has no host");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length == 0 || database.Contains('/'))
            throw new SettingsException("DATABASE_URL", "the URL must name one database, e.g. postgres://user:pass@host:5432/hermes");

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = database,
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
            {
                if (!Enum.TryParse<SslMode>(val.Replace("-", ""), ignoreCase: true, out var mode))
                    throw new SettingsException("DATABASE_URL", $"unknown sslmode '{val}'");
                builder.SslMode = mode;
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The connection string with the password hidden, for logs.</summary>
    public string Describe() => Kind == DatabaseKind.Sqlite
        ? $"SQLite ({ConnectionString["Data Source=".Length..]})"
        : new NpgsqlConnectionStringBuilder(ConnectionString) is var b
            ? $"PostgreSQL {b.Username}@{b.Host}:{b.Port}/{b.Database}"
            : "PostgreSQL";
}

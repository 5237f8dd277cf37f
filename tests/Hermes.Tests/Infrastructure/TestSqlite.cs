using Hermes.Configuration;

namespace Hermes.Tests.Infrastructure;

public static class TestSqlite
{
    /// <summary>A path for an SQLite database file that does not exist yet, in the temp folder.</summary>
    public static DatabaseUrl NewFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hermes-test-{Guid.NewGuid():N}.db");
        return new DatabaseUrl(DatabaseKind.Sqlite, $"Data Source={path}");
    }
}

using System.Diagnostics;
using Hermes.Configuration;
using Hermes.Tests.Infrastructure;
using Npgsql;

namespace Hermes.Tests.Foundation;

public class ConfigurationTests
{
    [Fact]
    public async Task A_url_form_DATABASE_URL_as_Heroku_gives_it_is_parsed_and_used()
    {
        var db = await TestDatabase.CreateAsync();
        var b = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        var url = $"postgres://{b.Username}:s%40cret%3Aword@{b.Host}:{b.Port}/{b.Database}";

        var parsed = DatabaseUrl.Parse(url, "/");
        var expected = new NpgsqlConnectionStringBuilder { Host = b.Host, Port = b.Port, Database = b.Database, Username = b.Username, Password = "s@cret:word" };
        Assert.Equal(new DatabaseUrl(DatabaseKind.Postgres, expected.ConnectionString), parsed);
        Assert.Equal("Host=db.example.com;Port=5432;Database=hermes;Username=u;SSL Mode=Require",
            DatabaseUrl.Parse("postgresql://u@db.example.com/hermes?sslmode=require", "/").ConnectionString);

        // Trust auth ignores the password, so Hermes really connects with the URL it was given.
        await using var hermes = await HermesInstance.StartAsync(s => s["DATABASE_URL"] = url, db: db);
        Assert.Equal("ok", (await hermes.Http.GetFromJsonAsync<Dictionary<string, object>>("/health"))!["status"].ToString());
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "DATABASE_URL", "mysql://user@host/db", "Hermes cannot start: DATABASE_URL: unsupported scheme 'mysql'; use postgres:// or postgresql://" },
        { "DATABASE_URL", "postgres://user@host", "Hermes cannot start: DATABASE_URL: the URL must name one database, e.g. postgres://user:pass@host:5432/hermes" },
        { "DATABASE_URL", "Host=db;Colour=blue", "Hermes cannot start: DATABASE_URL: not a valid connection string (Couldn't set colour (Parameter 'colour'))" },
        { "PORT", "eighty", "Hermes cannot start: PORT: 'eighty' is not a whole number from 0 to 65535" },
        { "DEV_MODE", "maybe", "Hermes cannot start: DEV_MODE: 'maybe' is not a boolean; use true or false" },
        { "PD_API_KEY", "real-key", "Hermes cannot start: SIGNING_KEY: must be set outside the sandbox (it signs support links)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_missing_or_malformed_setting_stops_start_up_with_one_line_naming_the_variable(string variable, string value, string message)
    {
        var (exitCode, stdout, stderr) = await RunHermesProcess(new() { [variable] = value });

        Assert.Equal((2, message), (exitCode, stderr.Trim()));
        Assert.DoesNotContain("   at ", stdout + stderr); // no stack trace
    }

    [Fact]
    public async Task Sandbox_true_with_real_credentials_is_refused()
    {
        var (exitCode, _, stderr) = await RunHermesProcess(new() { ["SANDBOX"] = "true", ["TC2_API_KEY"] = "live-key" });
        Assert.Equal((2, "Hermes cannot start: SANDBOX: SANDBOX=true cannot be combined with real credentials (PD_API_KEY, TC2_API_KEY or G_PRIVATE_KEY); unset one or the other"),
            (exitCode, stderr.Trim()));
    }

    /// <summary>Starts the real Hermes executable, as an operator would, in an empty folder with only these variables set.</summary>
    static async Task<(int ExitCode, string Stdout, string Stderr)> RunHermesProcess(Dictionary<string, string> environment)
    {
        var dir = Directory.CreateTempSubdirectory("hermes-config-");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Hermes.dll")])
        {
            WorkingDirectory = dir.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in new[] { "DATABASE_URL", "PD_API_KEY", "TC2_API_KEY", "G_PRIVATE_KEY", "SANDBOX", "DEV_MODE", "PORT", "SIGNING_KEY" })
            start.Environment.Remove(name);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        start.Environment["PORT"] = environment.GetValueOrDefault("PORT", "0");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

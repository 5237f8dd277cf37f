using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.AdminUi;
using Hermes.Domain;
using Hermes.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.ScaleBench;

/// <summary>One size: load, adopt, then time every path.</summary>
static partial class Run
{
    const string WebhookUser = "bench-webhooks";
    const string WebhookPassword = "bench-webhooks-password";

    public static async Task<IReadOnlyList<Figure>> MeasureAsync(Cluster cluster, SimulatorHost sims, int size, int requests, int firstDay, bool keep, bool reuse, string only)
    {
        var name = $"hermes_scale_{size}";
        var reused = reuse && (await cluster.QueryAsync("postgres", $"SELECT 1 FROM pg_database WHERE datname = '{name}'")).Count > 0;
        if (!reused)
        {
            await cluster.ExecAsync("postgres", $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            await cluster.ExecAsync("postgres", $"CREATE DATABASE \"{name}\"");
        }
        try
        {
            Console.WriteLine();
            var clock = Stopwatch.StartNew();
            if (!reused)
            {
                await cluster.ExecAsync(name, Dataset.Baseline);
                await cluster.ExecAsync(name, Dataset.Load(size));
                await cluster.ExecAsync(name, "ANALYZE"); // as autovacuum would have, on a database that has been in use
            }
            Console.WriteLine($"{size:N0} companies: hermes_v2 database {(reused ? "kept from an earlier run (--reuse)" : "loaded")} in {clock.Elapsed.TotalSeconds:0.0} s");

            var google = sims.Google.CreateServiceAccount("hermes-scale@hermes-bench.iam.gserviceaccount.com");
            clock.Restart();
            var app = HermesApp.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0", ["DATABASE_URL"] = cluster.Database(name), ["SANDBOX"] = "false",
                ["LOG_LEVEL"] = "WARNING", ["Logging:LogLevel:Default"] = "Warning", ["JOB_WORKERS"] = "0", ["SIGNING_KEY"] = "bench",
                ["TC2_API_KEY"] = "bench", ["TC2_BASE_URL"] = sims.Tc2BaseUrl, ["PD_API_KEY"] = "bench", ["PD_BASE_URL"] = sims.PipedriveBaseUrl,
                ["PD_WEBHOOK_USERNAME"] = WebhookUser, ["PD_WEBHOOK_PASSWORD"] = WebhookPassword,
                ["G_PRIVATE_KEY"] = google.PrivateKeyPem, ["G_PRIVATE_KEY_ID"] = google.PrivateKeyId, ["G_CLIENT_EMAIL"] = google.ClientEmail,
                ["G_TOKEN_URI"] = sims.GoogleTokenUri, ["GOOGLE_CALENDAR_BASE_URL"] = sims.GoogleCalendarBaseUrl,
            }), services =>
            {
                services.AddSingleton<IStartupFilter>(new GoogleTiming.Scope());
                services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new GoogleTiming()));
            });
            var migration = await HermesApp.PrepareAsync(app);
            Console.WriteLine($"  adopted by Hermes{(migration.Adopted ? "" : " (NOT adopted)")}; {string.Join(", ", migration.Applied)} applied in {clock.Elapsed.TotalSeconds:0.0} s");
            await cluster.ExecAsync(name, "VACUUM ANALYZE");
            await cluster.ExecAsync(name, "CHECKPOINT");
            await app.StartAsync();
            try
            {
                var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
                var dbs = app.Services.GetRequiredService<IDbContextFactory<HermesDb>>();
                await using (var db = await dbs.CreateDbContextAsync())
                {
                    var admin = new Admin { Username = Dataset.AdminEmail, FirstName = "Bench", LastName = "Admin" };
                    admin.Password = new AdminPasswords().Hash(admin, Dataset.AdminPassword);
                    db.Admins.Add(admin);
                    await db.SaveChangesAsync();
                }
                using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
                    { BaseAddress = new Uri(address) };
                await SignInAsync(http);
                var paths = new Paths(http, size, firstDay, seed: reuse ? Environment.TickCount : 17);
                var figures = new List<Figure>();
                foreach (var path in paths.All.Where(p => p.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
                {
                    var samples = new List<(double Total, double Google)>();
                    for (var k = 0; k < 3 + requests; k++)
                    {
                        var sample = await path.Run(k);
                        if (k >= 3) samples.Add(sample);
                    }
                    var total = Median(samples.Select(s => s.Total));
                    var googleMs = Median(samples.Select(s => s.Google));
                    figures.Add(new Figure(path.Name, path.TargetMs, path.ExcludeGoogle ? total - googleMs : total,
                        path.ExcludeGoogle ? googleMs : null, path.Note));
                    Console.WriteLine($"  {path.Name,-52} {figures[^1].MedianMs,8:0.00} ms");
                }
                return figures;
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            if (!keep && !reuse) await cluster.ExecAsync("postgres", $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static async Task SignInAsync(HttpClient http)
    {
        var form = await http.GetStringAsync("/login");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        using var response = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = Dataset.AdminEmail, ["Password"] = Dataset.AdminPassword, ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in failed: {(int)response.StatusCode}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public static string WebhookAuthorization => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebhookUser}:{WebhookPassword}"));
}

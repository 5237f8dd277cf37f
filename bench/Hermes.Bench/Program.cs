using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hermes;
using Hermes.CallBooker;
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

// How long Hermes takes to answer GET /callbooker/availability/ for a 31-day range (what the website asks for), on an
// SQLite database, with the Google Calendar simulator in-process over real HTTP. Prints figures; asserts nothing.
//   dotnet run -c Release --project bench/Hermes.Bench [-- <requests, default 300>]

var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
await using var sim = await SimulatorHost.StartAsync();
var account = sim.Google.CreateServiceAccount("hermes-bench@hermes-sandbox.iam.gserviceaccount.com");
var dbPath = Path.Combine(Path.GetTempPath(), $"hermes-bench-{Guid.NewGuid():N}.db");
var serverTimes = new ConcurrentQueue<double>();

var app = HermesApp.Build([],
    config => config.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["urls"] = "http://127.0.0.1:0", ["DATABASE_URL"] = "sqlite:///" + dbPath, ["SANDBOX"] = "false", ["LOG_LEVEL"] = "WARNING", ["Logging:LogLevel:Default"] = "Warning",
        ["JOB_WORKERS"] = "0", ["SIGNING_KEY"] = "bench", ["TC2_API_KEY"] = "bench", ["TC2_BASE_URL"] = sim.Tc2BaseUrl,
        ["PD_API_KEY"] = "bench", ["PD_BASE_URL"] = sim.PipedriveBaseUrl, ["PD_WEBHOOK_USERNAME"] = "bench", ["PD_WEBHOOK_PASSWORD"] = "bench",
        ["G_PRIVATE_KEY"] = account.PrivateKeyPem, ["G_PRIVATE_KEY_ID"] = account.PrivateKeyId, ["G_CLIENT_EMAIL"] = account.ClientEmail,
        ["G_TOKEN_URI"] = sim.GoogleTokenUri, ["GOOGLE_CALENDAR_BASE_URL"] = sim.GoogleCalendarBaseUrl,
    }),
    services => services.AddSingleton<IStartupFilter>(new ServerTiming(serverTimes)));
await HermesApp.PrepareAsync(app);
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
using var http = new HttpClient { BaseAddress = new Uri(address) };

int adminId;
await using (var db = await app.Services.GetRequiredService<IDbContextFactory<HermesDb>>().CreateDbContextAsync())
{
    var admin = new Admin { FirstName = "Bench", LastName = "Admin", Username = "bench@example.com", IsSalesPerson = true, Timezone = "Europe/London" };
    db.Admins.Add(admin);
    db.Configs.Add(new Config());
    await db.SaveChangesAsync();
    adminId = admin.Id;
}

// A busy calendar: three meetings on every day of the next 40 days.
var today = DateTime.UtcNow.Date;
var busy = Enumerable.Range(0, 40).SelectMany(d => new[] { (9.5, 1.0), (12.25, 0.75), (15.0, 1.5) }
    .Select(b => ((DateTimeOffset)today.AddDays(d).AddHours(b.Item1), (DateTimeOffset)today.AddDays(d).AddHours(b.Item1 + b.Item2)))).ToArray();
sim.Google.SetBusy("bench@example.com", busy);

string Url(DateTime start) =>
    $"/callbooker/availability/?admin_id={adminId}&start_dt={start:yyyy-MM-dd'T'HH:mm:ss'Z'}&end_dt={start.AddDays(31):yyyy-MM-dd'T'HH:mm:ss'Z'}";

async Task<(double ClientMs, int Slots)> Ask(int i)
{
    var watch = Stopwatch.StartNew();
    var body = await http.GetStringAsync(Url(DateTime.UtcNow.AddHours(2).AddMinutes(i % 60)));
    var slots = JsonNode.Parse(body)!["slots"]!.AsArray().Count;
    return (watch.Elapsed.TotalMilliseconds, slots);
}

for (var i = 0; i < 30; i++) await Ask(i); // warm-up: JIT, connection pools, the Google token
serverTimes.Clear();

Console.WriteLine($"Hermes availability benchmark: 31-day range, {busy.Length} busy periods, SQLite, Google simulator in-process");
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {(Debugger.IsAttached ? "debugger" : "no debugger")}, " +
#if DEBUG
                  "Debug build (use -c Release for real figures)");
#else
                  "Release build");
#endif
var sequential = new List<(double, int)>();
for (var i = 0; i < requests; i++) sequential.Add(await Ask(i));
Report($"sequential, {requests} requests", serverTimes.ToArray(), sequential);

foreach (var parallel in new[] { 4, 16 })
{
    serverTimes.Clear();
    var results = new ConcurrentBag<(double, int)>();
    var wall = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = parallel },
        async (i, _) => results.Add(await Ask(i)));
    Report($"{parallel} at a time, {requests} requests, {requests / wall.Elapsed.TotalSeconds:F0} requests/s", serverTimes.ToArray(), results.ToList());
}

// The slot computation alone (no HTTP, no database, no Google): what a request spends on its own work.
var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
var periods = busy.Select(b => new BusyPeriod(b.Item1.UtcDateTime, b.Item2.UtcDateTime)).ToList();
var start = DateTime.UtcNow.AddHours(2);
var compute = Stopwatch.StartNew();
var rounds = 2000;
var count = 0;
for (var i = 0; i < rounds; i++) count += Availability.Slots(zone, MeetingSettings.Defaults, start, start.AddDays(31), start, periods).Count;
Console.WriteLine($"slot computation alone: {compute.Elapsed.TotalMilliseconds * 1000 / rounds:F1} µs per 31-day range ({count / rounds} slots)");

await app.StopAsync();
await app.DisposeAsync();
foreach (var file in new[] { dbPath, dbPath + "-wal", dbPath + "-shm" }) File.Delete(file);

static void Report(string title, double[] server, IReadOnlyCollection<(double ClientMs, int Slots)> client)
{
    Array.Sort(server);
    var clientMs = client.Select(c => c.ClientMs).Order().ToArray();
    double P(double[] values, double p) => values[Math.Min(values.Length - 1, (int)Math.Ceiling(p * values.Length) - 1)];
    Console.WriteLine($"{title}: {client.First().Slots} slots per answer");
    Console.WriteLine($"  server-side ms: mean {server.Average():F2}  p50 {P(server, 0.5):F2}  p95 {P(server, 0.95):F2}  p99 {P(server, 0.99):F2}  max {server[^1]:F2}");
    Console.WriteLine($"  round trip ms:  mean {clientMs.Average():F2}  p50 {P(clientMs, 0.5):F2}  p95 {P(clientMs, 0.95):F2}");
}

/// <summary>Times each availability request from the first middleware to the last byte written.</summary>
sealed class ServerTiming(ConcurrentQueue<double> sink) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var watch = Stopwatch.StartNew();
            await nextMiddleware(context);
            if (context.Request.Path.StartsWithSegments("/callbooker/availability")) sink.Enqueue(watch.Elapsed.TotalMilliseconds);
        });
        next(app);
    };
}

// Flat to a million: how long each of Hermes's paths takes with 10 k companies and with 1 M (issue 17), side by side
// with the target, on a PostgreSQL of the benchmark's own with fsync on. Prints figures; asserts nothing.
//
//   dotnet run -c Release --project bench/Hermes.ScaleBench [-- --sizes 10000,1000000] [--requests 7] [--keep] [--reuse] [--only <part of a path name>]
//
// For each size: a hermes_v2 database (baseline schema only) is loaded with generate_series, Hermes (this build,
// in-process on Kestrel, over real HTTP) adopts it and runs its migrations, VACUUM ANALYZE, then each path is asked
// 3 times to warm up and --requests times measured; the figure is the median round trip. Google Calendar is the
// sandbox simulator in this process; its share of a booking is timed separately and left out of Hermes's figure.
// Job workers are off (Pipedrive and TC2 syncs are queued, not run), as the paths measured are the requests.
// SCALE_DATABASE_URL (a Npgsql connection string) uses that server instead of starting one.

using System.Globalization;
using Hermes.Sandbox;
using Hermes.ScaleBench;

var sizes = Arg("--sizes", "10000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var requests = int.Parse(Arg("--requests", "7"), CultureInfo.InvariantCulture);
var keep = args.Contains("--keep"); // keep the databases (with SCALE_DATABASE_URL: to EXPLAIN queries on them afterwards)
var reuse = args.Contains("--reuse"); // measure again on databases kept by --keep (they have the earlier run's bookings and deletes)
var only = Arg("--only", ""); // only the paths whose name contains this

Console.WriteLine($"Hermes scale benchmark: {string.Join(" and ", sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} companies, " +
                  $"each with one contact, one deal and one custom field value; median of {requests} requests after 3 to warm up");
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
#if DEBUG
                  "Debug build (use -c Release for real figures)");
#else
                  "Release build");
#endif
Console.WriteLine($"load average at start: {Load()}");

await using var cluster = await Cluster.StartAsync();
Console.WriteLine($"PostgreSQL: {cluster.Description}");
await using var sims = await SimulatorHost.StartAsync();

var results = new Dictionary<int, IReadOnlyList<Figure>>();
foreach (var (size, i) in sizes.Select((s, i) => (s, i)))
{
    results[size] = await Run.MeasureAsync(cluster, sims, size, requests, firstDay: 3 + i * (requests + 5) + (reuse ? Random.Shared.Next(30, 3000) : 0), keep, reuse, only);
    Console.WriteLine($"load average after {size:N0}: {Load()}");
}
Report.Print(sizes, results);
Console.WriteLine($"load average at end: {Load()}");

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

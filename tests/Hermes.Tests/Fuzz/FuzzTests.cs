using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Hermes.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing of every public endpoint (<see cref="FuzzEndpoints.All"/>): valid requests mutated into hostile ones.
/// Whatever a caller sends, Hermes answers below 500, and rows change only when the answer says the request succeeded
/// (a form post's success is its redirect). Two tests, each with its own Hermes, database and simulators, share the table.
/// The seed is printed; <c>HERMES_FUZZ_SEED=n</c> replays a run exactly, <c>HERMES_FUZZ_ONLY=text</c> keeps the
/// endpoints whose name contains the text, <c>HERMES_FUZZ_SCALE=k</c> multiplies every endpoint's case count and
/// <c>HERMES_FUZZ_VERBOSE=1</c> prints every case with its answer.
/// </summary>
public abstract class FuzzTests(ITestOutputHelper output)
{
    sealed record Failure(string Endpoint, int Case, string What, int Status, string Problem);

    /// <summary>One seed for both tests of a run, so one <c>HERMES_FUZZ_SEED</c> replays the whole run.</summary>
    static readonly int RunSeed = int.TryParse(Environment.GetEnvironmentVariable("HERMES_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();

    protected async Task RunAsync(Func<FuzzEndpoint, bool> which)
    {
        var seed = RunSeed;
        var scale = double.TryParse(Environment.GetEnvironmentVariable("HERMES_FUZZ_SCALE"), CultureInfo.InvariantCulture, out var k) ? k : 1;
        var only = Environment.GetEnvironmentVariable("HERMES_FUZZ_ONLY");
        var verbose = Environment.GetEnvironmentVariable("HERMES_FUZZ_VERBOSE") is { Length: > 0 };
        output.WriteLine($"Fuzz seed {seed} (replay with HERMES_FUZZ_SEED={seed})");

        await using var world = await FuzzWorld.StartAsync();
        var failures = new List<Failure>();
        var summary = new StringBuilder();
        var total = Stopwatch.StartNew();
        var rows = await world.FingerprintAsync();
        var lastWebhook = long.Parse(rows["hermes_webhook"], CultureInfo.InvariantCulture);

        foreach (var endpoint in FuzzEndpoints.All.Where(which).Where(e => only is null || e.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            var cases = (int)Math.Ceiling(endpoint.Cases * scale);
            await world.RefreshTargetsAsync();
            var statuses = new SortedDictionary<int, int>();
            var watch = Stopwatch.StartNew();
            var answering = TimeSpan.Zero;
            for (var i = 0; i < cases; i++)
            {
                // Each case has its own generator, so its request depends only on the seed, the endpoint and its number.
                var r = new Random(CaseSeed(seed, endpoint.Name, i));
                var request = endpoint.Next(world, r);
                using var message = request.Message;
                var sent = Stopwatch.GetTimestamp();
                using var response = await (request.Client ?? world.Hermes.Http).SendAsync(message);
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsStringAsync();
                answering += Stopwatch.GetElapsedTime(sent);
                if (verbose) output.WriteLine($"{endpoint.Name} #{i} {status} {Stopwatch.GetElapsedTime(sent).TotalMilliseconds:0} ms [{request.What}] {Excerpt(body)}");
                statuses[status] = statuses.GetValueOrDefault(status) + 1;

                void Fail(string problem) => failures.Add(new Failure(endpoint.Name, i, request.What, status, problem));
                if (status >= 500) Fail($"answered {status}: {Excerpt(body)}");

                var after = await world.FingerprintAsync();
                var changed = FuzzWorld.Tables.Where(t => rows[t] != after[t]).ToList();
                if (changed.Count > 0 && !endpoint.Succeeded(status)) Fail($"answered {status} but changed {string.Join(", ", changed)}: {Excerpt(body)}");
                rows = after;

                if (after["hermes_webhook"] == lastWebhook.ToString(CultureInfo.InvariantCulture)) continue;
                foreach (var w in await world.WebhooksAfterAsync(lastWebhook))
                {
                    lastWebhook = w.Id;
                    // A refused Pipedrive webhook is stored as rejected; nothing else may be stored by a refusal.
                    if (!endpoint.Succeeded(status) && (w.Source, w.Outcome) != ("pipedrive", "rejected"))
                        Fail($"answered {status} but logged a {w.Source} webhook as {w.Outcome}");
                    // An event that failed on something other than its own content is a bug the per-event isolation hid.
                    if (w.Outcome == "error" && w.Error?.Contains("Exception: ", StringComparison.Ordinal) == true)
                        Fail($"webhook {w.Id} failed unexpectedly: {Excerpt(w.Error)}");
                }
            }
            summary.AppendLine(CultureInfo.InvariantCulture,
                $"{endpoint.Name,-52} {cases,5} cases {watch.Elapsed.TotalSeconds,5:0.0} s ({answering.TotalSeconds:0.0} s answering)  {string.Join(" ", statuses.Select(kv => $"{kv.Key}×{kv.Value}"))}");
        }

        output.WriteLine(summary.ToString());
        // The process's CPU time (Hermes, the simulators and the test share it) tells more than wall time on a busy machine.
        output.WriteLine($"Total {total.Elapsed.TotalSeconds:0.0} s; {failures.Count} failures; " +
                         $"{Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.0} s CPU used by this test process so far");
        Assert.True(failures.Count == 0,
            $"Fuzz seed {seed} (replay with HERMES_FUZZ_SEED={seed}): {failures.Count} failures\n" +
            string.Join("\n", failures.Take(25).Select(f => $"- {f.Endpoint} case {f.Case} [{f.What}]: {f.Problem}")) + "\n" + summary);
    }

    /// <summary>A stable mix of the run's seed, the endpoint's name and the case number (.NET's string hashes change with every process).</summary>
    static int CaseSeed(int seed, string endpoint, int i)
    {
        var h = 2166136261u;
        foreach (var c in endpoint) h = (h ^ c) * 16777619u;
        return (int)((uint)seed * 2654435761u ^ h * 40503u ^ (uint)i * 2246822519u);
    }

    static string Excerpt(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

/// <summary>Pipedrive's and TC2's webhooks (signed, unsigned, with and without credentials).</summary>
public class WebhookFuzzTests(ITestOutputHelper output) : FuzzTests(output)
{
    [Fact]
    public Task No_webhook_gets_a_500_and_only_webhooks_answered_2xx_change_rows() => RunAsync(e => e.IsWebhook);
}

/// <summary>The booking API, the query-string endpoints, the booker's pages and the admin's lists and forms.</summary>
public class ApiAndAdminFuzzTests(ITestOutputHelper output) : FuzzTests(output)
{
    [Fact]
    public Task No_API_request_or_admin_form_gets_a_500_and_only_successful_ones_change_rows() => RunAsync(e => !e.IsWebhook);
}

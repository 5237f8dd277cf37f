using System.Diagnostics;

namespace Hermes.IngestBench;

/// <summary>dotnet-trace (a .NET tool: <c>dotnet tool install -g dotnet-trace</c>) on the Hermes process during a run.</summary>
static class Profiler
{
    static string Tool => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet/tools/dotnet-trace");

    public static Process Start(HermesProcess hermes, string file, int seconds)
    {
        var info = new ProcessStartInfo(Tool, $"collect -p {hermes.Process.Id} --profile dotnet-sampled-thread-time -o {file} --duration 00:00:00:{Math.Min(59, seconds - 2):00}")
        { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    public static void Report(Process trace, string file)
    {
        trace.WaitForExit(120_000);
        foreach (var inclusive in new[] { "", " --inclusive" })
        {
            Console.WriteLine($"--- dotnet-trace top methods{(inclusive.Length > 0 ? " (inclusive)" : " (exclusive)")} ---");
            Console.WriteLine(Shell.Run(Tool, $"report {file} topN -n 40{inclusive}"));
        }
    }
}

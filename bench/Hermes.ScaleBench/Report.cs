using System.Globalization;

namespace Hermes.ScaleBench;

/// <summary>One path's figure at one size: the median (ms), and, for a booking, the median time spent in Google.</summary>
sealed record Figure(string Path, double TargetMs, double MedianMs, double? GoogleMs, string Note);

static class Report
{
    /// <summary>Every path within 2× from the smallest size to the largest, and under its target at the largest.</summary>
    public const double MaxGrowth = 2.0;

    public static void Print(int[] sizes, Dictionary<int, IReadOnlyList<Figure>> results)
    {
        var small = sizes.Min();
        var large = sizes.Max();
        Console.WriteLine();
        Console.WriteLine($"{"path",-52} {Size(small),9} {Size(large),9} {"growth",7}   {"target at " + Size(large),-22} met");
        foreach (var figure in results[large])
        {
            if (results[small].FirstOrDefault(f => f.Path == figure.Path) is not { } before) continue;
            var growth = figure.MedianMs / before.MedianMs;
            var met = figure.MedianMs < figure.TargetMs && (small == large || growth <= MaxGrowth);
            Console.WriteLine($"{figure.Path,-52} {Ms(before.MedianMs),9} {Ms(figure.MedianMs),9} {"×" + growth.ToString("0.0", CultureInfo.InvariantCulture),7}   " +
                              $"{$"< {figure.TargetMs:0} ms, ≤ ×{MaxGrowth:0}",-22} {(met ? "yes" : "NO")}");
            if (figure.GoogleMs is { } google)
                Console.WriteLine($"{"  (Google simulator, not counted above)",-52} {Ms(before.GoogleMs ?? 0),9} {Ms(google),9}");
            if (figure.Note.Length > 0) Console.WriteLine($"  {figure.Note}");
        }
    }

    static string Size(int n) => n >= 1_000_000 && n % 1_000_000 == 0 ? $"{n / 1_000_000} M" : n >= 1000 && n % 1000 == 0 ? $"{n / 1000} k" : n.ToString(CultureInfo.InvariantCulture);

    static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";
}

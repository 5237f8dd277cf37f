namespace Hermes.Operations.Commands;

/// <summary>
/// The maintenance commands' tables: a Markdown-style pipe table with padded columns, readable in a terminal and
/// pasteable into an issue. Cells are one line; very long ones are cut with "…".
/// </summary>
public sealed class ReportTable(params string[] headers)
{
    const int MaxCell = 140;
    readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public ReportTable Add(params object?[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"{headers.Length} cells expected, {cells.Length} given", nameof(cells));
        _rows.Add(cells.Select(Cell).ToArray());
        return this;
    }

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths));
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in _rows) output.WriteLine(Line(row, widths));
    }

    static string Line(IReadOnlyList<string> cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";

    static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|");
        return text.Length > MaxCell ? text[..(MaxCell - 1)] + "…" : text;
    }
}

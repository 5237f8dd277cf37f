using System.Text;
using static Hermes.Tests.Fuzz.JsonMutations;

namespace Hermes.Tests.Fuzz;

/// <summary>
/// Name/value pairs for a query string or a urlencoded form, kept already percent-encoded so a mutation can put in
/// what no encoder would write: <c>%00</c>, malformed UTF-8 (<c>%ED%A0%80</c> is a UTF-16 surrogate in UTF-8), bad
/// escapes, a name without <c>=</c>.
/// </summary>
public sealed class FuzzPairs
{
    readonly List<(string Name, string? Value)> _pairs = [];

    public FuzzPairs Add(string name, string? value)
    {
        _pairs.Add((Encode(name), value is null ? null : Encode(value)));
        return this;
    }

    public bool Has(string name) => _pairs.Any(p => p.Name == Encode(name));

    public override string ToString() => string.Join('&', _pairs.Select(p => p.Value is null ? p.Name : $"{p.Name}={p.Value}"));

    public static string Encode(string text) => Percent(Encoding.UTF8.GetBytes(text));

    static string Percent(byte[] bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes)
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2"));
        return sb.ToString();
    }

    static readonly string[] BadValues =
    [
        "%00", "a%00b", "%FF", "%C3%28", "%ED%A0%80", "%ED%B0%80", "%F4%90%80%80", "%80", "%zz", "%", "%4", "%E2%82",
    ];

    static readonly string[] OddValues = ["-1", "0", "1.5", "99999999999", "0x10", "1e3", "abc", "true", "null", "+", "%2B1", "%F0%9F%98%80", "%E2%80%AE", "' OR 1=1 --"];

    /// <summary>One mutation of the pairs; returns what it did.</summary>
    public string Mutate(Random r)
    {
        var i = _pairs.Count == 0 ? -1 : r.Next(_pairs.Count);
        var name = i < 0 ? "" : _pairs[i].Name;
        switch (r.Next(10))
        {
            case 0 when i >= 0:
                _pairs.RemoveAt(i);
                return $"drop {name}";
            case 1 when i >= 0:
                _pairs.Add((name, Pick(r, OddValues)));
                return $"{name} twice";
            case 2 when i >= 0:
                _pairs[i] = (name, r.Next(3) == 0 ? null : "");
                return $"{name} empty";
            case 3 when i >= 0:
                var length = Pick(r, [256, 300, 5_000]);
                _pairs[i] = (name, Encode(new string((char)('a' + r.Next(26)), length - 1) + "😀"));
                return $"{name} huge ({length})";
            case 4 or 5 when i >= 0:
                var bad = Pick(r, BadValues);
                var old = _pairs[i].Value ?? "";
                var at = r.Next(2) == 0 ? old.Length : 0;
                _pairs[i] = (name, old[..at] + bad + old[at..]);
                return $"{name} with {bad}";
            case 6 when i >= 0:
                _pairs[i] = (name, Pick(r, OddValues));
                return $"{name} = {_pairs[i].Value}";
            case 7:
                var badName = Pick(r, ["%00", "a%00", "%ED%A0%80", "%FF", "zz_unknown", "%20"]);
                _pairs.Add((badName, Pick(r, ["1", "%00", ""])));
                return $"parameter named {badName}";
            default:
                if (i < 0) return "nothing to change";
                _pairs[i] = (name, Encode(Pick(r, ["😀", "Ünïcödé", "a b", "a+b", "<script>", "\\u0000"])));
                return $"{name} odd text";
        }
    }
}

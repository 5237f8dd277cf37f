using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Tests.Fuzz;

/// <summary>
/// A JSON body being mutated: a tree, plus what a tree cannot hold (a key twice in one object, raw tokens such as
/// <c>1e400</c> or 3,000 nested brackets, lone surrogates written as <c>\ud800</c>), then bytes the byte-level
/// mutations may break further (malformed UTF-8, a raw NUL, a cut).
/// </summary>
public sealed class FuzzBody(JsonNode? root)
{
    const string RawMarker = "\uE000raw:";

    public JsonNode? Root { get; set; } = root;
    readonly List<(JsonObject Object, string Key, JsonNode? Value)> _duplicates = [];

    /// <summary>A token written as it is, valid JSON or not.</summary>
    public static JsonNode Raw(string text) => JsonValue.Create(RawMarker + text);

    public void Duplicate(JsonObject o, string key, JsonNode? value) => _duplicates.Add((o, key, value));

    public byte[] ToBytes()
    {
        var sb = new StringBuilder();
        Write(sb, Root);
        // Lone surrogates are escaped by WriteString, so the text is valid UTF-16 and encodes exactly.
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in o)
                {
                    Property(sb, ref first, key, value);
                    foreach (var d in _duplicates.Where(d => ReferenceEquals(d.Object, o) && d.Key == key)) Property(sb, ref first, key, d.Value);
                }
                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, a[i]);
                }
                sb.Append(']');
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var s = v.GetValue<string>();
                if (s.StartsWith(RawMarker, StringComparison.Ordinal)) sb.Append(s, RawMarker.Length, s.Length - RawMarker.Length);
                else WriteString(sb, s);
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }

    void Property(StringBuilder sb, ref bool first, string key, JsonNode? value)
    {
        if (!first) sb.Append(',');
        first = false;
        WriteString(sb, key);
        sb.Append(':');
        Write(sb, value);
    }

    /// <summary>Escapes what JSON must escape; a lone surrogate becomes <c>\uXXXX</c> (System.Text.Json would write U+FFFD).</summary>
    static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"') sb.Append("\\\"");
            else if (c == '\\') sb.Append("\\\\");
            else if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) sb.Append(c).Append(s[++i]);
            else if (char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        sb.Append('"');
    }
}

/// <summary>One place a value sits in a tree: an object's key or an array's index, with its path for the case's description.</summary>
public sealed record Slot(JsonNode Parent, string? Key, int Index, string Path)
{
    public JsonNode? Value => Parent is JsonObject o ? o[Key!] : ((JsonArray)Parent)[Index];

    public void Set(JsonNode? value)
    {
        if (Parent is JsonObject o) o[Key!] = value;
        else ((JsonArray)Parent)[Index] = value;
    }

    public static List<Slot> All(JsonNode? root)
    {
        var slots = new List<Slot>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o.ToList())
                    {
                        var p = path.Length == 0 ? key : $"{path}.{key}";
                        slots.Add(new Slot(o, key, -1, p));
                        Walk(value, p);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        var p = $"{path}[{i}]";
                        slots.Add(new Slot(a, null, i, p));
                        Walk(a[i], p);
                    }
                    break;
            }
        }
        Walk(root, "");
        return slots;
    }
}

/// <summary>
/// Mutations of a valid JSON payload, picked by a seeded <see cref="Random"/>: each returns what it did, for the
/// failure message. Together they cover the issue's list: dropped keys, wrong types, huge and empty strings, lone
/// surrogates, NUL, duplicate keys, deep nesting, odd numbers, malformed UTF-8 and cut bodies.
/// </summary>
public static class JsonMutations
{
    static readonly string[] OddNumbers = ["1e400", "-1e400", "1.5", "-0", "99999999999999999999999", "2147483648", "-2147483649", "1E2", "0.000001", "NaN", "Infinity", "01"];
    static readonly int[] Depths = [20, 33, 65, 300, 3000];

    public static string Apply(FuzzBody body, Random r)
    {
        var slots = Slot.All(body.Root);
        var objects = slots.Select(s => s.Value).OfType<JsonObject>().Prepend(body.Root as JsonObject).Where(o => o is { Count: > 0 }).Cast<JsonObject>().ToList();
        if (slots.Count == 0 || r.Next(40) == 0)
        {
            body.Root = Pick<JsonNode?>(r, [new JsonArray(), JsonValue.Create("text"), JsonValue.Create(1), null, JsonValue.Create(true), new JsonObject()]);
            return $"root → {body.Root?.ToJsonString() ?? "null"}";
        }
        var slot = Pick(r, slots);
        switch (r.Next(13))
        {
            case 0 when slot.Parent is JsonObject o:
                o.Remove(slot.Key!);
                return $"drop {slot.Path}";
            case 1:
                var wrong = WrongType(r, slot.Value);
                slot.Set(wrong);
                return $"type {slot.Path} → {Describe(wrong)}";
            case 2:
                var length = Pick(r, [51, 256, 300, 4_000, 70_000]);
                slot.Set(JsonValue.Create(HugeString(r, length)));
                return $"huge {slot.Path} ({length})";
            case 3:
                var empty = Pick(r, ["", " ", "\t\n ", "\u00a0"]);
                slot.Set(JsonValue.Create(empty));
                return $"empty {slot.Path} {JsonSerializer.Serialize(empty)}";
            case 4:
                var lone = Pick(r, ["\ud800", "\udc00", "\udbff", "\ud83d"]);
                slot.Set(JsonValue.Create(Insert(r, Text(slot.Value), lone)));
                return $"lone surrogate in {slot.Path}";
            case 5:
                slot.Set(JsonValue.Create(Insert(r, Text(slot.Value), "\0")));
                return $"NUL in {slot.Path}";
            case 6 when objects.Count > 0:
                var target = Pick(r, objects);
                var key = Pick(r, target.Select(kv => kv.Key).ToList());
                body.Duplicate(target, key, WrongType(r, target[key]));
                return $"duplicate key {key}";
            case 7:
                var depth = Pick(r, Depths);
                slot.Set(FuzzBody.Raw(r.Next(2) == 0
                    ? new string('[', depth) + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));
                return $"nesting {depth} at {slot.Path}";
            case 8:
                // A character that takes two UTF-16 units across the 50th, 255th or 256th unit: a naive cut splits it.
                var at = Pick(r, [49, 254, 255]);
                slot.Set(JsonValue.Create(new string('x', at) + "😀" + "tail"));
                return $"emoji at {at} in {slot.Path}";
            case 9:
                var number = Pick(r, OddNumbers);
                slot.Set(FuzzBody.Raw(number));
                return $"number {number} at {slot.Path}";
            case 10 when objects.Count > 0:
                var renamed = Pick(r, objects);
                var oldKey = Pick(r, renamed.Select(kv => kv.Key).ToList());
                var value = renamed[oldKey];
                renamed.Remove(oldKey);
                var newKey = Insert(r, oldKey, Pick(r, ["\0", "\ud800", "\udfff", "😀", " "]));
                renamed[newKey] = value;
                return $"key {oldKey} → odd key";
            case 11 when objects.Count > 0:
                var host = Pick(r, objects);
                host["zz_unknown_" + r.Next(100)] = WrongType(r, null);
                return "unknown key";
            default:
                slot.Set(JsonValue.Create(Pick(r, ["😀", "Ünïcödé", "\u202eevil", "<script>", "' OR 1=1 --", "%00", "\\u0000", "a\u0001b", "\u2028"])));
                return $"odd text at {slot.Path}";
        }
    }

    /// <summary>Breaks the encoded body itself: malformed UTF-8 inside a string, a raw NUL, a cut, a BOM, garbage.</summary>
    public static (byte[] Bytes, string What) BreakBytes(byte[] bytes, Random r)
    {
        byte[][] badUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xC0, 0xAF]];
        switch (r.Next(6))
        {
            case 0 or 1:
                var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'"').ToList();
                var at = quotes.Count == 0 ? 0 : Pick(r, quotes) + 1;
                var bad = Pick(r, badUtf8);
                return ([.. bytes[..at], .. bad, .. bytes[at..]], $"bad UTF-8 {Convert.ToHexString(bad)} at byte {at}");
            case 2:
                var nul = r.Next(bytes.Length + 1);
                return ([.. bytes[..nul], 0, .. bytes[nul..]], $"raw NUL byte at {nul}");
            case 3:
                var cut = r.Next(bytes.Length + 1);
                return (bytes[..cut], $"cut at byte {cut}");
            case 4:
                return ([0xEF, 0xBB, 0xBF, .. bytes], "UTF-8 BOM");
            default:
                var garbage = new byte[r.Next(0, 64)];
                r.NextBytes(garbage);
                return (garbage, $"{garbage.Length} random bytes");
        }
    }

    static JsonNode? WrongType(Random r, JsonNode? current)
    {
        JsonNode?[] options =
        [
            null, JsonValue.Create(true), JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1.5), JsonValue.Create(2147483648L),
            JsonValue.Create(""), JsonValue.Create("text"), JsonValue.Create("12"), new JsonArray(), new JsonObject(),
            new JsonArray(1, "a"), new JsonObject { ["a"] = 1, ["value"] = "x", ["id"] = "y" },
        ];
        var kind = current?.GetValueKind();
        var others = options.Where(o => o?.GetValueKind() != kind).ToList();
        return Pick(r, others);
    }

    static string HugeString(Random r, int length)
    {
        var sb = new StringBuilder(length + 2);
        while (sb.Length < length) sb.Append(r.Next(8) == 0 ? "😀" : ((char)('a' + r.Next(26))).ToString());
        return sb.ToString();
    }

    static string Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "value";

    static string Insert(Random r, string text, string what)
    {
        var at = r.Next(text.Length + 1);
        // Never split an existing pair: the point is the inserted character.
        if (at > 0 && at < text.Length && char.IsLowSurrogate(text[at])) at--;
        return text[..at] + what + text[at..];
    }

    static string Describe(JsonNode? node) => node is null ? "null" : node.ToJsonString().Length > 40 ? node.ToJsonString()[..40] + "…" : node.ToJsonString();

    public static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Hermes.Operations.Input;

/// <summary>
/// Why a request body is not JSON Hermes will read, and where: <see cref="Path"/> is the keys (and array indexes) from
/// the root. <see cref="Message"/> follows the place ("data.name contains …"); <see cref="Sentence"/> stands on its own
/// next to a FastAPI <c>loc</c>.
/// </summary>
public sealed record JsonProblem(string Type, string Message, string Sentence, IReadOnlyList<string> Path, long? BytePosition = null)
{
    public const string Invalid = "json_invalid";
    public const string NotUtf8 = "utf8_invalid";
    public const string Nul = "string_nul";
    public const string LoneSurrogate = "string_unicode";
    public const string DuplicateKey = "duplicate_key";
    public const string TooDeep = "json_too_deep";

    /// <summary>"data.name contains a NUL character (\u0000)"; "the body is not valid JSON".</summary>
    public string Describe() => $"{(Path.Count == 0 ? "the body" : string.Join('.', Path))} {Message}";
}

/// <summary>
/// Reads a request body as JSON, refusing what System.Text.Json would accept but Hermes cannot use: malformed UTF-8,
/// a NUL or an unpaired UTF-16 surrogate escaped in a string or a key (they throw when read, or fail in PostgreSQL),
/// a key twice in one object (<see cref="JsonObject"/> throws on it), and nesting deeper than <see cref="MaxDepth"/>.
/// The body is checked token by token first, so the first problem is reported with its path and nothing throws.
/// </summary>
public static class StrictJson
{
    /// <summary>Deeper than any webhook or booking (about 6 levels), and low enough that echoing a value in an error stays writable.</summary>
    public const int MaxDepth = 32;

    static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    sealed class Frame(bool isObject)
    {
        public bool IsObject { get; } = isObject;
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public string? Key { get; set; }
        public int NextIndex { get; set; }
    }

    public static (JsonNode? Node, JsonProblem? Problem) Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..]; // a BOM is tolerated, as StreamReader did
        if (!Utf8.IsValid(utf8))
        {
            var at = FirstInvalidByte(utf8);
            return (null, new JsonProblem(JsonProblem.NotUtf8, $"is not valid UTF-8 (byte {at})", $"Not valid UTF-8 (byte {at})", []));
        }
        var problem = Check(utf8);
        if (problem is not null) return (null, problem);
        try
        {
            return (JsonNode.Parse(utf8, documentOptions: DocumentOptions), null);
        }
        catch (JsonException e)
        {
            // Check read the same tokens; kept so that any disagreement is a 4xx, not a 500.
            return (null, new JsonProblem(JsonProblem.Invalid, "is not valid JSON", "JSON decode error", [], e.BytePositionInLine));
        }
    }

    static JsonProblem? Check(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        var stack = new List<Frame>();
        var path = new List<string>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    {
                        var frame = stack[^1];
                        if (reader.ValueIsEscaped && TextProblem(reader.ValueSpan) is { } bad)
                            return new JsonProblem(bad.Type, "is a key that " + bad.Message, "Key " + bad.Message, [.. path, Encoding.UTF8.GetString(reader.ValueSpan)]);
                        var name = reader.GetString()!;
                        if (!frame.Keys.Add(name))
                            return new JsonProblem(JsonProblem.DuplicateKey, "is a key that appears twice in one object", "Key appears twice in one object", [.. path, name]);
                        frame.Key = name;
                        break;
                    }
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    {
                        if (Label(stack) is { } label) path.Add(label);
                        if (stack.Count >= MaxDepth)
                            return new JsonProblem(JsonProblem.TooDeep, $"is nested more than {MaxDepth} levels deep", $"Nested more than {MaxDepth} levels deep", path.ToList());
                        stack.Add(new Frame(reader.TokenType == JsonTokenType.StartObject));
                        break;
                    }
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        stack.RemoveAt(stack.Count - 1);
                        if (stack.Count > 0) path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.String:
                    {
                        var label = Label(stack);
                        if (reader.ValueIsEscaped && TextProblem(reader.ValueSpan) is { } bad)
                            return new JsonProblem(bad.Type, bad.Message, char.ToUpperInvariant(bad.Message[0]) + bad.Message[1..], label is null ? path.ToList() : [.. path, label]);
                        break;
                    }
                    default:
                        Label(stack);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return new JsonProblem(JsonProblem.Invalid, "is not valid JSON", "JSON decode error", [], e.BytePositionInLine);
        }
        return null;
    }

    /// <summary>Where the next value sits in its container (and moves an array to its next index); null at the root.</summary>
    static string? Label(List<Frame> stack)
    {
        if (stack.Count == 0) return null;
        var top = stack[^1];
        return top.IsObject ? top.Key : (top.NextIndex++).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Scans a string token as written (escapes intact) for <c>\u0000</c> and unpaired surrogate escapes. Unescaped
    /// text needs no scan: the reader refuses raw control characters, and valid UTF-8 cannot hold a surrogate.
    /// </summary>
    static (string Type, string Message)? TextProblem(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\') continue;
            if (raw[i + 1] != (byte)'u') { i++; continue; }
            var code = Hex4(raw.Slice(i + 2, 4));
            i += 5;
            if (code == 0) return (JsonProblem.Nul, "contains a NUL character (\\u0000)");
            if (code is >= 0xD800 and <= 0xDBFF && i + 6 < raw.Length && raw[i + 1] == (byte)'\\' && raw[i + 2] == (byte)'u'
                && Hex4(raw.Slice(i + 3, 4)) is >= 0xDC00 and <= 0xDFFF)
            {
                i += 6; // a proper pair
                continue;
            }
            if (code is >= 0xD800 and <= 0xDFFF)
                return (JsonProblem.LoneSurrogate, $"contains an unpaired UTF-16 surrogate (\\u{code:x4}), which is not valid Unicode");
        }
        return null;
    }

    static int Hex4(ReadOnlySpan<byte> hex) => int.Parse(Encoding.ASCII.GetString(hex), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    static int FirstInvalidByte(ReadOnlySpan<byte> utf8)
    {
        var at = 0;
        while (at < utf8.Length && System.Text.Rune.DecodeFromUtf8(utf8[at..], out _, out var consumed) == System.Buffers.OperationStatus.Done) at += consumed;
        return at;
    }
}

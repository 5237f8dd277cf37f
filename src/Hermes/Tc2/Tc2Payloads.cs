using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Operations.Input;

namespace Hermes.Tc2;

/// <summary>A TC2 webhook body is not what TC2 sends: answered 422 in FastAPI's shape, nothing stored.</summary>
public sealed class Tc2PayloadException(string[] loc, string message, string type = "value_error") : Exception(message)
{
    public string[] Loc { get; } = loc;
    public string Type { get; } = type;
}

/// <summary><c>{"_request_time": …, "events": [{"action", "verb", "subject": {"model", "id", …}}]}</c> (research/external_apis.md §D.4).</summary>
public sealed record Tc2Webhook(long? RequestTime, IReadOnlyList<Tc2Event> Events)
{
    /// <summary>A stored body read again (a replay), as strictly as when it arrived.</summary>
    public static Tc2Webhook Parse(string body) => Parse(System.Text.Encoding.UTF8.GetBytes(body));

    /// <summary>Reads the raw body (after its signature was checked), refusing what <see cref="StrictJson"/> refuses, with where.</summary>
    public static Tc2Webhook Parse(ReadOnlySpan<byte> body)
    {
        var (root, problem) = StrictJson.Parse(body);
        if (problem is not null)
            throw problem.Type == JsonProblem.Invalid
                ? new Tc2PayloadException(["body"], "JSON decode error", "json_invalid")
                : new Tc2PayloadException(["body", .. problem.Path], problem.Sentence, problem.Type);
        if (root is not JsonObject obj) throw new Tc2PayloadException(["body"], "Input should be a valid dictionary", "dict_type");
        if (obj["events"] is not JsonArray events) throw new Tc2PayloadException(["body", "events"], obj.ContainsKey("events") ? "Input should be a valid list" : "Field required", obj.ContainsKey("events") ? "list_type" : "missing");
        var parsed = new List<Tc2Event>();
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is not JsonObject e) throw new Tc2PayloadException(["body", "events", i.ToString(CultureInfo.InvariantCulture)], "Input should be a valid dictionary", "dict_type");
            if (e["subject"] is not JsonObject subject)
                throw new Tc2PayloadException(["body", "events", i.ToString(CultureInfo.InvariantCulture), "subject"], "Input should be a valid dictionary", "dict_type");
            parsed.Add(new Tc2Event(Tc2Json.Str(e["action"]) ?? "", Tc2Json.Str(e["verb"]) ?? "", subject, e));
        }
        return new Tc2Webhook(Tc2Json.Long(obj["_request_time"]), parsed);
    }
}

public sealed record Tc2Event(string Action, string Verb, JsonObject Subject, JsonObject Raw)
{
    public const string DeletedAClient = "DELETED_A_CLIENT";
    public const string AgreeTerms = "AGREE_TERMS";

    public string? Model => Tc2Json.Str(Subject["model"]);
    public int? SubjectId => Tc2Json.Int(Subject["id"]);
}

/// <summary>
/// A TC2 client ("cligency") as Hermes reads it (research/external_apis.md §D.3): nested admins reduced to their ids,
/// <c>extra_attrs</c> as a list of <c>{machine_name, value}</c> (or a dict), ids that may come as strings.
/// </summary>
public sealed record Tc2Cligency
{
    public required int Id { get; init; }
    public string? Status { get; init; }
    public Tc2User User { get; init; } = new();
    public Tc2Agency? MetaAgency { get; init; }
    /// <summary>Null when TC2 sent none (or null); the admins' TC2 ids.</summary>
    public int? SalesPersonId { get; init; }
    public int? AssociatedAdminId { get; init; }
    public int? BdrPersonId { get; init; }
    public IReadOnlyList<Tc2Recipient> PaidRecipients { get; init; } = [];
    /// <summary>Null when the payload had no extra_attrs at all.</summary>
    public IReadOnlyList<Tc2ExtraAttr>? ExtraAttrs { get; init; }
    public JsonObject Raw { get; init; } = new();

    /// <summary>An id Hermes can store (an int column); one that is missing and one out of range are told apart.</summary>
    static int RequiredId(JsonNode? n, string[] loc, string what) =>
        Tc2Json.Int(n) ?? throw new Tc2PayloadException(loc, n is null ? $"{what} has no id" : $"{what}'s id {Tc2Json.Text(n)} is not a whole number from 1 to {int.MaxValue}");

    public static Tc2Cligency Parse(JsonObject o)
    {
        var id = RequiredId(o["id"], ["subject", "id"], "the client");
        var user = o["user"] as JsonObject;
        var agency = o["meta_agency"] as JsonObject;
        return new Tc2Cligency
        {
            Id = id,
            Status = Tc2Json.Str(o["status"]),
            User = new Tc2User(Tc2Json.Str(user?["email"]), Tc2Json.Str(user?["phone"]), Tc2Json.Str(user?["first_name"]), Tc2Json.Str(user?["last_name"])),
            MetaAgency = agency is null ? null : new Tc2Agency
            {
                Id = RequiredId(agency["id"], ["subject", "meta_agency", "id"], "the agency"),
                Name = Tc2Json.Str(agency["name"]),
                Website = Tc2Json.Str(agency["website"]),
                Status = Tc2Json.Str(agency["status"]),
                PaidInvoiceCount = Tc2Json.Int(agency["paid_invoice_count"]) ?? 0,
                Country = Tc2Json.Str(agency["country"]),
                PricePlan = Tc2Json.Str(agency["price_plan"]),
                Narc = agency["narc"] is JsonValue n && n.GetValueKind() == JsonValueKind.True,
                Created = Tc2Json.Time(agency["created"]),
                SignupQuestionnaire = agency["signup_questionnaire"]?.DeepClone(),
                PipedriveId = Tc2Json.Int(agency["pipedrive_id"]),
            },
            SalesPersonId = AdminId(o["sales_person"]),
            AssociatedAdminId = AdminId(o["associated_admin"]),
            BdrPersonId = AdminId(o["bdr_person"]),
            PaidRecipients = (o["paid_recipients"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(r => new Tc2Recipient(Tc2Json.Int(r["id"]), Tc2Json.Str(r["first_name"]), Tc2Json.Str(r["last_name"]), Tc2Json.Str(r["email"])))
                .Where(r => r.Id is not null).ToList(),
            ExtraAttrs = ExtraAttributes(o["extra_attrs"]),
            Raw = o,
        };
    }

    /// <summary>An admin as TC2 nests it (<c>{id, first_name, …}</c>) or as a bare id.</summary>
    static int? AdminId(JsonNode? node) => node is JsonObject admin ? Tc2Json.Int(admin["id"]) : Tc2Json.Int(node);

    static IReadOnlyList<Tc2ExtraAttr>? ExtraAttributes(JsonNode? node) => node switch
    {
        JsonArray list => list.OfType<JsonObject>().Where(a => Tc2Json.Str(a["machine_name"]) is { Length: > 0 })
            .Select(a => new Tc2ExtraAttr(Tc2Json.Str(a["machine_name"])!, Tc2Json.Text(a["value"]))).ToList(),
        JsonObject dict => dict.Select(kv => new Tc2ExtraAttr(kv.Key, Tc2Json.Text(kv.Value))).ToList(),
        _ => null,
    };

    /// <summary>The value of an extra attribute as Hermes keeps it (see <see cref="NormaliseExtraAttr"/>); null when absent or empty.</summary>
    public string? Extra(string machineName) =>
        ExtraAttrs?.FirstOrDefault(a => a.MachineName == machineName) is { } attr ? NormaliseExtraAttr(machineName, attr.Value) : null;

    /// <summary>
    /// hermes_v2's normalisation of <c>extra_attrs</c> values: lower-cased, trimmed of spaces and then of leading and
    /// trailing <c>-</c>; empty means none. <c>gclid</c> keeps its case (Google click ids are case-sensitive).
    /// </summary>
    public static string? NormaliseExtraAttr(string machineName, string? value)
    {
        if (value is null) return null;
        var v = value.Trim();
        if (machineName != "gclid") v = v.ToLowerInvariant();
        v = v.Trim('-').Trim();
        return v.Length == 0 ? null : v;
    }
}

public sealed record Tc2User(string? Email = null, string? Phone = null, string? FirstName = null, string? LastName = null);

public sealed record Tc2Recipient(int? Id, string? FirstName, string? LastName, string? Email);

public sealed record Tc2ExtraAttr(string MachineName, string? Value);

public sealed record Tc2Agency
{
    public required int Id { get; init; }
    public string? Name { get; init; }
    public string? Website { get; init; }
    public string? Status { get; init; }
    public int PaidInvoiceCount { get; init; }
    public string? Country { get; init; }
    public string? PricePlan { get; init; }
    public bool Narc { get; init; }
    public DateTime? Created { get; init; }
    public JsonNode? SignupQuestionnaire { get; init; }
    public int? PipedriveId { get; init; }

    /// <summary>"United Kingdom (GB)" → "GB": the last word, without its parentheses.</summary>
    public string? CountryCode =>
        Country?.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim('(', ')') is { Length: > 0 } code ? code : null;

    /// <summary>"1-payg" → "payg": the part after the last <c>-</c>; anything Hermes doesn't sell counts as payg.</summary>
    public string Plan =>
        PricePlan?.Split('-').Last().Trim().ToLowerInvariant() is { } plan && Domain.Company.PricePlans.Contains(plan) ? plan : Domain.Company.PlanPayg;
}

/// <summary>Lenient readers for TC2's JSON, where ids may be numbers or numeric strings.</summary>
static class Tc2Json
{
    public static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>Any scalar as text (numbers and booleans too); null for null, objects and arrays.</summary>
    public static string? Text(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => null,
        }
        : null;

    public static long? Long(JsonNode? n) => n is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= long.MinValue and < 9.2233720368547758E18 => (long)d,
            JsonValueKind.String when long.TryParse(v.GetValue<string>().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
            _ => null,
        }
        : null;

    public static int? Int(JsonNode? n) => Long(n) is { } l && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;

    const long MinUnixSeconds = -62135596800, MaxUnixSeconds = 253402300799;

    /// <summary>A unix timestamp (seconds, within what a DateTime holds) or an ISO 8601 date-time; naive means UTC.</summary>
    public static DateTime? Time(JsonNode? n)
    {
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && Long(n) is { } seconds and >= MinUnixSeconds and <= MaxUnixSeconds)
            return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        return Str(n) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.UtcDateTime
            : null;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Tc2;

/// <summary>A TC2 admin as clients reference them (<c>associated_admin</c>, <c>sales_person</c>, <c>bdr_person</c>).</summary>
public sealed record Tc2Admin(long Id, string FirstName, string LastName, string Email)
{
    public JsonObject ToJson() => new() { ["id"] = Id, ["first_name"] = FirstName, ["last_name"] = LastName, ["email"] = Email };
}

/// <summary>A paid recipient (a TC2 "SR", a Hermes contact).</summary>
public sealed record Tc2Recipient(long Id, string FirstName, string LastName, string? Email)
{
    public JsonObject ToJson() => new() { ["id"] = Id, ["first_name"] = FirstName, ["last_name"] = LastName, ["email"] = Email };
}

/// <summary>The <c>meta_agency</c> of a cligency: the TutorCruncher customer itself.</summary>
public sealed record Tc2Agency
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required DateTimeOffset Created { get; init; }
    public string Country { get; init; } = "United Kingdom (GB)";
    public string? Website { get; init; }
    /// <summary>pending_email_conf, trial, active, active-not-paying, suspended, terminated, in-arrears.</summary>
    public string Status { get; init; } = "trial";
    public int PaidInvoiceCount { get; init; }
    /// <summary><c>"&lt;n&gt;-&lt;plan&gt;"</c>, e.g. <c>1-payg</c>, <c>2-startup</c>, <c>3-enterprise</c>.</summary>
    public string PricePlan { get; init; } = "1-payg";
    public bool? Narc { get; init; } = false;
    public JsonNode? SignupQuestionnaire { get; init; }
    public string? Gclid { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id, ["name"] = Name, ["country"] = Country, ["website"] = Website, ["status"] = Status,
        ["paid_invoice_count"] = PaidInvoiceCount, ["created"] = Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["price_plan"] = PricePlan, ["narc"] = Narc, ["signup_questionnaire"] = SignupQuestionnaire?.DeepClone(),
        ["pay0_dt"] = null, ["pay1_dt"] = null, ["pay3_dt"] = null, ["card_saved_dt"] = null, ["email_confirmed_dt"] = null,
        ["gclid"] = Gclid, ["gclid_expiry_dt"] = null,
    };
}

/// <summary>
/// A TC2 client ("cligency") in the extended shape Hermes reads from TC2's own instance (research/external_apis.md
/// §D.3): the V1 nested <c>user</c>, <c>meta_agency</c>, admins as objects, paid recipients, and <c>extra_attrs</c>
/// read back as a list of <c>{id, value, type, machine_name, name}</c>.
/// </summary>
public sealed record SimulatedClient
{
    public required long Id { get; init; }
    public required string FirstName { get; init; }
    public required string LastName { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    /// <summary>prospect, live or dormant.</summary>
    public string Status { get; init; } = "prospect";
    public Tc2Agency? Agency { get; init; }
    public Tc2Admin? AssociatedAdmin { get; init; }
    public Tc2Admin? SalesPerson { get; init; }
    public Tc2Admin? BdrPerson { get; init; }
    public IReadOnlyList<Tc2Recipient> PaidRecipients { get; init; } = [];
    public IReadOnlyDictionary<string, string> ExtraAttrs { get; init; } = new Dictionary<string, string>();

    public JsonObject ToJson()
    {
        var attrId = 0;
        var json = new JsonObject
        {
            ["id"] = Id,
            ["model"] = "Client",
            ["user"] = new JsonObject { ["first_name"] = FirstName, ["last_name"] = LastName, ["email"] = Email, ["phone"] = Phone },
            ["status"] = Status,
            ["is_taxable"] = true,
            ["charge_via_branch"] = false,
            ["invoices_count"] = 0,
            ["payment_pending"] = "0.00",
            ["received_notifications"] = new JsonArray(),
            ["associated_admin"] = AssociatedAdmin?.ToJson(),
            ["sales_person"] = SalesPerson?.ToJson(),
            ["bdr_person"] = BdrPerson?.ToJson(),
            ["paid_recipients"] = Json.Array(PaidRecipients.Select(r => (JsonNode)r.ToJson())),
            ["extra_attrs"] = Json.Array(ExtraAttrs.Select(a => (JsonNode)ExtraAttr(++attrId, a.Key, JsonValue.Create(a.Value)))),
        };
        if (Agency is not null) json["meta_agency"] = Agency.ToJson();
        return json;
    }

    internal static JsonObject ExtraAttr(long id, string machineName, JsonNode? value) => new()
    {
        ["id"] = id, ["value"] = value, ["type"] = "text", ["machine_name"] = machineName,
        ["name"] = char.ToUpperInvariant(machineName[0]) + machineName[1..].Replace('_', ' '),
    };
}

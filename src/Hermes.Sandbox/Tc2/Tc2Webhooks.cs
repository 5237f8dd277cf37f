using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Tc2;

/// <summary>One webhook TC2 posted: URL, exact body, signature, and the answer (or the error when there was none).</summary>
public sealed record Tc2WebhookDelivery(string Url, string Body, string Signature, int? StatusCode, string? ResponseBody, string? Error)
{
    public JsonNode? Json => Sandbox.Json.TryParse(Body);
}

/// <summary>
/// Posts TC2 webhooks (research/external_apis.md §D.4): <c>{"_request_time": …, "events": [{action, verb, timestamp,
/// branch, actor, extra_msg, subject}]}</c> written as Python writes JSON, with <c>Webhook-Signature</c> = lowercase hex
/// HMAC-SHA256 of the raw body keyed with the integration's API key. Each call sends one request and returns it.
/// </summary>
public sealed class Tc2Webhooks : IDisposable
{
    static readonly Dictionary<string, string> Verbs = new()
    {
        ["CREATED_A_CLIENT"] = "Created a Client",
        ["EDITED_A_CLIENT"] = "Edited a Client",
        ["DELETED_A_CLIENT"] = "Deleted a Client",
        ["CHANGED_CLIENT_STATUS"] = "Changed Client status",
        ["CLIENT_SIGN_UP"] = "Client signed up",
        ["AGREE_TERMS"] = "Agreed to Terms and Conditions",
        ["EDITED_AGENCY_DETAILS"] = "Edited agency details",
        ["EDITED_PRICE_PLAN"] = "Edited price plan",
        ["TERMINATED_AGENCY"] = "Terminated agency",
        ["RAISED_INVOICE"] = "Raised an Invoice",
        ["CLIENT_PAID_INVOICE"] = "Client paid an Invoice",
        ["ADMIN_PAID_INVOICE"] = "Admin paid an Invoice",
        ["MARKED_INVOICE_AS_PAID"] = "Marked an Invoice as paid",
        ["VOIDED_INVOICE"] = "Voided an Invoice",
    };

    readonly Tc2Simulator _tc2;
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    readonly object _gate = new();
    readonly List<Tc2WebhookDelivery> _sent = [];
    long _lastInvoiceId = 900;

    internal Tc2Webhooks(Tc2Simulator tc2) => _tc2 = tc2;

    /// <summary>Where webhooks go (Hermes's <c>/tc2/callback/</c>); resolved when sending.</summary>
    public Func<Uri?> Url { get; set; } = () => null;

    public IReadOnlyList<Tc2WebhookDelivery> Sent { get { lock (_gate) return _sent.ToArray(); } }

    internal void Clear()
    {
        lock (_gate) _sent.Clear();
    }

    /// <summary>The signature TC2 puts in <c>Webhook-Signature</c>: hex HMAC-SHA256 of the raw body with the API key.</summary>
    public static string Sign(string body, string apiKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), Encoding.UTF8.GetBytes(body)));

    /// <summary>An event about a stored client (e.g. CREATED_A_CLIENT, EDITED_A_CLIENT): the subject is the whole client.</summary>
    public JsonObject ClientEvent(string action, long clientId) =>
        Event(action, _tc2.GetClient(clientId) ?? throw new ArgumentException($"TC2 has no client {clientId}", nameof(clientId)));

    /// <summary>DELETED_A_CLIENT: removes the client and describes it with the thin subject TC2 sends.</summary>
    public JsonObject ClientDeletedEvent(long clientId)
    {
        var client = _tc2.RemoveClient(clientId) ?? throw new ArgumentException($"TC2 has no client {clientId}", nameof(clientId));
        return Event("DELETED_A_CLIENT", new JsonObject
        {
            ["id"] = clientId, ["model"] = "Client",
            ["first_name"] = client["user"]?["first_name"]?.DeepClone(), ["last_name"] = client["user"]?["last_name"]?.DeepClone(),
        });
    }

    /// <summary>An invoice event (e.g. RAISED_INVOICE, CLIENT_PAID_INVOICE) for one of the client's invoices.</summary>
    public JsonObject InvoiceEvent(string action, long clientId, long? invoiceId = null)
    {
        var client = _tc2.GetClient(clientId) ?? throw new ArgumentException($"TC2 has no client {clientId}", nameof(clientId));
        var id = invoiceId ?? Interlocked.Increment(ref _lastInvoiceId);
        return Event(action, new JsonObject
        {
            ["id"] = id, ["model"] = "Invoice", ["display_id"] = $"INV-{id}",
            ["client"] = new JsonObject
            {
                ["id"] = clientId, ["first_name"] = client["user"]?["first_name"]?.DeepClone(),
                ["last_name"] = client["user"]?["last_name"]?.DeepClone(), ["email"] = client["user"]?["email"]?.DeepClone(),
            },
            ["status"] = action.Contains("PAID") ? "paid" : "unpaid", ["gross"] = "90.00", ["net"] = "75.00", ["tax"] = "15.00",
        });
    }

    public JsonObject Event(string action, JsonObject subject) => new()
    {
        ["action"] = action,
        ["verb"] = Verbs.TryGetValue(action, out var verb) ? verb : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(action.Replace('_', ' ').ToLowerInvariant()),
        ["timestamp"] = _tc2.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["branch"] = _tc2.Options.BranchId,
        ["actor"] = new JsonObject { ["name"] = "Sandbox Admin", ["id"] = 1, ["user_id"] = 1 },
        ["extra_msg"] = "",
        ["subject"] = subject,
    };

    public Task<Tc2WebhookDelivery> EmitClientEventAsync(string action, long clientId, CancellationToken ct = default) =>
        SendAsync([ClientEvent(action, clientId)], ct);

    public Task<Tc2WebhookDelivery> EmitClientDeletedAsync(long clientId, CancellationToken ct = default) =>
        SendAsync([ClientDeletedEvent(clientId)], ct);

    public Task<Tc2WebhookDelivery> EmitInvoiceEventAsync(string action, long clientId, long? invoiceId = null, CancellationToken ct = default) =>
        SendAsync([InvoiceEvent(action, clientId, invoiceId)], ct);

    /// <summary>Posts one webhook carrying these events to <see cref="Url"/> (or <paramref name="url"/>).</summary>
    public async Task<Tc2WebhookDelivery> SendAsync(IReadOnlyList<JsonObject> events, CancellationToken ct = default, Uri? url = null)
    {
        var target = url ?? Url() ?? throw new InvalidOperationException("no TC2 webhook URL configured: set Tc2.Webhooks.Url");
        var body = PythonJson.Serialize(new JsonObject
        {
            ["_request_time"] = _tc2.Time.GetUtcNow().ToUnixTimeSeconds(),
            ["events"] = Json.Array(events.Select(e => e.Parent is null ? e : e.DeepClone())),
        });
        var signature = Sign(body, _tc2.Options.ApiKey);
        int? status = null;
        string? responseBody = null, error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Webhook-Signature", signature);
            using var response = await _http.SendAsync(request, ct);
            status = (int)response.StatusCode;
            responseBody = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error = e.Message;
        }
        var delivery = new Tc2WebhookDelivery(target.ToString(), body, signature, status, responseBody, error);
        lock (_gate) _sent.Add(delivery);
        return delivery;
    }

    public void Dispose() => _http.Dispose();
}

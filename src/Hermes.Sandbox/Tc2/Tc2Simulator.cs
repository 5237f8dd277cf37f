using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox.Tc2;

public sealed class Tc2Options
{
    /// <summary>The integration's private key: <c>Authorization: token &lt;key&gt;</c> and the webhook HMAC key.</summary>
    public string ApiKey { get; set; } = "sandbox-tc2-key";
    public long BranchId { get; set; } = 99;
}

/// <summary>
/// TutorCruncher's own instance as Hermes uses it (research/external_apis.md §D): <c>GET /api/clients/{id}/</c>,
/// <c>GET /api/clients/</c>, <c>POST /api/clients/</c> (create, or update the client with that <c>user.email</c>,
/// as hermes_v2 used it) and <c>POST /api/clients/{id}/</c> (update), with Django REST framework's token
/// authentication and error bodies and Django's redirect for a missing trailing slash. Tests put client records in
/// with <see cref="PutClient(SimulatedClient)"/> and send webhooks through <see cref="Webhooks"/>.
/// </summary>
public sealed class Tc2Simulator : Simulator, IDisposable
{
    readonly SortedDictionary<long, JsonObject> _clients = new();
    readonly Dictionary<long, Tc2Admin> _admins = new();
    long _lastClientId;
    long _lastAttrId = 1000;

    public Tc2Simulator(Tc2Options? options = null, TimeProvider? time = null) : base(time ?? TimeProvider.System)
    {
        Options = options ?? new Tc2Options();
        Webhooks = new Tc2Webhooks(this);
    }

    public override string Name => "tc2";
    public Tc2Options Options { get; }
    public Tc2Webhooks Webhooks { get; }

    protected override void ResetState()
    {
        _clients.Clear();
        _admins.Clear();
        Webhooks.Clear();
    }

    public void Dispose() => Webhooks.Dispose();

    // ---- C# control surface ----

    /// <summary>Admins that clients may name as associated admin, sales or BDR person (clients put in register theirs).</summary>
    public void AddAdmin(Tc2Admin admin)
    {
        lock (Gate) _admins[admin.Id] = admin;
    }

    public void PutClient(SimulatedClient client) => PutClient(client.ToJson());

    /// <summary>Stores (or replaces) a client record as given; its admins become known admins.</summary>
    public void PutClient(JsonObject client)
    {
        if (!Json.TryGetLong(client["id"], out var id)) throw new ArgumentException("a client needs an integer id", nameof(client));
        lock (Gate)
        {
            _clients[id] = (JsonObject)client.DeepClone();
            _lastClientId = Math.Max(_lastClientId, id);
            foreach (var role in new[] { "associated_admin", "sales_person", "bdr_person" })
                if (client[role] is JsonObject a && Json.TryGetLong(a["id"], out var adminId))
                    _admins[adminId] = new Tc2Admin(adminId, a["first_name"]?.GetValue<string>() ?? "", a["last_name"]?.GetValue<string>() ?? "", a["email"]?.GetValue<string>() ?? "");
        }
    }

    public JsonObject? GetClient(long id) { lock (Gate) return _clients.TryGetValue(id, out var c) ? (JsonObject)c.DeepClone() : null; }

    public IReadOnlyList<JsonObject> Clients { get { lock (Gate) return _clients.Values.Select(c => (JsonObject)c.DeepClone()).ToArray(); } }

    internal JsonObject? RemoveClient(long id) { lock (Gate) return _clients.Remove(id, out var c) ? c : null; }

    // ---- the API ----

    protected override Task WriteServerErrorAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(status == 500 ? "<h1>Server Error (500)</h1>" : $"<h1>{status}</h1>", context.RequestAborted);
    }

    protected override Task WriteRateLimitedAsync(HttpContext context)
    {
        context.Response.Headers["Retry-After"] = "2";
        return Json.WriteAsync(context, 429, new JsonObject { ["detail"] = "Request was throttled. Expected available in 2 seconds." });
    }

    protected override (int Limit, int ResetSeconds) RateLimitFigures => (100, 60);

    static Task Detail(HttpContext context, int status, string detail) => Json.WriteAsync(context, status, new JsonObject { ["detail"] = detail });

    protected override async Task HandleApiAsync(SimRequest request)
    {
        var context = request.Context;
        var auth = request.Header("Authorization");
        if (string.IsNullOrEmpty(auth))
        {
            context.Response.Headers.WWWAuthenticate = "Token";
            await Detail(context, 401, "Authentication credentials were not provided.");
            return;
        }
        var parts = auth.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!parts[0].Equals("token", StringComparison.OrdinalIgnoreCase) || parts.Length != 2 || parts[1] != Options.ApiKey)
        {
            context.Response.Headers.WWWAuthenticate = "Token";
            await Detail(context, 401, parts.Length == 1 && parts[0].Equals("token", StringComparison.OrdinalIgnoreCase)
                ? "Invalid token header. No credentials provided."
                : parts[0].Equals("token", StringComparison.OrdinalIgnoreCase) ? "Invalid token." : "Authentication credentials were not provided.");
            return;
        }
        if (!request.Path.EndsWith('/'))
        {
            // Django's APPEND_SLASH: a redirect (a POST that follows it loses its body).
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = $"{context.Request.PathBase}{request.Path}/{context.Request.QueryString}";
            return;
        }

        switch (request.Segments)
        {
            case ["api", "clients"] when request.Is("GET"):
                await Json.WriteAsync(context, 200, ListClients());
                return;
            case ["api", "clients"] when request.Is("POST"):
                await WriteResult(context, CreateOrUpdateByEmail(request));
                return;
            case ["api", "clients", var idText] when long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                if (request.Is("GET"))
                {
                    var client = GetClient(id);
                    if (client is null) await Detail(context, 404, "Not found.");
                    else await Json.WriteAsync(context, 200, client);
                }
                else if (request.Is("POST")) await WriteResult(context, UpdateById(id, request));
                else if (request.Is("DELETE"))
                {
                    var removed = RemoveClient(id);
                    if (removed is null) await Detail(context, 404, "Not found.");
                    else await Json.WriteAsync(context, 200, new JsonObject
                    {
                        ["message"] = $"Successfully deleted role {id}: {removed["user"]?["first_name"]} {removed["user"]?["last_name"]}".Trim(),
                    });
                }
                else await Detail(context, 405, $"Method \"{request.Method}\" not allowed.");
                return;
            case ["api", "clients", ..]:
                await Detail(context, 405, $"Method \"{request.Method}\" not allowed.");
                return;
            default:
                await Detail(context, 404, "Not found.");
                return;
        }
    }

    static Task WriteResult(HttpContext context, (int Status, JsonNode Body) result) => Json.WriteAsync(context, result.Status, result.Body);

    JsonObject ListClients()
    {
        lock (Gate)
        {
            var results = _clients.Values.Reverse().Take(100).Select(c => c.DeepClone()).ToArray();
            return new JsonObject { ["count"] = _clients.Count, ["next"] = null, ["previous"] = null, ["results"] = new JsonArray(results) };
        }
    }

    /// <summary>V1 semantics, as hermes_v2 relied on: a client with the same <c>user.email</c> is updated, otherwise one is created.</summary>
    (int, JsonNode) CreateOrUpdateByEmail(SimRequest request)
    {
        if (request.Json() is not JsonObject body) return (400, NotADictionary(request));
        var email = body["user"]?["email"] is JsonValue e && Json.IsString(e, out var s) ? s : null;
        lock (Gate)
        {
            var existing = email is null ? null : _clients.Values.FirstOrDefault(c => string.Equals(c["user"]?["email"]?.GetValue<string>(), email, StringComparison.OrdinalIgnoreCase));
            if (existing is not null) return Update(existing, body, 200);
            if (body["user"]?["last_name"] is null)
                return (400, new JsonObject { ["user"] = new JsonObject { ["last_name"] = new JsonArray("This field is required.") } });
            var client = new SimulatedClient
            {
                Id = ++_lastClientId, FirstName = body["user"]?["first_name"]?.GetValue<string>() ?? "",
                LastName = body["user"]!["last_name"]!.GetValue<string>(), Email = email,
            }.ToJson();
            var (status, result) = Update(client, body, 201);
            if (status == 201) _clients[client["id"]!.AsLong()] = client;
            else _lastClientId--;
            return (status, result);
        }
    }

    (int, JsonNode) UpdateById(long id, SimRequest request)
    {
        if (request.Json() is not JsonObject body) return (400, NotADictionary(request));
        lock (Gate) return _clients.TryGetValue(id, out var client) ? Update(client, body, 200) : (404, new JsonObject { ["detail"] = "Not found." });
    }

    static JsonObject NotADictionary(SimRequest request) => new()
    {
        ["non_field_errors"] = new JsonArray($"Invalid data. Expected a dictionary, but got {(request.Json() is JsonArray ? "list" : "str")}."),
    };

    /// <summary>
    /// Partial update of the writable fields (others, like <c>meta_agency</c>, are read-only and ignored as DRF does):
    /// <c>user</c>, <c>status</c>, admins by id, and <c>extra_attrs</c> as a dict of machine name to value (null removes).
    /// Validates everything before changing anything.
    /// </summary>
    (int, JsonNode) Update(JsonObject client, JsonObject body, int successStatus)
    {
        var errors = new JsonObject();
        var admins = new Dictionary<string, Tc2Admin?>();
        foreach (var role in new[] { "associated_admin", "sales_person", "bdr_person" })
        {
            if (!body.ContainsKey(role)) continue;
            switch (body[role])
            {
                case null: admins[role] = null; break;
                case var n when Json.TryGetLong(n, out var adminId):
                    if (_admins.TryGetValue(adminId, out var admin)) admins[role] = admin;
                    else errors[role] = new JsonArray($"Invalid pk \"{adminId}\" - object does not exist.");
                    break;
                case var n:
                    errors[role] = new JsonArray($"Incorrect type. Expected pk value, received {PythonType(n)}.");
                    break;
            }
        }
        if (body["status"] is { } status && (!Json.IsString(status, out var st) || st is not ("prospect" or "live" or "dormant")))
            errors["status"] = new JsonArray($"\"{status}\" is not a valid choice.");
        if (body.ContainsKey("extra_attrs") && body["extra_attrs"] is not JsonObject)
            errors["extra_attrs"] = new JsonArray($"Expected a dictionary of items but got type \"{PythonType(body["extra_attrs"])}\".");
        if (body.ContainsKey("user") && body["user"] is not JsonObject)
            errors["user"] = new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary.") };
        if (errors.Count > 0) return (400, errors);

        if (body["user"] is JsonObject user)
            foreach (var field in new[] { "first_name", "last_name", "email", "phone" })
                if (user.ContainsKey(field)) client["user"]![field] = user[field]?.DeepClone();
        if (body["status"] is { } newStatus) client["status"] = newStatus.DeepClone();
        foreach (var (role, admin) in admins) client[role] = admin?.ToJson();
        if (body["extra_attrs"] is JsonObject attrs)
        {
            var list = client["extra_attrs"] as JsonArray ?? [];
            client["extra_attrs"] = list;
            foreach (var (machineName, value) in attrs)
            {
                var existing = list.FirstOrDefault(a => a?["machine_name"]?.GetValue<string>() == machineName);
                if (value is null) { if (existing is not null) list.Remove(existing); }
                else if (existing is not null) existing["value"] = value.DeepClone();
                else list.Add(SimulatedClient.ExtraAttr(++_lastAttrId, machineName, value.DeepClone()));
            }
        }
        return (successStatus, client.DeepClone());
    }

    static string PythonType(JsonNode? node) => node switch
    {
        JsonArray => "list",
        JsonObject => "dict",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => "str",
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "float",
    };

    // ---- HTTP control surface ----

    protected override async Task<bool> HandleControlAsync(SimRequest request)
    {
        var context = request.Context;
        switch (request.Segments)
        {
            case ["clients"] when request.Is("PUT") || request.Is("POST"):
                var client = request.Json() as JsonObject ?? throw new ControlException("the body must be a client JSON object");
                try { PutClient(client); }
                catch (ArgumentException e) { throw new ControlException(e.Message); }
                await Json.WriteAsync(context, 200, client);
                return true;
            case ["admins"] when request.Is("POST"):
                var body = request.Json() as JsonObject ?? throw new ControlException("the body must be a JSON object");
                AddAdmin(new Tc2Admin(Control.Long(body, "id") ?? throw new ControlException("'id' is required"),
                    Control.String(body, "first_name") ?? "", Control.String(body, "last_name") ?? "", Control.String(body, "email") ?? ""));
                await Json.WriteAsync(context, 200, DumpAdmins());
                return true;
            case ["webhooks"] when request.Is("GET"):
                await Json.WriteAsync(context, 200, SentJson());
                return true;
            case ["webhooks"] when request.Is("POST"):
                // {"action": "EDITED_A_CLIENT", "client_id": 12, "invoice_id": 3?, "url": "http://…"?}
                var emit = request.Json() as JsonObject ?? throw new ControlException("the body must be a JSON object");
                var action = Control.String(emit, "action") ?? throw new ControlException("'action' is required, e.g. EDITED_A_CLIENT");
                var clientId = Control.Long(emit, "client_id") ?? throw new ControlException("'client_id' is required");
                Uri? url = Control.String(emit, "url") is { } u ? new Uri(u) : null;
                JsonObject evt;
                try
                {
                    evt = action == "DELETED_A_CLIENT" ? Webhooks.ClientDeletedEvent(clientId)
                        : emit.ContainsKey("invoice_id") || action.Contains("INVOICE") ? Webhooks.InvoiceEvent(action, clientId, Control.Long(emit, "invoice_id"))
                        : Webhooks.ClientEvent(action, clientId);
                }
                catch (ArgumentException e) { throw new ControlException(e.Message); }
                Tc2WebhookDelivery delivery;
                try { delivery = await Webhooks.SendAsync([evt], context.RequestAborted, url); }
                catch (InvalidOperationException e) { throw new ControlException(e.Message); }
                await Json.WriteAsync(context, 200, DeliveryJson(delivery));
                return true;
            default:
                return false;
        }
    }

    public override JsonObject DumpState() => new()
    {
        ["clients"] = new JsonArray(_clients.Values.Select(c => c.DeepClone()).ToArray()),
        ["admins"] = DumpAdmins(),
        ["webhooks"] = SentJson(),
    };

    JsonArray DumpAdmins() { lock (Gate) return Json.Array(_admins.Values.OrderBy(a => a.Id).Select(a => (JsonNode)a.ToJson())); }

    JsonArray SentJson() => Json.Array(Webhooks.Sent.Select(d => (JsonNode)DeliveryJson(d)));

    static JsonObject DeliveryJson(Tc2WebhookDelivery d) => new()
    {
        ["url"] = d.Url, ["signature"] = d.Signature, ["status_code"] = d.StatusCode, ["response_body"] = d.ResponseBody,
        ["error"] = d.Error, ["body"] = d.Json?.DeepClone(),
    };
}

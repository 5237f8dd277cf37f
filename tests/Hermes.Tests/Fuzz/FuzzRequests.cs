using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Tc2;
using Hermes.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Tests.Fuzz.JsonMutations;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Fuzz;

/// <summary>How <see cref="FuzzEndpoints"/> builds its requests: JSON bodies, query strings, forms, signed TC2 and Pipedrive webhooks.</summary>
public static partial class FuzzEndpoints
{
    /// <summary>A JSON request from a valid body: mostly mutated (1–3 mutations), sometimes broken at the byte level or sent with another content type.</summary>
    static HttpRequestMessage Json(HttpMethod method, string path, JsonNode template, Random r, out string what)
    {
        var body = new FuzzBody(template.DeepClone());
        var done = new List<string>();
        var mutations = r.Next(7) == 0 ? 0 : r.Next(1, 4);
        for (var i = 0; i < mutations; i++) done.Add(JsonMutations.Apply(body, r));
        var bytes = body.ToBytes();
        if (r.Next(8) == 0)
        {
            (bytes, var broken) = BreakBytes(bytes, r);
            done.Add(broken);
        }
        var content = new ByteArrayContent(bytes);
        var type = r.Next(12) switch
        {
            0 => null, 1 => "text/plain", 2 => "application/x-www-form-urlencoded", 3 => "application/json; charset=iso-8859-1",
            4 => "multipart/form-data; boundary=x", _ => "application/json",
        };
        if (type is not null) content.Headers.TryAddWithoutValidation("Content-Type", type);
        if (type is not ("application/json" or null)) done.Add($"content type {type}");
        if (type is null) done.Add("no content type");
        what = done.Count == 0 ? "valid" : string.Join("; ", done);
        return new HttpRequestMessage(method, path) { Content = content };
    }

    static FuzzRequest Query(FuzzWorld w, string path, FuzzPairs pairs, Random r)
    {
        var done = new List<string>();
        var mutations = r.Next(6) == 0 ? 0 : r.Next(1, 3);
        for (var i = 0; i < mutations; i++) done.Add(pairs.Mutate(r));
        var query = pairs.ToString();
        return new FuzzRequest(new HttpRequestMessage(HttpMethod.Get, Raw(w, path + (query.Length > 0 ? "?" + query : ""))),
            done.Count == 0 ? "valid" : string.Join("; ", done));
    }

    /// <summary>A urlencoded form post with the antiforgery token (sometimes without it, or sent as something else).</summary>
    static FuzzRequest Form(string path, FuzzPairs pairs, FuzzWorld w, Random r, bool anonymous = false)
    {
        var done = new List<string>();
        var mutations = r.Next(6) == 0 ? 0 : r.Next(1, 3);
        for (var i = 0; i < mutations; i++) done.Add(pairs.Mutate(r));
        if (r.Next(15) > 0) pairs.Add("__RequestVerificationToken", anonymous ? w.AnonymousToken : w.AdminToken);
        else done.Add("no antiforgery token");
        var type = r.Next(10) switch { 0 => "application/json", 1 => "text/plain", 2 => "multipart/form-data; boundary=x", _ => "application/x-www-form-urlencoded" };
        if (type != "application/x-www-form-urlencoded") done.Add($"content type {type}");
        var content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(pairs.ToString()));
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        return new FuzzRequest(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, done.Count == 0 ? "valid" : string.Join("; ", done),
            anonymous ? w.AnonymousHttp : w.AdminHttp);
    }

    /// <summary>A relative URI kept exactly as written (System.Uri would re-escape <c>%zz</c> and friends).</summary>
    static Uri Raw(FuzzWorld w, string pathAndQuery) =>
        new(w.Hermes.BaseAddress.GetLeftPart(UriPartial.Authority) + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    static FuzzRequest Tc2Request(FuzzWorld w, Random r, bool signed)
    {
        var events = new JsonArray();
        foreach (var _ in Enumerable.Range(0, r.Next(1, 3)))
        {
            var clientId = Pick(r, [10, 11, 12, 13]);
            var action = Pick(r, ["CREATED_A_CLIENT", "EDITED_A_CLIENT", "CHANGED_CLIENT_STATUS", "AGREE_TERMS", "DELETED_A_CLIENT", "CLIENT_PAID_INVOICE", "RAISED_INVOICE"]);
            var client = w.Tc2Client(clientId, Pick(r, ["Junes Ltd", "Acme", "Tutors R Us"])).ToJson();
            JsonObject subject = action switch
            {
                "DELETED_A_CLIENT" => new JsonObject { ["id"] = clientId, ["model"] = "Client", ["first_name"] = "Mary", ["last_name"] = "Booth" },
                "CLIENT_PAID_INVOICE" or "RAISED_INVOICE" => new JsonObject
                {
                    ["id"] = 900 + r.Next(10), ["model"] = "Invoice", ["client"] = new JsonObject { ["id"] = clientId, ["first_name"] = "Mary" }, ["status"] = "paid",
                },
                _ => client,
            };
            events.Add(w.Booker.Sim.Tc2.Webhooks.Event(action, subject));
        }
        var template = new JsonObject { ["_request_time"] = w.Clock.GetUtcNow().ToUnixTimeSeconds(), ["events"] = events };
        var request = Json(HttpMethod.Post, "/tc2/callback/", template, r, out var what);
        var bytes = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        string? signature = Tc2Endpoints.Sign(bytes, "test-tc2-key");
        if (!signed)
            (signature, what) = r.Next(4) switch
            {
                0 => ((string?)null, what + "; no signature"),
                1 => (Tc2Endpoints.Sign(bytes, "another-key"), what + "; signed with another key"),
                2 => (Tc2Endpoints.Sign([.. bytes, (byte)' '], "test-tc2-key"), what + "; signature of another body"),
                _ => ("zz" + signature![2..], what + "; garbled signature"),
            };
        if (signature is not null) request.Headers.TryAddWithoutValidation("Webhook-Signature", signature);
        return new FuzzRequest(request, what);
    }

    static (JsonObject Body, string What) PipedriveTemplate(FuzzWorld w, Random r)
    {
        var version = Pick(r, [V1, V2]);
        var entity = Pick(r, ["organization", "person", "deal", "pipeline", "stage", "activity"]);
        var time = w.Now.AddMinutes(r.Next(-60, 60));
        Dictionary<string, object?> Data() => entity switch
        {
            "organization" => new() { ["id"] = Pick(r, [20, 21, 22, 23]), ["name"] = Pick(r, ["Junes Ltd", "Acme", "Org " + r.Next(9)]), ["owner_id"] = Pick(r, [10, 11, 99]),
                ["update_time"] = time, [HermesTest.OrgHermesId] = r.Next(3) == 0 ? Pick(r, w.CompanyIds).ToString(CultureInfo.InvariantCulture) : null,
                [FuzzWorld.OrgWebsite] = "https://junes.com", [FuzzWorld.OrgPaidInvoices] = r.Next(4) },
            "person" => new() { ["id"] = Pick(r, [30, 31, 32]), ["name"] = Pick(r, ["Mary Booth", "Brian Blessed", "Cher"]), ["owner_id"] = 10,
                ["org_id"] = Pick(r, [20, 21, 22]), ["email"] = "brian@blessed.com", ["phone"] = "0208112555", ["update_time"] = time,
                [HermesTest.PersonHermesId] = null },
            "deal" => new() { ["id"] = Pick(r, [40, 41, 42]), ["title"] = "Deal " + r.Next(9), ["org_id"] = Pick(r, [20, 21, 22]), ["person_id"] = Pick(r, [30, 31]),
                ["stage_id"] = Pick(r, [10, 20, 30, 55]), ["pipeline_id"] = Pick(r, [1, 2, 3, 66]), ["owner_id"] = Pick(r, [10, 11, 99]),
                ["status"] = Pick(r, ["open", "won", "lost"]), ["value"] = 0, ["currency"] = "GBP", ["update_time"] = time, [HermesTest.DealHermesId] = null },
            "pipeline" => new() { ["id"] = Pick(r, [1, 2, 60]), ["name"] = "Pipeline " + r.Next(9), ["active_flag"] = true, ["order_nr"] = 1, ["update_time"] = time },
            "stage" => new() { ["id"] = Pick(r, [10, 20, 50]), ["name"] = "Stage " + r.Next(9), ["pipeline_id"] = Pick(r, [1, 2, 60]), ["order_nr"] = 1, ["update_time"] = time },
            _ => new() { ["id"] = r.Next(100), ["subject"] = "Call", ["update_time"] = time },
        };
        var action = Pick(r, ["create", "update", "delete"]);
        var body = action switch
        {
            "create" => Create(version, entity, Data()),
            "update" => Update(version, entity, Data(), Data()),
            _ => Delete(version, entity, Data()),
        };
        if (body["meta"] is JsonObject meta && meta.ContainsKey("webhook_id")) meta["id"] = $"fuzz-{r.Next()}"; // v2's delivery id, made deterministic
        return (body, $"{version} {action} {entity}");
    }

    /// <summary>A booked meeting's id for a path, with the signature its manage link carries; sometimes an id or signature that is wrong.</summary>
    static string MeetingPath(FuzzWorld w, Random r, out string signature)
    {
        var links = w.Hermes.App.Services.GetRequiredService<ManageLinks>();
        if (w.Meetings.Count == 0 || r.Next(10) == 0)
        {
            signature = links.Sign(1, w.Now);
            return Pick(r, ["9999", "0", "-1", "abc", "99999999999", "1.5", "%F0%9F%98%80", "%00"]);
        }
        var (id, start) = Pick(r, w.Meetings);
        signature = r.Next(10) == 0 ? links.Sign(id, start.AddHours(1)) : links.Sign(id, start);
        return id.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A quarter-hour in the next four weeks (sometimes in the past).</summary>
    static DateTime Slot(FuzzWorld w, Random r) =>
        w.Now.Date.AddDays(r.Next(-1, 28)).AddHours(r.Next(0, 24)).AddMinutes(15 * r.Next(4));

    /// <summary>Adds a support link's s, admin_id, company_id, e (and ex) as Hermes signs them.</summary>
    static FuzzPairs LinkParameters(FuzzWorld w, FuzzPairs pairs, bool express)
    {
        var links = w.Hermes.App.Services.GetRequiredService<SupportLinks>();
        var link = new Uri(links.Create(w.Support.Id, w.CompanyIds[0], express, out _));
        foreach (var part in link.Query.TrimStart('?').Split('&'))
        {
            var kv = part.Split('=', 2);
            if (!pairs.Has(Uri.UnescapeDataString(kv[0]))) pairs.Add(Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : ""));
        }
        return pairs;
    }
}

using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Tc2;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Tests.Fuzz.JsonMutations;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;

namespace Hermes.Tests.Fuzz;

/// <summary>One request a fuzz case sends, what was done to it, and the client to send it with (Hermes's own by default).</summary>
public sealed record FuzzRequest(HttpRequestMessage Message, string What, HttpClient? Client = null);

/// <summary>
/// A public endpoint and how to make a hostile request for it from a seeded <see cref="Random"/>. A form post succeeds
/// with its redirect, so <see cref="Succeeded"/> says which answers may change rows.
/// </summary>
public sealed record FuzzEndpoint(string Name, int Cases, Func<FuzzWorld, Random, FuzzRequest> Next, Func<int, bool>? SucceededWhen = null)
{
    public bool Succeeded(int status) => SucceededWhen?.Invoke(status) ?? status is >= 200 and < 300;

    /// <summary>Run with the webhooks (it needs what they stored); the webhooks are fuzzed by one test and the rest by another, side by side.</summary>
    public bool AfterWebhooks { get; init; }

    public bool IsWebhook => AfterWebhooks || Name.Contains("/callback/", StringComparison.Ordinal);
}

/// <summary>
/// The table of endpoints the fuzz test attacks. To cover a new endpoint, add a row: a valid request to start from
/// and which part of it to mutate (<see cref="Json"/>, <see cref="Query"/> or <see cref="Form"/> do the rest).
/// </summary>
public static class FuzzEndpoints
{
    static readonly (string, string)[] CompanyFilters =
    [
        ("name", "Junes Ltd"), ("id", "1"), ("tc2_cligency_id", "10"), ("pd_org_id", "20"), ("created", "2026-01-01T00:00:00Z"), ("price_plan", "payg"),
        ("has_booked_call", "true"), ("narc", "false"), ("sales_person_id", "1"), ("website", "https://junes.com"), ("signup_questionnaire", "x"), ("bogus", "1"),
    ];

    static bool FormSucceeded(int status) => status is >= 200 and < 400;

    public static readonly FuzzEndpoint[] All =
    [
        new("POST /pipedrive/callback/", 800, (w, r) =>
        {
            var (template, what) = PipedriveTemplate(w, r);
            var request = Json(HttpMethod.Post, "/pipedrive/callback/", template, r, out var mutated);
            var auth = r.Next(20) switch { 0 => null, 1 => FuzzWorld.Basic("pipedrive", "guess"), _ => FuzzWorld.Basic("pipedrive", "webhook-secret") };
            if (auth is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", auth);
            return new FuzzRequest(request, $"{what}; {mutated}{(auth is null ? "; no credentials" : "")}");
        }),
        new("POST /tc2/callback/ (signed)", 550, (w, r) => Tc2Request(w, r, signed: true)),
        new("POST /tc2/callback/ (unsigned or wrongly signed)", 100, (w, r) => Tc2Request(w, r, signed: false)),
        // The admin's view and replay of what the webhooks stored, refused bodies included.
        new("GET /webhook/{id} (admin page)", 60, (w, r) =>
            Query(w, $"/webhook/{(w.WebhookIds.Count == 0 || r.Next(10) == 0 ? 999999 : Pick(r, w.WebhookIds))}", new FuzzPairs(), r) with { Client = w.AdminHttp })
        { AfterWebhooks = true },
        new("POST /webhook/{id}?handler=replay (admin form)", 100, (w, r) =>
        {
            var ids = r.Next(2) == 0 && w.RejectedWebhookIds.Count > 0 ? w.RejectedWebhookIds : w.WebhookIds;
            return Form($"/webhook/{(ids.Count == 0 || r.Next(10) == 0 ? 999999 : Pick(r, ids))}?handler=replay", new FuzzPairs(), w, r);
        }, FormSucceeded)
        { AfterWebhooks = true },
        new("POST /callbooker/sales/book/", 300, (w, r) =>
        {
            var meeting = Slot(w, r);
            var body = Hermes.Tests.CallBooker.Rows.SalesBody(w.Sales, meeting, b =>
            {
                b["email"] = $"person{r.Next(1000)}@junes{r.Next(5)}.com";
                b["company_name"] = Pick(r, ["Junes Ltd", "Acme", "New Co " + r.Next(100)]);
                b["price_plan"] = Pick(r, ["payg", "startup", "enterprise"]);
                if (r.Next(3) == 0) b["company_id"] = Pick(r, w.CompanyIds).ToString(CultureInfo.InvariantCulture);
                if (r.Next(3) == 0) b["bdr_person_id"] = 32;
                if (r.Next(3) == 0) b["phone"] = "+44 20 7946 0000";
                if (r.Next(3) == 0) b["utm_source"] = "google";
            });
            return new FuzzRequest(Json(HttpMethod.Post, "/callbooker/sales/book/", body, r, out var mutated), $"sales booking at {meeting:u}; {mutated}");
        }),
        new("POST /callbooker/support/book/", 200, (w, r) =>
        {
            var meeting = Slot(w, r);
            var body = Hermes.Tests.CallBooker.Rows.SupportBody(w.Support, Pick(r, w.CompanyIds), meeting, b => b["email"] = $"person{r.Next(1000)}@junes.com");
            return new FuzzRequest(Json(HttpMethod.Post, "/callbooker/support/book/", body, r, out var mutated), $"support booking at {meeting:u}; {mutated}");
        }),
        new("GET /callbooker/meetings/{id}/", 60, (w, r) => Query(w, $"/callbooker/meetings/{MeetingPath(w, r, out var s)}/", new FuzzPairs().Add("s", s), r)),
        new("POST /callbooker/meetings/{id}/reschedule/", 120, (w, r) =>
        {
            var path = $"/callbooker/meetings/{MeetingPath(w, r, out var s)}/reschedule/?s={s}";
            var meeting = Slot(w, r);
            var request = Json(HttpMethod.Post, path, new JsonObject { ["meeting_dt"] = Dates.Iso(meeting) }, r, out var what);
            return new FuzzRequest(request, $"to {meeting:u}; {what}");
        }),
        new("POST /callbooker/meetings/{id}/cancel/", 60, (w, r) =>
        {
            var path = $"/callbooker/meetings/{MeetingPath(w, r, out var s)}/cancel/?s={s}";
            return new FuzzRequest(Json(HttpMethod.Post, path, new JsonObject { ["reason"] = Pick(r, ["Something came up", "", "x"]) }, r, out var what), what);
        }),
        new("GET /book-a-call/manage/{id}/", 20, (w, r) => Query(w, $"/book-a-call/manage/{MeetingPath(w, r, out var s)}/", new FuzzPairs().Add("s", s), r)),
        new("GET /callbooker/availability/", 200, (w, r) =>
        {
            var start = w.Now.AddDays(r.Next(-2, 20));
            var pairs = new FuzzPairs().Add("admin_id", Pick(r, [w.Sales.Id, w.Support.Id, 999]).ToString(CultureInfo.InvariantCulture))
                .Add("start_dt", start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
                .Add("end_dt", start.AddDays(r.Next(1, 10)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            if (r.Next(4) == 0) LinkParameters(w, pairs, express: true);
            return Query(w, "/callbooker/availability/", pairs, r);
        }),
        new("GET /callbooker/support-link/generate/tc2/", 100, (w, r) =>
        {
            var pairs = new FuzzPairs().Add("tc2_admin_id", Pick(r, ["31", "30", "77"])).Add("tc2_cligency_id", Pick(r, ["10", "11", "12", "999"]));
            if (r.Next(2) == 0) pairs.Add("express", Pick(r, ["true", "false"]));
            var request = Query(w, "/callbooker/support-link/generate/tc2/", pairs, r);
            if (r.Next(10) > 0) request.Message.Headers.TryAddWithoutValidation("Authorization", r.Next(8) == 0 ? "token wrong" : "token test-tc2-key");
            return request;
        }),
        new("GET /callbooker/support-link/validate/", 100, (w, r) => Query(w, "/callbooker/support-link/validate/", LinkParameters(w, new FuzzPairs(), r.Next(2) == 0), r)),
        new("GET /choose-roundrobin/sales/", 60, (w, r) =>
            Query(w, "/choose-roundrobin/sales/", new FuzzPairs().Add("plan", Pick(r, ["payg", "startup", "enterprise"])).Add("country_code", Pick(r, ["GB", "US", "FR", "ZA", ""])), r)),
        new("GET /choose-roundrobin/support/", 20, (w, r) => Query(w, "/choose-roundrobin/support/", new FuzzPairs().Add("x", "1"), r)),
        new("GET /loc/", 20, (w, r) =>
        {
            var request = Query(w, "/loc/", new FuzzPairs(), r);
            request.Message.Headers.TryAddWithoutValidation("CF-IPCountry", Pick(r, ["GB", "", "xx", "ZZZZZZZZZZ", "T1"]));
            return request;
        }),
        // One filter at a time: each combination of filters is a query EF Core compiles once (about 0.3 s here).
        new("GET /companies/", 100, (w, r) =>
        {
            var (name, value) = Pick(r, CompanyFilters);
            return Query(w, "/companies/", new FuzzPairs().Add(name, value), r);
        }),
        new("GET /book-a-call/{admin_id}/", 40, (w, r) =>
            Query(w, $"/book-a-call/{Pick(r, [w.Sales.Id, w.Support.Id])}/", LinkParameters(w, new FuzzPairs().Add("rb", "1"), r.Next(2) == 0), r)),
        new("GET admin lists (?q=…)", 30, (w, r) =>
        {
            var pairs = new FuzzPairs().Add("q", Pick(r, ["junes", "mary@booth.com", "20", ""])).Add("sort", Pick(r, ["name", "id", "created", "bogus"]))
                .Add("dir", Pick(r, ["asc", "desc"])).Add("page", Pick(r, ["1", "2", "0", "-5", "99999999"]));
            var request = Query(w, Pick(r, ["/company/list", "/contact/list", "/deal/list", "/meeting/list", "/webhook/list", "/job/list", "/support-link"]), pairs, r);
            return request with { Client = w.AdminHttp };
        }),
        new("POST /company/update/{id} (admin form)", 150, (w, r) =>
        {
            var pairs = new FuzzPairs()
                .Add("Input.Name", Pick(r, ["Junes Ltd", "Acme Ltd", "New name"])).Add("Input.Tc2Status", Pick(r, ["trial", "live"]))
                .Add("Input.PricePlan", Pick(r, ["payg", "startup", "enterprise"])).Add("Input.Country", "GB").Add("Input.Website", "https://junes.com")
                .Add("Input.PaidInvoiceCount", r.Next(5).ToString(CultureInfo.InvariantCulture)).Add("Input.EstimatedIncome", "1000").Add("Input.Currency", "GBP")
                .Add("Input.UtmCampaign", "spring").Add("Input.UtmSource", "google").Add("Input.SalesPersonId", w.Sales.Id.ToString(CultureInfo.InvariantCulture))
                .Add("Input.HasBookedCall", Pick(r, ["true", "false"]));
            return Form($"/company/update/{Pick(r, [.. w.CompanyIds, 9999])}", pairs, w, r);
        }, FormSucceeded),
        new("POST /customfield/create|update/{id} (admin form)", 150, (w, r) =>
        {
            var pairs = new FuzzPairs()
                .Add("Input.Name", Pick(r, ["Source", "Lead score", "Referrer"]) + r.Next(50)).Add("Input.MachineName", Pick(r, ["", "lead_score_" + r.Next(50)]))
                .Add("Input.FieldType", Pick(r, ["str", "int", "bool", "date", "fk_field"])).Add("Input.LinkedObjectType", Pick(r, ["Company", "Contact", "Deal", "Meeting"]))
                .Add("Input.HermesFieldName", Pick(r, ["", "website", "estimated_income"])).Add("Input.Tc2MachineName", Pick(r, ["", "client_source"]))
                .Add("Input.PdFieldId", Pick(r, ["", r.Next().ToString("x8", CultureInfo.InvariantCulture) + r.Next().ToString("x8", CultureInfo.InvariantCulture)]));
            var path = r.Next(2) == 0 ? "/customfield/create" : $"/customfield/update/{Pick(r, [.. w.CustomFieldIds, 9999])}";
            return Form(path, pairs, w, r);
        }, FormSucceeded),
        new("POST /meeting/{id} reschedule|cancel (admin form)", 80, (w, r) =>
        {
            var id = w.Meetings.Count == 0 || r.Next(8) == 0 ? 9999 : Pick(r, w.Meetings).Id;
            var reschedule = r.Next(2) == 0;
            var pairs = reschedule
                ? new FuzzPairs().Add("NewStart", Slot(w, r).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture))
                : new FuzzPairs().Add("Reason", Pick(r, ["No longer needed", "", "Booked twice"]));
            return Form($"/meeting/{id}?handler={(reschedule ? "reschedule" : "cancel")}", pairs, w, r);
        }, FormSucceeded),
        new("POST /login (form)", 15, (w, r) =>
        {
            var pairs = new FuzzPairs().Add("Username", Pick(r, ["nobody@example.com", "x@y.z"])).Add("Password", "wrong-password").Add("ReturnUrl", Pick(r, ["/", "//evil.com", "/company/list"]));
            return Form("/login", pairs, w, r, anonymous: true);
        }, FormSucceeded),
    ];

    // ───────────────────────────── Request builders ─────────────────────────────

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
                ["update_time"] = time, [FuzzWorld.OrgHermesId] = r.Next(3) == 0 ? Pick(r, w.CompanyIds).ToString(CultureInfo.InvariantCulture) : null,
                [FuzzWorld.OrgWebsite] = "https://junes.com", [FuzzWorld.OrgPaidInvoices] = r.Next(4) },
            "person" => new() { ["id"] = Pick(r, [30, 31, 32]), ["name"] = Pick(r, ["Mary Booth", "Brian Blessed", "Cher"]), ["owner_id"] = 10,
                ["org_id"] = Pick(r, [20, 21, 22]), ["email"] = "brian@blessed.com", ["phone"] = "0208112555", ["update_time"] = time,
                [FuzzWorld.PersonHermesId] = null },
            "deal" => new() { ["id"] = Pick(r, [40, 41, 42]), ["title"] = "Deal " + r.Next(9), ["org_id"] = Pick(r, [20, 21, 22]), ["person_id"] = Pick(r, [30, 31]),
                ["stage_id"] = Pick(r, [10, 20, 30, 55]), ["pipeline_id"] = Pick(r, [1, 2, 3, 66]), ["owner_id"] = Pick(r, [10, 11, 99]),
                ["status"] = Pick(r, ["open", "won", "lost"]), ["value"] = 0, ["currency"] = "GBP", ["update_time"] = time, [FuzzWorld.DealHermesId] = null },
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

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
public static partial class FuzzEndpoints
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
        new("POST /job/cancel|retry/{id}, /job/retry-failed (admin forms)", 40, (w, r) =>
        {
            var id = w.JobIds.Count == 0 || r.Next(8) == 0 ? 999999 : Pick(r, w.JobIds);
            var (path, pairs) = r.Next(3) switch
            {
                0 => ($"/job/cancel/{id}", new FuzzPairs().Add("returnUrl", Pick(r, ["/job/list", "//evil.com", ""]))),
                1 => ($"/job/retry/{id}", new FuzzPairs().Add("returnUrl", "/job/list")),
                _ => ("/job/retry-failed", new FuzzPairs().Add("kind", Pick(r, ["pipedrive.sync_company", "", "nope"]))),
            };
            return Form(path, pairs, w, r);
        }, FormSucceeded),
        new("POST /admin/create|update/{id} (admin form)", 60, (w, r) =>
        {
            // A valid template most of the time (the mutations make it hostile), now and then a value the form refuses.
            var n = (1000 + r.Next(100000)).ToString(CultureInfo.InvariantCulture);
            string Mostly(string valid, string[] invalid) => r.Next(6) == 0 ? Pick(r, invalid) : valid;
            var pairs = new FuzzPairs()
                .Add("Input.Username", Mostly($"rep{n}@example.com", ["support@example.com", "not-an-email"])).Add("Input.FirstName", Mostly("Rae", [""]))
                .Add("Input.LastName", "Presley").Add("Input.Tc2AdminId", Mostly(n, ["30", "-1"])).Add("Input.PdOwnerId", Mostly(n, ["0", ""]))
                .Add("Input.Timezone", Mostly(Pick(r, ["Europe/London", "America/Toronto"]), ["Mars/Olympus", ""]))
                .Add("Input.IsSupportPerson", Pick(r, ["true", "false"])).Add("Input.SellsGb", Pick(r, ["true", "false"]));
            if (r.Next(3) == 0) pairs.Add("Input.NewPassword", "a-new-password-" + n).Add("Input.ConfirmPassword", Mostly("a-new-password-" + n, ["different"]));
            // Never the signed-in admin: changing or removing it would end the session the later cases use.
            var path = r.Next(3) == 0 ? "/admin/create" : $"/admin/update/{Pick(r, [.. w.OtherAdminIds, 9999])}";
            return Form(path, pairs, w, r);
        }, FormSucceeded),
        new("POST /config/list (admin form)", 40, (w, r) =>
        {
            string Mostly(string valid, string[] invalid) => r.Next(6) == 0 ? Pick(r, invalid) : valid;
            string Pipeline() => w.PipelineIds.Count == 0 ? "" : Pick(r, w.PipelineIds).ToString(CultureInfo.InvariantCulture);
            var pairs = new FuzzPairs().Add("Input.MeetingDurMins", Mostly(Pick(r, ["30", "45"]), ["4", "481"])).Add("Input.MeetingBufferMins", Mostly(Pick(r, ["15", "0"]), ["241"]))
                .Add("Input.MeetingMinStart", Mostly(Pick(r, ["10:00", "09:30"]), ["25:00", "10"])).Add("Input.MeetingMaxEnd", Mostly(Pick(r, ["17:30", "18:00"]), ["08:00"]))
                .Add("Input.PaygPipelineId", Mostly(Pipeline(), ["9999"])).Add("Input.StartupPipelineId", Pipeline()).Add("Input.EnterprisePipelineId", Mostly(Pipeline(), [""]));
            return Form("/config/list", pairs, w, r);
        }, FormSucceeded),
        new("POST /pipeline/update/{id} (admin form)", 40, (w, r) =>
        {
            var pairs = new FuzzPairs().Add("Input.Name", Pick(r, ["PAYG", "Startup", "Pipeline " + r.Next(9)]))
                .Add("Input.PdPipelineId", Pick(r, ["1", "2", "3", (100 + r.Next(50)).ToString(CultureInfo.InvariantCulture), "0"]))
                .Add("Input.DftEntryStageId", Pick(r, [.. w.StageIds.Select(i => i.ToString(CultureInfo.InvariantCulture)), "", "9999"]));
            return Form($"/pipeline/update/{Pick(r, [.. w.PipelineIds, 9999])}", pairs, w, r);
        }, FormSucceeded),
        new("POST /support-link (admin form)", 40, (w, r) =>
        {
            var pairs = new FuzzPairs().Add("AdminId", Pick(r, [w.Support.Id, w.Sales.Id, 9999]).ToString(CultureInfo.InvariantCulture))
                .Add("CompanyId", Pick(r, [.. w.CompanyIds, 9999]).ToString(CultureInfo.InvariantCulture)).Add("Express", Pick(r, ["true", "false"]))
                .Add("Q", Pick(r, ["junes", "", "20"]));
            return Form("/support-link", pairs, w, r);
        }, FormSucceeded),
        new("GET admin pages (detail and edit)", 60, (w, r) =>
        {
            var path = r.Next(9) switch
            {
                0 => $"/company/{Pick(r, [.. w.CompanyIds, 9999])}",
                1 => $"/meeting/{(w.Meetings.Count == 0 ? 9999 : Pick(r, w.Meetings).Id)}",
                2 => $"/admin/update/{Pick(r, [.. w.OtherAdminIds, w.Sales.Id, 9999])}",
                3 => $"/customfield/update/{Pick(r, [.. w.CustomFieldIds, 9999])}",
                4 => $"/pipeline/update/{Pick(r, [.. w.PipelineIds, 9999])}",
                5 => Pick(r, ["/admin/create", "/customfield/create", "/company/update/" + Pick(r, w.CompanyIds)]),
                6 => Pick(r, ["/admin/list", "/customfield/list", "/pipeline/list", "/stage/list", "/config/list"]),
                7 => "/support-link",
                _ => "/",
            };
            var pairs = new FuzzPairs().Add(Pick(r, ["q", "company", "AdminId", "CompanyId", "Q", "status", "kind", "page"]), Pick(r, ["1", "junes", "failed", ""]));
            return Query(w, path, pairs, r) with { Client = w.AdminHttp };
        }),
        new("GET /health, /book-a-call/, docs (public pages)", 40, (w, r) =>
        {
            var path = Pick(r, ["/health", "/health/live", "/book-a-call/", "/book-a-call/reps.json", "/docs", "/openapi/v1.json", "/init"]);
            return Query(w, path, new FuzzPairs().Add(Pick(r, ["verbose", "admin_id", "x"]), Pick(r, ["1", "true", ""])), r);
        }),
        new("POST /init, /logout (forms, not signed in)", 20, (w, r) =>
        {
            var pairs = r.Next(2) == 0
                ? new FuzzPairs().Add("Username", "intruder@example.com").Add("FirstName", "In").Add("LastName", "Truder").Add("Password", "intruder-password-1").Add("ConfirmPassword", "intruder-password-1")
                : new FuzzPairs().Add("x", "1");
            return Form(r.Next(2) == 0 ? "/init" : "/logout", pairs, w, r, anonymous: true);
        }, FormSucceeded),
        // Deletions last: they take away what the rows above aim at.
        new("POST /company|customfield|admin/{id}?handler=delete (admin forms)", 40, (w, r) =>
        {
            var path = r.Next(3) switch
            {
                0 => $"/company/{(r.Next(3) == 0 ? Pick(r, w.CompanyIds) : 9999)}?handler=delete",
                1 => $"/customfield/update/{(r.Next(3) == 0 ? Pick(r, w.CustomFieldIds) : 9999)}?handler=delete",
                _ => $"/admin/update/{Pick(r, [.. w.OtherAdminIds, 9999])}?handler=delete",
            };
            return Form(path, new FuzzPairs(), w, r);
        }, FormSucceeded),
        new("POST /login (form)", 15, (w, r) =>
        {
            var pairs = new FuzzPairs().Add("Username", Pick(r, ["nobody@example.com", "x@y.z"])).Add("Password", "wrong-password").Add("ReturnUrl", Pick(r, ["/", "//evil.com", "/company/list"]));
            return Form("/login", pairs, w, r, anonymous: true);
        }, FormSucceeded),
    ];
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Hermes.ScaleBench;

/// <summary>A path of the issue's table: its name, its target at the largest size, and one timed request (the k-th).</summary>
sealed record TimedPath(string Name, double TargetMs, Func<int, Task<(double Total, double Google)>> Run, bool ExcludeGoogle = false, string Note = "");

/// <summary>
/// The requests timed, each with its own rows: every request of a path asks about a different company (chosen with a
/// fixed seed, among the first 5,000 so both sizes ask about the same ones where that matters). Each answer is checked.
/// </summary>
sealed class Paths(HttpClient http, int size, int firstDay, int seed)
{
    readonly Random _random = new(seed);
    readonly HashSet<int> _deleted = [];

    /// <summary>One of the first 5,000 companies (both sizes have them; the org deletes take theirs from the upper half).</summary>
    int AnyCompany() => 1 + _random.Next(Math.Min(size, 10_000) / 2);

    public IEnumerable<TimedPath> All =>
    [
        new("sales booking, new prospect (Hermes's own part)", 150, Booking, ExcludeGoogle: true),
        new("org delete webhook (cascade)", 30, OrgDelete),
        new("/companies/?pd_org_id=", 20, k => { var i = AnyCompany(); return Get($"/companies/?pd_org_id={i}", $"\"pd_org_id\":{i},"); }),
        new("/companies/?name=", 20, k => { var i = AnyCompany(); return Get($"/companies/?name={Uri.EscapeDataString(Dataset.CompanyName(i))}", $"\"tc2_agency_id\":{i},"); }),
        new("/companies/?website=", 20, k => { var i = AnyCompany(); return Get($"/companies/?website={Uri.EscapeDataString(Dataset.Website(i))}", $"\"tc2_agency_id\":{i},"); }),
        new("/choose-roundrobin/sales/", 20, k => Get($"/choose-roundrobin/sales/?plan={new[] { "payg", "startup", "enterprise" }[k % 3]}&country_code=GB")),
        new("admin dashboard /", 100, k => Get("/")),
        new("admin /company/list", 100, k => Get("/company/list")),
        new("admin /company/list?page=500", 100, k => Get("/company/list?page=500"),
            Note: size / 25 < 500 ? $"(at {size:N0} the list has {size / 25} pages: the last is shown)" : ""),
        new("admin /company/list?q= (a distinctive word)", 100, k => Get($"/company/list?q={Dataset.Stem(AnyCompany()).ToLowerInvariant()}", AnyRow)),
        new("admin /company/list?q= (a common word: tutors)", 100, k => Get("/company/list?q=tutors", AnyRow)),
        new("admin /contact/list?q= (an email)", 100, k => { var i = AnyCompany(); return Get($"/contact/list?q={Uri.EscapeDataString(Dataset.Email(i))}", Dataset.Email(i)); }),
        new("admin /contact/list?q= (a common surname: smith)", 100, k => Get("/contact/list?q=smith")),
        new("admin /deal/list?status=open", 100, k => Get("/deal/list?status=open")),
    ];

    /// <summary>In a company list: at least one row.</summary>
    const string AnyRow = "<td class=\"name\"><a href=\"/company/";

    async Task<(double, double)> Get(string url, string? mustContain = null)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        var ms = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
        if (mustContain is not null && !body.Contains(mustContain, StringComparison.Ordinal))
            throw new InvalidOperationException($"GET {url}: the answer does not show {mustContain}");
        return (ms, 0);
    }

    /// <summary>A new prospect (new company, contact and deal), on a day of its own so the admin is free (Google keeps the events).</summary>
    async Task<(double, double)> Booking(int k)
    {
        var meeting = DateTime.UtcNow.Date.AddDays(firstDay + k).AddHours(11);
        var body = new JsonObject
        {
            ["admin_id"] = 1, ["name"] = $"Prospect Number{k}", ["email"] = $"prospect{k}.{size}@newco{k}.example.org",
            ["company_name"] = $"Newco {size} {k} Ltd", ["website"] = $"https://newco{k}.example.org", ["phone"] = $"+44 20 7946 {k:0000}",
            ["country"] = "GB", ["estimated_income"] = 1000, ["currency"] = "GBP", ["price_plan"] = "payg",
            ["meeting_dt"] = new DateTimeOffset(meeting).ToUnixTimeSeconds(),
        };
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync("/callbooker/sales/book/", Run.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        var ms = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"booking: {(int)response.StatusCode} {text}");
        var google = double.Parse(response.Headers.GetValues(GoogleTiming.Header).First(), CultureInfo.InvariantCulture);
        return (ms, google);
    }

    /// <summary>Pipedrive (webhooks v2) deletes an organization Hermes has: the company goes, with its contact, deal and values.</summary>
    async Task<(double, double)> OrgDelete(int k)
    {
        int id;
        do id = size / 2 + 1 + _random.Next(size / 2); while (!_deleted.Add(id));
        var body = new JsonObject
        {
            ["meta"] = new JsonObject
            {
                ["action"] = "delete", ["entity"] = "organization", ["entity_id"] = id.ToString(CultureInfo.InvariantCulture), ["company_id"] = "7001",
                ["id"] = Guid.NewGuid().ToString(), ["version"] = "2.0", ["timestamp"] = "2026-11-23T10:00:00.000Z", ["type"] = "general",
                ["user_id"] = "11", ["change_source"] = "app", ["attempt"] = 1, ["is_bulk_edit"] = false, ["host"] = "tutorcruncher.pipedrive.com",
                ["webhook_id"] = "42", ["permitted_user_ids"] = new JsonArray("11"),
            },
            ["data"] = null,
            ["previous"] = new JsonObject
            {
                ["id"] = id, ["name"] = Dataset.CompanyName(id), ["owner_id"] = 11, ["update_time"] = "2026-11-23T09:59:00Z",
                ["custom_fields"] = new JsonObject { [Dataset.HermesIdOrgField] = new JsonObject { ["type"] = "varchar", ["value"] = id.ToString(CultureInfo.InvariantCulture) } },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/") { Content = Run.Json(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Run.WebhookAuthorization);
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var ms = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"org delete: {(int)response.StatusCode} {text}");
        return (ms, 0);
    }
}

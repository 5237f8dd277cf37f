using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Hermes.ScaleBench;

/// <summary>A path of the issue's table: its name, its target at the largest size, and one timed request (the k-th).</summary>
sealed record TimedPath(string Name, double TargetMs, Func<int, Task<(double Total, double Google)>> Run, bool ExcludeGoogle = false, string Note = "");

/// <summary>
/// The requests timed, each with its own rows: every request of a path asks about a different company (chosen with a
/// fixed seed, among the first 10,000 so both sizes ask about the same ones where that matters).
/// </summary>
sealed class Paths(HttpClient http, int size, int firstDay)
{
    readonly Random _random = new(17);
    readonly HashSet<int> _deleted = [];

    int AnyCompany() => 1 + _random.Next(Math.Min(size, 10_000));

    public IEnumerable<TimedPath> All =>
    [
        new("sales booking, new prospect (Hermes's own part)", 150, Booking, ExcludeGoogle: true),
        new("org delete webhook (cascade)", 30, OrgDelete),
        new("/companies/?pd_org_id=", 20, k => Get($"/companies/?pd_org_id={AnyCompany()}")),
        new("/companies/?name=", 20, k => Get($"/companies/?name={Uri.EscapeDataString(Dataset.CompanyName(AnyCompany()))}")),
        new("/companies/?website=", 20, k => Get($"/companies/?website={Uri.EscapeDataString(Dataset.Website(AnyCompany()))}")),
        new("/choose-roundrobin/sales/", 20, k => Get($"/choose-roundrobin/sales/?plan={new[] { "payg", "startup", "enterprise" }[k % 3]}&country_code=GB")),
        new("admin dashboard /", 100, k => Get("/")),
        new("admin /company/list", 100, k => Get("/company/list")),
        new("admin /company/list?page=500", 100, k => Get("/company/list?page=500"),
            Note: size / 25 < 500 ? $"(at {size:N0} the list has {size / 25} pages: the last is shown)" : ""),
        new("admin /company/list?q= (name and number)", 100, k => Get($"/company/list?q={Uri.EscapeDataString(CompanySearch())}")),
        new("admin /contact/list?q= (surname and number)", 100, k => Get($"/contact/list?q={Uri.EscapeDataString(ContactSearch())}")),
        new("admin /contact/list?q= (a common surname)", 100, k => Get("/contact/list?q=walker")),
        new("admin /deal/list?status=open", 100, k => Get("/deal/list?status=open")),
    ];

    /// <summary>"Academy 4242": the second word of a company's name and its number, as staff would type part of a name.</summary>
    string CompanySearch()
    {
        var words = Dataset.CompanyName(AnyCompany()).Split(' ');
        return $"{words[1]} {words[2]}".ToLowerInvariant();
    }

    /// <summary>"walker4242": part of a contact's email.</summary>
    string ContactSearch()
    {
        var i = AnyCompany();
        return Dataset.LastName(i).ToLowerInvariant() + i.ToString(CultureInfo.InvariantCulture);
    }

    async Task<(double, double)> Get(string url)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        var ms = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
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
        do id = 1 + _random.Next(size); while (!_deleted.Add(id));
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

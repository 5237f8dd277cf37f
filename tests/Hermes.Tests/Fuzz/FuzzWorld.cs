using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Hermes.AdminUi;
using Hermes.Domain;
using Hermes.Sandbox.Tc2;
using Hermes.Tests.CallBooker;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SimClient = Hermes.Sandbox.Tc2.SimulatedClient;
using SimAgency = Hermes.Sandbox.Tc2.Tc2Agency;
using SimRecipient = Hermes.Sandbox.Tc2.Tc2Recipient;

namespace Hermes.Tests.Fuzz;

/// <summary>
/// Hermes on PostgreSQL with the Google, TC2 and Pipedrive simulators (<see cref="BookerWorld"/>), seeded with what
/// every door needs to get past its first checks: admins who are Pipedrive owners and TC2 admins, pipelines and
/// stages, the hermes_id custom fields, companies linked to Pipedrive and TC2, TC2 clients, and an admin signed in to
/// the admin UI (cookie and antiforgery token) for the form posts.
/// </summary>
public sealed partial class FuzzWorld : IAsyncDisposable
{
    public const string OrgWebsite = "a400000000000000000000000000000000000004";
    public const string OrgPaidInvoices = "a200000000000000000000000000000000000002";
    public const string AdminEmail = "sales@example.com";
    public const string AdminPassword = "fuzz-password-1";

    public required BookerWorld Booker { get; init; }
    public HermesInstance Hermes => Booker.Hermes;
    public FakeTimeProvider Clock => Booker.Clock;
    public DateTime Now => Booker.Now;
    public Admin Sales { get; private set; } = null!;
    public Admin Support { get; private set; } = null!;
    public Admin Bdr { get; private set; } = null!;
    public List<int> CompanyIds { get; } = [];
    public List<int> CustomFieldIds { get; } = [];
    /// <summary>Stored webhooks (the newest), for the admin's webhook page and its replay button.</summary>
    public List<long> WebhookIds { get; } = [];
    /// <summary>Stored webhooks that were refused (the bodies most likely to break a replay).</summary>
    public List<long> RejectedWebhookIds { get; } = [];
    /// <summary>Queued jobs, for the admin's job actions.</summary>
    public List<long> JobIds { get; } = [];
    /// <summary>Admins other than the signed-in one (whose edit or deletion would end the fuzz's session), pipelines and stages, for the admin's forms.</summary>
    public List<int> OtherAdminIds { get; } = [];
    public List<int> PipelineIds { get; } = [];
    public List<int> StageIds { get; } = [];
    /// <summary>Booked meetings (id and start now), for the manage links and the admin's meeting page.</summary>
    public List<(int Id, DateTime Start)> Meetings { get; } = [];
    /// <summary>Signed in as <see cref="AdminEmail"/>; redirects are not followed (a form's success is its 302).</summary>
    public HttpClient AdminHttp { get; private set; } = null!;
    /// <summary>Not signed in, with its own cookies (the login form's antiforgery cookie).</summary>
    public HttpClient AnonymousHttp { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";
    public string AnonymousToken { get; private set; } = "";

    public static async Task<FuzzWorld> StartAsync()
    {
        // Errors only: a few thousand refused requests would bury the output in warnings.
        var booker = await BookerWorld.StartAsync(s => s["LOG_LEVEL"] = "ERROR");
        var world = new FuzzWorld { Booker = booker };
        await world.SeedAsync();
        world.AdminHttp = world.CookieClient();
        world.AnonymousHttp = world.CookieClient();
        world.AnonymousToken = await TokenAsync(world.AnonymousHttp, "/login");
        await world.SignInAsync();
        return world;
    }

    async Task SeedAsync()
    {
        var passwords = Hermes.App.Services.GetRequiredService<AdminPasswords>();
        await using var db = Hermes.Db();
        Sales = new Admin
        {
            Username = AdminEmail, FirstName = "Sally", LastName = "Seller", Tc2AdminId = 30, PdOwnerId = 10, IsSalesPerson = true,
            SellsPayg = true, SellsStartup = true, SellsEnterprise = true, SellsGb = true, SellsUs = true, SellsRow = true,
        };
        Sales.Password = passwords.Hash(Sales, AdminPassword);
        Support = new Admin { Username = "support@example.com", FirstName = "Sue", LastName = "Porter", Tc2AdminId = 31, PdOwnerId = 11, IsSupportPerson = true };
        Bdr = new Admin { Username = "bdr@example.com", FirstName = "Bea", LastName = "Dee", Tc2AdminId = 32, PdOwnerId = 12, IsBdrPerson = true };
        db.Admins.AddRange(Sales, Support, Bdr);
        await db.SaveChangesAsync();
        await Hermes.SeedConfigAsync();

        db.CustomFields.AddRange(HermesTest.HermesIdFields());
        db.CustomFields.AddRange(
            new CustomField { Name = "Website", MachineName = "website", FieldType = CustomField.TypeStr, HermesFieldName = "website", PdFieldId = OrgWebsite, LinkedObjectType = "Company" },
            new CustomField { Name = "Paid invoices", MachineName = "paid_invoice_count", FieldType = CustomField.TypeInt, HermesFieldName = "paid_invoice_count", PdFieldId = OrgPaidInvoices, LinkedObjectType = "Company" },
            new CustomField { Name = "Source", MachineName = "source", FieldType = CustomField.TypeStr, Tc2MachineName = "client_marketing_source", LinkedObjectType = "Company" });
        var junes = new Company { Name = "Junes Ltd", PdOrgId = 20, Tc2CligencyId = 10, Tc2AgencyId = 110, SalesPersonId = Sales.Id, Created = Now, Country = "GB" };
        var acme = new Company { Name = "Acme", PdOrgId = 21, SalesPersonId = Sales.Id, SupportPersonId = Support.Id, Created = Now };
        var loose = new Company { Name = "Loose Ends", SalesPersonId = Sales.Id, Created = Now };
        db.Companies.AddRange(junes, acme, loose);
        await db.SaveChangesAsync();
        var mary = new Contact { CompanyId = junes.Id, FirstName = "Mary", LastName = "Booth", Email = "mary@booth.com", PdPersonId = 30, Tc2SrId = 40, Created = Now };
        db.Contacts.Add(mary);
        await db.SaveChangesAsync();
        var pipeline = db.Pipelines.OrderBy(p => p.Id).First();
        db.Deals.Add(new Deal { Name = "Junes Ltd", CompanyId = junes.Id, ContactId = mary.Id, AdminId = Sales.Id, PdDealId = 40, PipelineId = pipeline.Id, StageId = pipeline.DftEntryStageId });
        await db.SaveChangesAsync();
        CompanyIds.AddRange([junes.Id, acme.Id, loose.Id]);
        CustomFieldIds.AddRange(db.CustomFields.OrderBy(f => f.Id).Select(f => f.Id));

        var tc2 = Booker.Sim.Tc2;
        foreach (var (id, name) in new[] { (30, "Sally Seller"), (31, "Sue Porter"), (32, "Bea Dee") })
            tc2.AddAdmin(new Tc2Admin(id, name.Split(' ')[0], name.Split(' ')[1], $"{name.Split(' ')[0].ToLowerInvariant()}@example.com"));
        foreach (var id in new[] { 10, 11, 12 }) tc2.PutClient(Tc2Client(id));
    }

    /// <summary>A TC2 client as the TC2 webhooks and API carry it.</summary>
    public SimClient Tc2Client(int id, string name = "Junes Ltd") => new()
    {
        Id = id, FirstName = "Mary", LastName = "Booth", Email = $"mary{id}@booth.com", Status = "live",
        Agency = new SimAgency { Id = 100 + id, Name = name, Created = Clock.GetUtcNow().AddDays(-1), Website = "https://junes.com", Status = "trial" },
        SalesPerson = new Tc2Admin(30, "Sally", "Seller", "sally@example.com"),
        PaidRecipients = [new SimRecipient(40 + id - 10, "Mary", "Booth", $"mary{id}@booth.com")],
        ExtraAttrs = new Dictionary<string, string> { ["client_marketing_source"] = "Google" },
    };

    HttpClient CookieClient() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = Hermes.BaseAddress };

    async Task SignInAsync()
    {
        var token = await TokenAsync(AdminHttp, "/login");
        using var response = await AdminHttp.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = AdminEmail, ["Password"] = AdminPassword, ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in answered {(int)response.StatusCode}");
        // The antiforgery token is bound to who is signed in: take the one a signed-in page carries.
        AdminToken = await TokenAsync(AdminHttp, $"/company/update/{CompanyIds[0]}");
    }

    static async Task<string> TokenAsync(HttpClient http, string path)
    {
        var html = await http.GetStringAsync(path);
        return TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException($"{path} has no antiforgery token");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>
    /// Every table whose rows a request may change, as (table, row count and digest of the rows), plus the newest
    /// webhook log id, in one round trip. The webhook log is not digested: Pipedrive's webhooks are stored before they
    /// are read, refused ones included (that is the design); the fuzz test looks at its new rows instead.
    /// </summary>
    public async Task<Dictionary<string, string>> FingerprintAsync()
    {
        var sql = string.Join(" UNION ALL ", Tables.Select(t =>
            $"SELECT '{t}', count(*)::text || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"))
            + " UNION ALL SELECT 'hermes_webhook', coalesce(max(id), 0)::text FROM hermes_webhook";
        var rows = await TestDatabase.QueryAsync(Hermes.Database, sql);
        return rows.Select(r => r.Split('|', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    /// <summary>The companies, custom fields and meetings the forms and links aim at: the first few that exist now (webhooks delete some, bookings add some).</summary>
    public async Task RefreshTargetsAsync()
    {
        await using var db = Hermes.Db();
        CompanyIds.Clear();
        CompanyIds.AddRange(await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).Take(5).ToListAsync());
        CustomFieldIds.Clear();
        CustomFieldIds.AddRange(await db.CustomFields.OrderBy(f => f.Id).Select(f => f.Id).Take(8).ToListAsync());
        WebhookIds.Clear();
        WebhookIds.AddRange(await db.WebhookLogs.OrderByDescending(w => w.Id).Select(w => w.Id).Take(200).ToListAsync());
        RejectedWebhookIds.Clear();
        RejectedWebhookIds.AddRange(await db.WebhookLogs.Where(w => w.Outcome == "rejected").OrderByDescending(w => w.Id).Select(w => w.Id).Take(200).ToListAsync());
        JobIds.Clear();
        JobIds.AddRange(await db.Jobs.OrderBy(j => j.Id).Select(j => j.Id).Take(20).ToListAsync());
        OtherAdminIds.Clear();
        OtherAdminIds.AddRange(await db.Admins.Where(a => a.Username != AdminEmail).OrderBy(a => a.Id).Select(a => a.Id).Take(5).ToListAsync());
        PipelineIds.Clear();
        PipelineIds.AddRange(await db.Pipelines.OrderBy(p => p.Id).Select(p => p.Id).Take(5).ToListAsync());
        StageIds.Clear();
        StageIds.AddRange(await db.Stages.OrderBy(s => s.Id).Select(s => s.Id).Take(8).ToListAsync());
        Meetings.Clear();
        Meetings.AddRange((await db.Meetings.Where(m => m.StartTime != null).OrderBy(m => m.Id).Take(8).Select(m => new { m.Id, m.StartTime }).ToListAsync())
            .Select(m => (m.Id, m.StartTime!.Value)));
    }

    public static readonly string[] Tables =
    [
        "company", "contact", "deal", "meeting", "meeting_change", "hermes_job", "customfield", "customfieldvalue", "admin", "pipeline", "stage",
        "config", "pipedrive_object",
    ];

    /// <summary>Webhook log rows after <paramref name="afterId"/>: (id, source, outcome, error).</summary>
    public async Task<List<(long Id, string Source, string Outcome, string? Error)>> WebhooksAfterAsync(long afterId)
    {
        var rows = await TestDatabase.QueryAsync(Hermes.Database, $"SELECT id, source, outcome, coalesce(error, '') FROM hermes_webhook WHERE id > {afterId} ORDER BY id");
        return rows.Select(r => r.Split('|', 4)).Select(p => (long.Parse(p[0]), p[1], p[2], (string?)p[3])).ToList();
    }

    public static string Basic(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    public async ValueTask DisposeAsync()
    {
        AdminHttp?.Dispose();
        AnonymousHttp?.Dispose();
        await Booker.DisposeAsync();
    }
}

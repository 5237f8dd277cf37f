using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Sandbox;
using Hermes.Sandbox.Pipedrive;
using Hermes.Sandbox.Tc2;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using SimClient = Hermes.Sandbox.Tc2.SimulatedClient;
using SimRecipient = Hermes.Sandbox.Tc2.Tc2Recipient;

namespace Hermes.Tests.Sync;

/// <summary>
/// Hermes pointed at the Pipedrive and TC2 simulators over real HTTP, with what the TC2 → Hermes → Pipedrive tests
/// share: three admins (sales, support, BDR) who are TC2 admins and Pipedrive users, a pipeline per price plan with a
/// default entry stage (in Hermes and in Pipedrive), the config, and custom fields mapped in Hermes and defined in
/// Pipedrive (hermes_id on every object, TC2 status, paid invoices, the cligency URL, website, a TC2 marketing source
/// and deal fields inherited from the company). The simulators run on the wall clock (their rate-limit windows must
/// pass); Hermes on its fake clock.
/// </summary>
public abstract class SyncTest : HermesTest
{
    public const string OrgTc2Status = "a100000000000000000000000000000000000001";
    public const string OrgPaidInvoices = "a200000000000000000000000000000000000002";
    public const string OrgCligencyUrl = "a300000000000000000000000000000000000003";
    public const string OrgWebsite = "a400000000000000000000000000000000000004";
    public const string OrgSource = "a500000000000000000000000000000000000005";
    public const string DealSource = "d500000000000000000000000000000000000005";
    public const string DealPaidInvoices = "d200000000000000000000000000000000000002";

    protected SimulatorHost Sim = null!;
    protected PipedriveSimulator Pd => Sim.Pipedrive;
    protected Tc2Simulator Tc2 => Sim.Tc2;

    protected Admin Sales = null!, Support = null!, Bdr = null!;
    protected Pipeline Payg = null!, Startup = null!, Enterprise = null!;
    protected Stage PaygNew = null!, StartupNew = null!, EnterpriseNew = null!, PaygWon = null!;
    protected static readonly Tc2Admin Tc2Sales = new(30, "Brain", "Johnson", "brian@tc.com");
    protected static readonly Tc2Admin Tc2Support = new(31, "Sue", "Porter", "sue@tc.com");
    protected static readonly Tc2Admin Tc2Bdr = new(32, "Bea", "Dee", "bea@tc.com");

    /// <summary>Extra settings for Hermes (e.g. rate limits).</summary>
    protected virtual void Settings(Dictionary<string, string?> settings) { }

    public override async Task InitializeAsync()
    {
        Sim = await SimulatorHost.StartAsync(o => o.Time = TimeProvider.System);
        Hermes = await StartHermesAsync();
        await SeedAsync();
    }

    /// <summary>Extra services for Hermes (e.g. a network fault between Hermes and Pipedrive).</summary>
    protected virtual void Services(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }

    protected async Task<HermesInstance> StartHermesAsync(Hermes.Configuration.DatabaseUrl? db = null, Action<Dictionary<string, string?>>? more = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        await HermesInstance.StartAsync(services: s => { Services(s); services?.Invoke(s); }, settings: s =>
        {
            SimulatorSettings(s);
            more?.Invoke(s);
        }, db: db);

    /// <summary>Hermes's settings for the simulators (and this class's extra <see cref="Settings"/>).</summary>
    protected void SimulatorSettings(Dictionary<string, string?> s)
    {
        s["PD_BASE_URL"] = Sim.PipedriveBaseUrl;
        s["PD_API_KEY"] = Pd.Options.ApiToken;
        s["TC2_BASE_URL"] = Sim.Tc2BaseUrl;
        s["TC2_API_KEY"] = Tc2.Options.ApiKey;
        s["PD_RATE_LIMIT_BURST"] = Pd.RateLimits.General.ToString();
        s["PD_RATE_LIMIT_SEARCH"] = Pd.RateLimits.Search.ToString();
        Settings(s);
    }

    async Task SeedAsync()
    {
        Pd.AddUser(10, "Brain Johnson", "brian@tc.com");
        Pd.AddUser(11, "Sue Porter", "sue@tc.com");
        Pd.AddUser(12, "Bea Dee", "bea@tc.com");
        foreach (var (entity, key, name, type) in new[]
                 {
                     ("organization", OrgHermesId, "Hermes ID", "varchar"), ("person", PersonHermesId, "Hermes ID", "varchar"),
                     ("deal", DealHermesId, "Hermes ID", "varchar"), ("organization", OrgTc2Status, "TC2 status", "varchar"),
                     ("organization", OrgPaidInvoices, "Paid invoices", "double"), ("organization", OrgCligencyUrl, "TC2 cligency URL", "varchar"),
                     ("organization", OrgWebsite, "Website", "varchar"), ("organization", OrgSource, "Source", "varchar"),
                     ("deal", DealSource, "Source", "varchar"), ("deal", DealPaidInvoices, "Paid invoices", "double"),
                 })
            Pd.DefineCustomField(entity, key, name, type);
        var pdPipelines = new Dictionary<string, (long Pipeline, long New, long Won)>();
        foreach (var plan in new[] { "payg", "startup", "enterprise" })
        {
            var pipeline = Pd.Create("pipelines", new JsonObject { ["name"] = plan.ToUpperInvariant() }, notify: false)["id"]!.AsLong();
            var first = Pd.Create("stages", new JsonObject { ["name"] = "New", ["pipeline_id"] = pipeline }, notify: false)["id"]!.AsLong();
            var won = Pd.Create("stages", new JsonObject { ["name"] = "Demo booked", ["pipeline_id"] = pipeline }, notify: false)["id"]!.AsLong();
            pdPipelines[plan] = (pipeline, first, won);
        }
        Pd.Requests.Clear();
        foreach (var admin in new[] { Tc2Sales, Tc2Support, Tc2Bdr }) Tc2.AddAdmin(admin);
        Tc2.Webhooks.Url = () => new Uri(Hermes.BaseAddress, "/tc2/callback/");

        await using var db = Hermes.Db();
        Sales = new Admin { Username = "brian@tc.com", FirstName = "Brain", LastName = "Johnson", Tc2AdminId = 30, PdOwnerId = 10, IsSalesPerson = true };
        Support = new Admin { Username = "sue@tc.com", FirstName = "Sue", LastName = "Porter", Tc2AdminId = 31, PdOwnerId = 11, IsSupportPerson = true };
        Bdr = new Admin { Username = "bea@tc.com", FirstName = "Bea", LastName = "Dee", Tc2AdminId = 32, PdOwnerId = 12, IsBdrPerson = true };
        db.Admins.AddRange(Sales, Support, Bdr);
        var stages = new List<Stage>();
        var pipelines = new List<Pipeline>();
        foreach (var plan in new[] { "payg", "startup", "enterprise" })
        {
            var (pipelineId, newId, wonId) = pdPipelines[plan];
            var entry = new Stage { PdStageId = (int)newId, Name = "New" };
            var second = new Stage { PdStageId = (int)wonId, Name = "Demo booked" };
            stages.Add(entry);
            stages.Add(second);
            pipelines.Add(new Pipeline { PdPipelineId = (int)pipelineId, Name = plan.ToUpperInvariant(), DftEntryStage = entry });
        }
        db.Stages.AddRange(stages);
        db.Pipelines.AddRange(pipelines);
        (Payg, Startup, Enterprise) = (pipelines[0], pipelines[1], pipelines[2]);
        (PaygNew, PaygWon, StartupNew, EnterpriseNew) = (stages[0], stages[1], stages[2], stages[4]);
        db.Configs.Add(new Config { PaygPipeline = Payg, StartupPipeline = Startup, EnterprisePipeline = Enterprise });
        db.CustomFields.AddRange(HermesIdFields());
        db.CustomFields.AddRange(
            new CustomField { Name = "TC2 status", MachineName = "tc2_status", FieldType = CustomField.TypeStr, HermesFieldName = "tc2_status", PdFieldId = OrgTc2Status, LinkedObjectType = "Company" },
            new CustomField { Name = "Paid invoices", MachineName = "paid_invoice_count", FieldType = CustomField.TypeInt, HermesFieldName = "paid_invoice_count", PdFieldId = OrgPaidInvoices, LinkedObjectType = "Company" },
            new CustomField { Name = "TC2 cligency URL", MachineName = "tc2_cligency_url", FieldType = CustomField.TypeStr, HermesFieldName = "tc2_cligency_url", PdFieldId = OrgCligencyUrl, LinkedObjectType = "Company" },
            new CustomField { Name = "Website", MachineName = "website", FieldType = CustomField.TypeStr, HermesFieldName = "website", PdFieldId = OrgWebsite, LinkedObjectType = "Company" },
            new CustomField { Name = "Source", MachineName = "source", FieldType = CustomField.TypeStr, Tc2MachineName = "client_marketing_source", PdFieldId = OrgSource, LinkedObjectType = "Company" },
            new CustomField { Name = "Source", MachineName = "source", FieldType = CustomField.TypeStr, PdFieldId = DealSource, LinkedObjectType = "Deal" },
            new CustomField { Name = "Paid invoices", MachineName = "paid_invoice_count", FieldType = CustomField.TypeInt, PdFieldId = DealPaidInvoices, LinkedObjectType = "Deal" });
        await db.SaveChangesAsync();
    }

    public override async Task DisposeAsync()
    {
        await Hermes.DisposeAsync();
        await Sim.DisposeAsync();
    }

    protected string CligencyUrl(int id) => $"{Sim.Tc2BaseUrl}/clients/{id}/";

    // ───────────────────────────── TC2 ─────────────────────────────

    /// <summary>A TC2 client as TC2 holds it (the fixture of hermes_v2's tests, created a day ago by the fake clock).</summary>
    protected SimClient Client(int id = 10, int agencyId = 20, string name = "MyTutors", string status = "trial", int paidInvoices = 0,
        string plan = "1-payg", bool? narc = false, TimeSpan? age = null, IReadOnlyList<SimRecipient>? recipients = null,
        IReadOnlyDictionary<string, string>? extra = null, Tc2Admin? sales = null, bool noSales = false, Tc2Admin? support = null, Tc2Admin? bdr = null,
        string? email = "mary@booth.com", string? phone = null, JsonNode? questionnaire = null, string website = "https://www.mytutors.com") => new()
    {
        Id = id,
        FirstName = "Mary",
        LastName = "Booth",
        Email = email,
        Phone = phone,
        Status = "live",
        Agency = new Hermes.Sandbox.Tc2.Tc2Agency
        {
            Id = agencyId, Name = name, Created = Hermes.Clock.GetUtcNow() - (age ?? TimeSpan.FromDays(1)), Country = "United Kingdom (GB)",
            Website = website, Status = status, PaidInvoiceCount = paidInvoices, PricePlan = plan, Narc = narc, SignupQuestionnaire = questionnaire,
        },
        SalesPerson = noSales ? null : sales ?? Tc2Sales,
        AssociatedAdmin = support,
        BdrPerson = bdr,
        PaidRecipients = recipients ?? [new SimRecipient(40, "Mary", "Booth", "mary@booth.com")],
        ExtraAttrs = extra ?? new Dictionary<string, string>(),
    };

    /// <summary>TC2 stores the client and sends its signed webhook to Hermes; Hermes must answer 200 {"status":"ok"}.</summary>
    protected async Task Send(SimClient client, string action = "CREATED_A_CLIENT")
    {
        Tc2.PutClient(client);
        var delivery = await Tc2.Webhooks.EmitClientEventAsync(action, client.Id);
        Assert.Equal((200, """{"status":"ok"}"""), (delivery.StatusCode, delivery.ResponseBody));
    }

    /// <summary>Posts a body to /tc2/callback/ signed with TC2's key (or the given signature; "" sends none).</summary>
    protected async Task<(HttpStatusCode Status, string Body)> PostTc2(string body, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tc2/callback/") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        signature ??= Tc2Webhooks.Sign(body, Tc2.Options.ApiKey);
        if (signature.Length > 0) request.Headers.Add("Webhook-Signature", signature);
        using var response = await Hermes.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // ───────────────────────────── Hermes rows and jobs ─────────────────────────────

    protected async Task<List<(string Kind, string Status, string? Error)>> AllJobs()
    {
        await using var db = Hermes.Db();
        return (await db.Jobs.OrderBy(j => j.Id).ToListAsync()).Select(j => (j.Kind, j.Status, j.LastError)).ToList();
    }

    protected static (string, string, string?) SyncJob(int companyId) => ("pipedrive.sync_company", $$"""{"companyId":{{companyId}}}""", $"company:{companyId}");

    /// <summary>Runs every due job; none may fail.</summary>
    protected async Task RunJobs()
    {
        await Hermes.RunJobsAsync();
        await using var db = Hermes.Db();
        var failed = await db.Jobs.Where(j => j.Status != Job.Done && j.LastError != null).Select(j => new { j.Kind, j.LastError }).ToListAsync();
        Assert.True(failed.Count == 0, "jobs went wrong: " + string.Join("; ", failed.Select(f => $"{f.Kind}: {f.LastError}")));
    }

    protected async Task<List<(string Source, string? Object, string? Action, string? Ids, string Outcome, string? Error)>> WebhookLog()
    {
        await using var db = Hermes.Db();
        return (await db.WebhookLogs.OrderBy(w => w.Id).ToListAsync()).Select(w => (w.Source, w.Object, w.Action, w.ObjectIds, w.Outcome, w.Error)).ToList();
    }

    // ───────────────────────────── What Pipedrive saw ─────────────────────────────

    /// <summary>Hermes's requests to the Pipedrive simulator: "METHOD /path?decoded query body", the custom field type lookups left out.</summary>
    protected List<string> PdRequests(string? method = null) =>
        Pd.Requests.All.Where(r => !r.Path.EndsWith("Fields", StringComparison.Ordinal) && (method is null || r.Method == method))
            .Select(r => $"{r.Method} {r.Path.Replace("/api/v2", "")}{Uri.UnescapeDataString(r.QueryString)}{(r.Body.Length > 0 ? " " + r.Body : "")}").ToList();

    protected List<string> PdWrites() => PdRequests().Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)).ToList();

    /// <summary>A Pipedrive object's fields Hermes writes: (name/title, owner, custom fields set), plus what the caller picks.</summary>
    protected JsonObject PdObject(string entity, long id) => Pd.Get(entity, id) ?? throw new InvalidOperationException($"Pipedrive has no {entity} {id}");

    protected static string Fields(JsonObject pdObject, params string[] names) =>
        new JsonObject(names.Select(n => KeyValuePair.Create(n, n.Contains('.') ? pdObject[n.Split('.')[0]]?[n.Split('.')[1]]?.DeepClone() : pdObject[n]?.DeepClone()))).ToJsonString();

    /// <summary>The custom fields that have a value.</summary>
    protected static string Custom(JsonObject pdObject) =>
        new JsonObject(((JsonObject)pdObject["custom_fields"]!).Where(f => f.Value is not null).OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone()))).ToJsonString();
}

using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Sandbox;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Log = Hermes.Domain.WebhookLog;

namespace Hermes.Tests.Operations;

/// <summary>
/// The admin UI's maintenance actions over plain HTTP, as a browser sends them: signed in with the admin cookie, each
/// form posted with its antiforgery token (and refused without it). They go through the services the commands use.
/// </summary>
public partial class AdminMaintenanceTests : CommandTest
{
    const string Password = "correct horse battery";

    protected override void Settings(Dictionary<string, string?> settings) => settings["JOB_MAX_ATTEMPTS"] = "1";

    /// <summary>An HTTP client with a cookie jar, signed in through the login form as Brain (the sales admin).</summary>
    async Task<HttpClient> SignedInAsync()
    {
        await using (var db = Hermes.Db())
        {
            var admin = await db.Admins.SingleAsync(a => a.Id == Sales.Id);
            admin.Password = new PasswordHasher<Admin>().HashPassword(admin, Password);
            await db.SaveChangesAsync();
        }
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = Hermes.BaseAddress };
        var login = await http.PostAsync("/login", Form(await TokenAsync(http, "/login"), ("Username", "brian@tc.com"), ("Password", Password)));
        Assert.Equal((HttpStatusCode.Redirect, "/"), (login.StatusCode, login.Headers.Location?.OriginalString));
        return http;
    }

    static async Task<string> TokenAsync(HttpClient http, string page) =>
        TokenPattern().Match(await http.GetStringAsync(page)).Groups[1].Value is { Length: > 0 } token ? token : throw new InvalidOperationException($"no form token on {page}");

    static FormUrlEncodedContent Form(string? token, params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Concat(token is null ? [] : [KeyValuePair.Create("__RequestVerificationToken", token)]));

    /// <summary>Posts a form and follows its redirect: the status, where it went, and the flash message shown there.</summary>
    static async Task<(HttpStatusCode Status, string? Location, string? Flash)> PostAsync(HttpClient http, string path, string? token, params (string, string)[] fields)
    {
        var response = await http.PostAsync(path, Form(token, fields));
        var location = response.Headers.Location?.OriginalString;
        if (response.StatusCode != HttpStatusCode.Redirect) return (response.StatusCode, location, null);
        var page = await http.GetStringAsync(location);
        return (response.StatusCode, location, FlashPattern().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null);
    }

    [Fact]
    public async Task Retry_all_failed_jobs_of_a_kind_queues_only_that_kind_again_and_a_job_run_reaches_Pipedrive_and_without_the_token_it_is_refused()
    {
        Pd.Faults.Next(2, Fault.ServerError(503), "/api/v2/organizations", "POST");
        await Send(Client(10));
        await Send(Client(11, agencyId: 21, name: "Junes Ltd", recipients: [new(41, "June", "Moon", "june@junes.com")]));
        await using (var db = Hermes.Db())
        {
            // A job of a kind this version no longer handles: it fails for good, and is not retried with the syncs.
            Hermes.App.Services.GetRequiredService<JobQueue>().Enqueue(db, "pipedrive.retired_kind", new { CompanyId = 1 });
            await db.SaveChangesAsync();
        }
        Assert.Equal(3, await Hermes.RunJobsAsync());
        var http = await SignedInAsync();
        var list = await http.GetStringAsync("/job/list?status=failed");
        Assert.Equal(["Retry all 1 failed <code>pipedrive.retired_kind</code>", "Retry all 2 failed <code>pipedrive.sync_company</code>"],
            RetryAllPattern().Matches(list).Select(m => m.Groups[1].Value));
        var token = TokenPattern().Match(list).Groups[1].Value;
        var rows = await Rows();

        Assert.Equal((HttpStatusCode.BadRequest, null, null), await PostAsync(http, "/job/retry-failed", null, ("kind", "pipedrive.sync_company")));
        Assert.Equal(rows, await Rows());

        Assert.Equal((HttpStatusCode.Redirect, "/job/list?status=failed", "2 failed pipedrive.sync_company jobs are queued again."),
            await PostAsync(http, "/job/retry-failed", token, ("kind", "pipedrive.sync_company")));
        Assert.Equal([("pipedrive.sync_company", Job.Pending, 0), ("pipedrive.sync_company", Job.Pending, 0), ("pipedrive.retired_kind", Job.Failed, 1)],
            (await All(db => db.Jobs.OrderBy(j => j.Id))).Select(j => (j.Kind, j.Status, j.Attempts)));
        Assert.Equal(["Retry all 1 failed <code>pipedrive.retired_kind</code>"],
            RetryAllPattern().Matches(await http.GetStringAsync("/job/list?status=failed")).Select(m => m.Groups[1].Value));

        await Hermes.RunJobsAsync();
        Assert.Equal(["MyTutors", "Junes Ltd"], Pd.List("organization").Select(o => o["name"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.Redirect, "/job/list?status=failed", "No failed pipedrive.sync_company jobs to retry."),
            await PostAsync(http, "/job/retry-failed", token, ("kind", "pipedrive.sync_company")));
    }

    [Fact]
    public async Task Cancel_stops_a_pending_job_so_a_job_run_sends_nothing_and_a_second_cancel_says_it_is_not_pending()
    {
        await Send(Client(10));
        Assert.Equal([SyncJob(1)], await PendingJobs());
        var http = await SignedInAsync();
        var list = await http.GetStringAsync("/job/list?status=pending");
        Assert.Contains("""<button type="submit" class="btn btn-sm btn-danger" aria-label="Cancel job 1">Cancel</button>""", list);
        var token = TokenPattern().Match(list).Groups[1].Value;

        Assert.Equal((HttpStatusCode.BadRequest, null, null), await PostAsync(http, "/job/cancel/1", null, ("returnUrl", "/job/list")));
        Assert.Equal([SyncJob(1)], await PendingJobs());

        Assert.Equal((HttpStatusCode.Redirect, "/job/list?status=pending", "Job 1 is cancelled: it will not run."),
            await PostAsync(http, "/job/cancel/1", token, ("returnUrl", "/job/list?status=pending")));
        Assert.Equal([(Job.Cancelled, (DateTime?)Now, "cancelled by brian@tc.com")],
            (await All(db => db.Jobs)).Select(j => (j.Status, j.FinishedAt, j.LastError)));
        Assert.Equal(0, await Hermes.RunJobsAsync());
        Assert.Empty(Pd.Requests.All);
        Assert.Equal((HttpStatusCode.Redirect, "/job/list", "Job 1 was not pending any more; nothing to cancel."),
            await PostAsync(http, "/job/cancel/1", token, ("returnUrl", "https://elsewhere.example.com/")));
    }

    [Fact]
    public async Task Replay_on_the_webhook_page_applies_a_rejected_webhook_again_once_its_owner_is_an_admin()
    {
        Pd.Webhooks.Subscribe(new Uri(Hermes.BaseAddress, "/pipedrive/callback/"), "2.0", "pipedrive", "webhook-secret");
        Pd.AddUser(13, "Nina New", "nina@tc.com");
        var org = (int)Pd.Create("organization", new JsonObject { ["name"] = "Ninas Tutors", ["owner_id"] = 13 })["id"]!.AsLong();
        Assert.Equal(422, Assert.Single(await Pd.Webhooks.DeliverPendingAsync()).StatusCode);
        await Save(new Admin { Username = "nina@tc.com", FirstName = "Nina", LastName = "New", PdOwnerId = 13, IsSalesPerson = true });
        var http = await SignedInAsync();
        var page = await http.GetStringAsync("/webhook/1");
        Assert.Contains("""<form method="post" action="/webhook/1?handler=replay" class="actions">""", page);
        var token = TokenPattern().Match(page).Groups[1].Value;
        var rows = await Rows();

        Assert.Equal((HttpStatusCode.BadRequest, null, null), await PostAsync(http, "/webhook/1?handler=replay", null));
        Assert.Equal(rows, await Rows());

        Assert.Equal((HttpStatusCode.Redirect, "/webhook/1", "Webhook 1 replayed: processed (company 1 created)."),
            await PostAsync(http, "/webhook/1?handler=replay", token));
        Assert.Equal([("Ninas Tutors", (int?)org)], (await All(db => db.Companies)).Select(c => (c.Name, c.PdOrgId)));
        Assert.Equal([("pipedrive", "organization", "create", $"{org}", Log.OutcomeProcessed, "company 1 created")], await WebhookLog());
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/webhook/9?handler=replay", Form(token))).StatusCode);
    }

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)" """)]
    private static partial Regex TokenPattern();

    [GeneratedRegex("""data-testid="flash">([^<]*)<""")]
    private static partial Regex FlashPattern();

    [GeneratedRegex("""<button type="submit" class="btn btn-sm">(Retry all [^<]*<code>[^<]*</code>)</button>""")]
    private static partial Regex RetryAllPattern();
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Jobs;
using Hermes.Sandbox;
using Hermes.Tests.Infrastructure;
using Hermes.Tests.Tc2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Tests.Operations;

/// <summary>With <c>SENTRY_DSN</c> set, a job that fails for good and an unhandled exception reach Sentry (a fake of its endpoint).</summary>
public class ErrorReportTests : Tc2Test
{
    FakeSentry _sentry = null!;

    public override async Task InitializeAsync()
    {
        _sentry = await FakeSentry.StartAsync();
        await base.InitializeAsync();
    }

    protected override void Settings(Dictionary<string, string?> settings)
    {
        settings["SENTRY_DSN"] = _sentry.Dsn;
        settings["JOB_MAX_ATTEMPTS"] = "2";
    }

    protected override void Services(IServiceCollection services) =>
        services.AddTransient<IStartupFilter, ThrowingEndpoint>(); // a request Hermes does not handle, standing in for any bug

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _sentry.DisposeAsync();
    }

    async Task FlushAsync() => await Hermes.App.Services.GetRequiredService<Sentry.IHub>().FlushAsync(TimeSpan.FromSeconds(10));

    static string? Tag(JsonObject e, string name) => e["tags"]?[name]?.GetValue<string>();

    [Fact]
    public async Task A_job_that_fails_for_good_is_reported_with_its_kind_and_id_and_a_failed_attempt_is_not()
    {
        Pd.Faults.Next(2, Fault.ServerError(500), "/api/v2/organizations", "POST");
        await Send(Client(recipients: []));
        await Hermes.RunJobsAsync(); // attempt 1 of 2: retried later
        await FlushAsync();
        Assert.DoesNotContain(_sentry.Events, e => Tag(e, "job.kind") is not null);

        Hermes.Clock.Advance(TimeSpan.FromMinutes(1));
        await Hermes.RunJobsAsync(); // attempt 2 of 2: failed for good
        await FlushAsync();
        long jobId;
        await using (var db = Hermes.Db())
            jobId = (await db.Jobs.SingleAsync(j => j.Kind == "pipedrive.sync_company" && j.Status == Job.Failed)).Id;

        var report = Assert.Single(_sentry.Events, e => Tag(e, "job.kind") is not null);
        Assert.Equal(("pipedrive.sync_company", jobId.ToString()), (Tag(report, "job.kind"), Tag(report, "job.id")));
        var exception = report["exception"]!["values"]!.AsArray().Select(v => v!["type"]!.GetValue<string>()).ToList();
        Assert.Contains("Hermes.Pipedrive.PipedriveException", exception);
    }

    [Fact]
    public async Task An_unhandled_exception_in_a_request_is_reported()
    {
        using var response = await Hermes.Http.GetAsync("/test-only/boom");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        await FlushAsync();
        Assert.Contains(_sentry.Events, e => e["exception"]?["values"]?.AsArray()
            .Any(v => v!["value"]?.GetValue<string>() == "a bug in a request") == true);
    }

    sealed class ThrowingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) => context.Request.Path == "/test-only/boom"
                ? throw new InvalidOperationException("a bug in a request")
                : nextMiddleware(context));
            next(app);
        };
    }
}

using System.Net;
using Hermes.Configuration;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.Pipedrive;

/// <summary>behaviour.md §6: with real Pipedrive credentials, unauthenticated webhooks are a deliberate choice, never a default.</summary>
public class WebhookAuthenticationSettingsTests
{
    [Fact]
    public async Task With_real_Pipedrive_credentials_and_no_webhook_username_Hermes_refuses_to_start()
    {
        var refused = await Assert.ThrowsAsync<SettingsException>(() => HermesInstance.StartAsync(s => s.Remove("PD_WEBHOOK_USERNAME")));
        Assert.Equal("PD_WEBHOOK_USERNAME: Pipedrive webhooks must be authenticated: set PD_WEBHOOK_USERNAME and PD_WEBHOOK_PASSWORD (and the same in Pipedrive), or PD_WEBHOOK_AUTH=none to accept them unauthenticated",
            refused.Message);
    }

    [Fact]
    public async Task With_PD_WEBHOOK_AUTH_none_webhooks_are_accepted_without_credentials()
    {
        await using var hermes = await HermesInstance.StartAsync(s =>
        {
            s.Remove("PD_WEBHOOK_USERNAME");
            s.Remove("PD_WEBHOOK_PASSWORD");
            s["PD_WEBHOOK_AUTH"] = "none";
        });
        var response = await hermes.Http.PostAsJsonAsync("/pipedrive/callback/", PipedriveWebhooks.Create(PipedriveWebhooks.V2, "stage",
            new() { ["id"] = 50, ["name"] = "New", ["pipeline_id"] = 60 }));
        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        await using var db = hermes.Db();
        Assert.Equal(["New"], db.Stages.Select(s => s.Name));
    }
}

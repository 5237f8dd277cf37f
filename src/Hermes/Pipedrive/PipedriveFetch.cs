using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;

namespace Hermes.Pipedrive;

/// <summary>
/// A deal or person arrived before its organization: fetch the organization from Pipedrive (outside any transaction),
/// create the Company from it as if its own webhook had come, then replay the stored webhook. If Pipedrive doesn't
/// know the organization either, the event is left as ignored.
/// </summary>
public sealed class PipedriveFetch(PipedriveClient pipedrive, PipedriveWebhookProcessor processor) : JobHandler<PipedriveFetch.Payload>
{
    public const string Kind = "pipedrive.fetch_organization";

    public sealed record Payload(int OrgId, long WebhookId);

    protected override async Task RunAsync(Payload payload, CancellationToken ct)
    {
        JsonObject organization;
        try
        {
            organization = await pipedrive.GetAsync(PipedriveClient.Organizations, payload.OrgId, ct);
        }
        catch (PipedriveGoneException)
        {
            await processor.RecordAsync(payload.WebhookId, WebhookLog.OutcomeIgnored,
                $"organization {payload.OrgId} is not in Pipedrive either", ct);
            return;
        }
        // The REST object has the v2 shape a webhook's data has; process it as the organization's own create.
        var synthetic = new JsonObject
        {
            ["meta"] = new JsonObject { ["entity"] = "organization", ["action"] = "create", ["change_source"] = "hermes_fetch" },
            ["data"] = organization,
            ["previous"] = null,
        };
        await processor.ProcessAsync(PipedriveWebhookParser.Parse(synthetic), webhookId: 0, allowFetch: false, ct);
        await processor.ReplayAsync(payload.WebhookId, ct);
    }
}

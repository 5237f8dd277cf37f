using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// A deal or person names an organization Hermes doesn't have: fetch the organization from Pipedrive (outside any
/// transaction), create the Company from it as if its own webhook had come, then replay the stored webhook. When Hermes
/// has come to know the organization meanwhile (its webhook arrived, or its delete or merge), the webhook is replayed
/// without asking Pipedrive. If Pipedrive doesn't know it either, the webhook is left as ignored and waits for an event
/// of that organization (a delete or merge that arrives later replays it).
/// </summary>
public sealed class FetchOrganizationHandler(PipedriveClient pipedrive, PipedriveWebhookProcessor processor, IDbContextFactory<HermesDb> dbs, IServiceProvider services)
    : JobHandler<FetchOrganization>
{
    protected override async Task RunAsync(FetchOrganization payload, CancellationToken ct)
    {
        bool known;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            known = await PipedriveEventOrder.KnowsOrganizationAsync(db, payload.OrgId, ct);
        if (known)
        {
            await processor.ReplayAsync(payload.WebhookId, ct);
            return;
        }

        JsonObject organization;
        try
        {
            organization = await pipedrive.GetAsync(PipedriveClient.Organizations, payload.OrgId, ct);
        }
        catch (PipedriveGoneException)
        {
            if (await WaitForOrganizationAsync(payload, ct)) await processor.ReplayAsync(payload.WebhookId, ct);
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

    /// <summary>
    /// Pipedrive answered 404: park the webhook until an event for the organization arrives, under the organization's
    /// lock so that event either sees it parked or has been applied already (then true: replay it now).
    /// </summary>
    Task<bool> WaitForOrganizationAsync(FetchOrganization payload, CancellationToken ct) =>
        ResilientTransaction.RunAsync(services, attempts: 3, async (_, db) =>
        {
            await ObjectLocks.LockAsync(db, ObjectLocks.PipedriveOrganization, [payload.OrgId], ct);
            if (await PipedriveEventOrder.KnowsOrganizationAsync(db, payload.OrgId, ct)) return true;
            if (!await db.PipedriveWaitingWebhooks.AnyAsync(w => w.OrgPdId == payload.OrgId && w.WebhookId == payload.WebhookId, ct))
                db.PipedriveWaitingWebhooks.Add(new PipedriveWaitingWebhook { OrgPdId = payload.OrgId, WebhookId = payload.WebhookId });
            (await PipedriveObject.FindOrAddAsync(db, PipedriveObject.Organization, payload.OrgId, ct)).WebhooksWaiting = true;
            await db.SaveChangesAsync(ct);
            await db.WebhookLogs.Where(w => w.Id == payload.WebhookId).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Outcome, WebhookLog.OutcomeIgnored)
                .SetProperty(w => w.Error, $"organization {payload.OrgId} is not in Pipedrive either"), ct);
            return false;
        }, ct);
}

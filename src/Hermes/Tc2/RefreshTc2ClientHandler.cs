using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tc2;

/// <summary>
/// <c>tc2.refresh_client</c>: an Invoice event changed what TC2 knows of a client (its paid invoices): read the client
/// again and apply it like a client event (with the Pipedrive sync it may queue).
/// </summary>
public sealed class RefreshTc2ClientHandler(Tc2Client tc2, IServiceProvider services, ILogger<RefreshTc2ClientHandler> log) : JobHandler<RefreshTc2Client>
{
    protected override async Task RunAsync(RefreshTc2Client payload, CancellationToken ct)
    {
        Tc2Cligency client;
        try
        {
            var raw = await tc2.GetClientAsync(payload.Tc2CligencyId, ct);
            client = Tc2Cligency.Parse(raw);
        }
        catch (Tc2NotFoundException)
        {
            log.LogWarning("TC2 client {Client} no longer exists: nothing refreshed", payload.Tc2CligencyId);
            return;
        }
        if (client.MetaAgency is null)
        {
            log.LogInformation("TC2 client {Client} has no agency: nothing to refresh", payload.Tc2CligencyId);
            return;
        }

        try
        {
            var outcome = await ResilientTransaction.RunAsync(services, attempts: 5, async (scope, db) =>
            {
                await Tc2EventOrder.LockClientAsync(db, client.Id, ct);
                return await scope.GetRequiredService<Tc2Inbound>().ApplyClientAsync(client, createDeal: true, ct);
            }, ct);
            log.LogInformation("TC2 client {Client} refreshed: {Result}", client.Id, outcome.Text);
        }
        catch (Tc2EventException e)
        {
            throw new PermanentJobFailureException($"TC2 client {client.Id} not applied: {e.Message}", e);
        }
    }
}

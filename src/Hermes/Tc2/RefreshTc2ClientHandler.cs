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

        for (var attempt = 1; ; attempt++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HermesDb>();
            var inbound = scope.ServiceProvider.GetRequiredService<Tc2Inbound>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            try
            {
                await Tc2EventOrder.LockClientAsync(db, client.Id, ct);
                var result = await inbound.ApplyClientAsync(client, createDeal: true, ct);
                await tx.CommitAsync(ct);
                log.LogInformation("TC2 client {Client} refreshed: {Result}", client.Id, result);
                return;
            }
            catch (Tc2EventException e)
            {
                await tx.RollbackAsync(CancellationToken.None);
                throw new PermanentJobFailureException($"TC2 client {client.Id} not applied: {e.Message}", e);
            }
            catch (Exception conflict) when (ObjectLocks.IsRetryableConflict(conflict) && attempt < 5)
            {
                await tx.RollbackAsync(CancellationToken.None);
            }
        }
    }
}

using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Hermes.Operations;

/// <summary>
/// At most <see cref="AtOnce"/> webhooks are applied at once in one Hermes process; the rest wait their turn in arrival
/// order, holding only their HTTP request. Each one applied holds a database connection, a pooled context and the rows
/// it reads: when Pipedrive delivered a few hundred at once (after a pause, or a bulk edit), each got all three, memory
/// grew by some 90 MB, and PostgreSQL's two cores switched between hundreds of transactions that all waited on each
/// other. Past <see cref="QueueLimit"/> waiting, a webhook is answered 503 and its sender delivers it again later.
/// </summary>
public static class WebhookConcurrency
{
    public const string Policy = "webhooks";
    public const int AtOnce = 16;
    public const int QueueLimit = 4096;

    public static void AddWebhookConcurrency(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            o.AddConcurrencyLimiter(Policy, c =>
            {
                c.PermitLimit = AtOnce;
                c.QueueLimit = QueueLimit;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
        });
}

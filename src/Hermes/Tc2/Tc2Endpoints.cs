using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Operations;

namespace Hermes.Tc2;

public static class Tc2Endpoints
{
    public sealed record Ok(string Status = "ok");

    /// <summary>
    /// <c>POST /tc2/callback/</c>: TC2's webhooks. Signed (<c>Webhook-Signature</c> = hex HMAC-SHA256 of the raw body
    /// with <c>TC2_API_KEY</c>; not checked in dev mode). Each event is stored in the webhook log, then applied on its
    /// own: one that fails is recorded with its error and the others still run. 200 <c>{"status":"ok"}</c> once every
    /// event is stored and applied (or recorded as failed).
    /// </summary>
    public static IEndpointRouteBuilder MapTc2(this IEndpointRouteBuilder app)
    {
        app.MapPost("/tc2/callback/", async Task<IResult> (HttpRequest request, HermesSettings settings, Tc2WebhookProcessor processor, CancellationToken ct) =>
        {
            byte[] body;
            using (var buffer = new MemoryStream())
            {
                await request.Body.CopyToAsync(buffer, ct);
                body = buffer.ToArray();
            }
            if (!settings.DevMode && !SignatureMatches(body, request.Headers["Webhook-Signature"].ToString(), settings.Tc2ApiKey))
                return TypedResults.Json(new ErrorDetail("Unauthorized key"), statusCode: 403);

            Tc2Webhook webhook;
            try
            {
                webhook = Tc2Webhook.Parse(body);
            }
            catch (Tc2PayloadException e)
            {
                return TypedResults.UnprocessableEntity(new FieldErrors([new FieldError(e.Loc, e.Message, e.Type)]));
            }

            await processor.ProcessAsync(webhook, ct);
            return TypedResults.Ok(new Ok());
        })
        .AddEndpointFilter(Operations.WebhookTrace.Filter("tc2"))
        .RequireRateLimiting(Operations.WebhookConcurrency.Policy)
        .WithTags("TC2")
        .WithSummary("TC2 webhooks, signed with the TC2 API key")
        .Accepts<JsonObject>("application/json")
        .Produces<Ok>()
        .Produces<ErrorDetail>(403)
        .Produces<FieldErrors>(422);
        return app;
    }

    /// <summary>Constant-time comparison of the hex HMAC-SHA256 TC2 sends with the one the body should have. No key, no match.</summary>
    public static bool SignatureMatches(byte[] body, string? signature, string key)
    {
        if (string.IsNullOrEmpty(key) || string.IsNullOrWhiteSpace(signature)) return false;
        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body)));
        var given = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The signature TC2 puts on a body (tests and the TC2 simulator sign with it).</summary>
    public static string Sign(byte[] body, string key) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));
}

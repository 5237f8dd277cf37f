using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Domain;
using Hermes.Operations.Input;
using Hermes.Operations;

namespace Hermes.Pipedrive;

public static class PipedriveEndpoints
{
    public sealed record Ok(string Status = "ok");

    /// <summary>
    /// <c>POST /pipedrive/callback/</c>: Pipedrive webhooks v1 and v2. Authenticated with HTTP Basic; stored and applied
    /// in one transaction (no Pipedrive or TC2 call is made here, so the answer is fast); 200 for anything
    /// Hermes read, even when it chose to ignore it, so Pipedrive neither retries nor bans the webhook.
    /// </summary>
    public static IEndpointRouteBuilder MapPipedrive(this IEndpointRouteBuilder app)
    {
        app.MapPost("/pipedrive/callback/", async Task<IResult> (HttpRequest request, HermesSettings settings,
            PipedriveWebhookProcessor processor, CancellationToken ct) =>
        {
            if (!Authorised(request, settings))
            {
                request.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"hermes\"";
                return TypedResults.Json(new ErrorDetail("Unauthorized"), statusCode: 401);
            }

            byte[] bytes;
            using (var buffer = new MemoryStream())
            {
                await request.Body.CopyToAsync(buffer, ct);
                bytes = buffer.ToArray();
            }
            // What was sent is kept even when it cannot be read: malformed UTF-8 as U+FFFD, a raw NUL escaped (and a
            // BOM left out, as the replay of a stored body reads it without one).
            var body = InputText.Escape(Encoding.UTF8.GetString(bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes));

            var (json, problem) = StrictJson.Parse(bytes);
            var refusal = problem is null ? null : problem.Type == JsonProblem.Invalid ? "the body is not valid JSON" : problem.Describe();
            PipedriveEvent? e = null;
            if (refusal is null)
            {
                try { e = PipedriveWebhookParser.Parse(json); }
                catch (InvalidWebhookException ex) { refusal = ex.Message; }
            }
            if (e is null)
            {
                await processor.StoreAsync(body, null, WebhookLog.OutcomeRejected, refusal, ct);
                return TypedResults.BadRequest(new ErrorDetail($"Invalid Pipedrive webhook: {refusal}"));
            }

            if (!e.IsKnownEntity)
            {
                await processor.StoreAsync(body, e, WebhookLog.OutcomeIgnored, $"Hermes does not keep Pipedrive {InputText.Clip(e.Entity, 50)} objects", ct);
                return TypedResults.Ok(new Ok());
            }

            try
            {
                await processor.StoreAndProcessAsync(body, e, ct);
            }
            catch (WebhookValidationException v)
            {
                return TypedResults.UnprocessableEntity(new FieldErrors([new FieldError([v.Field], v.Message, "value_error")]));
            }
            return TypedResults.Ok(new Ok());
        })
        .AddEndpointFilter(Operations.WebhookTrace.Filter("pipedrive"))
        .RequireRateLimiting(Operations.WebhookConcurrency.Policy)
        .WithTags("Pipedrive")
        .WithSummary("Pipedrive webhooks (v1 and v2), HTTP Basic authenticated")
        .Accepts<JsonObject>("application/json")
        .Produces<Ok>()
        .Produces<ErrorDetail>(400)
        .Produces<ErrorDetail>(401)
        .Produces<FieldErrors>(422);
        return app;
    }

    /// <summary>Constant-time check of the Basic credentials; without configured credentials only dev/sandbox or an explicit PD_WEBHOOK_AUTH=none lets webhooks in.</summary>
    static bool Authorised(HttpRequest request, HermesSettings settings)
    {
        if (settings.PdWebhookUsername.Length == 0)
            return settings.PdWebhookAuthDisabled || settings.DevMode || settings.Sandbox;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        byte[] decoded;
        try { decoded = Convert.FromBase64String(header[6..].Trim()); }
        catch (FormatException) { return false; }
        var expected = Encoding.UTF8.GetBytes($"{settings.PdWebhookUsername}:{settings.PdWebhookPassword}");
        return CryptographicOperations.FixedTimeEquals(decoded, expected);
    }
}

using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox;

/// <summary>The HTML 403 Cloudflare serves to API clients it blocks (Pipedrive's answer to clients that ignore 429s).</summary>
static class CloudflarePage
{
    const string RayId = "8f3a9c2b7d1e4f60";

    const string Html = """
        <!DOCTYPE html>
        <html lang="en-US">
        <head><title>Attention Required! | Cloudflare</title><meta charset="UTF-8" /></head>
        <body>
        <div id="cf-wrapper"><div id="cf-error-details">
        <h1>Sorry, you have been blocked</h1>
        <h2>You are unable to access pipedrive.com</h2>
        <p>This website is using a security service to protect itself from online attacks.</p>
        <p>Cloudflare Ray ID: <strong>8f3a9c2b7d1e4f60</strong></p>
        </div></div>
        </body>
        </html>
        """;

    public static async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = 403;
        context.Response.ContentType = "text/html; charset=UTF-8";
        context.Response.Headers["server"] = "cloudflare";
        context.Response.Headers["cf-ray"] = RayId + "-LHR";
        await context.Response.WriteAsync(Html, context.RequestAborted);
    }
}

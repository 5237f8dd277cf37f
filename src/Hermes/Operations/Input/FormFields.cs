using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Hermes.Operations.Input;

/// <summary>
/// The admin forms' fields, refused with a 400 page naming the field and nothing saved. Two steps, because ASP.NET
/// Core refuses a urlencoded NUL (<c>%00</c>) itself with an empty 400 while reading the form: a middleware (after
/// sign-in) reads urlencoded bodies first; then, once bound, a page filter checks every field for NUL and unpaired
/// surrogates (multipart bodies) and every checkbox for true or false (re-showing the form with any other value
/// would fail: ASP.NET Core's checkbox tag helper converts it back to a bool). Lengths are each form's own rule.
/// </summary>
public sealed class FormFields(IModelMetadataProvider metadata) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.HasFormContentType && Find(await request.ReadFormAsync(context.HttpContext.RequestAborted), context.HandlerInstance.GetType()) is { } problem)
        {
            context.Result = new ContentResult
            {
                StatusCode = StatusCodes.Status400BadRequest, ContentType = "text/html; charset=utf-8", Content = RefusalPage(problem.Field, problem.Sentence),
            };
            return;
        }
        await next();
    }

    (string Field, string Sentence)? Find(IFormCollection form, Type pageModel)
    {
        foreach (var (key, values) in form)
        {
            if (InputText.Problem(key) is { } keyProblem) return (InputText.Escape(key), "The field's name " + keyProblem);
            foreach (var value in values)
                if (InputText.Problem(value) is { } valueProblem) return (key, "Value " + valueProblem);
            if (IsBool(pageModel, key) && values.Any(v => !bool.TryParse(v, out _))) return (key, "Must be true or false");
        }
        return null;
    }

    /// <summary>Whether a form key ("Input.HasBookedCall") binds to a bool property of the page model.</summary>
    bool IsBool(Type pageModel, string key)
    {
        ModelMetadata? meta = metadata.GetMetadataForType(pageModel);
        foreach (var part in key.Split('.'))
        {
            meta = meta?.Properties[part];
            if (meta is null) return false;
        }
        return meta?.UnderlyingOrModelType == typeof(bool);
    }

    internal static string RefusalPage(string field, string sentence)
    {
        var html = HtmlEncoder.Default;
        return $$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Not saved · Hermes admin</title><link rel="stylesheet" href="/ui/admin.css"></head>
            <body class="bare"><main id="main"><div class="auth-card"><h1>Not saved</h1>
            <p>The field <code>{{html.Encode(field)}}</code>: {{html.Encode(sentence)}}. Nothing was changed: go back, correct it and save again.</p>
            <p><a href="/">Go to the dashboard</a></p></div></main></body></html>
            """;
    }
}

/// <summary>The first of <see cref="FormFields"/>'s two steps: urlencoded bodies, read before ASP.NET Core reads them.</summary>
public static class FormBodies
{
    /// <summary>
    /// Checks urlencoded form posts to pages (not the API, not the simulators) before anything reads them. Call after
    /// authentication and authorization, so only a signed-in admin (or the sign-in form) gets this far.
    /// </summary>
    public static IApplicationBuilder UseFormFieldHygiene(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            && !TrailingSlash.IsApiPath(request.Path) && !request.Path.StartsWithSegments("/sandbox"))
        {
            request.EnableBuffering();
            string body;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
                body = await reader.ReadToEndAsync(context.RequestAborted);
            request.Body.Position = 0;
            if (QueryStrings.Find(body) is { } problem)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(FormFields.RefusalPage(problem.Name, problem.Message), context.RequestAborted);
                return;
            }
        }
        await next(context);
    });
}

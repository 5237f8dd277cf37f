using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Hermes.Operations.Input;

/// <summary>
/// Every admin form post, before its handler runs (after sign-in and antiforgery, which come first): a field holding a
/// NUL or an unpaired surrogate, or a checkbox that is neither true nor false, is refused with a 400 page naming the
/// field, and nothing is saved. (Re-showing the form with such a checkbox would fail: ASP.NET Core's checkbox tag
/// helper converts the posted value back to a bool.) Lengths are each form's own rule, next to its fields.
/// </summary>
public sealed class FormFields(IModelMetadataProvider metadata) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.HasFormContentType && Find(await request.ReadFormAsync(context.HttpContext.RequestAborted), context.HandlerInstance.GetType()) is { } problem)
        {
            context.Result = Refusal(problem.Field, problem.Message);
            return;
        }
        await next();
    }

    (string Field, string Message)? Find(IFormCollection form, Type pageModel)
    {
        foreach (var (key, values) in form)
        {
            if (InputText.Problem(key) is { } keyProblem) return (InputText.Escape(key), "has a name that " + keyProblem);
            foreach (var value in values)
                if (InputText.Problem(value) is { } valueProblem) return (key, valueProblem);
            if (IsBool(pageModel, key) && values.Any(v => !bool.TryParse(v, out _))) return (key, "must be true or false");
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

    static ContentResult Refusal(string field, string message)
    {
        var html = HtmlEncoder.Default;
        return new ContentResult
        {
            StatusCode = StatusCodes.Status400BadRequest,
            ContentType = "text/html; charset=utf-8",
            Content = $$"""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Not saved · Hermes admin</title><link rel="stylesheet" href="/ui/admin.css"></head>
                <body class="bare"><main id="main"><div class="auth-card"><h1>Not saved</h1>
                <p>The field <code>{{html.Encode(field)}}</code> {{html.Encode(message)}}. Nothing was changed: go back, correct it and save again.</p>
                <p><a href="/">Go to the dashboard</a></p></div></main></body></html>
                """,
        };
    }
}

using System.Text.Json.Nodes;

namespace Hermes.Operations;

// The error bodies hermes_v2's callers know, in one place (contract.md §2): FastAPI's <c>{"detail": "…"}</c>, its 422
// validation errors (the full pydantic form for the API, the short one the webhooks answered) and the call booker's
// <c>{"status":"error","message":…}</c>.

/// <summary>FastAPI's plain error body: <c>{"detail": "…"}</c>.</summary>
public sealed record ErrorDetail(string Detail);

/// <summary>One entry of the short 422 body the webhook endpoints answer: <c>{"detail":[{"loc","msg","type"}]}</c>.</summary>
public sealed record FieldError(string[] Loc, string Msg, string Type);

/// <summary>The webhook endpoints' 422 body.</summary>
public sealed record FieldErrors(FieldError[] Detail);

/// <summary>422 validation errors in pydantic's full form: <c>{"detail":[{"type","loc","msg","input"}]}</c>.</summary>
public sealed class ValidationErrors
{
    readonly JsonArray _errors = [];

    public bool Any => _errors.Count > 0;

    /// <summary>One problem with one input. <paramref name="loc"/> is where it is, e.g. ("body", "meeting_dt").</summary>
    public void Add(string[] loc, string type, string msg, JsonNode? input = null)
    {
        var error = new JsonObject
        {
            ["type"] = type,
            ["loc"] = new JsonArray(loc.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["msg"] = msg,
            ["input"] = input?.DeepClone(),
        };
        // pydantic names the failed check in ctx for custom validators ("Value error, …").
        if (type == "value_error") error["ctx"] = new JsonObject { ["error"] = new JsonObject() };
        _errors.Add(error);
    }

    public void Body(string field, string type, string msg, JsonNode? input = null) => Add(["body", field], type, msg, input);

    public void Query(string field, string type, string msg, string? input = null) =>
        Add(["query", field], type, msg, input is null ? null : JsonValue.Create(input));

    public void ValueError(string[] loc, string msg, JsonNode? input) => Add(loc, "value_error", "Value error, " + msg, input);

    public IResult ToResult() => Results.Json(new JsonObject { ["detail"] = _errors.DeepClone() }, statusCode: 422);

    public static IResult Single(string[] loc, string type, string msg, JsonNode? input = null)
    {
        var errors = new ValidationErrors();
        errors.Add(loc, type, msg, input);
        return errors.ToResult();
    }
}

public static class ApiResults
{
    public sealed record Status(string status);
    public sealed record StatusMessage(string status, string message);

    public static readonly Status Ok = new("ok");

    /// <summary><c>{"status":"error","message":…}</c> with the given status code (400 for the booker's business errors).</summary>
    public static IResult Error(string message, int statusCode = StatusCodes.Status400BadRequest) =>
        Results.Json(new StatusMessage("error", message), statusCode: statusCode);
}

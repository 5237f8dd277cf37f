using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hermes.Sandbox;

/// <summary>
/// What the three simulators share: every request below the simulator's prefix is recorded (unless it is for the
/// control surface under <c>_control/</c>), may be spoiled by a fault rule, and is then answered by the simulator.
/// State lives in memory and <see cref="Reset"/> forgets it. Mount with <see cref="SimulatorMounting.MapSimulator"/>.
/// </summary>
public abstract class Simulator
{
    /// <summary>Guards the simulator's state; handlers hold it only while reading or changing state, never across I/O.</summary>
    protected readonly object Gate = new();

    protected Simulator(TimeProvider time)
    {
        Time = time;
        Requests = new RequestLog();
        Faults = new FaultInjector(time);
    }

    public abstract string Name { get; }
    public TimeProvider Time { get; }
    public RequestLog Requests { get; }
    public FaultInjector Faults { get; }

    /// <summary>Forgets every request, fault rule and piece of state (configuration such as keys is kept).</summary>
    public void Reset()
    {
        Requests.Clear();
        Faults.Clear();
        lock (Gate) ResetState();
    }

    protected abstract void ResetState();

    /// <summary>Everything the simulator holds, as JSON (the control surface's <c>GET _control/state</c>).</summary>
    public abstract JsonObject DumpState();

    protected abstract Task HandleApiAsync(SimRequest request);

    /// <summary>Simulator-specific control endpoints; answer false when the path is not one of them.</summary>
    protected virtual Task<bool> HandleControlAsync(SimRequest request) => Task.FromResult(false);

    /// <summary>The body of a 5xx answer in this service's style.</summary>
    protected virtual Task WriteServerErrorAsync(HttpContext context, int status) =>
        Json.WriteAsync(context, status, new JsonObject { ["error"] = "Internal Server Error" });

    /// <summary>A 429 in this service's style; the rate-limit headers are already set.</summary>
    protected virtual Task WriteRateLimitedAsync(HttpContext context) =>
        Json.WriteAsync(context, 429, new JsonObject { ["error"] = "Too Many Requests" });

    /// <summary>The rate-limit figures a faulted 429 reports.</summary>
    protected virtual (int Limit, int ResetSeconds) RateLimitFigures => (100, 2);

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.HasValue ? context.Request.Path.Value! : "/";
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(context.RequestAborted);

        if (path.Equals("/_control", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/_control/", StringComparison.OrdinalIgnoreCase))
        {
            await HandleControlRequestAsync(new SimRequest(context, path["/_control".Length..], body));
            return;
        }

        var fault = Faults.Take(context.Request.Method, path);
        // A delay starts before the request is recorded, so a test that saw the request can advance a fake clock past it.
        var delay = fault?.Kind == FaultKind.Delay ? Task.Delay(fault.Delay, Time, context.RequestAborted) : null;
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        Requests.Add(Time.GetUtcNow(), context.Request.Method, path, context.Request.QueryString.Value ?? "", headers, body, fault?.Name);
        if (fault is not null && await ApplyFaultAsync(context, fault, delay)) return;
        await HandleApiAsync(new SimRequest(context, path, body));
    }

    /// <summary>Answers with the fault; false when the request should still be answered normally (after a delay).</summary>
    async Task<bool> ApplyFaultAsync(HttpContext context, Fault fault, Task? delay)
    {
        switch (fault.Kind)
        {
            case FaultKind.ServerError:
                await WriteServerErrorAsync(context, fault.Status);
                return true;
            case FaultKind.RateLimited:
                var (limit, reset) = RateLimitFigures;
                context.Response.Headers["x-ratelimit-limit"] = limit.ToString();
                context.Response.Headers["x-ratelimit-remaining"] = "0";
                context.Response.Headers["x-ratelimit-reset"] = reset.ToString();
                await WriteRateLimitedAsync(context);
                return true;
            case FaultKind.CloudflareForbidden:
                await CloudflarePage.WriteAsync(context);
                return true;
            case FaultKind.EmptyOk:
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 0;
                return true;
            case FaultKind.Delay:
                try
                {
                    await delay!;
                    return false;
                }
                catch (OperationCanceledException)
                {
                    return true; // the client gave up
                }
            default:
                context.Abort();
                return true;
        }
    }

    async Task HandleControlRequestAsync(SimRequest request)
    {
        try
        {
            if (await HandleCommonControlAsync(request) || await HandleControlAsync(request)) return;
            await Json.WriteAsync(request.Context, 404, new JsonObject { ["error"] = $"no control endpoint {request.Method} _control{request.Path}" });
        }
        catch (ControlException e)
        {
            await Json.WriteAsync(request.Context, 400, new JsonObject { ["error"] = e.Message });
        }
    }

    async Task<bool> HandleCommonControlAsync(SimRequest request)
    {
        var context = request.Context;
        switch (request.Segments)
        {
            case ["reset"] when request.Is("POST"):
                Reset();
                await Json.WriteAsync(context, 200, new JsonObject { ["status"] = "reset" });
                return true;
            case ["state"] when request.Is("GET"):
                JsonObject state;
                lock (Gate) state = DumpState();
                await Json.WriteAsync(context, 200, state);
                return true;
            case ["requests"] when request.Is("GET"):
                var requests = Requests.Matching(request.Query("method"), request.Query("path"));
                await Json.WriteAsync(context, 200, Json.Array(requests.Select(r => (JsonNode)new JsonObject
                {
                    ["sequence"] = r.Sequence, ["time"] = Json.Rfc3339(r.Time), ["method"] = r.Method, ["path"] = r.Path,
                    ["query"] = r.QueryString, ["headers"] = new JsonObject(r.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
                    ["body"] = r.Body, ["fault"] = r.Fault,
                })));
                return true;
            case ["faults"] when request.Is("GET"):
                await Json.WriteAsync(context, 200, Json.Array(Faults.Rules.Select(r => (JsonNode)r.ToJson())));
                return true;
            case ["faults"] when request.Is("DELETE"):
                Faults.Clear();
                await Json.WriteAsync(context, 200, new JsonArray());
                return true;
            case ["faults"] when request.Is("POST"):
                var rule = AddFaultFromJson(request.Json() as JsonObject ?? throw new ControlException("the body must be a JSON object"));
                await Json.WriteAsync(context, 200, rule.ToJson());
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>{"fault":"server_error","status":503,"count":2}</c> or <c>{"fault":"delay","delay_ms":5000,"seconds":60,"path":"/api/*"}</c>.</summary>
    FaultRule AddFaultFromJson(JsonObject body)
    {
        var name = Control.String(body, "fault") ?? throw new ControlException("'fault' is required: server_error, rate_limited, cloudflare_403, empty_200, delay or abort");
        var fault = Fault.Parse(name, Control.Int(body, "status"), Control.Int(body, "delay_ms"))
                    ?? throw new ControlException($"unknown fault '{name}'");
        var path = Control.String(body, "path");
        var method = Control.String(body, "method");
        if (Control.Int(body, "seconds") is { } seconds) return Faults.During(TimeSpan.FromSeconds(seconds), fault, path, method);
        return Faults.Next(Control.Int(body, "count") ?? 1, fault, path, method);
    }
}

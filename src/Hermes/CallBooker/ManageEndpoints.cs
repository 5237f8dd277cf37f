using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations;

namespace Hermes.CallBooker;

/// <summary>
/// The API behind a prospect's manage page (<c>/book-a-call/manage/{id}/?s=…</c>), each call carrying the link's
/// <c>s</c>: <c>GET /callbooker/meetings/{id}/</c> (the meeting), <c>POST …/reschedule/</c> <c>{"meeting_dt"}</c> and
/// <c>POST …/cancel/</c> <c>{"reason"}</c>. Bad input is a 422 in FastAPI's shape, read like the booking endpoints'; a
/// wrong signature or an expired link is a 403, a change that is not allowed a 400, both <c>{"status":"error","message"}</c>.
/// </summary>
public static class ManageEndpoints
{
    /// <summary>The booking answers carry the new meeting's manage link in this header (its body is hermes_v2's, unchanged).</summary>
    public const string ManageLinkHeader = "Hermes-Manage-Link";
    public const string InvalidSignature = "Invalid signature";
    public const string Expired = "Link has expired";

    public sealed record RescheduleBody(object meeting_dt);
    public sealed record CancelBody(string? reason);

    public static IServiceCollection AddMeetingManagement(this IServiceCollection services)
    {
        services.AddSingleton<ManageLinks>();
        services.AddScoped<MeetingManagement>();
        return services;
    }

    public static RouteGroupBuilder MapMeetingManagement(this RouteGroupBuilder group)
    {
        group.MapGet("/meetings/{meeting_id}/", GetAsync)
            .WithSummary("A booked call, for its manage link")
            .WithDescription("Who, when and whether it can still be changed. s is the signature from the manage link.")
            .Produces(StatusCodes.Status200OK)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/meetings/{meeting_id}/reschedule/", RescheduleAsync)
            .WithSummary("Move a booked call to another time with the same admin")
            .WithDescription("The same Google event is moved (Meet link kept, guests told) and the Pipedrive activity follows. " +
                             "Refused when the admin is busy, when the contact has another meeting within 2 hours, or too soon.")
            .Accepts<RescheduleBody>("application/json")
            .Produces<ApiResults.Status>()
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status400BadRequest)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status422UnprocessableEntity)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status502BadGateway);
        group.MapPost("/meetings/{meeting_id}/cancel/", CancelAsync)
            .WithSummary("Cancel a booked call")
            .WithDescription("The Google event is cancelled (guests told), the meeting becomes CANCELED and the Pipedrive activity is marked done " +
                             "with the reason in its note. Cancelling again changes nothing.")
            .Accepts<CancelBody>("application/json")
            .Produces<ApiResults.Status>()
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status400BadRequest)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status422UnprocessableEntity)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status502BadGateway);
        return group;
    }

    static async Task<IResult> GetAsync([FromRoute(Name = "meeting_id")] string meetingId, [FromQuery(Name = "s")] string? signature,
        HermesDb db, ManageLinks links, MeetingManagement management, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var id = PathId(errors, meetingId);
        QuerySignature(errors, signature);
        if (errors.Any) return errors.ToResult();
        var (meeting, refusal) = await VerifyAsync(db, links, clock, id!.Value, signature!, ct);
        if (refusal is not null) return refusal;
        return Results.Json(new JsonObject { ["status"] = "ok", ["meeting"] = Describe(meeting!, links, management) });
    }

    static async Task<IResult> RescheduleAsync([FromRoute(Name = "meeting_id")] string meetingId, [FromQuery(Name = "s")] string? signature,
        HttpRequest request, HermesDb db, ManageLinks links, MeetingManagement management, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var id = PathId(errors, meetingId);
        QuerySignature(errors, signature);
        var (read, bodyError) = await JsonBody.ReadAsync(request, ct);
        if (bodyError is not null) return errors.Any ? errors.ToResult() : bodyError;
        var body = new JsonBody(read!.Raw, errors);
        var start = body.DateTime("meeting_dt", required: true);
        if (start is not null && start <= clock.GetUtcNow().UtcDateTime) body.Invalid("meeting_dt", "meeting_dt must be in the future");
        if (errors.Any) return errors.ToResult();
        var (_, refusal) = await VerifyAsync(db, links, clock, id!.Value, signature!, ct);
        if (refusal is not null) return refusal;
        return (await management.RescheduleAsync(id.Value, start!.Value, MeetingActor.Prospect, ct)).ToResult();
    }

    static async Task<IResult> CancelAsync([FromRoute(Name = "meeting_id")] string meetingId, [FromQuery(Name = "s")] string? signature,
        HttpRequest request, HermesDb db, ManageLinks links, MeetingManagement management, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var id = PathId(errors, meetingId);
        QuerySignature(errors, signature);
        var (read, bodyError) = await JsonBody.ReadAsync(request, ct);
        if (bodyError is not null) return errors.Any ? errors.ToResult() : bodyError;
        var reason = new JsonBody(read!.Raw, errors).String("reason", required: false, maxLength: 1000);
        if (errors.Any) return errors.ToResult();
        var (_, refusal) = await VerifyAsync(db, links, clock, id!.Value, signature!, ct);
        if (refusal is not null) return refusal;
        return (await management.CancelAsync(id.Value, reason, MeetingActor.Prospect, ct)).ToResult();
    }

    /// <summary>
    /// The meeting, when <paramref name="signature"/> is one Hermes made for it: for its start now, or for an earlier start
    /// (before a move) that has not passed yet. Otherwise the 403 to answer with.
    /// </summary>
    static async Task<(Meeting? Meeting, IResult? Refusal)> VerifyAsync(HermesDb db, ManageLinks links, TimeProvider clock, int id, string signature, CancellationToken ct)
    {
        var meeting = await db.Meetings.AsNoTracking().Include(m => m.Admin).Include(m => m.Contact).ThenInclude(c => c!.Company)
            .FirstOrDefaultAsync(m => m.Id == id, ct);
        if (meeting?.StartTime is not { } current) return (null, ApiResults.Error(InvalidSignature, StatusCodes.Status403Forbidden));
        var earlier = await db.MeetingChanges.Where(c => c.MeetingId == id && c.FromStart != null).Select(c => c.FromStart!.Value).ToListAsync(ct);
        var signedFor = links.SignedFor(id, signature, earlier.Prepend(current));
        if (signedFor is null) return (null, ApiResults.Error(InvalidSignature, StatusCodes.Status403Forbidden));
        // A link for the current start lives until the meeting starts (then changes are refused as "started"); one for
        // an earlier start expired when that start passed.
        if (signedFor != current && signedFor <= clock.GetUtcNow().UtcDateTime) return (null, ApiResults.Error(Expired, StatusCodes.Status403Forbidden));
        return (meeting, null);
    }

    /// <summary>What the manage page shows: who, when, and whether (and why not) the call can still be changed.</summary>
    internal static JsonObject Describe(Meeting meeting, ManageLinks links, MeetingManagement management)
    {
        var why = management.WhyUnchangeable(meeting, MeetingActor.Prospect);
        return new JsonObject
        {
            ["id"] = meeting.Id,
            ["meeting_type"] = meeting.MeetingType,
            ["status"] = meeting.Status,
            ["start_dt"] = Dates.Iso(meeting.StartTime!.Value),
            ["end_dt"] = meeting.EndTime is { } end ? Dates.Iso(end) : null,
            ["admin_id"] = meeting.AdminId,
            ["admin_name"] = meeting.Admin?.Name,
            ["contact_name"] = meeting.Contact?.Name,
            ["company_name"] = meeting.Contact?.Company?.Name,
            ["can_change"] = why is null,
            ["message"] = why,
            // The link for the meeting as it is now (after a move, the page swaps the old one for it).
            ["manage_url"] = why is null ? links.Url(meeting.Id, meeting.StartTime.Value) : null,
        };
    }

    static int? PathId(ValidationErrors errors, string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        errors.Add(["path", "meeting_id"], "int_parsing", "Input should be a valid integer, unable to parse string as an integer", JsonValue.Create(value));
        return null;
    }

    static void QuerySignature(ValidationErrors errors, string? signature)
    {
        if (string.IsNullOrWhiteSpace(signature)) errors.Query("s", "missing", "Field required", signature);
        else if (signature.Length > 128) errors.Query("s", "string_too_long", "String should have at most 128 characters", signature[..128]);
    }
}

/// <summary>An answer with one more header (the booking's manage link), the body left as it is.</summary>
public sealed class WithHeader(IResult inner, string name, string value) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        context.Response.Headers[name] = value;
        return inner.ExecuteAsync(context);
    }
}

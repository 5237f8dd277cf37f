using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations;

namespace Hermes.CallBooker;

/// <summary>The website's call booker API under <c>/callbooker/</c> (contract.md §2, behaviour.md §4).</summary>
public static class CallBookerEndpoints
{
    public const string CorsPolicy = "website";
    /// <summary>The most days one availability request may cover.</summary>
    public const int MaxRangeDays = 92;
    /// <summary>
    /// How soon a call can be: 15 minutes from now for anyone (an express support call), which is all that availability
    /// applies, as hermes_v2's contract has the caller choose <c>start_dt</c>; a sales call, chosen by a visitor, 2 hours.
    /// </summary>
    public static readonly TimeSpan MinimumNotice = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan SalesNotice = TimeSpan.FromHours(2);

    public sealed record SlotsResponse(string status, List<string[]> slots);
    public sealed record LinkResponse(string link);
    public sealed record ValidatedLink(string status, string company_name, bool express);

    public static IServiceCollection AddCallBooker(this IServiceCollection services, HermesSettings settings)
    {
        services.AddCors(o => o.AddPolicy(CorsPolicy, p =>
        {
            if (settings.DevMode || settings.Sandbox) p.AllowAnyOrigin();
            else p.WithOrigins(settings.CorsOrigins.ToArray());
            p.AllowAnyMethod().AllowAnyHeader().WithExposedHeaders(ManageEndpoints.ManageLinkHeader);
        }));
        services.AddSingleton<GoogleTokenSource>();
        services.AddHttpClient<GoogleCalendarClient>(c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddHttpClient<SupportCompanyFromTc2>(c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<AdminBookingLock>();
        services.AddSingleton<SupportLinks>();
        services.AddScoped<BookingMatcher>();
        services.AddScoped<BookingService>();
        services.AddMeetingManagement();
        return services;
    }

    public static IEndpointRouteBuilder MapCallBooker(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/callbooker").WithTags("Call booker").RequireCors(CorsPolicy);

        group.MapPost("/sales/book/", (HttpRequest request, HermesDb db, BookingService booking, TimeProvider clock, CancellationToken ct) =>
                BookAsync(request, Meeting.TypeSales, db, booking, clock, ct))
            .WithSummary("Book a sales call (demo) with an admin")
            .WithDescription("meeting_dt must be at least 2 hours from now (400 otherwise). Finds or creates the company, contact and " +
                             "open deal, checks the ±2 h rule and the admin's Google Calendar, creates the event with a Google Meet link, " +
                             "stores the meeting and queues the Pipedrive sync.")
            .Accepts<SalesBookingBody>("application/json")
            .Produces<ApiResults.Status>()
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status422UnprocessableEntity)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status502BadGateway);

        group.MapPost("/support/book/", (HttpRequest request, HermesDb db, BookingService booking, TimeProvider clock, CancellationToken ct) =>
                BookAsync(request, Meeting.TypeSupport, db, booking, clock, ct))
            .WithSummary("Book a support call with an admin")
            .WithDescription("meeting_dt must be at least 15 minutes from now (400 otherwise). For a company given by id (from a " +
                             "support link), or found by the contact's email or the company name. No deal; the organization, person " +
                             "and activity are queued for Pipedrive.")
            .Accepts<SupportBookingBody>("application/json")
            .Produces<ApiResults.Status>()
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status422UnprocessableEntity)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status502BadGateway);

        group.MapGet("/availability/", AvailabilityAsync)
            .WithSummary("Free slots of an admin between two times")
            .WithDescription("Weekdays in the admin's time zone, within the configured working hours, minus Google busy periods, " +
                             "from start_dt and never sooner than 15 minutes from now (a sales booker asks from now + 2 hours).")
            .Produces<SlotsResponse>()
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status404NotFound)
            .Produces(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/support-link/generate/tc2/", GenerateLinkAsync)
            .WithSummary("A signed support booking link for a TC2 client (called by TC2)")
            .WithDescription("Authorization: token <TC2_API_KEY>. The company is read from TC2 and created when Hermes doesn't have it. " +
                             "express=true makes the booker offer slots from 15 minutes ahead.")
            .Produces<LinkResponse>()
            .Produces<ErrorDetail>(StatusCodes.Status403Forbidden)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status404NotFound);

        group.MapGet("/support-link/validate/", ValidateLinkAsync)
            .WithSummary("Check a support link's signature and expiry")
            .Produces<ValidatedLink>()
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status403Forbidden)
            .Produces<ApiResults.StatusMessage>(StatusCodes.Status404NotFound);

        group.MapMeetingManagement();
        return app;
    }

    static async Task<IResult> BookAsync(HttpRequest request, string type, HermesDb db, BookingService booking, TimeProvider clock, CancellationToken ct)
    {
        using var activity = Operations.Telemetry.Source.StartActivity($"booking {type}");
        var outcome = "error";
        try
        {
            var result = await BookUncountedAsync(request, type, db, booking, clock, ct);
            outcome = (result as IStatusCodeHttpResult)?.StatusCode switch
            {
                null or 200 => "booked", 400 => "refused", 422 => "invalid", 502 => "calendar_failed", 503 => "busy", _ => "error",
            };
            return result;
        }
        finally
        {
            Operations.Telemetry.Booking(activity, type, outcome);
        }
    }

    static async Task<IResult> BookUncountedAsync(HttpRequest request, string type, HermesDb db, BookingService booking, TimeProvider clock, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ct);
        if (error is not null) return error;
        var (parsed, invalid) = await BookingRequestParser.ParseAsync(body!, type, db, clock.GetUtcNow().UtcDateTime, ct);
        if (invalid is not null) return invalid;
        return await booking.BookAsync(parsed!, ct);
    }

    static async Task<IResult> AvailabilityAsync(
        [FromQuery(Name = "admin_id")] string? adminId, [FromQuery(Name = "start_dt")] string? startDt, [FromQuery(Name = "end_dt")] string? endDt,
        HermesDb db, GoogleCalendarClient google, TimeProvider clock, HermesSettings settings,
        ILoggerFactory logs, CancellationToken ct)
    {
        var log = logs.CreateLogger("Hermes.CallBooker.Availability");
        var errors = new ValidationErrors();
        var admin = QueryInt(errors, "admin_id", adminId);
        var start = QueryDate(errors, "start_dt", startDt);
        var end = QueryDate(errors, "end_dt", endDt);
        if (start is not null && end is not null)
        {
            if (end <= start) errors.Add(["query", "end_dt"], "value_error", "Value error, end_dt must be after start_dt", endDt);
            else if (end - start > TimeSpan.FromDays(MaxRangeDays))
                errors.Add(["query", "end_dt"], "value_error", $"Value error, the range may cover at most {MaxRangeDays} days", endDt);
        }
        if (errors.Any) return errors.ToResult();

        var row = await db.Admins.AsNoTracking().FirstOrDefaultAsync(a => a.Id == admin, ct);
        if (row is null) return ApiResults.Error($"Admin {admin} not found", StatusCodes.Status404NotFound);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(row.Timezone, out var zone))
        {
            log.LogWarning("Admin {AdminId} has an unknown time zone {Timezone}; using {Default}", row.Id, row.Timezone, settings.DefaultTimezone);
            zone = TimeZoneInfo.FindSystemTimeZoneById(settings.DefaultTimezone);
        }
        var meeting = await MeetingSettings.LoadAsync(db, log, ct);

        // hermes_v2's contract: slots from start_dt, which the website sets (now + 2 h, or now for an express link); Hermes
        // only keeps anyone from a slot that is about to start.
        var earliest = clock.GetUtcNow().UtcDateTime + MinimumNotice;

        IReadOnlyList<BusyPeriod> busy;
        try
        {
            busy = await google.FreeBusyAsync(row.Email, start!.Value, end!.Value, ct);
        }
        catch (GoogleCalendarException ex)
        {
            log.LogError(ex, "Availability of admin {AdminId}: Google Calendar failed", row.Id);
            return ApiResults.Error("The admin's Google Calendar could not be read. Please try again.", StatusCodes.Status502BadGateway);
        }
        var slots = Availability.Slots(zone, meeting, start!.Value, end!.Value, earliest, busy);
        return Results.Json(new SlotsResponse("ok", slots.Select(s => new[] { Dates.Iso(s.Start), Dates.Iso(s.End) }).ToList()));
    }

    static async Task<IResult> GenerateLinkAsync(
        [FromQuery(Name = "tc2_admin_id")] string? tc2AdminId, [FromQuery(Name = "tc2_cligency_id")] string? tc2CligencyId,
        [FromQuery(Name = "express")] string? express, [FromHeader(Name = "Authorization")] string? authorization,
        HermesDb db, SupportLinks links, SupportCompanyFromTc2 tc2, HermesSettings settings, ILoggerFactory logs, CancellationToken ct)
    {
        if (!Tc2Authorized(authorization, settings)) return Results.Json(new ErrorDetail("Unauthorized key"), statusCode: StatusCodes.Status403Forbidden);
        var errors = new ValidationErrors();
        var adminTc2Id = QueryInt(errors, "tc2_admin_id", tc2AdminId);
        var cligencyId = QueryInt(errors, "tc2_cligency_id", tc2CligencyId);
        var isExpress = QueryBool(errors, "express", express);
        if (errors.Any) return errors.ToResult();

        var admin = await db.Admins.AsNoTracking().FirstOrDefaultAsync(a => a.Tc2AdminId == adminTc2Id, ct);
        // TC2's ids are positive: for any other there is no client to ask TC2 about (TC2 would not route it).
        if (admin is null || cligencyId <= 0) return ApiResults.Error("Admin or Company not found", StatusCodes.Status404NotFound);
        Company? company;
        try
        {
            company = await tc2.GetOrCreateAsync(db, cligencyId!.Value, ct);
        }
        catch (Tc2UnavailableException e)
        {
            logs.CreateLogger("Hermes.CallBooker.SupportLinks").LogError(e, "Support link for TC2 client {CligencyId}: TC2 failed", cligencyId);
            return ApiResults.Error("The company could not be read from TC2. Please try again.", StatusCodes.Status502BadGateway);
        }
        catch (Tc2ClientNotUsableException e)
        {
            return ApiResults.Error($"Admin or Company not found: {e.Message}", StatusCodes.Status404NotFound);
        }
        if (company is null) return ApiResults.Error("Admin or Company not found", StatusCodes.Status404NotFound);
        return Results.Json(new LinkResponse(links.Create(admin.Id, company.Id, isExpress, out _)));
    }

    static async Task<IResult> ValidateLinkAsync(
        [FromQuery(Name = "admin_id")] string? adminId, [FromQuery(Name = "company_id")] string? companyId,
        [FromQuery(Name = "e")] string? expiry, [FromQuery(Name = "s")] string? signature,
        HermesDb db, SupportLinks links, CancellationToken ct)
    {
        var verified = adminId is null || companyId is null || expiry is null ? null : links.Verify(adminId, companyId, expiry, signature);
        if (verified is null) return ApiResults.Error("Invalid signature", StatusCodes.Status403Forbidden);
        if (!long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var e) || links.Expired(e))
            return ApiResults.Error("Link has expired", StatusCodes.Status403Forbidden);
        var admin = int.Parse(adminId!, CultureInfo.InvariantCulture);
        var company = int.Parse(companyId!, CultureInfo.InvariantCulture);
        var name = await db.Companies.Where(c => c.Id == company).Select(c => c.Name).FirstOrDefaultAsync(ct);
        if (name is null || !await db.Admins.AnyAsync(a => a.Id == admin, ct))
            return ApiResults.Error("Admin or Company not found", StatusCodes.Status404NotFound);
        return Results.Json(new ValidatedLink("ok", name, verified.Express));
    }

    /// <summary>hermes_v2 took the second word of the header (<c>token &lt;key&gt;</c>; TC2 may also send <c>Bearer</c>).</summary>
    static bool Tc2Authorized(string? header, HermesSettings settings)
    {
        if (settings.Tc2ApiKey.Length == 0 || header is null) return false;
        var parts = header.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(parts[1]), Encoding.UTF8.GetBytes(settings.Tc2ApiKey));
    }

    internal static int? QueryInt(ValidationErrors errors, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) { errors.Query(name, "missing", "Field required", value); return null; }
        if (int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        errors.Query(name, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", value);
        return null;
    }

    static DateTime? QueryDate(ValidationErrors errors, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) { errors.Query(name, "missing", "Field required", value); return null; }
        var parsed = Dates.Parse(value);
        if (parsed is null)
            errors.Query(name, "datetime_parsing", "Input should be a valid datetime: ISO 8601 (with or without offset; naive is UTC) or a unix timestamp", value);
        return parsed;
    }

    static bool QueryBool(ValidationErrors errors, string name, string? value)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "0" or "no" or "off": return false;
            case "true" or "1" or "yes" or "on": return true;
            default:
                errors.Query(name, "bool_parsing", "Input should be a valid boolean, unable to interpret input", value);
                return false;
        }
    }
}

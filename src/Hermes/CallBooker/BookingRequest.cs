using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.CallBooker;

/// <summary>
/// A validated, normalised booking (behaviour.md §4.1): names trimmed and title-cased, emails lower-cased,
/// <c>meeting_dt</c> in UTC and in the future, ids that exist. Sales and support bookings share it.
/// </summary>
public sealed record BookingRequest
{
    public required string MeetingType { get; init; }
    public required Admin Admin { get; init; }
    /// <summary>The BDR admin, given on sales bookings as a TC2 admin id (hermes_v2's meaning of <c>bdr_person_id</c>).</summary>
    public Admin? BdrPerson { get; init; }
    public int? CompanyId { get; init; }
    public string? FirstName { get; init; }
    public required string LastName { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Country { get; init; }
    public string? CompanyName { get; init; }
    public string? Website { get; init; }
    public string? EstimatedIncome { get; init; }
    public string? Currency { get; init; }
    public string PricePlan { get; init; } = Company.PlanPayg;
    public string? UtmCampaign { get; init; }
    public string? UtmSource { get; init; }
    public required DateTime MeetingStart { get; init; }

    public string FullName => FirstName is null ? LastName : $"{FirstName} {LastName}";
}

/// <summary>The request bodies as the website sends them; used for the OpenAPI description (parsing is by hand).</summary>
public sealed record SalesBookingBody(
    int admin_id, string name, string email, string company_name, string country, string? website, string? phone,
    object estimated_income, string currency, string price_plan, object meeting_dt, int? company_id, int? bdr_person_id,
    string? utm_campaign, string? utm_source);

public sealed record SupportBookingBody(int admin_id, int? company_id, object meeting_dt, string name, string? email, string? company_name);

public static partial class BookingRequestParser
{
    public static async Task<(BookingRequest? Request, IResult? Error)> ParseAsync(
        JsonBody body, string meetingType, HermesDb db, DateTime now, CancellationToken ct)
    {
        var sales = meetingType == Meeting.TypeSales;
        var adminId = body.Int("admin_id", required: true);
        var bdrId = sales ? body.Int("bdr_person_id", required: false) : null;
        var companyId = body.Int("company_id", required: false);
        var name = body.String("name", required: true);
        var email = body.String("email", required: sales)?.ToLowerInvariant();
        var companyName = body.String("company_name", required: sales);
        var country = sales ? body.String("country", required: true) : null;
        var website = sales ? body.String("website", required: false) : null;
        var phone = sales ? body.String("phone", required: false) : null;
        var income = sales ? body.StringOrNumber("estimated_income", required: true) : null;
        var currency = sales ? body.String("currency", required: true) : null;
        var plan = sales ? body.String("price_plan", required: true) : null;
        var utmCampaign = sales ? body.String("utm_campaign", required: false) : null;
        var utmSource = sales ? body.String("utm_source", required: false) : null;
        var meetingDt = body.DateTime("meeting_dt", required: true);

        string? firstName = null, lastName = null;
        if (name is not null)
        {
            var words = Whitespace().Split(name).Where(w => w.Length > 0).ToArray();
            if (words.Length < 2) body.Invalid("name", "name must have at least two words (first and last name)");
            else (firstName, lastName) = (TitleCase(words[0]), TitleCase(string.Join(' ', words[1..])));
        }
        if (email is not null && !EmailShape().IsMatch(email)) body.Invalid("email", "value is not a valid email address");
        if (website is not null && !IsWebsite(website)) body.Invalid("website", "website must be a URL, e.g. https://example.com");
        if (plan is not null && !Company.PricePlans.Contains(plan))
            body.Invalid("price_plan", $"price_plan must be one of {string.Join(", ", Company.PricePlans)}");
        if (meetingDt is not null && meetingDt <= now) body.Invalid("meeting_dt", "meeting_dt must be in the future");

        Admin? admin = null, bdr = null;
        if (adminId is not null)
        {
            admin = await db.Admins.AsNoTracking().FirstOrDefaultAsync(a => a.Id == adminId, ct);
            if (admin is null) body.Invalid("admin_id", $"Admin with id {adminId} does not exist");
        }
        if (bdrId is not null)
        {
            bdr = await db.Admins.AsNoTracking().FirstOrDefaultAsync(a => a.Tc2AdminId == bdrId, ct);
            if (bdr is null) body.Invalid("bdr_person_id", $"Admin with tc2_admin_id {bdrId} does not exist");
        }
        if (companyId is not null && !await db.Companies.AnyAsync(c => c.Id == companyId, ct))
            body.Invalid("company_id", $"Company with id {companyId} does not exist");
        // A blank company_id counts as absent (JsonBody.Int); one that is there but not a number already has its error.
        var companyIdGiven = body.Raw["company_id"] is { } given && !(given.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(given.GetValue<string>()));
        if (!sales && companyId is null && companyName is null && !companyIdGiven)
            body.Errors.Body("company_id", "missing", "Field required: a support booking needs company_id (or company_name to find or add the company)");

        if (body.Errors.Any) return (null, body.Errors.ToResult());
        return (new BookingRequest
        {
            MeetingType = meetingType,
            Admin = admin!,
            BdrPerson = bdr,
            CompanyId = companyId,
            FirstName = firstName,
            LastName = lastName!,
            Email = email,
            Phone = phone,
            Country = country,
            CompanyName = companyName,
            Website = website,
            EstimatedIncome = income,
            Currency = currency,
            PricePlan = plan ?? Company.PlanPayg,
            UtmCampaign = utmCampaign,
            UtmSource = utmSource,
            MeetingStart = meetingDt!.Value,
        }, null);
    }

    /// <summary>Python's <c>str.title()</c>, as hermes_v2 applied it: "o'neil mcdonald" → "O'Neil Mcdonald".</summary>
    public static string TitleCase(string value)
    {
        var result = new StringBuilder(value.Length);
        var previousCased = false;
        foreach (var c in value)
        {
            result.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }
        return result.ToString();
    }

    static bool IsWebsite(string value)
    {
        if (value.Any(char.IsWhiteSpace)) return false;
        var candidate = value.Contains("://", StringComparison.Ordinal) ? value : "https://" + value;
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
               && uri.Scheme is "http" or "https"
               && uri.Host.Contains('.') && !uri.Host.StartsWith('.') && !uri.Host.EndsWith('.');
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")]
    private static partial Regex EmailShape();
}

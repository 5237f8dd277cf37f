using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations;

namespace Hermes.Sales;

/// <summary>
/// hermes_v2's "hermes" views (contract.md §2, behaviour.md §4.4): who the website's next sales call goes to
/// (<c>/choose-roundrobin/sales/</c>), the support round robin, the visitor's country (<c>/loc/</c>) and the company
/// lookup TC2 and staff use (<c>/companies/</c>).
/// </summary>
public static class SalesEndpoints
{
    /// <summary>The countries hermes_v2's <c>app/hermes/views.py</c> counts as Europe (GB among them, but GB is matched first).</summary>
    public static readonly IReadOnlySet<string> EuCountries = new HashSet<string>(StringComparer.Ordinal)
    {
        "MD", "BG", "DE", "AL", "ME", "ES", "SE", "AD", "MT", "CZ", "GB", "GI", "CY", "MC", "RU", "IE", "FR", "BY", "PT", "HR",
        "LI", "HU", "IS", "PL", "CH", "MK", "XK", "BE", "RS", "NL", "DK", "LU", "FO", "SI", "UA", "FI", "AT", "BA", "GR", "GG",
        "EE", "SM", "VA", "IT", "SK", "LT", "IM", "NO", "LV", "RO", "SJ", "JE", "AX",
    };

    public sealed record CountryResponse(string country_code);

    public static IEndpointRouteBuilder MapSales(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Sales").RequireCors(CallBookerEndpoints.CorsPolicy);

        group.MapGet("/choose-roundrobin/sales/", ChooseSalesAsync)
            .WithSummary("The sales person the next sales call goes to, for a price plan and a country")
            .WithDescription("Sales people selling the plan, narrowed to those covering the country's region (US, GB, AU, CA, Europe, " +
                             "rest of the world; none → all of them); the one after the sales person of the newest company on that plan, " +
                             "in id order, wrapping round.")
            .Produces<AdminJson>()
            .Produces<ErrorDetail>(StatusCodes.Status404NotFound)
            .Produces<ErrorDetail>(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/choose-roundrobin/support/", ChooseSupportAsync)
            .WithSummary("The support person the next support company goes to")
            .Produces<AdminJson>()
            .Produces<ErrorDetail>(StatusCodes.Status404NotFound);

        group.MapGet("/loc/", ([FromHeader(Name = "CF-IPCountry")] string? country) =>
                new CountryResponse(string.IsNullOrWhiteSpace(country) ? "GB" : country.Trim().ToUpperInvariant()))
            .WithSummary("The visitor's country, from Cloudflare's CF-IPCountry header (GB when absent)");

        group.MapGet("/companies/", CompaniesAsync)
            .WithSummary("Companies matching exact column filters, e.g. ?tc2_cligency_id=10 (at most 10, by name)")
            .Produces<JsonArray>()
            .Produces(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    static async Task<IResult> ChooseSalesAsync(
        [FromQuery(Name = "plan")] string? plan, [FromQuery(Name = "country_code")] string? countryCode, HermesDb db, CancellationToken ct)
    {
        if (plan is null || !Company.PricePlans.Contains(plan))
            return Results.Json(new ErrorDetail("Price plan must be one of \"payg,startup,enterprise\""), statusCode: StatusCodes.Status422UnprocessableEntity);
        if (countryCode is null)
            return ValidationErrors.Single(["query", "country_code"], "missing", "Field required");

        var sellers = db.Admins.AsNoTracking().Where(a => a.IsSalesPerson);
        sellers = plan switch
        {
            Company.PlanStartup => sellers.Where(a => a.SellsStartup),
            Company.PlanEnterprise => sellers.Where(a => a.SellsEnterprise),
            _ => sellers.Where(a => a.SellsPayg),
        };
        var candidates = await sellers.OrderBy(a => a.Id).ToListAsync(ct);
        var code = countryCode.Trim().ToUpperInvariant();
        if (code.Length == 0) code = "GB";
        Func<Admin, bool> coversRegion = code switch
        {
            "US" => a => a.SellsUs,
            "GB" => a => a.SellsGb,
            "AU" => a => a.SellsAu,
            "CA" => a => a.SellsCa,
            _ when EuCountries.Contains(code) => a => a.SellsEu,
            _ => a => a.SellsRow,
        };
        var regional = candidates.Where(coversRegion).ToList();
        if (regional.Count > 0) candidates = regional;
        if (candidates.Count == 0)
            return Results.Json(new ErrorDetail($"No admins found selling the {plan} plan"), statusCode: StatusCodes.Status404NotFound);

        var previous = await db.Companies.AsNoTracking().Where(c => c.PricePlan == plan)
            .OrderByDescending(c => c.Created).ThenByDescending(c => c.Id)
            .Select(c => (int?)c.SalesPersonId).FirstOrDefaultAsync(ct);
        return Results.Json(AdminJson.From(Next(candidates, previous)));
    }

    static async Task<IResult> ChooseSupportAsync(HermesDb db, CancellationToken ct)
    {
        var candidates = await db.Admins.AsNoTracking().Where(a => a.IsSupportPerson).OrderBy(a => a.Id).ToListAsync(ct);
        if (candidates.Count == 0)
            return Results.Json(new ErrorDetail("No admins found: nobody is a support person"), statusCode: StatusCodes.Status404NotFound);
        var previous = await db.Companies.AsNoTracking().Where(c => c.SupportPersonId != null)
            .OrderByDescending(c => c.Created).ThenByDescending(c => c.Id)
            .Select(c => c.SupportPersonId).FirstOrDefaultAsync(ct);
        return Results.Json(AdminJson.From(Next(candidates, previous)));
    }

    /// <summary>The candidate after <paramref name="previousId"/> in id order, wrapping round; the first if it isn't one.</summary>
    static Admin Next(List<Admin> candidates, int? previousId)
    {
        var index = candidates.FindIndex(a => a.Id == previousId);
        return index < 0 ? candidates[0] : candidates[(index + 1) % candidates.Count];
    }

    // ---- /companies/ -----------------------------------------------------------------------------------------------

    delegate IQueryable<Company>? Filter(IQueryable<Company> query, string value);

    static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.Id == i) : null,
        ["name"] = (q, v) => q.Where(c => c.Name == v),
        ["tc2_agency_id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.Tc2AgencyId == i) : null,
        ["tc2_cligency_id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.Tc2CligencyId == i) : null,
        ["tc2_status"] = (q, v) => q.Where(c => c.Tc2Status == v),
        ["pd_org_id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.PdOrgId == i) : null,
        ["created"] = (q, v) => Dates.Parse(v) is { } d ? q.Where(c => c.Created == d) : null,
        ["price_plan"] = (q, v) => q.Where(c => c.PricePlan == v),
        ["country"] = (q, v) => q.Where(c => c.Country == v),
        ["website"] = (q, v) => q.Where(c => c.Website == v),
        ["paid_invoice_count"] = (q, v) => Int(v) is { } i ? q.Where(c => c.PaidInvoiceCount == i) : null,
        ["estimated_income"] = (q, v) => q.Where(c => c.EstimatedIncome == v),
        ["currency"] = (q, v) => q.Where(c => c.Currency == v),
        ["has_booked_call"] = (q, v) => Bool(v) is { } b ? q.Where(c => c.HasBookedCall == b) : null,
        ["has_signed_up"] = (q, v) => Bool(v) is { } b ? q.Where(c => c.HasSignedUp == b) : null,
        ["utm_campaign"] = (q, v) => q.Where(c => c.UtmCampaign == v),
        ["utm_source"] = (q, v) => q.Where(c => c.UtmSource == v),
        ["narc"] = (q, v) => Bool(v) is { } b ? q.Where(c => (c.Narc ?? false) == b) : null,
        ["sales_person_id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.SalesPersonId == i) : null,
        ["support_person_id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.SupportPersonId == i) : null,
        ["bdr_person_id"] = (q, v) => Int(v) is { } i ? q.Where(c => c.BdrPersonId == i) : null,
    };

    static async Task<IResult> CompaniesAsync(HttpRequest request, HermesDb db, CancellationToken ct)
    {
        if (request.Query.Count == 0)
            return Results.Json(new ErrorDetail("Must provide at least one param"), statusCode: StatusCodes.Status422UnprocessableEntity);
        var errors = new ValidationErrors();
        IQueryable<Company> query = db.Companies.AsNoTracking();
        foreach (var (key, values) in request.Query)
        {
            if (!Filters.TryGetValue(key, out var filter))
            {
                errors.Query(key, "value_error", key == "signup_questionnaire"
                    ? "Value error, signup_questionnaire can't be filtered on"
                    : $"Value error, {key} is not a column of the company table", values.ToString());
                continue;
            }
            foreach (var value in values)
            {
                var filtered = filter(query, value ?? "");
                if (filtered is null) errors.Query(key, "value_error", $"Value error, {value} is not a valid value for {key}", value);
                else query = filtered;
            }
        }
        if (errors.Any) return errors.ToResult();

        var companies = await query
            .Include(c => c.SalesPerson).Include(c => c.SupportPerson).Include(c => c.BdrPerson)
            .Include(c => c.Contacts.OrderBy(x => x.Id)).Include(c => c.Deals.OrderBy(x => x.Id))
            .OrderBy(c => c.Name).ThenBy(c => c.Id).Take(10).AsSplitQuery().ToListAsync(ct);
        var ids = companies.Select(c => c.Id).ToList();
        var fieldValues = await db.CustomFieldValues.AsNoTracking().Where(v => v.CompanyId != null && ids.Contains(v.CompanyId.Value))
            .OrderBy(v => v.Id).ToListAsync(ct);
        return Results.Json(new JsonArray(companies.Select(c => (JsonNode)CompanyJson(c, fieldValues.Where(v => v.CompanyId == c.Id))).ToArray()));
    }

    /// <summary>Every column of the company table, plus its admins (without passwords), contacts, deals and custom field values.</summary>
    static JsonObject CompanyJson(Company c, IEnumerable<CustomFieldValue> values) => new()
    {
        ["id"] = c.Id,
        ["name"] = c.Name,
        ["tc2_agency_id"] = c.Tc2AgencyId,
        ["tc2_cligency_id"] = c.Tc2CligencyId,
        ["tc2_status"] = c.Tc2Status,
        ["pd_org_id"] = c.PdOrgId,
        ["created"] = Timestamp(c.Created),
        ["price_plan"] = c.PricePlan,
        ["country"] = c.Country,
        ["website"] = c.Website,
        ["paid_invoice_count"] = c.PaidInvoiceCount,
        ["estimated_income"] = c.EstimatedIncome,
        ["currency"] = c.Currency,
        ["has_booked_call"] = c.HasBookedCall,
        ["has_signed_up"] = c.HasSignedUp,
        ["utm_campaign"] = c.UtmCampaign,
        ["utm_source"] = c.UtmSource,
        ["narc"] = c.Narc,
        ["signup_questionnaire"] = Questionnaire(c.SignupQuestionnaire),
        ["sales_person_id"] = c.SalesPersonId,
        ["support_person_id"] = c.SupportPersonId,
        ["bdr_person_id"] = c.BdrPersonId,
        ["sales_person"] = Admin(c.SalesPerson),
        ["support_person"] = Admin(c.SupportPerson),
        ["bdr_person"] = Admin(c.BdrPerson),
        ["contacts"] = new JsonArray(c.Contacts.Select(x => (JsonNode)new JsonObject
        {
            ["id"] = x.Id, ["tc2_sr_id"] = x.Tc2SrId, ["pd_person_id"] = x.PdPersonId, ["created"] = Timestamp(x.Created),
            ["first_name"] = x.FirstName, ["last_name"] = x.LastName, ["email"] = x.Email, ["phone"] = x.Phone,
            ["country"] = x.Country, ["company_id"] = x.CompanyId,
        }).ToArray()),
        ["deals"] = new JsonArray(c.Deals.Select(d => (JsonNode)new JsonObject
        {
            ["id"] = d.Id, ["pd_deal_id"] = d.PdDealId, ["name"] = d.Name, ["status"] = d.Status, ["admin_id"] = d.AdminId,
            ["company_id"] = d.CompanyId, ["contact_id"] = d.ContactId, ["pipeline_id"] = d.PipelineId, ["stage_id"] = d.StageId,
        }).ToArray()),
        ["custom_field_values"] = new JsonArray(values.Select(v => (JsonNode)new JsonObject
        {
            ["id"] = v.Id, ["custom_field_id"] = v.CustomFieldId, ["value"] = v.Value,
        }).ToArray()),
    };

    /// <summary>The admin JSON plus <c>password</c>, which hermes_v2 exposed here and this version always leaves null.</summary>
    static JsonNode? Admin(Admin? admin)
    {
        if (admin is null) return null;
        var json = JsonSerializer.SerializeToNode(AdminJson.From(admin))!.AsObject();
        json["password"] = null;
        return json;
    }

    static JsonNode? Questionnaire(string? text)
    {
        if (text is null) return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return text; }
    }

    static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    static int? Int(string value) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null;

    static bool? Bool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => null,
    };
}

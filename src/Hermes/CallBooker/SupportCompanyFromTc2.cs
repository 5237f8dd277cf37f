using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.CallBooker;

/// <summary>TC2 could not be asked (unreachable, an error status or an unreadable answer).</summary>
public sealed class Tc2UnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A TC2 client that can't become a Hermes company (e.g. its sales person is not a Hermes admin).</summary>
public sealed class Tc2ClientNotUsableException(string message) : Exception(message);

/// <summary>
/// The company a support link is for, when Hermes doesn't have it yet: read from TC2
/// (<c>GET {TC2_BASE_URL}/api/clients/{id}/</c>) and created with its contacts but no deal and no Pipedrive sync
/// (hermes_v2's "get or create from TC2" with deal creation turned off). Only the columns TC2 owns are filled; the
/// next TC2 webhook for the client brings the rest (custom fields) through the TC2 integration.
/// </summary>
public sealed class SupportCompanyFromTc2(HttpClient http, HermesSettings settings, TimeProvider clock, ILogger<SupportCompanyFromTc2> log)
{
    public async Task<Company?> GetOrCreateAsync(HermesDb db, int cligencyId, CancellationToken ct)
    {
        var existing = await db.Companies.FirstOrDefaultAsync(c => c.Tc2CligencyId == cligencyId, ct);
        if (existing is not null) return existing;

        var client = await FetchAsync(cligencyId, ct);
        if (client is null) return null;
        var company = await BuildAsync(db, cligencyId, client, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            // Another request created it (tc2_cligency_id is unique) or a contact's tc2_sr_id is taken: use what is there.
            log.LogWarning(e, "Creating the company for TC2 client {CligencyId} collided with another write; reloading", cligencyId);
            db.ChangeTracker.Clear();
            return await db.Companies.FirstOrDefaultAsync(c => c.Tc2CligencyId == cligencyId, ct)
                   ?? throw new Tc2ClientNotUsableException($"TC2 client {cligencyId} could not be saved: {e.InnerException?.Message ?? e.Message}");
        }
        log.LogInformation("Created company {CompanyId} from TC2 client {CligencyId} for a support link", company.Id, cligencyId);
        return company;
    }

    async Task<JsonObject?> FetchAsync(int cligencyId, CancellationToken ct)
    {
        if (settings.Tc2BaseUrl.Length == 0) throw new Tc2UnavailableException("TC2_BASE_URL is not set");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{settings.Tc2BaseUrl}/api/clients/{cligencyId}/");
        request.Headers.Authorization = new AuthenticationHeaderValue("token", settings.Tc2ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new Tc2UnavailableException($"TC2 answered {(int)response.StatusCode} for client {cligencyId}");
            return JsonNode.Parse(text) as JsonObject ?? throw new Tc2UnavailableException($"TC2's answer for client {cligencyId} is not an object");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new Tc2UnavailableException($"TC2 could not be asked for client {cligencyId}: {e.Message}", e);
        }
    }

    async Task<Company> BuildAsync(HermesDb db, int cligencyId, JsonObject client, CancellationToken ct)
    {
        var agency = client["meta_agency"] as JsonObject
                     ?? throw new Tc2ClientNotUsableException($"TC2 client {cligencyId} has no agency (meta_agency)");
        var name = Str(agency["name"]) ?? throw new Tc2ClientNotUsableException($"TC2 client {cligencyId}'s agency has no name");

        async Task<int?> AdminId(string key)
        {
            if (Int(client[key]?["id"]) is not { } tc2Id) return null;
            var id = await db.Admins.Where(a => a.Tc2AdminId == tc2Id).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
            if (id is null) log.LogWarning("TC2 client {CligencyId}: {Role} {Tc2AdminId} is not a Hermes admin", cligencyId, key, tc2Id);
            return id;
        }
        var salesPerson = await AdminId("sales_person")
                          ?? throw new Tc2ClientNotUsableException($"TC2 client {cligencyId}'s sales person is not a Hermes admin");
        var narc = agency["narc"] is JsonValue n && n.TryGetValue<bool>(out var isNarc) && isNarc;
        var company = new Company
        {
            Name = name,
            Tc2CligencyId = cligencyId,
            Tc2AgencyId = Int(agency["id"]),
            Tc2Status = Str(agency["status"]) ?? Company.StatusPendingEmailConf,
            Country = Country(Str(agency["country"])),
            Website = Str(agency["website"]),
            PaidInvoiceCount = Int(agency["paid_invoice_count"]) ?? 0,
            PricePlan = Plan(Str(agency["price_plan"])),
            Narc = narc,
            SignupQuestionnaire = agency["signup_questionnaire"] switch
            {
                null => null,
                JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(v.GetValue<string>()),
                var other => other.ToJsonString(),
            },
            SalesPersonId = salesPerson,
            SupportPersonId = await AdminId("associated_admin"),
            BdrPersonId = await AdminId("bdr_person"),
            HasSignedUp = true,
            Created = Dates.Parse(agency["created"]?.ToString())?.ToUniversalTime() ?? clock.GetUtcNow().UtcDateTime,
        };
        db.Companies.Add(company);

        if (narc) return company;
        var userEmail = Str(client["user"]?["email"]);
        var first = true;
        foreach (var recipient in client["paid_recipients"] as JsonArray ?? [])
        {
            var srId = Int(recipient?["id"]);
            if (srId is not null && await db.Contacts.AnyAsync(c => c.Tc2SrId == srId, ct)) continue;
            db.Contacts.Add(new Contact
            {
                Company = company,
                Tc2SrId = srId,
                FirstName = Str(recipient?["first_name"]),
                LastName = Str(recipient?["last_name"]),
                Email = Str(recipient?["email"]) ?? (first ? userEmail : null),
                Phone = first ? Str(client["user"]?["phone"]) : null,
                Country = company.Country,
                Created = company.Created,
            });
            first = false;
        }
        return company;
    }

    static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Trim() is { Length: > 0 } s ? s : null;

    static int? Int(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    /// <summary>"United Kingdom (GB)" → "GB".</summary>
    static string? Country(string? value) =>
        value?.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim('(', ')');

    /// <summary>"1-payg" → "payg"; anything unknown → payg.</summary>
    static string Plan(string? value)
    {
        var plan = value?[(value.LastIndexOf('-') + 1)..];
        return plan is not null && Company.PricePlans.Contains(plan) ? plan : Company.PlanPayg;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.CustomFields;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// The Hermes row that an organization or person made by hand in Pipedrive (no <c>hermes_id</c>, no link) already is, so
/// that it is linked instead of twinned (the checklist's TODOs at lines 16 and 49; behaviour.md §2). Only rows with no
/// Pipedrive link are candidates, so a row linked to another object is never taken; and only a single candidate is: with
/// several, staff must choose, so nothing is linked or created and the reason goes on the webhook log.
/// </summary>
public static partial class PipedriveMatching
{
    /// <summary>The row found and the rule that found it; or why several rows could be it (nothing is taken then).</summary>
    public sealed record Match<T>(T? Row, string? Rule, string? Ambiguity) where T : class
    {
        public static readonly Match<T> None = new(null, null, null);
    }

    /// <summary>An organization: by the TC2 client id/URL custom fields, then by name (trimmed, case-insensitive).</summary>
    public static async Task<Match<Company>> OrganizationAsync(HermesDb db, CustomFieldMap fields, PipedriveObjectData org, CancellationToken ct)
    {
        var clients = Tc2ClientIds(fields, org);
        if (clients.Count > 0)
        {
            var byClient = await db.Companies.Where(c => c.PdOrgId == null && c.Tc2CligencyId != null && clients.Contains(c.Tc2CligencyId.Value))
                .OrderBy(c => c.Id).Take(10).ToListAsync(ct);
            if (byClient.Count > 0) return Single(byClient, c => c.Id, "companies", "TC2 client");
        }

        var name = org.Str("name")?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(name)) return Match<Company>.None;
        var byName = await db.Companies.Where(c => c.PdOrgId == null && c.Name.Trim().ToLower() == name).OrderBy(c => c.Id).Take(10).ToListAsync(ct);
        return byName.Count > 0 ? Single(byName, c => c.Id, "companies", "name") : Match<Company>.None;
    }

    /// <summary>A person, within its organization's company: by any of its emails (case-insensitive), then any of its phones (digits only).</summary>
    public static async Task<Match<Contact>> PersonAsync(HermesDb db, int companyId, PipedriveObjectData person, CancellationToken ct)
    {
        var emails = Values(person, PipedriveWebhookParser.AllEmails).Select(e => e.ToLowerInvariant()).ToHashSet();
        var phones = Values(person, PipedriveWebhookParser.AllPhones).Select(Digits).Where(d => d.Length > 0).ToHashSet();
        if (emails.Count == 0 && phones.Count == 0) return Match<Contact>.None;
        // A company's unlinked contacts are few; emails and phones are compared here, the same way on every database.
        var unlinked = await db.Contacts.Where(c => c.CompanyId == companyId && c.PdPersonId == null && (c.Email != null || c.Phone != null))
            .OrderBy(c => c.Id).Take(1000).ToListAsync(ct);
        var byEmail = unlinked.Where(c => c.Email is { } e && emails.Contains(e.Trim().ToLowerInvariant())).ToList();
        if (byEmail.Count > 0) return Single(byEmail, c => c.Id, $"contacts of company {companyId}", "email");
        var byPhone = unlinked.Where(c => c.Phone is { } p && phones.Contains(Digits(p))).ToList();
        return byPhone.Count > 0 ? Single(byPhone, c => c.Id, $"contacts of company {companyId}", "phone") : Match<Contact>.None;
    }

    static Match<T> Single<T>(List<T> candidates, Func<T, int> id, string what, string rule) where T : class =>
        candidates.Count == 1
            ? new Match<T>(candidates[0], rule, null)
            : new Match<T>(null, null, $"matches {candidates.Count} {what} by {rule} ({string.Join(", ", candidates.Select(id))})");

    /// <summary>The TC2 clients named by the organization's custom fields that hold a client id or its URL (…/clients/{id}/).</summary>
    static List<int> Tc2ClientIds(CustomFieldMap fields, PipedriveObjectData org)
    {
        var ids = new List<int>();
        foreach (var field in fields.For("Company"))
        {
            if (field.PdFieldId is not { Length: > 0 } key || org.Str(key) is not { Length: > 0 } value) continue;
            if (field.HermesFieldName == "tc2_cligency_id" && (PipedriveWebhookParser.AsInt(org[key]) ?? ParseInt(value)) is { } id)
                ids.Add(id);
            else if (field.HermesFieldName == "tc2_cligency_url")
                foreach (Match m in ClientUrl().Matches(value))
                    if (ParseInt(m.Groups[1].Value) is { } fromUrl) ids.Add(fromUrl);
        }
        return ids.Distinct().ToList();
    }

    static IEnumerable<string> Values(PipedriveObjectData data, string key) =>
        data[key] is JsonArray list ? list.Select(v => v?.GetValue<string>()).OfType<string>().Where(v => v.Length > 0) : [];

    static int? ParseInt(string text) => int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    static string Digits(string phone) => new(phone.Where(char.IsAsciiDigit).ToArray());

    [GeneratedRegex(@"/clients/(\d+)(?:/|\b)")]
    private static partial Regex ClientUrl();
}

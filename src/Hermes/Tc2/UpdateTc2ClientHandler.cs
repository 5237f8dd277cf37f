using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tc2;

/// <summary>
/// <c>tc2.update_client</c> (behaviour.md §5): tells TC2 what Pipedrive knows of its client: the organization's URL and id,
/// the open deal's stage and pipeline (null when there is none), the custom fields TC2 keeps (<c>tc2_machine_name</c>) and
/// the admins. Reads the client first and writes only when something TC2 would show differs, so TC2's answering
/// webhook finds nothing new and the loop ends there.
/// </summary>
public sealed class UpdateTc2ClientHandler(IDbContextFactory<HermesDb> dbs, Tc2Client tc2, HermesSettings settings, ILogger<UpdateTc2ClientHandler> log)
    : JobHandler<UpdateTc2Client>
{
    protected override async Task RunAsync(UpdateTc2Client payload, CancellationToken ct)
    {
        var wanted = await WantedAsync(payload.CompanyId, ct);
        if (wanted is null) return;

        JsonObject raw;
        try
        {
            raw = await tc2.GetClientAsync(wanted.CligencyId, ct);
        }
        catch (Tc2NotFoundException)
        {
            log.LogWarning("Company {Company}: TC2 has no client {Client}; nothing written", payload.CompanyId, wanted.CligencyId);
            return;
        }
        var client = Tc2Cligency.Parse(raw);
        var current = (client.ExtraAttrs ?? []).GroupBy(a => a.MachineName).ToDictionary(g => g.Key, g => g.Last().Value);

        var differences = new List<string>();
        foreach (var (key, value) in wanted.ExtraAttrs)
            if (!SameText(value, current.GetValueOrDefault(key))) differences.Add(key);
        if (wanted.SalesPerson is { } sales && sales != client.SalesPersonId) differences.Add("sales_person");
        if (wanted.SupportPerson is { } support && support != client.AssociatedAdminId) differences.Add("associated_admin");
        if (wanted.BdrPerson is { } bdr && bdr != client.BdrPersonId) differences.Add("bdr_person");
        if (differences.Count == 0)
        {
            log.LogInformation("Company {Company}: TC2 client {Client} is up to date", payload.CompanyId, client.Id);
            return;
        }

        // hermes_v2's write: the client as read (its extra attributes normalised, termination category slugified)
        // with Hermes's values on top, posted to clients/ (TC2 finds the client by user.email).
        var extra = new JsonObject();
        foreach (var (key, value) in current)
        {
            var normalised = key == "termination_category" ? Slugify(value) : Tc2Cligency.NormaliseExtraAttr(key, value);
            if (normalised is not null) extra[key] = normalised;
        }
        foreach (var (key, value) in wanted.ExtraAttrs) extra[key] = value;
        var body = new JsonObject
        {
            ["user"] = new JsonObject
            {
                ["email"] = client.User.Email, ["phone"] = client.User.Phone,
                ["first_name"] = client.User.FirstName, ["last_name"] = client.User.LastName,
            },
            ["status"] = client.Status,
            ["paid_recipients"] = new JsonArray(client.PaidRecipients.Select(r => (JsonNode)new JsonObject
            {
                ["email"] = r.Email, ["first_name"] = r.FirstName, ["last_name"] = r.LastName,
            }).ToArray()),
            ["extra_attrs"] = extra,
            ["sales_person"] = wanted.SalesPerson ?? client.SalesPersonId,
        };
        if ((wanted.SupportPerson ?? client.AssociatedAdminId) is { } associated) body["associated_admin"] = associated;
        if ((wanted.BdrPerson ?? client.BdrPersonId) is { } bdrPerson) body["bdr_person"] = bdrPerson;
        await tc2.PostClientAsync(body, ct);
        log.LogInformation("Company {Company}: TC2 client {Client} updated ({Fields})", payload.CompanyId, client.Id, string.Join(", ", differences));
    }

    sealed record Wanted(int CligencyId, Dictionary<string, string?> ExtraAttrs, int? SalesPerson, int? SupportPerson, int? BdrPerson);

    async Task<Wanted?> WantedAsync(int companyId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var company = await db.Companies.AsNoTracking().Include(c => c.SalesPerson).Include(c => c.SupportPerson).Include(c => c.BdrPerson)
            .FirstOrDefaultAsync(c => c.Id == companyId, ct);
        if (company?.Tc2CligencyId is not { } cligencyId) return null;
        var openDeal = await db.Deals.AsNoTracking().Where(d => d.CompanyId == companyId && d.Status == Deal.StatusOpen)
            .OrderByDescending(d => d.Id).Select(d => new { Stage = d.Stage!.Name, Pipeline = d.Pipeline!.Name }).FirstOrDefaultAsync(ct);
        var extra = new Dictionary<string, string?>
        {
            ["pipedrive_url"] = company.PdOrgId is { } org && settings.PdBaseUrl.Length > 0 ? $"{settings.PdBaseUrl}/organization/{org}/" : null,
            // hermes_v2 sent the org id through a custom field (tc2_machine_name pipedrive_id); one that maps it overrides this.
            ["pipedrive_id"] = company.PdOrgId?.ToString(CultureInfo.InvariantCulture),
            ["pipedrive_deal_stage"] = openDeal?.Stage,
            ["pipedrive_pipeline"] = openDeal?.Pipeline,
        };
        var fields = await CustomFieldMap.LoadAsync(db, ct);
        foreach (var field in fields.For("Company").Where(f => f.Tc2MachineName is { Length: > 0 }))
        {
            var value = await CustomFieldValues.GetAsync(db, fields, field, company, settings, ct);
            extra[field.Tc2MachineName!] = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }
        return new Wanted(cligencyId, extra, company.SalesPerson?.Tc2AdminId, company.SupportPerson?.Tc2AdminId, company.BdrPerson?.Tc2AdminId);
    }

    /// <summary>What TC2 shows: empty and absent are the same, case aside.</summary>
    static bool SameText(string? a, string? b) =>
        string.IsNullOrWhiteSpace(a) ? string.IsNullOrWhiteSpace(b) : string.Equals(a.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>"Doesn't suit business model" → "doesnt-suit-business-model" (Django's slugify, as hermes_v2 sent it).</summary>
    public static string? Slugify(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var ascii = new StringBuilder();
        foreach (var c in value.Normalize(NormalizationForm.FormKD))
            if (c < 128) ascii.Append(c);
        var kept = new StringBuilder();
        foreach (var c in ascii.ToString().ToLowerInvariant())
            if (char.IsLetterOrDigit(c) || c is '_' or '-' || char.IsWhiteSpace(c)) kept.Append(c);
        var slug = System.Text.RegularExpressions.Regex.Replace(kept.ToString().Trim(), @"[-\s]+", "-").Trim('-', '_');
        return slug.Length == 0 ? null : slug;
    }
}

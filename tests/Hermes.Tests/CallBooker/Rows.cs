using System.Text.Json.Nodes;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.CallBooker;

/// <summary>The rows a booking touches, as comparable records, so tests assert whole tables.</summary>
public static class Rows
{
    public sealed record CompanyRow(
        int Id, string Name, int SalesPersonId, int? SupportPersonId, int? BdrPersonId, string PricePlan, string? Country, string? Website,
        string? EstimatedIncome, string? Currency, bool HasBookedCall, string? UtmCampaign, string? UtmSource, int? Tc2CligencyId, int? PdOrgId);

    public sealed record ContactRow(int Id, int CompanyId, string? FirstName, string? LastName, string? Email, string? Phone, string? Country, int? PdPersonId);

    public sealed record DealRow(int Id, int CompanyId, int? ContactId, int AdminId, string? Name, string Status, int? PipelineId, int? StageId, int? PdDealId);

    public sealed record MeetingRow(int Id, int ContactId, int AdminId, int? DealId, DateTime? Start, DateTime? End, string Status, string Type);

    public static CompanyRow Row(this Company c) => new(c.Id, c.Name, c.SalesPersonId, c.SupportPersonId, c.BdrPersonId, c.PricePlan, c.Country,
        c.Website, c.EstimatedIncome, c.Currency, c.HasBookedCall, c.UtmCampaign, c.UtmSource, c.Tc2CligencyId, c.PdOrgId);

    public static ContactRow Row(this Contact c) => new(c.Id, c.CompanyId, c.FirstName, c.LastName, c.Email, c.Phone, c.Country, c.PdPersonId);

    public static DealRow Row(this Deal d) => new(d.Id, d.CompanyId, d.ContactId, d.AdminId, d.Name, d.Status, d.PipelineId, d.StageId, d.PdDealId);

    public static MeetingRow Row(this Meeting m) => new(m.Id, m.ContactId, m.AdminId, m.DealId, m.StartTime, m.EndTime, m.Status, m.MeetingType);

    public static async Task<List<CompanyRow>> CompaniesAsync(this BookerWorld world)
    {
        await using var db = world.Db();
        return (await db.Companies.OrderBy(c => c.Id).ToListAsync()).Select(Row).ToList();
    }

    public static async Task<List<ContactRow>> ContactsAsync(this BookerWorld world)
    {
        await using var db = world.Db();
        return (await db.Contacts.OrderBy(c => c.Id).ToListAsync()).Select(Row).ToList();
    }

    public static async Task<List<DealRow>> DealsAsync(this BookerWorld world)
    {
        await using var db = world.Db();
        return (await db.Deals.OrderBy(c => c.Id).ToListAsync()).Select(Row).ToList();
    }

    public static async Task<List<MeetingRow>> MeetingsAsync(this BookerWorld world)
    {
        await using var db = world.Db();
        return (await db.Meetings.OrderBy(c => c.Id).ToListAsync()).Select(Row).ToList();
    }

    /// <summary>Everything at once, for "nothing changed" assertions.</summary>
    public static async Task<string> SnapshotAsync(this BookerWorld world) => string.Join("\n",
        (await world.CompaniesAsync()).Select(r => r.ToString())
        .Concat((await world.ContactsAsync()).Select(r => r.ToString()))
        .Concat((await world.DealsAsync()).Select(r => r.ToString()))
        .Concat((await world.MeetingsAsync()).Select(r => r.ToString()))
        .Concat((await world.JobsAsync()).Select(r => r.ToString())));

    public static (string Kind, string Payload, string? Key, string Status) CompanySync(int companyId) =>
        ("pipedrive.sync_company", $$"""{"companyId":{{companyId}}}""", $"company:{companyId}", "pending");

    public static (string Kind, string Payload, string? Key, string Status) MeetingSync(int meetingId, int companyId) =>
        ("pipedrive.sync_meeting", $$"""{"meetingId":{{meetingId}},"companyId":{{companyId}}}""", $"company:{companyId}", "pending");

    /// <summary>The website's sales booking body (research/upstream_tests.md §3.3's sample), booked for <paramref name="meeting"/>.</summary>
    public static JsonObject SalesBody(Admin admin, DateTime meeting, Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["admin_id"] = admin.Id, ["name"] = "Brain Junes", ["email"] = "brain@junes.com", ["company_name"] = "Junes Ltd",
            ["website"] = "https://junes.com", ["country"] = "GB", ["estimated_income"] = 1000, ["currency"] = "GBP",
            ["price_plan"] = "payg", ["meeting_dt"] = new DateTimeOffset(meeting).ToUnixTimeSeconds(), ["timezone"] = "Europe/Kiev",
        };
        change?.Invoke(body);
        return body;
    }

    public static JsonObject SupportBody(Admin admin, int? companyId, DateTime meeting, Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["admin_id"] = admin.Id, ["company_id"] = companyId, ["name"] = "brain junes", ["email"] = "Brain@Junes.com",
            ["meeting_dt"] = Hermes.CallBooker.Dates.Iso(meeting), ["call_type"] = "support",
        };
        change?.Invoke(body);
        return body;
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.CallBooker;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>A booked call and its manage link, and the calls the manage page makes.</summary>
public static class ManageKit
{
    public const string Ok = """{"status":"ok"}""";
    public const string Base = "https://tutorcruncher.com/book-a-call";

    public sealed record Booked(int Id, string Url, string S, string EventId);

    public static string Error(string message) => new JsonObject { ["status"] = "error", ["message"] = message }.ToJsonString();

    /// <summary>Books a sales call through the API; answers the meeting and the manage link the booking's header gave.</summary>
    public static async Task<Booked> BookAsync(this BookerWorld w, Admin admin, DateTime start, Action<JsonObject>? change = null, string type = "sales", int? companyId = null)
    {
        var response = await w.Post($"/callbooker/{type}/book/", type == "sales" ? SalesBody(admin, start, change) : SupportBody(admin, companyId, start, change));
        await AssertJson(response, HttpStatusCode.OK, Ok);
        var url = Assert.Single(response.Headers.GetValues(ManageEndpoints.ManageLinkHeader));
        await using var db = w.Db();
        var meeting = await db.Meetings.AsNoTracking().OrderByDescending(m => m.Id).FirstAsync();
        Assert.Equal($"{Base}/manage/{meeting.Id}/?s=", url[..url.IndexOf("?s=", StringComparison.Ordinal)] + "?s=");
        return new Booked(meeting.Id, url, url[(url.IndexOf("?s=", StringComparison.Ordinal) + 3)..], meeting.GoogleEventId!);
    }

    public static Task<HttpResponseMessage> GetMeeting(this BookerWorld w, int id, string? s) =>
        w.Hermes.Http.GetAsync($"/callbooker/meetings/{id}/{(s is null ? "" : "?s=" + s)}");

    public static Task<HttpResponseMessage> Reschedule(this BookerWorld w, int id, string s, DateTime start) =>
        w.Post($"/callbooker/meetings/{id}/reschedule/?s={s}", new JsonObject { ["meeting_dt"] = Iso(start) });

    public static Task<HttpResponseMessage> Cancel(this BookerWorld w, int id, string s, string? reason = null) =>
        w.Post($"/callbooker/meetings/{id}/cancel/?s={s}", new JsonObject { ["reason"] = reason });

    /// <summary>The link Hermes makes for a meeting starting at <paramref name="start"/> (as the invitation would carry).</summary>
    public static string Sign(this BookerWorld w, int id, DateTime start) =>
        w.Hermes.App.Services.GetRequiredService<ManageLinks>().Sign(id, start);

    public sealed record ChangeRow(int MeetingId, string Kind, DateTime? From, DateTime? To, string? Reason, string Actor);

    public static async Task<List<ChangeRow>> ChangesAsync(this BookerWorld w)
    {
        await using var db = w.Db();
        return (await db.MeetingChanges.AsNoTracking().OrderBy(c => c.Id).ToListAsync())
            .Select(c => new ChangeRow(c.MeetingId, c.Kind, c.FromStart, c.ToStart, c.Reason, c.Actor)).ToList();
    }

    /// <summary>Every row a booking or a change touches, the history and the events in the admin's calendar.</summary>
    public static async Task<string> ManageSnapshotAsync(this BookerWorld w, string calendar = "climan@example.com") => string.Join("\n",
        await w.SnapshotAsync(),
        string.Join("\n", await w.ChangesAsync()),
        string.Join("\n", w.Sim.Google.Events(calendar).Select(e => $"{e["id"]} {e["status"]} {e["start"]!["dateTime"]} {e["end"]!["dateTime"]} {e["sequence"]}")));

    /// <summary>What the manage page reads for a meeting.</summary>
    public static JsonObject MeetingJson(int id, DateTime start, Admin admin, string status = "PLANNED", string? manageUrl = null, string? message = null,
        string contact = "Brain Junes", string company = "Junes Ltd", string type = "sales") => new()
    {
        ["status"] = "ok",
        ["meeting"] = new JsonObject
        {
            ["id"] = id, ["meeting_type"] = type, ["status"] = status, ["start_dt"] = Iso(start), ["end_dt"] = Iso(start.AddMinutes(30)),
            ["admin_id"] = admin.Id, ["admin_name"] = admin.Name, ["contact_name"] = contact, ["company_name"] = company,
            ["can_change"] = message is null, ["message"] = message, ["manage_url"] = manageUrl,
        },
    };

    public static string Rfc(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

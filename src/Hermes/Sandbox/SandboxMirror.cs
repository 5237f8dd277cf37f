using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox.Google;
using Hermes.Sandbox.Pipedrive;
using Hermes.Sandbox.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Sandbox;

/// <summary>
/// The simulators keep their state in memory, so at each start they are given what Hermes's database says the
/// outside world holds: Pipedrive users for the admins, the pipelines, stages and custom fields with their Pipedrive
/// ids, the organizations, persons and deals Hermes has linked (with their <c>hermes_id</c>), the meetings' calendar
/// events and activities, TC2 admins, and a few busy hours in each admin's calendar. Nothing here sends webhooks. An object the simulator refuses is skipped with
/// a warning rather than stopping the sandbox.
/// </summary>
public sealed class SandboxMirror(PipedriveSimulator pipedrive, Tc2Simulator tc2, GoogleCalendarSimulator google, TimeProvider time, ILogger<SandboxMirror> log)
{
    public async Task MirrorAsync(HermesDb db, CancellationToken ct)
    {
        var admins = await db.Admins.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct);
        foreach (var admin in admins)
        {
            if (admin.PdOwnerId is { } owner) pipedrive.AddUser(owner, admin.Name, admin.Email);
            if (admin.Tc2AdminId is { } tc2Id) tc2.AddAdmin(new Tc2Admin(tc2Id, admin.FirstName, admin.LastName, admin.Email));
            AddLunchBreaks(admin);
        }

        var pipelines = await db.Pipelines.AsNoTracking().Include(p => p.DftEntryStage).OrderBy(p => p.PdPipelineId).ToListAsync(ct);
        foreach (var p in pipelines) Try("pipeline", p.PdPipelineId, () => pipedrive.Create("pipeline", new JsonObject { ["name"] = p.Name }, p.PdPipelineId, notify: false));
        foreach (var stage in await db.Stages.AsNoTracking().OrderBy(s => s.PdStageId).ToListAsync(ct))
        {
            // Hermes doesn't store a stage's pipeline: the demo seed knows it, a default entry stage tells it, else the first pipeline.
            var pipelineId = SandboxSeed.Pipelines.Where(x => x.Stages.Any(s => s.PdId == stage.PdStageId)).Select(x => (int?)x.PdId).FirstOrDefault()
                             ?? pipelines.FirstOrDefault(p => p.DftEntryStage?.PdStageId == stage.PdStageId)?.PdPipelineId
                             ?? pipelines.FirstOrDefault()?.PdPipelineId;
            if (pipelineId is { } pid && pipedrive.Get("pipeline", pid) is not null)
                Try("stage", stage.PdStageId, () => pipedrive.Create("stage", new JsonObject { ["name"] = stage.Name, ["pipeline_id"] = pid }, stage.PdStageId, notify: false));
        }

        var fields = await db.CustomFields.AsNoTracking().Where(f => f.PdFieldId != null).OrderBy(f => f.Id).ToListAsync(ct);
        var hermesIdKeys = new Dictionary<string, string>();
        foreach (var field in fields)
        {
            var entity = field.LinkedObjectType switch { "Company" => "organization", "Contact" => "person", "Deal" => "deal", _ => null };
            if (entity is null || field.PdFieldId!.Length != 40 || !field.PdFieldId.All(Uri.IsHexDigit)) continue;
            pipedrive.DefineCustomField(entity, field.PdFieldId, field.Name, field.FieldType == CustomField.TypeInt ? "double" : "varchar");
            if (field.HermesFieldName == "id") hermesIdKeys[entity] = field.PdFieldId;
        }

        JsonObject HermesId(string entity, int id) =>
            hermesIdKeys.TryGetValue(entity, out var key) ? new JsonObject { [key] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) } : new JsonObject();
        long? Owner(Admin? admin) => admin?.PdOwnerId is { } o && pipedrive.Users.Any(u => u.Id == o) ? o : null;

        foreach (var c in await db.Companies.AsNoTracking().Include(c => c.SalesPerson).Where(c => c.PdOrgId != null).ToListAsync(ct))
            Try("organization", c.PdOrgId!.Value, () => pipedrive.Create("organization",
                new JsonObject { ["name"] = c.Name, ["owner_id"] = Owner(c.SalesPerson), ["custom_fields"] = HermesId("organization", c.Id) }.WithoutNulls(),
                c.PdOrgId, notify: false));
        foreach (var p in await db.Contacts.AsNoTracking().Include(p => p.Company).Where(p => p.PdPersonId != null).ToListAsync(ct))
            Try("person", p.PdPersonId!.Value, () => pipedrive.Create("person", new JsonObject
            {
                ["name"] = p.Name ?? "(no name)",
                ["org_id"] = p.Company?.PdOrgId is { } org && pipedrive.Get("organization", org) is not null ? org : null,
                ["emails"] = string.IsNullOrEmpty(p.Email) ? null : new JsonArray(new JsonObject { ["value"] = p.Email, ["primary"] = true }),
                ["phones"] = string.IsNullOrEmpty(p.Phone) ? null : new JsonArray(new JsonObject { ["value"] = p.Phone, ["primary"] = true }),
                ["custom_fields"] = HermesId("person", p.Id),
            }.WithoutNulls(), p.PdPersonId, notify: false));
        foreach (var d in await db.Deals.AsNoTracking().Include(d => d.Company).Include(d => d.Contact).Include(d => d.Admin).Include(d => d.Stage)
                     .Where(d => d.PdDealId != null).ToListAsync(ct))
            Try("deal", d.PdDealId!.Value, () => pipedrive.Create("deal", new JsonObject
            {
                ["title"] = string.IsNullOrEmpty(d.Name) ? "(no title)" : d.Name,
                ["owner_id"] = Owner(d.Admin),
                ["org_id"] = d.Company?.PdOrgId is { } org && pipedrive.Get("organization", org) is not null ? org : null,
                ["person_id"] = d.Contact?.PdPersonId is { } person && pipedrive.Get("person", person) is not null ? person : null,
                ["stage_id"] = d.Stage?.PdStageId is { } stage && pipedrive.Get("stage", stage) is not null ? stage : null,
                ["status"] = d.Status is Deal.StatusWon or Deal.StatusLost ? d.Status : null,
                ["custom_fields"] = HermesId("deal", d.Id),
            }.WithoutNulls(), d.PdDealId, notify: false));

        await MirrorMeetingsAsync(db, ct);

        // One demo TC2 client, so a TC2 webhook can be sent by hand (POST /sandbox/tc2/_control/webhooks).
        if (admins.FirstOrDefault(a => a.IsSalesPerson && a.Tc2AdminId is not null) is { } sales)
        {
            var person = new Tc2Admin(sales.Tc2AdminId!.Value, sales.FirstName, sales.LastName, sales.Email);
            tc2.PutClient(new SimulatedClient
            {
                Id = 9001, FirstName = "Dana", LastName = "Demo", Email = "dana@demo-tutors.example.com", Status = "prospect",
                Agency = new Tc2Agency { Id = 9101, Name = "Demo Tutors", Created = time.GetUtcNow().AddDays(-2), Website = "https://demo-tutors.example.com" },
                AssociatedAdmin = person, SalesPerson = person,
                PaidRecipients = [new Tc2Recipient(9201, "Dana", "Demo", "dana@demo-tutors.example.com")],
            });
        }
    }

    /// <summary>
    /// The calendar events and Pipedrive activities of the meetings Hermes booked, so a call booked before a restart can
    /// still be moved or cancelled from its manage link (the Meet link itself is not kept by Hermes, so it is not given back).
    /// </summary>
    async Task MirrorMeetingsAsync(HermesDb db, CancellationToken ct)
    {
        var meetings = await db.Meetings.AsNoTracking().Include(m => m.Admin).Include(m => m.Contact)
            .Where(m => m.GoogleEventId != null || m.PdActivityId != null).OrderBy(m => m.Id).ToListAsync(ct);
        foreach (var m in meetings)
        {
            if (m.StartTime is not { } start || m.Admin is null) continue;
            var end = m.EndTime ?? start.AddMinutes(30);
            var summary = (m.MeetingType == Meeting.TypeSupport ? "TutorCruncher support meeting with " : "TutorCruncher demo with ") + m.Admin.Name;
            if (m.GoogleEventId is { } eventId)
                google.PutEvent(m.Admin.Email, new JsonObject
                {
                    ["kind"] = "calendar#event", ["etag"] = $"\"{3_600_000_000_000_000L + m.Id}\"", ["id"] = eventId,
                    ["status"] = m.Status == Meeting.StatusCanceled ? "cancelled" : "confirmed", ["summary"] = summary,
                    ["start"] = new JsonObject { ["dateTime"] = Rfc3339(start), ["timeZone"] = "UTC" },
                    ["end"] = new JsonObject { ["dateTime"] = Rfc3339(end), ["timeZone"] = "UTC" },
                    ["attendees"] = new JsonArray(new JsonObject { ["email"] = m.Admin.Email, ["organizer"] = true, ["self"] = true, ["responseStatus"] = "accepted" },
                        new JsonObject { ["email"] = m.Contact?.Email, ["responseStatus"] = "needsAction" }),
                    ["sequence"] = 0, ["created"] = Rfc3339(m.Created), ["updated"] = Rfc3339(m.Created),
                });
            if (m.PdActivityId is { } activityId && m.Contact?.PdPersonId is { } person && pipedrive.Get("person", person) is not null)
                Try("activity", activityId, () => pipedrive.Create("activity", new JsonObject
                {
                    ["subject"] = summary, ["type"] = "meeting", ["due_date"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["due_time"] = start.ToString("HH:mm", CultureInfo.InvariantCulture), ["done"] = m.Status == Meeting.StatusCanceled,
                    ["participants"] = new JsonArray(new JsonObject { ["person_id"] = person, ["primary"] = true }),
                }, activityId, notify: false));
        }
    }

    static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>12:00–13:00 in the admin's time zone on the next ten weekdays, so the booker shows some taken slots.</summary>
    void AddLunchBreaks(Admin admin)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(admin.Timezone, out var zone)) return;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var periods = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var day = today; periods.Count < 10; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            var noon = day.ToDateTime(new TimeOnly(12, 0));
            var start = new DateTimeOffset(noon, zone.GetUtcOffset(noon));
            periods.Add((start, start.AddHours(1)));
        }
        google.SetBusy(admin.Email, periods.ToArray());
    }

    void Try(string what, long id, Action create)
    {
        try
        {
            create();
        }
        catch (ArgumentException e)
        {
            log.LogWarning("Sandbox: the Pipedrive simulator did not take {What} {Id}: {Error}", what, id, e.Message);
        }
        catch (Exception e) when (e is PdValidationException or PdNotFoundException)
        {
            log.LogWarning("Sandbox: the Pipedrive simulator did not take {What} {Id}: {Error}", what, id, e.Message);
        }
    }
}

static class JsonObjectExtensions
{
    /// <summary>Drops null properties (the simulator's API refuses null for fields like <c>owner_id</c>, as Pipedrive does).</summary>
    public static JsonObject WithoutNulls(this JsonObject obj)
    {
        foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList()) obj.Remove(key);
        return obj;
    }
}

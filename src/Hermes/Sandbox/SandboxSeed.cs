using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Sandbox;

/// <summary>
/// The sandbox's demo data, written to Hermes's database once: a table that already has rows is left alone, so a
/// second start (or staff's own edits) adds nothing. Pipedrive ids are fixed so the Pipedrive simulator, which starts
/// empty each time, can be given the same pipelines, stages, users and custom fields (<see cref="SandboxMirror"/>).
/// </summary>
public static class SandboxSeed
{
    public sealed record DemoAdmin(string FirstName, string LastName, string Email, string Timezone, int PdOwnerId, int Tc2AdminId,
        bool Sales = false, bool Support = false, bool Bdr = false, bool Payg = false, bool Startup = false, bool Enterprise = false);

    public static readonly DemoAdmin[] Admins =
    [
        new("Amelia", "Hart", "amelia.hart@example.com", "Europe/London", 10001, 501, Sales: true, Payg: true, Startup: true),
        new("Ben", "Carter", "ben.carter@example.com", "America/New_York", 10002, 502, Sales: true, Enterprise: true),
        new("Chloe", "Singh", "chloe.singh@example.com", "Europe/London", 10003, 503, Support: true),
        new("Daniel", "Okafor", "daniel.okafor@example.com", "Australia/Sydney", 10004, 504, Support: true),
        new("Ella", "Novak", "ella.novak@example.com", "Europe/London", 10005, 505, Bdr: true),
    ];

    /// <summary>Pipelines by Pipedrive id, each with its stages (Pipedrive ids); the first stage is where new deals start.</summary>
    public static readonly (int PdId, string Name, (int PdId, string Name)[] Stages)[] Pipelines =
    [
        (1, "PAYG", [(1, "Prospect"), (2, "Demo booked"), (3, "Trial"), (4, "Closing")]),
        (2, "Startup", [(5, "Prospect"), (6, "Demo booked"), (7, "Trial"), (8, "Closing")]),
        (3, "Enterprise", [(9, "Qualified"), (10, "Demo booked"), (11, "Proposal"), (12, "Negotiation")]),
    ];

    /// <summary>The <c>hermes_id</c> custom field's Pipedrive key per Hermes object (hermes v3's keys).</summary>
    public static readonly (string LinkedObjectType, string PdFieldId)[] HermesIdFields =
    [
        ("Company", "7f8959760703808f36b3795c15310566b74f5134"),
        ("Contact", "8c2f326b6be255cd3d5cf4ee7385eaf544a47f1d"),
        ("Deal", "5be1188db52a8c7f0ea49331eb391ae54aeabafc"),
    ];

    /// <summary>Adds whatever demo data is missing; returns what it added, e.g. ["admins", "pipelines"].</summary>
    public static async Task<IReadOnlyList<string>> SeedAsync(HermesDb db, CancellationToken ct = default)
    {
        var added = new List<string>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        if (!await db.Admins.AnyAsync(ct))
        {
            db.Admins.AddRange(Admins.Select(a => new Admin
            {
                FirstName = a.FirstName, LastName = a.LastName, Username = a.Email, Timezone = a.Timezone, PdOwnerId = a.PdOwnerId,
                Tc2AdminId = a.Tc2AdminId, IsSalesPerson = a.Sales, IsSupportPerson = a.Support, IsBdrPerson = a.Bdr,
                SellsPayg = a.Payg, SellsStartup = a.Startup, SellsEnterprise = a.Enterprise,
                SellsUs = a.Sales, SellsGb = a.Sales, SellsAu = a.Sales, SellsCa = a.Sales, SellsEu = a.Sales, SellsRow = a.Sales,
            }));
            added.Add("admins");
        }

        if (!await db.Pipelines.AnyAsync(ct) && !await db.Stages.AnyAsync(ct))
        {
            foreach (var (pdId, name, stages) in Pipelines)
            {
                var stageRows = stages.Select(s => new Stage { PdStageId = s.PdId, Name = s.Name }).ToList();
                db.Stages.AddRange(stageRows);
                db.Pipelines.Add(new Pipeline { PdPipelineId = pdId, Name = name, DftEntryStage = stageRows[0] });
            }
            added.Add("pipelines");
        }
        await db.SaveChangesAsync(ct);

        if (!await db.Configs.AnyAsync(ct))
        {
            var pipelines = await db.Pipelines.ToDictionaryAsync(p => p.PdPipelineId, ct);
            db.Configs.Add(new Config
            {
                PaygPipelineId = pipelines.GetValueOrDefault(1)?.Id,
                StartupPipelineId = pipelines.GetValueOrDefault(2)?.Id,
                EnterprisePipelineId = pipelines.GetValueOrDefault(3)?.Id,
            });
            added.Add("config");
        }

        foreach (var (type, pdFieldId) in HermesIdFields)
            if (!await db.CustomFields.AnyAsync(c => c.MachineName == "hermes_id" && c.LinkedObjectType == type, ct))
            {
                db.CustomFields.Add(new CustomField
                {
                    Name = "Hermes ID", MachineName = "hermes_id", FieldType = CustomField.TypeFk, HermesFieldName = "id",
                    Tc2MachineName = "hermes_id", PdFieldId = pdFieldId, LinkedObjectType = type,
                });
                added.Add($"hermes_id field for {type}");
            }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return added;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive import-setup</c>: what a new installation needs from Pipedrive before deals can flow. Pipelines and
/// stages (by Pipedrive id: new ones created, renamed ones renamed, a pipeline without a default entry stage given its
/// first stage) and the admins' <c>pd_owner_id</c>, matched to Pipedrive's users by email. It never deletes and never
/// overwrites an owner id that names another existing Pipedrive user: those, users without an admin, and what the
/// config still lacks are reported for staff. Everything is read from Pipedrive first; with <c>apply</c> the changes
/// are written in one transaction.
/// </summary>
public sealed class PipedriveImportSetup(IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive)
{
    public const string WouldApply = "would apply";
    public const string Noted = "noted";

    public sealed class Change
    {
        public required string What { get; init; }
        public required string Pipedrive { get; init; }
        public required string Hermes { get; init; }
        public required string Action { get; init; }
        /// <summary><see cref="WouldApply"/>, "done", or <see cref="Noted"/> (nothing Hermes may decide).</summary>
        public string Result { get; set; } = "";
        internal Action<HermesDb, Dictionary<int, Stage>>? Write { get; init; }
    }

    public sealed record Report(IReadOnlyList<Change> Changes, int Pipelines, int Stages, int Users, int UpToDate);

    sealed record PdPipeline(int Id, string Name, int Order);
    sealed record PdStage(int Id, string Name, int PipelineId, int Order);
    sealed record PdUser(int Id, string Name, string Email, bool Active);

    public async Task<Report> RunAsync(bool apply, CancellationToken ct)
    {
        var pdPipelines = new List<PdPipeline>();
        await foreach (var p in pipedrive.ListAllAsync(PipedriveClient.Pipelines, ct))
            if (Int(p["id"]) is { } id && p["is_deleted"]?.GetValueKind() != JsonValueKind.True)
                pdPipelines.Add(new PdPipeline(id, Str(p["name"]) ?? $"Pipeline {id}", Int(p["order_nr"]) ?? 0));
        var pdStages = new List<PdStage>();
        await foreach (var s in pipedrive.ListAllAsync(PipedriveClient.Stages, ct))
            if (Int(s["id"]) is { } id && Int(s["pipeline_id"]) is { } pipelineId && s["is_deleted"]?.GetValueKind() != JsonValueKind.True)
                pdStages.Add(new PdStage(id, Str(s["name"]) ?? $"Stage {id}", pipelineId, Int(s["order_nr"]) ?? 0));
        var pdUsers = (await pipedrive.UsersAsync(ct))
            .Select(u => Int(u["id"]) is { } id ? new PdUser(id, Str(u["name"]) ?? "", Str(u["email"]) ?? "", u["active_flag"]?.GetValueKind() != JsonValueKind.False) : null)
            .OfType<PdUser>().OrderBy(u => u.Id).ToList();

        await using var db = await dbs.CreateDbContextAsync(ct);
        var stages = await db.Stages.ToListAsync(ct);
        var pipelines = await db.Pipelines.ToListAsync(ct);
        var admins = await db.Admins.OrderBy(a => a.Id).ToListAsync(ct);
        var changes = new List<Change>();
        var upToDate = 0;

        foreach (var s in pdStages.OrderBy(s => s.Id))
        {
            var pd = $"stage {s.Id} '{s.Name}'";
            if (stages.FirstOrDefault(x => x.PdStageId == s.Id) is not { } stage)
                changes.Add(new Change { What = "stage", Pipedrive = pd, Hermes = "(none)", Action = "create",
                    Write = (w, made) => w.Stages.Add(made[s.Id] = new Stage { PdStageId = s.Id, Name = Truncate(s.Name) }) });
            else if (stage.Name != Truncate(s.Name))
                changes.Add(new Change { What = "stage", Pipedrive = pd, Hermes = $"stage {stage.Id} '{stage.Name}'", Action = $"rename to '{s.Name}'",
                    Write = (w, _) => w.Stages.Single(x => x.Id == stage.Id).Name = Truncate(s.Name) });
            else upToDate++;
        }
        foreach (var stage in stages.Where(x => pdStages.All(s => s.Id != x.PdStageId)).OrderBy(x => x.Id))
            changes.Add(new Change { What = "stage", Pipedrive = "(none)", Hermes = $"stage {stage.Id} '{stage.Name}' (Pipedrive {stage.PdStageId})",
                Action = "none: not in Pipedrive; deals keep it (delete it at /stage/list when unused)" });

        foreach (var p in pdPipelines.OrderBy(p => p.Order).ThenBy(p => p.Id))
        {
            var pd = $"pipeline {p.Id} '{p.Name}'";
            var first = pdStages.Where(s => s.PipelineId == p.Id).OrderBy(s => s.Order).ThenBy(s => s.Id).FirstOrDefault();
            var pipeline = pipelines.FirstOrDefault(x => x.PdPipelineId == p.Id);
            if (pipeline is null)
            {
                changes.Add(new Change { What = "pipeline", Pipedrive = pd, Hermes = "(none)",
                    Action = first is null ? "create" : $"create, default entry stage '{first.Name}'",
                    Write = (w, made) => w.Pipelines.Add(new Pipeline { PdPipelineId = p.Id, Name = Truncate(p.Name), DftEntryStage = StageFor(w, made, first) }) });
                continue;
            }
            var actions = new List<string>();
            if (pipeline.Name != Truncate(p.Name)) actions.Add($"rename to '{p.Name}'");
            if (pipeline.DftEntryStageId is null && first is not null) actions.Add($"default entry stage '{first.Name}'");
            if (actions.Count == 0) { upToDate++; continue; }
            changes.Add(new Change { What = "pipeline", Pipedrive = pd, Hermes = $"pipeline {pipeline.Id} '{pipeline.Name}'", Action = string.Join("; ", actions),
                Write = (w, made) =>
                {
                    var row = w.Pipelines.Single(x => x.Id == pipeline.Id);
                    row.Name = Truncate(p.Name);
                    if (row.DftEntryStageId is null && first is not null) row.DftEntryStage = StageFor(w, made, first);
                } });
        }
        foreach (var pipeline in pipelines.Where(x => pdPipelines.All(p => p.Id != x.PdPipelineId)).OrderBy(x => x.Id))
            changes.Add(new Change { What = "pipeline", Pipedrive = "(none)", Hermes = $"pipeline {pipeline.Id} '{pipeline.Name}' (Pipedrive {pipeline.PdPipelineId})",
                Action = "none: not in Pipedrive; deals and the config keep it (delete it at /pipeline/list when unused)" });

        foreach (var user in pdUsers)
        {
            var pd = $"user {user.Id} {user.Email}{(user.Active ? "" : " (deactivated)")}";
            var matches = admins.Where(a => string.Equals(a.Username.Trim(), user.Email.Trim(), StringComparison.OrdinalIgnoreCase) && user.Email.Length > 0).ToList();
            if (matches.Count == 0)
            {
                changes.Add(new Change { What = "owner", Pipedrive = pd, Hermes = "(none)", Action = "none: no admin has this email (add one at /admin/create if they sell)" });
                continue;
            }
            if (matches.Count > 1)
            {
                changes.Add(new Change { What = "owner", Pipedrive = pd, Hermes = string.Join(", ", matches.Select(a => $"admin {a.Id}")),
                    Action = "none: several admins have this email" });
                continue;
            }
            var admin = matches[0];
            var hermes = $"admin {admin.Id} {admin.Username}";
            if (admin.PdOwnerId == user.Id) { upToDate++; continue; }
            if (admin.PdOwnerId is { } other && pdUsers.Any(u => u.Id == other))
            {
                changes.Add(new Change { What = "owner", Pipedrive = pd, Hermes = $"{hermes} (pd_owner_id {other})",
                    Action = $"none: pd_owner_id names Pipedrive user {other}; change it at /admin/update/{admin.Id} if wrong" });
                continue;
            }
            if (admins.FirstOrDefault(a => a.Id != admin.Id && a.PdOwnerId == user.Id) is { } taken)
            {
                changes.Add(new Change { What = "owner", Pipedrive = pd, Hermes = hermes,
                    Action = $"none: admin {taken.Id} ({taken.Username}) has pd_owner_id {user.Id}; fix one of them at /admin/list" });
                continue;
            }
            changes.Add(new Change { What = "owner", Pipedrive = pd, Hermes = admin.PdOwnerId is { } stale ? $"{hermes} (pd_owner_id {stale}, no such user)" : hermes,
                Action = $"set pd_owner_id {user.Id}", Write = (w, _) => w.Admins.Single(a => a.Id == admin.Id).PdOwnerId = user.Id });
        }

        var config = await db.Configs.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        var unset = new[] { ("PAYG", config?.PaygPipelineId), ("Startup", config?.StartupPipelineId), ("Enterprise", config?.EnterprisePipelineId) }
            .Where(x => x.Item2 is null).Select(x => x.Item1).ToList();
        if (unset.Count > 0)
            changes.Add(new Change { What = "config", Pipedrive = "", Hermes = config is null ? "no config row" : $"config {config.Id}",
                Action = $"none: choose the {string.Join(", ", unset)} pipeline{(unset.Count > 1 ? "s" : "")} at /config/list" });

        foreach (var change in changes) change.Result = change.Write is null ? Noted : WouldApply;
        if (apply && changes.Any(c => c.Write is not null))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var made = new Dictionary<int, Stage>();
            foreach (var change in changes.Where(c => c.Write is not null && c.What == "stage")) change.Write!(db, made);
            await db.SaveChangesAsync(ct);
            foreach (var change in changes.Where(c => c.Write is not null && c.What != "stage")) change.Write!(db, made);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            foreach (var change in changes.Where(c => c.Write is not null)) change.Result = "done";
        }
        return new Report(changes, pdPipelines.Count, pdStages.Count, pdUsers.Count, upToDate);
    }

    /// <summary>The Hermes stage for a Pipedrive stage: one made in this run, else the stored one.</summary>
    static Stage? StageFor(HermesDb db, Dictionary<int, Stage> made, PdStage? stage) =>
        stage is null ? null : made.GetValueOrDefault(stage.Id) ?? db.Stages.Local.FirstOrDefault(s => s.PdStageId == stage.Id) ?? db.Stages.FirstOrDefault(s => s.PdStageId == stage.Id);

    static string Truncate(string s) => s.Length > 255 ? s[..255] : s;

    static int? Int(JsonNode? n) => PipedriveWebhookParser.AsInt(n);

    static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

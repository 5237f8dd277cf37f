using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive;

/// <summary>
/// <c>pipedrive reconcile</c>: walks Pipedrive's organizations, persons and deals (API v2 cursor pages, through the
/// shared rate limiter) and compares them with Hermes's links, to find what lost or late webhooks left out of step.
/// Hermes's links (<c>pd_org_id</c>, <c>pd_person_id</c>, <c>pd_deal_id</c>) are the truth; <c>hermes_id</c> in Pipedrive is
/// a copy Hermes writes, and also the trace Pipedrive's merges leave ("12, 34"). What it finds and repairs:
/// <list type="bullet">
/// <item>A link to an object Pipedrive no longer lists, confirmed gone by a GET (an archived deal is not listed but is
///   still there): when exactly one live object's <c>hermes_id</c> names the row, Pipedrive merged it into that one and
///   the missed merge webhook is applied (the same rules as a delivered one: the row follows the survivor, or is merged
///   into the row linked to it, and the clean id is written back). Otherwise it was deleted there: it is recorded as
///   deleted, as a sync's 404 is, and the link is kept so the sync never recreates what someone deleted on purpose.</item>
/// <item>A linked object whose <c>hermes_id</c> names another row (or several): <c>pipedrive.write_hermes_id</c> rewrites it.</item>
/// <item>An object no row is linked to whose <c>hermes_id</c> names a row linked to another live object (a duplicate,
///   or a wrong id): its next webhook would move that row's link onto it, so <c>pipedrive.clear_hermes_id</c> clears the
///   field. Merging a real duplicate is left to staff in Pipedrive; Hermes follows that merge when it happens.</item>
/// </list>
/// Organizations go first: their repairs can move contacts and deals. Nothing is written without <c>apply</c>, and
/// no transaction is open while Pipedrive is called.
/// </summary>
public sealed class PipedriveReconcile(
    IDbContextFactory<HermesDb> dbs, PipedriveClient pipedrive, PipedriveSyncState state, PipedriveWebhookProcessor processor,
    JobQueue jobs, ILogger<PipedriveReconcile> log)
{
    public const string WouldRepair = "would repair";
    public const string LeftForStaff = "left for staff";

    /// <summary>One kind of Pipedrive object and the Hermes rows linked to it.</summary>
    sealed record Kind(string Entity, string Path, string ObjectType, string Noun);

    static readonly Kind[] Kinds =
    [
        new(PipedriveObject.Organization, PipedriveClient.Organizations, "Company", "company"),
        new(PipedriveObject.Person, PipedriveClient.Persons, "Contact", "contact"),
        new(PipedriveObject.Deal, PipedriveClient.Deals, "Deal", "deal"),
    ];

    public sealed class Finding
    {
        public required string Problem { get; init; }
        public required string Pipedrive { get; init; }
        public required string Hermes { get; init; }
        public required string Repair { get; init; }
        /// <summary><see cref="WouldRepair"/>, <see cref="LeftForStaff"/>, "done: …", "queued job N" or "error: …".</summary>
        public string Result { get; set; } = "";
        /// <summary>Null when Hermes cannot decide the repair.</summary>
        internal Func<CancellationToken, Task<string>>? Apply { get; init; }
        public bool Failed => Result.StartsWith("error", StringComparison.Ordinal);
    }

    public sealed class Report
    {
        public List<Finding> Findings { get; } = [];
        /// <summary>Per entity: objects Pipedrive listed, Hermes rows linked, links already known to be deleted there.</summary>
        public List<(string Entity, int Listed, int Linked, int KnownDeleted)> Counts { get; } = [];
        public List<string> Notes { get; } = [];
    }

    sealed record Row(int Id, int? PdId, int CompanyId);
    sealed record PdObject(int Id, IReadOnlyList<int> HermesIds);

    public async Task<Report> RunAsync(bool apply, CancellationToken ct)
    {
        var report = new Report();
        foreach (var kind in Kinds)
        {
            var findings = await CheckAsync(kind, report, ct);
            foreach (var finding in findings)
            {
                report.Findings.Add(finding);
                if (finding.Apply is null) finding.Result = LeftForStaff;
                else if (!apply) finding.Result = WouldRepair;
                else
                {
                    try
                    {
                        finding.Result = await finding.Apply(ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        log.LogError(e, "Reconcile: repairing {Pipedrive} / {Hermes} failed", finding.Pipedrive, finding.Hermes);
                        finding.Result = $"error: {e.GetType().Name}: {e.Message}";
                    }
                }
            }
        }
        return report;
    }

    async Task<List<Finding>> CheckAsync(Kind kind, Report report, CancellationToken ct)
    {
        // Pipedrive first (no DbContext open meanwhile), then Hermes's rows as they are now.
        string? hermesKey;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            hermesKey = (await CustomFieldMap.LoadAsync(db, ct)).HermesId(kind.ObjectType)?.PdFieldId is { Length: > 0 } k ? k : null;
        var live = new Dictionary<int, PdObject>();
        await foreach (var o in pipedrive.ListAllAsync(kind.Path, ct))
            if (o["id"] is JsonValue v && v.TryGetValue<long>(out var id))
                live[(int)id] = new PdObject((int)id, hermesKey is null ? [] : PipedriveHermesIds.Parse(o["custom_fields"]?[hermesKey]));

        List<Row> rows;
        HashSet<int> knownDeleted;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            rows = kind.ObjectType switch
            {
                "Company" => await db.Companies.AsNoTracking().Select(c => new Row(c.Id, c.PdOrgId, c.Id)).ToListAsync(ct),
                "Contact" => await db.Contacts.AsNoTracking().Select(c => new Row(c.Id, c.PdPersonId, c.CompanyId)).ToListAsync(ct),
                _ => await db.Deals.AsNoTracking().Select(d => new Row(d.Id, d.PdDealId, d.CompanyId)).ToListAsync(ct),
            };
            knownDeleted = (await db.PipedriveObjects.AsNoTracking().Where(o => o.Entity == kind.Entity && o.DeletedAt != null)
                .Select(o => o.PdId).ToListAsync(ct)).ToHashSet();
        }
        var linked = rows.Where(r => r.PdId is not null).ToList();
        report.Counts.Add((kind.Entity, live.Count, linked.Count, linked.Count(r => knownDeleted.Contains(r.PdId!.Value))));
        if (hermesKey is null) report.Notes.Add($"No hermes_id field is mapped for {kind.ObjectType}: its merges and wrong ids cannot be seen, only deleted links.");

        var byPd = linked.ToDictionary(r => r.PdId!.Value);
        var byId = rows.ToDictionary(r => r.Id);
        var claims = live.Values.Where(o => !knownDeleted.Contains(o.Id))
            .SelectMany(o => o.HermesIds.Select(h => (HermesId: h, Object: o))).ToLookup(c => c.HermesId, c => c.Object);
        var findings = new List<Finding>();
        var explained = new HashSet<int>();

        // Links to objects Pipedrive no longer lists.
        foreach (var row in linked.Where(r => !live.ContainsKey(r.PdId!.Value) && !knownDeleted.Contains(r.PdId!.Value)).OrderBy(r => r.Id))
        {
            var gone = row.PdId!.Value;
            if (!await IsGoneAsync(kind, gone, ct)) continue; // archived, or made after the walk
            var survivors = claims[row.Id].Where(o => o.Id != gone).ToList();
            var what = $"{kind.Entity} {gone}";
            var who = $"{kind.Noun} {row.Id}";
            if (survivors.Count == 1)
            {
                var survivor = survivors[0].Id;
                explained.Add(survivor);
                var owner = byPd.GetValueOrDefault(survivor);
                findings.Add(new Finding
                {
                    Problem = $"merged in Pipedrive into {kind.Entity} {survivor} (its hermes_id names {who})",
                    Pipedrive = what,
                    Hermes = who,
                    Repair = owner is null
                        ? $"apply the merge: {who} follows {kind.Entity} {survivor}; hermes_id rewritten"
                        : $"apply the merge: {who} merged into {kind.Noun} {owner.Id}{(kind.ObjectType == "Deal" ? "" : " (its children move)")}; hermes_id rewritten",
                    Apply = async c => "done: " + await processor.ProcessAsync(MergeEvent(kind, gone, survivor), webhookId: 0, allowFetch: false, c),
                });
            }
            else if (survivors.Count > 1)
                findings.Add(new Finding
                {
                    Problem = $"gone from Pipedrive; the hermes_id of {kind.Entity}s {string.Join(", ", survivors.Select(s => s.Id))} names {who}",
                    Pipedrive = what,
                    Hermes = who,
                    Repair = "none: merged into one of them, or copied? Merge them in Pipedrive or fix their hermes_id",
                });
            else
                findings.Add(new Finding
                {
                    Problem = "deleted in Pipedrive (404)",
                    Pipedrive = what,
                    Hermes = who,
                    Repair = "record it as deleted there (dashboard); the link stays so the sync never recreates it",
                    Apply = async c =>
                    {
                        Company? company = null;
                        if (kind.ObjectType == "Company")
                            await using (var db = await dbs.CreateDbContextAsync(c))
                                company = await db.Companies.AsNoTracking().FirstOrDefaultAsync(x => x.Id == row.Id, c);
                        await state.RecordNotFoundAsync(kind.Entity, gone, company, c);
                        return "done: recorded as deleted in Pipedrive";
                    },
                });
        }

        // hermes_id of every live object against the links.
        foreach (var o in live.Values.Where(o => o.HermesIds.Count > 0 && !explained.Contains(o.Id) && !knownDeleted.Contains(o.Id)).OrderBy(o => o.Id))
        {
            var what = $"{kind.Entity} {o.Id}";
            if (byPd.TryGetValue(o.Id, out var owner))
            {
                if (o.HermesIds is [var only] && only == owner.Id) continue;
                findings.Add(new Finding
                {
                    Problem = $"hermes_id says {string.Join(", ", o.HermesIds)}, but {kind.Noun} {owner.Id} is linked to it",
                    Pipedrive = what,
                    Hermes = $"{kind.Noun} {owner.Id}",
                    Repair = $"rewrite hermes_id to {owner.Id} (pipedrive.write_hermes_id)",
                    Apply = c => QueueAsync(new WriteHermesId(kind.ObjectType, owner.Id, owner.CompanyId), c),
                });
                continue;
            }
            // Unlinked, naming a row that is linked to another live object.
            var claimed = o.HermesIds.Select(byId.GetValueOrDefault).OfType<Row>()
                .FirstOrDefault(r => r.PdId is { } other && other != o.Id && live.ContainsKey(other));
            if (claimed is null) continue;
            var linkedTo = claimed.PdId!.Value;
            var duplicate = live[linkedTo].HermesIds.Contains(claimed.Id);
            findings.Add(new Finding
            {
                Problem = duplicate
                    ? $"duplicate: a second {kind.Entity} for {kind.Noun} {claimed.Id}, which is linked to {kind.Entity} {linkedTo}"
                    : $"hermes_id names {kind.Noun} {claimed.Id}, which is linked to {kind.Entity} {linkedTo}",
                Pipedrive = what,
                Hermes = $"{kind.Noun} {claimed.Id}",
                Repair = $"clear its hermes_id (pipedrive.clear_hermes_id) so it cannot take the link; merge it into {kind.Entity} {linkedTo} in Pipedrive if it is the same",
                Apply = c => QueueAsync(new ClearHermesId(kind.ObjectType, o.Id, claimed.Id, claimed.CompanyId), c),
            });
        }
        return findings;
    }

    /// <summary>Confirms with a GET that an object is gone (404/410, or shown deleted); false when Pipedrive still has it.</summary>
    async Task<bool> IsGoneAsync(Kind kind, int pdId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var found = await pipedrive.GetAsync(kind.Path, pdId, ct);
                return found["is_deleted"] is JsonValue d && d.GetValueKind() == System.Text.Json.JsonValueKind.True;
            }
            catch (PipedriveGoneException)
            {
                return true;
            }
            catch (PipedriveRateLimitedException e) when (attempt < 5)
            {
                await Task.Delay(e.Delay, ct);
            }
        }
    }

    /// <summary>The merge webhook Pipedrive sent and Hermes missed (v2: the absorbed object's delete naming the survivor).</summary>
    static PipedriveEvent MergeEvent(Kind kind, int absorbed, int survivor) => PipedriveWebhookParser.Parse(new JsonObject
    {
        ["meta"] = new JsonObject
        {
            ["entity"] = kind.Entity, ["action"] = "delete", ["entity_id"] = absorbed.ToString(CultureInfo.InvariantCulture),
            ["merged_to_id"] = survivor, ["change_source"] = "hermes_reconcile", ["version"] = "2.0",
        },
        ["data"] = null,
        ["previous"] = new JsonObject { ["id"] = absorbed },
    });

    /// <summary>Queues a job, unless the same one is already waiting.</summary>
    async Task<string> QueueAsync<TJob>(TJob payload, CancellationToken ct) where TJob : IJob<TJob>
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (kind, text) = (TJob.Kind, System.Text.Json.JsonSerializer.Serialize(payload, JobQueue.Json));
        var waiting = await db.Jobs.Where(j => j.Kind == kind && j.Payload == text && j.Status == Job.Pending).Select(j => (long?)j.Id).FirstOrDefaultAsync(ct);
        if (waiting is { } id) return $"already queued (job {id})";
        var job = jobs.Enqueue(db, payload);
        await db.SaveChangesAsync(ct);
        return $"queued job {job.Id}";
    }
}

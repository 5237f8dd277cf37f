using Hermes.CustomFields;
using Hermes.Domain;
using Hermes.Jobs;
using Hermes.Tc2;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// What every kind of Pipedrive object shares when its webhook is applied (<see cref="Organizations"/>,
/// <see cref="Persons"/>, <see cref="Deals"/>, <see cref="PipelinesAndStages"/>): reading the <c>hermes_id</c> field,
/// taking the custom fields Pipedrive owns, remembering the newest change applied and what Pipedrive deleted
/// (<see cref="PipedriveObject"/>), waiting for an organization Hermes doesn't have, and bringing TC2 in line.
/// Runs inside the caller's transaction and never calls Pipedrive.
/// </summary>
public abstract class InboundEntity(HermesDb db, JobQueue jobs, TimeProvider clock, ILogger log)
{
    /// <summary>Company columns Pipedrive may not write: TC2 and Hermes own them (behaviour.md §1, principle 2).</summary>
    static readonly HashSet<string> NotOwnedByPipedrive =
    [
        "id", "pd_org_id", "tc2_agency_id", "tc2_cligency_id", "tc2_status", "paid_invoice_count", "price_plan", "narc",
        "signup_questionnaire", "created", "has_signed_up", "has_booked_call", "sales_person", "sales_person_id",
    ];

    protected HermesDb Db { get; } = db;
    protected JobQueue Jobs { get; } = jobs;
    protected ILogger Log { get; } = log;
    protected CustomFieldMap Fields { get; private set; } = new([]);
    protected PipedriveOwners Owners { get; private set; } = null!;
    InboundWebhook _webhook = InboundWebhook.None;
    bool _allowFetch = true;

    /// <summary>
    /// Applies one event for this kind of object (its lock is held already). What it changes is left for the caller's
    /// save, which writes it in one batch with the webhook's log row (a step that must read its own writes saves first).
    /// </summary>
    public Task<EventOutcome> ApplyAsync(PipedriveEvent e, InboundWebhook webhook, bool allowFetch, CustomFieldMap fields, PipedriveOwners owners, CancellationToken ct)
    {
        (Fields, Owners, _webhook, _allowFetch) = (fields, owners, webhook, allowFetch);
        return e.Action == PipedriveAction.Delete ? DeleteAsync(e, ct) : UpsertAsync(e, ct);
    }

    /// <summary>Created or changed in Pipedrive: the event carries the object's current state.</summary>
    protected abstract Task<EventOutcome> UpsertAsync(PipedriveEvent e, CancellationToken ct);

    /// <summary>Deleted in Pipedrive, or merged into another object (<see cref="PipedriveEvent.MergedToId"/>).</summary>
    protected abstract Task<EventOutcome> DeleteAsync(PipedriveEvent e, CancellationToken ct);

    protected DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>What Hermes remembers of a Pipedrive object, with the row linked to it (if any), read together.</summary>
    public sealed class StateAndRow<TRow> where TRow : class
    {
        public required PipedriveObject State { get; init; }
        public TRow? Row { get; init; }
    }

    /// <summary>What an upsert starts from: the row it applies to (if Hermes has one), and the ids its hermes_id names.</summary>
    protected sealed record Start<TRow>(EventOutcome? Skip, List<int> HermesIds, List<TRow> Listed, TRow? Row);

    /// <summary>
    /// The row an upsert applies to: the one linked to the object, else the first the <c>hermes_id</c> field names
    /// (several after a merge: <see cref="Start{TRow}.Listed"/>). Skipped when Pipedrive deleted the object (it stays
    /// deleted) or a newer change of it was applied already.
    /// </summary>
    protected async Task<Start<TRow>> StartUpsertAsync<TRow>(PipedriveEvent e, string objectType, IQueryable<TRow> rows,
        Func<HermesDb, int, CancellationToken, Task<TRow?>> linkedTo, Func<HermesDb, int, CancellationToken, Task<StateAndRow<TRow>?>> linkedWithState,
        Func<TRow, int> idOf, CancellationToken ct) where TRow : class
    {
        var id = e.Id!.Value;
        // The object's state and its row in one read when Hermes remembers the object (every update after the first);
        // otherwise, or when this context has the state already, the row on its own.
        var state = Db.Tracked<PipedriveObject>(e.Entity, id);
        var both = state is null ? await linkedWithState(Db, id, ct) : null;
        state ??= both?.State;
        if (state?.DeletedAt is not null) return new(EventOutcome.Ignored($"{e.Entity} {id} was deleted in Pipedrive"), [], [], null);
        var hermesIds = HermesIds(e, objectType);
        var byPd = both is not null ? both.Row : await linkedTo(Db, id, ct);
        // No second read when the hermes_id field names only the row the Pipedrive id found (the usual update).
        var listed = hermesIds.Count == 0 || (byPd is not null && hermesIds.All(h => h == idOf(byPd))) ? [] : await rows.Where(r => hermesIds.Contains(EF.Property<int>(r, "Id"))).ToListAsync(ct);
        var row = byPd ?? hermesIds.Select(h => listed.FirstOrDefault(r => idOf(r) == h)).FirstOrDefault(r => r is not null);
        return IsStale(state, e)
            ? new(EventOutcome.Ignored($"an older change of {e.Entity} {id} than one already applied"), hermesIds, listed, row)
            : new(null, hermesIds, listed, row);
    }

    /// <summary>How one kind of row follows its Pipedrive object through a merge.</summary>
    /// <param name="ObjectType">The hermes_id field's object type: Company, Contact or Deal.</param>
    /// <param name="Noun">What the row is called in the outcome: company, contact or deal.</param>
    /// <param name="LinkedTo">The row linked to a Pipedrive id.</param>
    /// <param name="Follow">Links the row to the surviving object instead.</param>
    /// <param name="Merge">Moves the loser's children onto the survivor and deletes the loser; returns the loser's id.</param>
    protected sealed record MergeRules<TRow>(string ObjectType, string Noun, Func<TRow, int> IdOf, Func<TRow, int> CompanyIdOf,
        Func<int, CancellationToken, Task<TRow?>> LinkedTo, Action<TRow, int> Follow, Func<TRow, TRow, CancellationToken, Task<int>> Merge);

    /// <summary>
    /// Pipedrive merged the object into another (its delete event names <see cref="PipedriveEvent.MergedToId"/>):
    /// remembered as merged; the row Hermes has for it is merged into the survivor's row, or follows the survivor when
    /// Hermes has no row for it, or goes when the survivor is out of Hermes for good (<see cref="MergeSurvivorAsync"/>).
    /// Pipedrive gets the clean <c>hermes_id</c> back. <paramref name="remember"/>: the company whose TC2 client the
    /// deleted object's memory keeps.
    /// </summary>
    protected async Task<EventOutcome> MergedAwayAsync<TRow>(PipedriveEvent e, TRow? row, MergeRules<TRow> rules, Company? remember, CancellationToken ct)
        where TRow : class
    {
        var (id, mergedInto) = (e.Id!.Value, e.MergedToId!.Value);
        var organization = e.Entity == PipedriveObject.Organization;
        await Deleted(e.Entity, id, PipedriveDeletion.Merged, mergedInto, remember, ct);
        if (row is null) return EventOutcome.Ignored($"merged {e.Entity} {id} is not in Hermes");
        var rowId = rules.IdOf(row);
        var (survivorPdId, survivor, gone) = await MergeSurvivorAsync(e.Entity, mergedInto, pd => rules.LinkedTo(pd, ct), leftOutCounts: !organization, ct);
        if (gone)
        {
            await RemoveAsync(row, rowId, ct);
            return EventOutcome.Applied($"{rules.Noun} {rowId} deleted: {e.Entity} {id} was merged into {survivorPdId}, which "
                + (organization ? "was deleted in Pipedrive" : "is not in Hermes since it was deleted (or its organization was) in Pipedrive"));
        }
        if (survivor is null || rules.IdOf(survivor) == rowId)
        {
            // The surviving object isn't linked to a row yet: this one carries on as it.
            rules.Follow(row, survivorPdId);
            await Db.SaveChangesAsync(ct);
            Jobs.Enqueue(Db, new WriteHermesId(rules.ObjectType, rowId, rules.CompanyIdOf(row)));
            return EventOutcome.Applied($"{rules.Noun} {rowId} now follows {e.Entity} {survivorPdId}, which {id} was merged into");
        }
        var merged = await rules.Merge(survivor, row, ct);
        Jobs.Enqueue(Db, new WriteHermesId(rules.ObjectType, rules.IdOf(survivor), rules.CompanyIdOf(survivor)));
        return EventOutcome.Applied($"{rules.Noun} {merged} merged into {rules.Noun} {rules.IdOf(survivor)}");
    }

    /// <summary>
    /// The Hermes ids in the hermes_id custom field ("12" or "12, 34" after a merge): from the current state when it
    /// has the field (empty when it was cleared: a cleared id must not match its old row), else from previous (deletes).
    /// </summary>
    protected List<int> HermesIds(PipedriveEvent e, string objectType)
    {
        var field = Fields.HermesId(objectType);
        bool Holds(PipedriveObjectData? o) => o is not null && ((field?.PdFieldId is { } key && o.Has(key)) || o.Has("hermes_id"));
        string? Read(PipedriveObjectData? o) =>
            o is null ? null : (field?.PdFieldId is { } key && o.Has(key) ? o.Str(key) : null) ?? (o.Has("hermes_id") ? o.Str("hermes_id") : null);
        var text = Holds(e.Current) ? Read(e.Current) : Read(e.Previous);
        return (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s.Trim('"'), out var i) ? i : (int?)null).OfType<int>().Distinct().ToList();
    }

    /// <summary>
    /// After a merge, a match made by hand, or a hermes_id that named another row (or several), Pipedrive gets the
    /// row's own id back (<see cref="WriteHermesId"/>).
    /// </summary>
    protected void WriteBackHermesIdIf(bool needed, IReadOnlyList<int> hermesIds, string objectType, int rowId, int companyId)
    {
        if (needed || hermesIds.Count > 1 || (hermesIds.Count == 1 && hermesIds[0] != rowId))
            Jobs.Enqueue(Db, new WriteHermesId(objectType, rowId, companyId));
    }

    /// <summary>Custom fields Pipedrive may write for this object: not hermes_id, not TC2-owned columns, not inherited deal fields.</summary>
    protected async Task ApplyCustomFields(PipedriveEvent e, string objectType, object entity, CancellationToken ct)
    {
        var cur = e.Current!;
        foreach (var field in Fields.For(objectType))
        {
            if (field.PdFieldId is not { Length: > 0 } key || field.HermesFieldName == CustomFieldMap.HermesIdField) continue;
            if (field.MachineName == "signup_questionnaire" || (field.HermesFieldName is { } column && NotOwnedByPipedrive.Contains(column))) continue;
            if (Fields.InheritedFrom(field) is not null) continue; // the company's value; a Pipedrive edit is not taken
            if (!cur.Has(key)) continue;
            var value = cur.Value(key);
            if (field.FieldType == CustomField.TypeFk && value is not null)
            {
                var adminId = PipedriveWebhookParser.AsInt(cur[key]);
                if (adminId is null || !Owners.IsAdmin(adminId.Value))
                {
                    Log.LogWarning("{Object} field {Field}: admin {Value} does not exist; left as it was", objectType, field.MachineName, value);
                    continue;
                }
                value = adminId;
            }
            if (!await CustomFieldValues.SetAsync(Db, field, entity, value, ct))
                Log.LogWarning("{Object} field {Field}: value {Value} does not fit; left as it was", objectType, field.MachineName, value);
        }
    }

    protected async Task<PipedriveObject?> State(string entity, int pdId, CancellationToken ct) =>
        await PipedriveObject.FindAsync(Db, entity, pdId, ct);

    /// <summary>An event older than the newest one applied to that object (events can arrive in any order).</summary>
    protected static bool IsStale(PipedriveObject? state, PipedriveEvent e) =>
        state?.UpdatedAt is { } seen && e.UpdateTime is { } time && time < seen;

    /// <summary>Remembers the event's time as the newest applied to the object.</summary>
    protected async Task Seen(string entity, int pdId, PipedriveEvent e, CancellationToken ct)
    {
        if (e.UpdateTime is not { } time) return;
        var state = await PipedriveObject.FindOrAddAsync(Db, entity, pdId, ct);
        if (state.UpdatedAt is null || state.UpdatedAt < time) state.UpdatedAt = time;
    }

    /// <summary>Pipedrive deleted the object or merged it away: remembered (<see cref="PipedriveObject.MarkDeletedAsync"/>), never undone by a sync.</summary>
    protected async Task Deleted(string entity, int pdId, PipedriveDeletion reason, int? mergedInto, Company? company, CancellationToken ct, int? tc2SrId = null)
    {
        if (!await PipedriveObject.MarkDeletedAsync(Db, entity, pdId, reason, Now, ct, mergedInto, company, tc2SrId)) return;
        if (entity == PipedriveObject.Person && mergedInto is { } survivorPdId) await PipedriveEventOrder.FollowPersonMergeAsync(Db, pdId, survivorPdId, ct);
    }

    /// <summary>
    /// Where the object a merge event took away went (its events can come first): the surviving object, followed
    /// through later merges; the row Hermes links to it; and whether it is out of Hermes for good: deleted in
    /// Pipedrive, or (<paramref name="leftOutCounts"/>: a person or deal) its newest state, applied already, left it out
    /// of Hermes (its organization was deleted), so what was merged into it goes too.
    /// </summary>
    async Task<(int PdId, TRow? Row, bool Gone)> MergeSurvivorAsync<TRow>(string entity, int mergedInto,
        Func<int, Task<TRow?>> rowLinkedTo, bool leftOutCounts, CancellationToken ct) where TRow : class
    {
        var (pdId, deleted) = await PipedriveEventOrder.SurvivorAsync(Db, entity, mergedInto, ct);
        var row = deleted ? null : await rowLinkedTo(pdId);
        var leftOut = leftOutCounts && row is null && !deleted && (await State(entity, pdId, ct))?.UpdatedAt is not null;
        return (pdId, row, deleted || leftOut);
    }

    /// <summary>Deletes one row now (the database cascades to what hangs off it), after saving what is pending.</summary>
    protected async Task RemoveAsync<TRow>(TRow row, int id, CancellationToken ct) where TRow : class
    {
        await Db.SaveChangesAsync(ct);
        await Db.Set<TRow>().Where(r => EF.Property<int>(r, "Id") == id).ExecuteDeleteAsync(ct);
        Db.Entry(row).State = EntityState.Detached;
    }

    /// <summary>The deals (by Pipedrive id) whose last known state names what just arrived.</summary>
    protected async Task<List<int?>> DealsWaitingFor(System.Linq.Expressions.Expression<Func<PipedriveObject, bool>> refersTo, CancellationToken ct) =>
        await Db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Deal).Where(refersTo).Select(o => (int?)o.PdId).ToListAsync(ct);

    /// <summary>
    /// The event names an organization Hermes doesn't have: a job fetches it from Pipedrive, creates the Company and
    /// replays this webhook (the checklist's fix for deals and persons that arrive before their organization). One that
    /// Pipedrive deleted keeps the person or deal out of Hermes, as its delete did with those already there; this state
    /// is the newest applied, so an older one arriving later does not bring it in.
    /// </summary>
    protected async Task<EventOutcome> AwaitOrganization(PipedriveEvent e, int orgPdId, string what, CancellationToken ct)
    {
        if (await State(PipedriveObject.Organization, orgPdId, ct) is { DeletedAt: not null })
        {
            await Seen(e.Entity, e.Id!.Value, e, ct);
            return EventOutcome.Ignored($"{what} belongs to organization {orgPdId}, which was deleted in Pipedrive");
        }
        if (!_allowFetch || !_webhook.CanBeReplayed)
            return EventOutcome.Ignored($"{what} belongs to organization {orgPdId}, which Pipedrive does not have");
        Jobs.Enqueue(Db, new FetchOrganization(orgPdId, await _webhook.IdAsync(Db, ct)));
        return EventOutcome.Waiting($"{what} belongs to organization {orgPdId}, which is being fetched from Pipedrive");
    }

    /// <summary>
    /// After an organization or deal event Hermes applied, TC2's client is brought in line (behaviour.md §5) whether or not
    /// Hermes's copy changed: the job compares with what TC2 holds, so any such event also repairs a TC2 left behind (an
    /// adopted database, a lost hermes_v2 task), and TC2's echo of the job's write finds nothing new.
    /// </summary>
    protected async Task QueueTc2Update(int companyId, CancellationToken ct)
    {
        // The company is usually tracked already (the event just changed it): no second read.
        var linked = Db.Tracked<Company>(companyId) is { } tracked
            ? tracked.Tc2CligencyId is not null
            : await Db.Companies.AnyAsync(c => c.Id == companyId && c.Tc2CligencyId != null, ct);
        if (linked) Jobs.Enqueue(Db, new UpdateTc2Client(companyId));
    }

    protected static string? Truncate(string? s) => Hermes.Operations.Input.InputText.ClipOrNull(s, 255);
}

using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// The simulated company's data: objects in their API v2 shape, users, custom field definitions. Every mutation
/// validates like API v2, stamps times from the simulator's clock and returns the <see cref="PdChange"/>s that
/// webhooks report. Not thread-safe: the simulator calls it under its lock.
/// </summary>
sealed class PipedriveData(PipedriveOptions options, TimeProvider time)
{
    readonly Dictionary<PdEntity, SortedDictionary<long, JsonObject>> _rows = PdEntity.All.ToDictionary(e => e, _ => new SortedDictionary<long, JsonObject>());
    readonly Dictionary<PdEntity, long> _lastId = PdEntity.All.ToDictionary(e => e, _ => 0L);
    readonly Dictionary<PdEntity, List<PdCustomField>> _customFields = PdEntity.All.ToDictionary(e => e, _ => new List<PdCustomField>());
    long _changeSequence;
    long _correlationSequence;

    public Dictionary<long, PdUser> Users { get; } = new() { [options.ApiUserId] = new PdUser(options.ApiUserId, options.ApiUserName, options.ApiUserEmail) };

    public void Clear()
    {
        foreach (var rows in _rows.Values) rows.Clear();
        foreach (var e in PdEntity.All) _lastId[e] = 0;
        foreach (var fields in _customFields.Values) fields.Clear();
        Users.Clear();
        Users[options.ApiUserId] = new PdUser(options.ApiUserId, options.ApiUserName, options.ApiUserEmail);
    }

    DateTimeOffset Now => time.GetUtcNow();

    public IReadOnlyList<PdCustomField> CustomFields(PdEntity entity) => _customFields[entity];

    public PdCustomField? CustomField(PdEntity entity, string key) => _customFields[entity].FirstOrDefault(f => f.Key == key);

    public void DefineCustomField(PdEntity entity, PdCustomField field)
    {
        if (!entity.HasCustomFields) throw new ArgumentException($"{entity.Plural} have no custom fields here", nameof(entity));
        if (field.Key.Length != 40 || !field.Key.All(Uri.IsHexDigit))
            throw new ArgumentException($"custom field keys are 40 hex characters, not '{field.Key}'", nameof(field));
        _customFields[entity].RemoveAll(f => f.Key == field.Key);
        _customFields[entity].Add(field);
        foreach (var row in _rows[entity].Values)
            if (row["custom_fields"] is JsonObject values && !values.ContainsKey(field.Key)) values[field.Key] = null;
    }

    /// <summary>A live (not deleted) object, or null.</summary>
    public JsonObject? Find(PdEntity entity, long id) =>
        _rows[entity].TryGetValue(id, out var row) && !row["is_deleted"]!.GetValue<bool>() ? row : null;

    public JsonObject Get(PdEntity entity, long id) => Find(entity, id) ?? throw new PdNotFoundException(entity);

    /// <summary>Every object of the kind, deleted ones included, in id order.</summary>
    public IEnumerable<JsonObject> All(PdEntity entity) => _rows[entity].Values;

    public IEnumerable<JsonObject> Live(PdEntity entity) => _rows[entity].Values.Where(r => !r["is_deleted"]!.GetValue<bool>());

    public JsonObject Create(PdEntity entity, JsonObject body, string source, List<PdChange> changes, long? id = null)
    {
        var values = PipedriveSchema.Validate(entity, body, create: true, this);
        if (id is { } explicitId && _rows[entity].ContainsKey(explicitId))
            throw new PdValidationException($"id: {entity.Name} {explicitId} already exists");
        var newId = id ?? _lastId[entity] + 1;
        _lastId[entity] = Math.Max(_lastId[entity], newId);
        var row = NewRow(entity, newId);
        Apply(entity, row, values, creating: true);
        _rows[entity][newId] = row;
        changes.Add(NewChange(entity, PdChange.Create, newId, null, row, source, NextCorrelation()));
        return row;
    }

    public JsonObject Update(PdEntity entity, long id, JsonObject body, string source, List<PdChange> changes)
    {
        var before = Get(entity, id);
        var values = PipedriveSchema.Validate(entity, body, create: false, this);
        var row = (JsonObject)before.DeepClone();
        Apply(entity, row, values, creating: false); // on a copy: a rejected update changes nothing
        _rows[entity][id] = row;
        changes.Add(NewChange(entity, PdChange.Change, id, before, row, source, NextCorrelation()));
        return row;
    }

    public void Delete(PdEntity entity, long id, string source, List<PdChange> changes)
    {
        var correlation = NextCorrelation();
        DeleteRow(entity, id, source, changes, correlation);
        if (entity == PdEntity.Pipeline)
            foreach (var stage in Live(PdEntity.Stage).Where(s => s["pipeline_id"]!.AsLong() == id).ToList())
                DeleteRow(PdEntity.Stage, stage["id"]!.AsLong(), source, changes, correlation);
    }

    void DeleteRow(PdEntity entity, long id, string source, List<PdChange> changes, long correlation, long? mergedToId = null)
    {
        var row = Get(entity, id);
        var before = (JsonObject)row.DeepClone();
        row["is_deleted"] = true;
        row["update_time"] = Json.Rfc3339(Now);
        changes.Add(NewChange(entity, PdChange.Delete, id, before, null, source, correlation) with { MergedToId = mergedToId });
    }

    /// <summary>
    /// Merges <paramref name="loserId"/> into <paramref name="survivorId"/> as Pipedrive does: the survivor wins
    /// conflicts, takes the loser's values where it has none, text custom fields holding different values are joined
    /// ("12, 34"), persons' emails and phones are pooled, and the loser's related objects move to the survivor.
    /// </summary>
    public JsonObject Merge(PdEntity entity, long loserId, long survivorId, string source, List<PdChange> changes)
    {
        if (entity != PdEntity.Organization && entity != PdEntity.Person && entity != PdEntity.Deal)
            throw new PdValidationException($"{entity.Plural} cannot be merged");
        if (loserId == survivorId) throw new PdValidationException("merge_with_id: cannot merge an object with itself");
        var loser = Get(entity, loserId);
        var survivor = Get(entity, survivorId);
        var before = (JsonObject)survivor.DeepClone();
        var correlation = NextCorrelation();

        foreach (var (key, value) in loser)
        {
            if (key is "id" or "add_time" or "update_time" or "is_deleted" or "custom_fields" or "emails" or "phones") continue;
            if (IsEmpty(survivor[key]) && !IsEmpty(value)) survivor[key] = value!.DeepClone();
        }
        if (survivor["custom_fields"] is JsonObject mine && loser["custom_fields"] is JsonObject theirs)
            foreach (var field in _customFields[entity])
            {
                var a = mine[field.Key];
                var b = theirs[field.Key];
                if (IsEmpty(b)) continue;
                if (IsEmpty(a)) mine[field.Key] = b!.DeepClone();
                else if (field.Type is "varchar" or "text" or "varchar_auto" && a!.ToJsonString() != b!.ToJsonString())
                    mine[field.Key] = $"{a.GetValue<string>()}, {b.GetValue<string>()}";
            }
        if (entity == PdEntity.Person)
            foreach (var list in new[] { "emails", "phones" })
            {
                var pooled = (JsonArray)survivor[list]!;
                foreach (var item in ((JsonArray)loser[list]!).Cast<JsonObject>())
                    if (pooled.All(p => p!["value"]!.GetValue<string>() != item["value"]!.GetValue<string>()))
                        pooled.Add(new JsonObject { ["value"] = item["value"]!.GetValue<string>(), ["label"] = item["label"]!.GetValue<string>(), ["primary"] = false });
                if (pooled.Count > 0 && pooled.All(p => !p!["primary"]!.GetValue<bool>())) pooled[0]!["primary"] = true;
            }
        survivor["update_time"] = Json.Rfc3339(Now);
        MoveRelated(entity, loserId, survivorId);

        DeleteRow(entity, loserId, source, changes, correlation, mergedToId: survivorId);
        changes.Add(NewChange(entity, PdChange.Change, survivorId, before, survivor, source, correlation) with { MergedFromId = loserId });
        return survivor;
    }

    static bool IsEmpty(JsonNode? value) => value is null || (Json.IsString(value, out var s) && s.Length == 0) || value is JsonArray { Count: 0 };

    /// <summary>Related objects follow the survivor of a merge (silently: Pipedrive reports only the merged objects).</summary>
    void MoveRelated(PdEntity entity, long from, long to)
    {
        var reference = entity == PdEntity.Organization ? "org_id" : entity == PdEntity.Person ? "person_id" : "deal_id";
        foreach (var kind in new[] { PdEntity.Person, PdEntity.Deal, PdEntity.Activity })
            foreach (var row in _rows[kind].Values)
            {
                if (row[reference] is { } r && r.AsLong() == from) row[reference] = to;
                if (kind == PdEntity.Activity && entity == PdEntity.Person && row["participants"] is JsonArray participants)
                    foreach (var p in participants)
                        if (p!["person_id"]!.AsLong() == from) p["person_id"] = to;
            }
    }

    JsonObject NewRow(PdEntity entity, long id)
    {
        var now = Json.Rfc3339(Now);
        JsonObject row;
        if (entity == PdEntity.Organization)
            row = new JsonObject
            {
                ["id"] = id, ["name"] = "", ["owner_id"] = options.ApiUserId, ["add_time"] = now, ["update_time"] = now,
                ["is_deleted"] = false, ["visible_to"] = 3, ["address"] = null, ["label_ids"] = new JsonArray(),
                ["website"] = null, ["linkedin"] = null,
            };
        else if (entity == PdEntity.Person)
            row = new JsonObject
            {
                ["id"] = id, ["name"] = "", ["first_name"] = null, ["last_name"] = null, ["owner_id"] = options.ApiUserId,
                ["org_id"] = null, ["add_time"] = now, ["update_time"] = now, ["emails"] = new JsonArray(), ["phones"] = new JsonArray(),
                ["is_deleted"] = false, ["visible_to"] = 3, ["label_ids"] = new JsonArray(), ["picture_id"] = null, ["marketing_status"] = null,
            };
        else if (entity == PdEntity.Deal)
            row = new JsonObject
            {
                ["id"] = id, ["title"] = "", ["creator_user_id"] = options.ApiUserId, ["owner_id"] = options.ApiUserId,
                ["person_id"] = null, ["org_id"] = null, ["pipeline_id"] = null, ["stage_id"] = null, ["value"] = 0,
                ["currency"] = options.DefaultCurrency, ["status"] = "open", ["add_time"] = now, ["update_time"] = now,
                ["stage_change_time"] = null, ["is_deleted"] = false, ["is_archived"] = false, ["archive_time"] = null,
                ["probability"] = null, ["lost_reason"] = null, ["visible_to"] = 3, ["close_time"] = null, ["won_time"] = null,
                ["lost_time"] = null, ["expected_close_date"] = null, ["label_ids"] = new JsonArray(),
            };
        else if (entity == PdEntity.Activity)
            row = new JsonObject
            {
                ["id"] = id, ["subject"] = "", ["type"] = "call", ["owner_id"] = options.ApiUserId, ["creator_user_id"] = options.ApiUserId,
                ["is_deleted"] = false, ["add_time"] = now, ["update_time"] = now, ["deal_id"] = null, ["lead_id"] = null,
                ["person_id"] = null, ["org_id"] = null, ["project_id"] = null, ["due_date"] = null, ["due_time"] = null,
                ["duration"] = null, ["busy"] = false, ["done"] = false, ["location"] = null, ["participants"] = new JsonArray(),
                ["attendees"] = new JsonArray(), ["public_description"] = null, ["priority"] = null, ["note"] = null,
            };
        else if (entity == PdEntity.Pipeline)
            row = new JsonObject
            {
                ["id"] = id, ["name"] = "", ["order_nr"] = _rows[entity].Count + 1, ["is_deleted"] = false,
                ["is_deal_probability_enabled"] = false, ["add_time"] = now, ["update_time"] = now,
            };
        else
            row = new JsonObject
            {
                ["id"] = id, ["order_nr"] = 0, ["name"] = "", ["is_deleted"] = false, ["deal_probability"] = 100, ["pipeline_id"] = null,
                ["is_deal_rot_enabled"] = false, ["days_to_rotten"] = null, ["add_time"] = now, ["update_time"] = now,
            };
        if (entity.HasCustomFields)
            row["custom_fields"] = new JsonObject(_customFields[entity].Select(f => KeyValuePair.Create(f.Key, (JsonNode?)null)));
        return row;
    }

    /// <summary>Writes validated values and what follows from them (names, pipeline of a stage, close times …).</summary>
    void Apply(PdEntity entity, JsonObject row, JsonObject values, bool creating)
    {
        var now = Json.Rfc3339(Now);
        var oldStage = row["stage_id"]?.AsLong();
        foreach (var (key, value) in values)
        {
            if (key == "custom_fields")
            {
                var stored = (JsonObject)row["custom_fields"]!;
                foreach (var (fieldKey, fieldValue) in (JsonObject)value!) stored[fieldKey] = fieldValue?.DeepClone();
            }
            else row[key] = value?.DeepClone();
        }

        if (entity == PdEntity.Person) ApplyPersonNames(row, values);
        if (entity == PdEntity.Deal) ApplyDealPlacement(row, values, creating, oldStage, now);
        if (entity == PdEntity.Activity && values.ContainsKey("participants"))
        {
            var participants = (JsonArray)row["participants"]!;
            row["person_id"] = participants.FirstOrDefault(p => p!["primary"]!.GetValue<bool>())?["person_id"]?.AsLong();
        }
        if (entity == PdEntity.Activity && creating && !values.ContainsKey("subject"))
            row["subject"] = char.ToUpperInvariant(row["type"]!.GetValue<string>()[0]) + row["type"]!.GetValue<string>()[1..];
        if (entity == PdEntity.Stage && creating && !values.ContainsKey("order_nr"))
            row["order_nr"] = Live(PdEntity.Stage).Count(s => s["pipeline_id"]!.AsLong() == row["pipeline_id"]!.AsLong()) + 1;
        if (!creating || !values.ContainsKey("add_time")) row["update_time"] = now;
        if (creating && values.ContainsKey("add_time")) row["update_time"] = row["add_time"]!.GetValue<string>();
    }

    /// <summary>Pipedrive keeps name and first/last name in step: the first word is the first name.</summary>
    static void ApplyPersonNames(JsonObject row, JsonObject values)
    {
        if (values.ContainsKey("name"))
        {
            var parts = row["name"]!.GetValue<string>().Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (!values.ContainsKey("first_name")) row["first_name"] = parts.Length > 0 ? parts[0] : null;
            if (!values.ContainsKey("last_name")) row["last_name"] = parts.Length > 1 ? parts[1] : null;
        }
        else if (values.ContainsKey("first_name") || values.ContainsKey("last_name"))
            row["name"] = $"{row["first_name"]?.GetValue<string>()} {row["last_name"]?.GetValue<string>()}".Trim();
    }

    /// <summary>A stage implies its pipeline; a pipeline alone means its first stage; nothing means the default pipeline.</summary>
    void ApplyDealPlacement(JsonObject row, JsonObject values, bool creating, long? oldStage, string now)
    {
        if (values["stage_id"] is { } stageId)
        {
            var stagePipeline = Get(PdEntity.Stage, stageId.AsLong())["pipeline_id"]!.AsLong();
            if (values["pipeline_id"] is { } pipelineId && pipelineId.AsLong() != stagePipeline)
                throw new PdValidationException($"stage_id: stage {stageId} is not in pipeline {pipelineId}");
            row["pipeline_id"] = stagePipeline;
        }
        else if (values["pipeline_id"] is { } pipelineId)
            row["stage_id"] = FirstStage(pipelineId.AsLong());
        else if (creating)
        {
            var pipeline = Live(PdEntity.Pipeline).OrderBy(p => p["order_nr"]!.AsLong()).ThenBy(p => p["id"]!.AsLong()).FirstOrDefault();
            if (pipeline is not null)
            {
                row["pipeline_id"] = pipeline["id"]!.AsLong();
                row["stage_id"] = FirstStage(pipeline["id"]!.AsLong());
            }
        }
        if (row["stage_id"]?.AsLong() != oldStage && !creating) row["stage_change_time"] = now;

        if (values.ContainsKey("status"))
        {
            var status = row["status"]!.GetValue<string>();
            row["close_time"] = status == "open" ? null : now;
            if (status == "won") { row["won_time"] = now; row["lost_time"] = null; }
            if (status == "lost") { row["lost_time"] = now; row["won_time"] = null; }
            if (status != "lost" && !values.ContainsKey("lost_reason")) row["lost_reason"] = null;
        }
        if (row["lost_reason"] is not null && row["status"]!.GetValue<string>() != "lost")
            throw new PdValidationException("lost_reason: can only be set on a lost deal");
    }

    long? FirstStage(long pipelineId) =>
        Live(PdEntity.Stage).Where(s => s["pipeline_id"]!.AsLong() == pipelineId)
            .OrderBy(s => s["order_nr"]!.AsLong()).ThenBy(s => s["id"]!.AsLong())
            .Select(s => (long?)s["id"]!.AsLong()).FirstOrDefault();

    long NextCorrelation() => ++_correlationSequence;

    PdChange NewChange(PdEntity entity, string action, long id, JsonObject? before, JsonObject? after, string source, long correlation) =>
        new(++_changeSequence, entity, action, id, (JsonObject?)before?.DeepClone(), (JsonObject?)after?.DeepClone(), source, Now, correlation);
}

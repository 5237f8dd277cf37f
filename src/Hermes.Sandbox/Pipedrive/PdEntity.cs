namespace Hermes.Sandbox.Pipedrive;

/// <summary>The kinds of object the simulator stores, under their API v2 path names and webhook names.</summary>
public sealed record PdEntity(string Name, string Plural, string Title)
{
    public static readonly PdEntity Organization = new("organization", "organizations", "Organization");
    public static readonly PdEntity Person = new("person", "persons", "Person");
    public static readonly PdEntity Deal = new("deal", "deals", "Deal");
    public static readonly PdEntity Activity = new("activity", "activities", "Activity");
    public static readonly PdEntity Pipeline = new("pipeline", "pipelines", "Pipeline");
    public static readonly PdEntity Stage = new("stage", "stages", "Stage");

    public static readonly IReadOnlyList<PdEntity> All = [Organization, Person, Deal, Activity, Pipeline, Stage];

    public bool HasCustomFields => this == Organization || this == Person || this == Deal;

    /// <summary>Pipedrive sends webhooks for these (the ones Hermes listens to; activities are left out).</summary>
    public bool SendsWebhooks => this != Activity;

    public static PdEntity? FromPlural(string plural) => All.FirstOrDefault(e => e.Plural == plural);
    public static PdEntity? FromName(string name) => All.FirstOrDefault(e => e.Name == name || e.Plural == name);

    public override string ToString() => Name;
}

/// <summary>A Pipedrive user (an owner). A deactivated user keeps its id and still owns what it owned.</summary>
public sealed record PdUser(long Id, string Name, string Email, bool Active = true);

/// <summary>A custom field: its 40-hex key (<c>field_code</c>), name and Pipedrive field type (varchar, double, enum …).</summary>
public sealed record PdCustomField(string Key, string Name, string Type);

/// <summary>A 400 from the simulated API (Pipedrive's "Validation failed" class of errors).</summary>
public sealed class PdValidationException(string message) : Exception(message);

/// <summary>A 404 from the simulated API.</summary>
public sealed class PdNotFoundException(PdEntity entity) : Exception($"{entity.Title} not found")
{
    public PdEntity Entity { get; } = entity;
}

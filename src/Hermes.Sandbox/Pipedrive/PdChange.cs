using System.Text.Json.Nodes;

namespace Hermes.Sandbox.Pipedrive;

/// <summary>
/// One change to the simulator's data, as webhooks report it: <c>create</c>, <c>change</c> or <c>delete</c> with the
/// object's REST (API v2) state before and after. A merge is a <c>delete</c> carrying <see cref="MergedToId"/> plus a
/// <c>change</c> carrying <see cref="MergedFromId"/>, sharing one correlation id.
/// </summary>
public sealed record PdChange(
    long Sequence,
    PdEntity Entity,
    string Action,
    long Id,
    JsonObject? Before,
    JsonObject? After,
    string ChangeSource,
    DateTimeOffset Time,
    long CorrelationSequence,
    long? MergedToId = null,
    long? MergedFromId = null)
{
    public const string Create = "create";
    public const string Change = "change";
    public const string Delete = "delete";

    /// <summary>Changes made through the API (<c>api</c>) or "by a user in the web app" through the control surface (<c>app</c>).</summary>
    public const string SourceApi = "api";
    public const string SourceApp = "app";

    /// <summary>The owner of the object (webhooks' permitted users).</summary>
    public long? OwnerId => (After ?? Before)?["owner_id"]?.AsLong();
}

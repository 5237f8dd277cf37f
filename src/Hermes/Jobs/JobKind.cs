namespace Hermes.Jobs;

/// <summary>
/// A kind of queued work, declared once as its payload record: the kind's name (the job row's <c>kind</c>) and the
/// ordering key of each job (jobs sharing a key run one at a time, in enqueue order; null for none). Queue one with
/// <c>queue.Enqueue(db, new WriteHermesId(…))</c>, handle it with a <see cref="JobHandler{TPayload}"/> registered by
/// <see cref="JobsSetup.AddJobHandler{THandler, TJob}"/>. The record's properties are the stored JSON payload, so
/// renaming one breaks the jobs already queued.
/// </summary>
public interface IJob<TSelf> where TSelf : IJob<TSelf>
{
    static abstract string Kind { get; }

    /// <summary>A method, not a property, so that it is not written into the payload.</summary>
    string? OrderingKey();
}

namespace Hermes.Domain;

/// <summary>
/// Runs a unit of work in a fresh DI scope and one database transaction, committed at the end; when it loses a race
/// worth running again (<see cref="ObjectLocks.IsRetryableConflict"/>: a unique id taken, a row deleted meanwhile, a
/// deadlock PostgreSQL broke) it starts again from what committed, in a new scope, up to <c>attempts</c> times. Any
/// other exception rolls back and propagates. In the spirit of eShop's <c>ResilientTransaction</c>; never hold it
/// across a call to Pipedrive, TC2 or Google.
/// </summary>
public static class ResilientTransaction
{
    public static async Task<T> RunAsync<T>(IServiceProvider services, int attempts, Func<IServiceProvider, HermesDb, Task<T>> work, CancellationToken ct,
        bool savepoints = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HermesDb>();
            // Without savepoints a failed save spoils the whole attempt, which is then rolled back: for work that saves often
            // and is started again anyway (EF otherwise wraps every SaveChanges in one).
            db.Database.AutoSavepointsEnabled = savepoints;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            try
            {
                var result = await work(scope.ServiceProvider, db);
                await tx.CommitAsync(ct);
                return result;
            }
            catch (Exception conflict) when (ObjectLocks.IsRetryableConflict(conflict) && attempt < attempts)
            {
                await tx.RollbackAsync(CancellationToken.None);
            }
        }
    }
}

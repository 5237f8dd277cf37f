using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.CallBooker;

/// <summary>
/// A meeting's id, taken before its row is written: the Google invitation is made before the meeting is saved (no
/// transaction is held across the call to Google) and must already carry the meeting's manage link. The id comes from
/// the table's own sequence, so rows inserted without an id never get it; one not used (a refused or failed booking)
/// is a harmless gap.
/// </summary>
public static class MeetingIds
{
    public static async Task<int> ReserveAsync(HermesDb db, CancellationToken ct)
    {
        if (db.IsPostgres)
            return await db.Database.SqlQueryRaw<int>("""SELECT nextval(pg_get_serial_sequence('"meeting"', 'id'))::int AS "Value" """)
                .SingleAsync(ct);

        // SQLite (AUTOINCREMENT): sqlite_sequence holds the largest id handed out; bump it in one write transaction.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO sqlite_sequence (name, seq)
            SELECT 'meeting', COALESCE((SELECT MAX(id) FROM "meeting"), 0)
            WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'meeting')
            """, ct);
        await db.Database.ExecuteSqlRawAsync("""UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'meeting'""", ct);
        var id = await db.Database.SqlQueryRaw<int>("""SELECT seq AS "Value" FROM sqlite_sequence WHERE name = 'meeting'""").SingleAsync(ct);
        await tx.CommitAsync(ct);
        return id;
    }
}

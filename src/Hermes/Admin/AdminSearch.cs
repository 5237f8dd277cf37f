using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi;

/// <summary>
/// A search over a big list, in two forms. <see cref="Arms"/>: queries that each one index answers (a trigram index, a
/// join from another table's index, the id columns) and that together find every match; <see cref="Listing"/> takes
/// up to <see cref="Tally.CountCap"/> + 1 keys from each, so a rare term costs a few index lookups and a common one
/// stops early. <see cref="Matching"/>: the same test as one predicate, for a common term, where walking the list's
/// own order finds a page of matches after a few rows.
/// </summary>
public sealed record SearchQuery<T>(IQueryable<T> All, IReadOnlyList<IQueryable<T>> Arms, IQueryable<T> Matching);

/// <summary>
/// The search box of the big lists (companies, contacts, deals, meetings), written so that an index answers it.
/// On PostgreSQL a term matches anywhere, case-insensitively (<c>ILIKE '%term%'</c>), through the trigram indexes of
/// migration 0008: each expression below is exactly the one its index is built on, or the index is not used. On SQLite
/// (the sandbox) a term matches the start of a name, email or phone (<c>LIKE 'term%'</c>, its NOCASE indexes).
/// A number also matches ids.
/// </summary>
public static class AdminSearch
{
    public static SearchQuery<Company> Companies(HermesDb db, IQueryable<Company> all, string term)
    {
        var own = CompaniesOwn(db, all, term, Number(term));
        return new(all, [own], own);
    }

    /// <summary>Its name, email or phone, its company's name or website, or its id, Pipedrive or TC2 id.</summary>
    public static SearchQuery<Contact> Contacts(HermesDb db, IQueryable<Contact> all, string term)
    {
        var p = Pattern(db, term);
        var n = Number(term) ?? -1; // ids are positive: -1 matches none (a null would match null columns)
        if (db.IsPostgres)
            return new(all,
                [
                    all.Where(c => EF.Functions.ILike((c.FirstName ?? "") + " " + (c.LastName ?? "") + " " + (c.Email ?? "") + " " + (c.Phone ?? ""), p, Escape)
                                   || c.Id == n || c.PdPersonId == n || c.Tc2SrId == n),
                    all.Where(c => EF.Functions.ILike(c.Company!.Name + " " + (c.Company.Website ?? ""), p, Escape)),
                ],
                all.Where(c => EF.Functions.ILike((c.FirstName ?? "") + " " + (c.LastName ?? "") + " " + (c.Email ?? "") + " " + (c.Phone ?? ""), p, Escape)
                               || EF.Functions.ILike(c.Company!.Name + " " + (c.Company.Website ?? ""), p, Escape)
                               || c.Id == n || c.PdPersonId == n || c.Tc2SrId == n));
        return new(all,
            [
                all.Where(c => EF.Functions.Like(c.FirstName, p, Escape) || EF.Functions.Like(c.LastName, p, Escape)
                               || EF.Functions.Like(c.Email, p, Escape) || EF.Functions.Like(c.Phone, p, Escape)
                               || c.Id == n || c.PdPersonId == n || c.Tc2SrId == n),
                all.Where(c => EF.Functions.Like((c.FirstName ?? "") + " " + (c.LastName ?? ""), p, Escape)),
                all.Where(c => EF.Functions.Like(c.Company!.Name, p, Escape)),
            ],
            all.Where(c => EF.Functions.Like(c.FirstName, p, Escape) || EF.Functions.Like(c.LastName, p, Escape)
                           || EF.Functions.Like((c.FirstName ?? "") + " " + (c.LastName ?? ""), p, Escape)
                           || EF.Functions.Like(c.Email, p, Escape) || EF.Functions.Like(c.Phone, p, Escape)
                           || EF.Functions.Like(c.Company!.Name, p, Escape) || c.Id == n || c.PdPersonId == n || c.Tc2SrId == n));
    }

    /// <summary>Its name, its company's name or website, or its id or Pipedrive id.</summary>
    public static SearchQuery<Deal> Deals(HermesDb db, IQueryable<Deal> all, string term)
    {
        var p = Pattern(db, term);
        var n = Number(term) ?? -1;
        if (db.IsPostgres)
            return new(all,
                [
                    all.Where(d => EF.Functions.ILike(d.Name!, p, Escape) || d.Id == n || d.PdDealId == n),
                    all.Where(d => EF.Functions.ILike(d.Company!.Name + " " + (d.Company.Website ?? ""), p, Escape)),
                ],
                all.Where(d => EF.Functions.ILike(d.Name!, p, Escape) || EF.Functions.ILike(d.Company!.Name + " " + (d.Company.Website ?? ""), p, Escape)
                               || d.Id == n || d.PdDealId == n));
        return new(all,
            [
                all.Where(d => EF.Functions.Like(d.Name, p, Escape) || d.Id == n || d.PdDealId == n),
                all.Where(d => EF.Functions.Like(d.Company!.Name, p, Escape)),
            ],
            all.Where(d => EF.Functions.Like(d.Name, p, Escape) || EF.Functions.Like(d.Company!.Name, p, Escape) || d.Id == n || d.PdDealId == n));
    }

    /// <summary>Its contact's name, email or phone, its company's name or website, its host's name, or its type.</summary>
    public static async Task<SearchQuery<Meeting>> MeetingsAsync(HermesDb db, IQueryable<Meeting> all, string term, CancellationToken ct)
    {
        var p = Pattern(db, term);
        var type = term.ToLowerInvariant();
        // A handful of admins: matched here, in memory.
        var admins = await db.Admins.AsNoTracking().Select(a => new { a.Id, Name = a.FirstName + " " + a.LastName }).ToListAsync(ct);
        var adminIds = admins.Where(a => a.Name.Contains(term, StringComparison.OrdinalIgnoreCase)).Select(a => a.Id).ToList();
        if (db.IsPostgres)
            return new(all,
                [
                    all.Where(m => EF.Functions.ILike((m.Contact!.FirstName ?? "") + " " + (m.Contact.LastName ?? "") + " " + (m.Contact.Email ?? "") + " " + (m.Contact.Phone ?? ""), p, Escape)),
                    all.Where(m => EF.Functions.ILike(m.Contact!.Company!.Name + " " + (m.Contact.Company.Website ?? ""), p, Escape)),
                    all.Where(m => adminIds.Contains(m.AdminId) || m.MeetingType == type),
                ],
                all.Where(m => EF.Functions.ILike((m.Contact!.FirstName ?? "") + " " + (m.Contact.LastName ?? "") + " " + (m.Contact.Email ?? "") + " " + (m.Contact.Phone ?? ""), p, Escape)
                               || EF.Functions.ILike(m.Contact.Company!.Name + " " + (m.Contact.Company.Website ?? ""), p, Escape)
                               || adminIds.Contains(m.AdminId) || m.MeetingType == type));
        return new(all,
            [
                all.Where(m => EF.Functions.Like(m.Contact!.FirstName, p, Escape) || EF.Functions.Like(m.Contact.LastName, p, Escape)
                               || EF.Functions.Like(m.Contact.Email, p, Escape)),
                all.Where(m => EF.Functions.Like(m.Contact!.Company!.Name, p, Escape)),
                all.Where(m => adminIds.Contains(m.AdminId) || m.MeetingType == type),
            ],
            all.Where(m => EF.Functions.Like(m.Contact!.FirstName, p, Escape) || EF.Functions.Like(m.Contact.LastName, p, Escape)
                           || EF.Functions.Like(m.Contact.Email, p, Escape) || EF.Functions.Like(m.Contact.Company!.Name, p, Escape)
                           || adminIds.Contains(m.AdminId) || m.MeetingType == type));
    }

    /// <summary>Its name or website, or its id, Pipedrive organization id or TC2 ids.</summary>
    static IQueryable<Company> CompaniesOwn(HermesDb db, IQueryable<Company> query, string term, int? number)
    {
        var p = Pattern(db, term);
        var n = number ?? -1;
        return db.IsPostgres
            ? query.Where(c => EF.Functions.ILike(c.Name + " " + (c.Website ?? ""), p, Escape) || c.Id == n || c.PdOrgId == n || c.Tc2CligencyId == n || c.Tc2AgencyId == n)
            : query.Where(c => EF.Functions.Like(c.Name, p, Escape) || c.Id == n || c.PdOrgId == n || c.Tc2CligencyId == n || c.Tc2AgencyId == n);
    }

    const string Escape = "\\";

    /// <summary>The LIKE pattern: the term with its wildcards escaped, inside <c>%…%</c> (PostgreSQL) or before <c>%</c> (SQLite).</summary>
    static string Pattern(HermesDb db, string term)
    {
        var escaped = term.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
        return db.IsPostgres ? "%" + escaped + "%" : escaped + "%";
    }

    static int? Number(string term) => int.TryParse(term, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}

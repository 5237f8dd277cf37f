using System.Linq.Expressions;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Hermes.AdminUi;

/// <summary>
/// A search over a big list, in two forms. <see cref="Arms"/>: queries that each one index answers (a trigram index, a
/// join from another table's index, the id columns) and that together find every match; <see cref="Listing"/> takes
/// up to <see cref="Tally.SearchCap"/> + 1 keys from each, so a rare term costs a few index lookups and a common one
/// stops early. <see cref="Matching"/>: the same test as one predicate, for a common term, where walking the list's
/// own order finds a page of matches after a few rows.
/// </summary>
public sealed record SearchQuery<T>(IQueryable<T> All, IReadOnlyList<IQueryable<T>> Arms, IQueryable<T> Matching);

/// <summary>
/// The search box of the big lists (companies, contacts, deals, meetings), written so that an index answers it.
/// On PostgreSQL a term matches anywhere, case-insensitively, through the trigram indexes of migration 0008: each
/// text below is exactly the expression its index is built on, or the index is not used. On SQLite (the sandbox) a
/// term matches the start of a name, email or phone (<c>LIKE 'term%'</c>, its NOCASE indexes). A number also matches ids.
/// </summary>
public static class AdminSearch
{
    // The searched texts, as the trigram indexes of migration 0008 are built.
    static readonly Expression<Func<Company, string>> CompanyText = c => c.Name + " " + (c.Website ?? "");
    static readonly Expression<Func<Contact, string>> ContactText =
        c => (c.FirstName ?? "") + " " + (c.LastName ?? "") + " " + (c.Email ?? "") + " " + (c.Phone ?? "");
    static readonly Expression<Func<Deal, string>> DealText = d => d.Name!;

    public static SearchQuery<Company> Companies(HermesDb db, IQueryable<Company> all, string term)
    {
        var n = Number(term) ?? -1; // ids are positive: -1 matches none (a null would match null columns)
        var own = db.IsPostgres
            ? Or(Contains(CompanyText, term), c => c.Id == n || c.PdOrgId == n || c.Tc2CligencyId == n || c.Tc2AgencyId == n)
            : Or(StartsWith<Company>(c => c.Name, term), c => c.Id == n || c.PdOrgId == n || c.Tc2CligencyId == n || c.Tc2AgencyId == n);
        return new(all, [all.Where(own)], all.Where(own));
    }

    /// <summary>Its name, email or phone, its company's name or website, or its id, Pipedrive or TC2 id.</summary>
    public static SearchQuery<Contact> Contacts(HermesDb db, IQueryable<Contact> all, string term)
    {
        var n = Number(term) ?? -1;
        var own = db.IsPostgres
            ? Or(Contains(ContactText, term), c => c.Id == n || c.PdPersonId == n || c.Tc2SrId == n)
            : Or(Or(StartsWith<Contact>(c => c.FirstName!, term), StartsWith<Contact>(c => c.LastName!, term),
                    StartsWith<Contact>(c => c.Email!, term), StartsWith<Contact>(c => c.Phone!, term),
                    StartsWith<Contact>(c => (c.FirstName ?? "") + " " + (c.LastName ?? ""), term)),
                c => c.Id == n || c.PdPersonId == n || c.Tc2SrId == n);
        var company = Via<Contact, Company>(c => c.Company!, CompanyMatch(db, term));
        return new(all, [all.Where(own), all.Where(company)], all.Where(Or(own, company)));
    }

    /// <summary>Its name, its company's name or website, or its id or Pipedrive id.</summary>
    public static SearchQuery<Deal> Deals(HermesDb db, IQueryable<Deal> all, string term)
    {
        var n = Number(term) ?? -1;
        var own = Or(db.IsPostgres ? Contains(DealText, term) : StartsWith(DealText, term), d => d.Id == n || d.PdDealId == n);
        var company = Via<Deal, Company>(d => d.Company!, CompanyMatch(db, term));
        return new(all, [all.Where(own), all.Where(company)], all.Where(Or(own, company)));
    }

    /// <summary>Its contact's name, email or phone, its company's name or website, its host's name, or its type.</summary>
    public static async Task<SearchQuery<Meeting>> MeetingsAsync(HermesDb db, IQueryable<Meeting> all, string term, CancellationToken ct)
    {
        var type = term.ToLowerInvariant();
        // A handful of admins: matched here, in memory.
        var admins = await db.Admins.AsNoTracking().Select(a => new { a.Id, Name = a.FirstName + " " + a.LastName }).ToListAsync(ct);
        var adminIds = admins.Where(a => a.Name.Contains(term, StringComparison.OrdinalIgnoreCase)).Select(a => a.Id).ToList();
        var contact = Via<Meeting, Contact>(m => m.Contact!, db.IsPostgres
            ? Contains(ContactText, term)
            : Or(StartsWith<Contact>(c => c.FirstName!, term), StartsWith<Contact>(c => c.LastName!, term), StartsWith<Contact>(c => c.Email!, term)));
        var company = Via<Meeting, Company>(m => m.Contact!.Company!, CompanyMatch(db, term));
        Expression<Func<Meeting, bool>> own = m => adminIds.Contains(m.AdminId) || m.MeetingType == type;
        return new(all, [all.Where(contact), all.Where(company), all.Where(own)], all.Where(Or(contact, company, own)));
    }

    static Expression<Func<Company, bool>> CompanyMatch(HermesDb db, string term) =>
        db.IsPostgres ? Contains(CompanyText, term) : StartsWith<Company>(c => c.Name, term);

    /// <summary>
    /// <c>text ILIKE '%term%'</c>, asked of the trigram index by the term's most distinctive word only (GIN reads the
    /// whole list of rows of every trigram it is asked about, and ".com" or "tutors" are in most rows); the whole term
    /// is then checked on the rows found, with an expression the index does not cover.
    /// </summary>
    static Expression<Func<T, bool>> Contains<T>(Expression<Func<T, string>> text, string term)
    {
        var word = DistinctiveWord(term);
        var indexed = Call(typeof(NpgsqlDbFunctionsExtensions), nameof(NpgsqlDbFunctionsExtensions.ILike), text.Body, "%" + Escaped(word) + "%");
        if (word.Length == term.Length) return Expression.Lambda<Func<T, bool>>(indexed, text.Parameters);
        var lowered = Expression.Call(text.Body, typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!);
        var whole = Call(typeof(DbFunctionsExtensions), nameof(DbFunctionsExtensions.Like), lowered, "%" + Escaped(term.ToLowerInvariant()) + "%");
        return Expression.Lambda<Func<T, bool>>(Expression.AndAlso(indexed, whole), text.Parameters);
    }

    /// <summary><c>text LIKE 'term%'</c> (SQLite's LIKE ignores case; a NOCASE index serves it).</summary>
    static Expression<Func<T, bool>> StartsWith<T>(Expression<Func<T, string>> text, string term) =>
        Expression.Lambda<Func<T, bool>>(
            Call(typeof(DbFunctionsExtensions), nameof(DbFunctionsExtensions.Like), text.Body, Escaped(term) + "%"), text.Parameters);

    /// <summary>
    /// The longest run of letters and digits of three or more that is not an everyday part of an address; the term
    /// itself when it has none. In an email address, the first label of its domain (the organisation's name) when it
    /// has such a run: people's names repeat across thousands of contacts, so their trigrams are in most of the index,
    /// while a company's name is shared only by its own contacts.
    /// </summary>
    public static string DistinctiveWord(string term)
    {
        var at = term.IndexOf('@');
        if (at >= 0 && Longest(term[(at + 1)..].Split('.')[0]) is { } organisation) return organisation;
        return Longest(term) ?? term;
    }

    static string? Longest(string text) =>
        System.Text.RegularExpressions.Regex.Split(text, @"[^\p{L}\p{N}]+")
            .Where(w => w.Length >= 3 && !Everyday.Contains(w)).OrderByDescending(w => w.Length).FirstOrDefault();

    static readonly HashSet<string> Everyday = new(StringComparer.OrdinalIgnoreCase)
        { "com", "net", "org", "www", "http", "https", "gmail", "googlemail", "hotmail", "outlook", "yahoo", "icloud", "live", "mail" };

    static MethodCallExpression Call(Type functions, string name, Expression text, string pattern)
    {
        var method = functions.GetMethod(name, [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;
        // Held in fields, so EF Core sends them as parameters rather than writing them into the SQL.
        return Expression.Call(method, Expression.Constant(EF.Functions), text,
            Expression.Field(Expression.Constant(new Text(pattern)), nameof(Text.Value)),
            Expression.Field(Expression.Constant(new Text("\\")), nameof(Text.Value)));
    }

    sealed class Text(string value)
    {
        public readonly string Value = value;
    }

    /// <summary>The match of a related row (its contact, its company), through the navigation EF Core turns into a join.</summary>
    static Expression<Func<T, bool>> Via<T, TRelated>(Expression<Func<T, TRelated>> related, Expression<Func<TRelated, bool>> match) =>
        Expression.Lambda<Func<T, bool>>(new ReplacingExpressionVisitor([match.Parameters[0]], [related.Body]).Visit(match.Body), related.Parameters);

    static Expression<Func<T, bool>> Or<T>(params Expression<Func<T, bool>>[] parts)
    {
        var row = parts[0].Parameters[0];
        var body = parts.Select(p => new ReplacingExpressionVisitor([p.Parameters[0]], [row]).Visit(p.Body)).Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<T, bool>>(body, row);
    }

    /// <summary>The term with LIKE's wildcards and escape character escaped.</summary>
    static string Escaped(string term) => term.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    static int? Number(string term) => int.TryParse(term, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}

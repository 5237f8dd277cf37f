using Hermes.Domain;
using Hermes.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Pipedrive.Inbound;

/// <summary>
/// A Pipedrive person is a Hermes <see cref="Contact"/> of the company its organization is (behaviour.md §2). Matched
/// by <c>hermes_id</c>, then <c>pd_person_id</c>, then for one made by hand by <see cref="PipedriveMatching"/>. A
/// person whose organization Hermes doesn't have waits for it; one moved into an organization Pipedrive deleted goes
/// with it. Deals that named the person before it arrived are linked when it does.
/// </summary>
public sealed class Persons(HermesDb db, JobQueue jobs, TimeProvider clock, ILogger<Persons> log) : InboundEntity(db, jobs, clock, log)
{
    protected override async Task<EventOutcome> UpsertAsync(PipedriveEvent e, CancellationToken ct)
    {
        var (id, cur) = (e.Id!.Value, e.Current!);
        var (skip, hermesIds, listed, contact) = await StartUpsertAsync(e, "Contact", Db.Contacts, Linked.For(Db), LinkedWithState.For(Db), c => c.Id, ct);
        if (skip is { } skipped) return skipped;
        string? matchedBy = null;
        // The organization is followed through merges and locked before its company is read (PipedriveEventOrder), as for a create.
        if (contact is null && cur.Int("org_id") is { } ownOrg && (await PipedriveEventOrder.OrganizationAsync(Db, ownOrg, ct)).Company is { } ownCompany)
        {
            // Made by hand in Pipedrive: the company's contact Hermes has already, rather than a twin (PipedriveMatching).
            var match = await PipedriveMatching.PersonAsync(Db, ownCompany.Id, cur, ct);
            if (match.Ambiguity is { } why) return EventOutcome.Ignored($"person {id} {why}; none linked, none created");
            (contact, matchedBy) = (match.Row, match.Rule);
        }

        if (contact is null)
        {
            if (cur.Int("org_id") is not { } orgPdId) return EventOutcome.Ignored($"person {id} has no organization");
            var target = await PipedriveEventOrder.OrganizationAsync(Db, orgPdId, ct);
            if (target.Company is not { } company) return await AwaitOrganization(e, target.PdOrgId, $"person {id}", ct);
            contact = new Contact { PdPersonId = id, CompanyId = company.Id, Created = Now };
            SetName(contact, cur.Str("name"));
            contact.Email = Truncate(cur.Str("email"));
            contact.Phone = Truncate(cur.Str("phone"));
            Db.Contacts.Add(contact);
            await Db.SaveChangesAsync(ct);
            await ApplyCustomFields(e, "Contact", contact, ct);
            await Seen(PipedriveObject.Person, id, e, ct);
            await Db.SaveChangesAsync(ct);
            await LinkWaitingDeals(id, contact.Id, ct);
            return EventOutcome.Applied($"contact {contact.Id} created");
        }

        // A move waits for an organization Hermes doesn't have yet (and is then replayed whole); a move into one that
        // Pipedrive deleted takes the contact away, as that delete took the contacts already there.
        var movedTo = cur.Int("org_id") is { } newOrg ? await PipedriveEventOrder.OrganizationAsync(Db, newOrg, ct) : null;
        if (movedTo is { Deleted: true })
        {
            await Db.Contacts.Where(c => c.Id == contact.Id).ExecuteDeleteAsync(ct);
            Db.Entry(contact).State = EntityState.Detached;
            await Seen(PipedriveObject.Person, id, e, ct);
            return EventOutcome.Applied($"contact {contact.Id} deleted: person {id} moved to organization {movedTo.PdOrgId}, which was deleted in Pipedrive");
        }
        if (movedTo is { Company: null }) return await AwaitOrganization(e, movedTo.PdOrgId, $"person {id}", ct);

        contact.PdPersonId = id;
        if (!string.IsNullOrWhiteSpace(cur.Str("name"))) SetName(contact, cur.Str("name"));
        if (cur.Str("email") is { Length: > 0 } email) contact.Email = Truncate(email);
        if (cur.Str("phone") is { Length: > 0 } phone) contact.Phone = Truncate(phone);
        if (movedTo?.Company is { } newCompany) contact.CompanyId = newCompany.Id;
        await ApplyCustomFields(e, "Contact", contact, ct);
        await Db.SaveChangesAsync(ct);

        var merged = new List<int>();
        foreach (var loser in listed.Where(c => c.Id != contact.Id)) merged.Add(await Merge(contact, loser, ct));
        if (e.MergedFromId is { } fromId && await Db.Contacts.FirstOrDefaultAsync(c => c.PdPersonId == fromId && c.Id != contact.Id, ct) is { } absorbed)
            merged.Add(await Merge(contact, absorbed, ct));
        WriteBackHermesIdIf(merged.Count > 0 || matchedBy is not null, hermesIds, "Contact", contact.Id, contact.CompanyId);
        await Seen(PipedriveObject.Person, id, e, ct);
        await Db.SaveChangesAsync(ct);
        if (matchedBy is not null)
        {
            // Deals that named this person before it was linked take it now, as they would a contact made for it.
            await LinkWaitingDeals(id, contact.Id, ct);
            return EventOutcome.Applied($"contact {contact.Id} linked to person {id} (matched by {matchedBy})");
        }
        return EventOutcome.Applied(merged.Count > 0 ? $"contact {contact.Id} updated; merged {string.Join(", ", merged)} into it" : $"contact {contact.Id} updated");
    }

    protected override async Task<EventOutcome> DeleteAsync(PipedriveEvent e, CancellationToken ct)
    {
        var id = e.Id!.Value;
        var contact = await Db.Contacts.FirstOrDefaultAsync(c => c.PdPersonId == id, ct)
                      ?? (HermesIds(e, "Contact") is { Count: > 0 } ids ? await Db.Contacts.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).FirstOrDefaultAsync(ct) : null);
        if (e.MergedToId is not null) return await MergedAwayAsync(e, contact, Rules, remember: null, ct);
        // Remembered with the contact's TC2 paid recipient, so TC2 bringing the contact back does not make the person again.
        await Deleted(PipedriveObject.Person, id, PipedriveDeletion.Webhook, null, null, ct, contact?.Tc2SrId);
        if (contact is null) return EventOutcome.Ignored($"person {id} is not in Hermes");
        await Db.SaveChangesAsync(ct);
        await Db.Contacts.Where(c => c.Id == contact.Id).ExecuteDeleteAsync(ct);
        return EventOutcome.Applied($"contact {contact.Id} deleted");
    }

    /// <summary>The contact linked to a person (compiled: every person event reads it).</summary>
    static readonly CompiledQuery<Func<HermesDb, int, CancellationToken, Task<Contact?>>> Linked =
        new(() => EF.CompileAsyncQuery((HermesDb db, int pdPersonId, CancellationToken _) => db.Contacts.FirstOrDefault(c => c.PdPersonId == pdPersonId)));

    static readonly CompiledQuery<Func<HermesDb, int, CancellationToken, Task<StateAndRow<Contact>?>>> LinkedWithState =
        new(() => EF.CompileAsyncQuery((HermesDb db, int pdPersonId, CancellationToken _) => (
            from o in db.PipedriveObjects.Where(o => o.Entity == PipedriveObject.Person && o.PdId == pdPersonId)
            join r in db.Contacts on (int?)o.PdId equals r.PdPersonId into linked
            from r in linked.DefaultIfEmpty() // a plain LEFT JOIN: SQLite has no LATERAL
            select new StateAndRow<Contact> { State = o, Row = r }).FirstOrDefault()));

    MergeRules<Contact> Rules => new("Contact", "contact", c => c.Id, c => c.CompanyId,
        (pd, ct) => Linked.For(Db)(Db, pd, ct), (c, pd) => c.PdPersonId = pd, Merge);

    /// <summary>Moves the loser's meetings and deals onto the survivor and deletes the loser.</summary>
    async Task<int> Merge(Contact survivor, Contact loser, CancellationToken ct)
    {
        await Db.SaveChangesAsync(ct);
        await Db.Meetings.Where(m => m.ContactId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ContactId, survivor.Id), ct);
        await Db.Deals.Where(d => d.ContactId == loser.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.ContactId, survivor.Id), ct);
        if (loser.PdPersonId is { } loserPd) await Deleted(PipedriveObject.Person, loserPd, PipedriveDeletion.Merged, survivor.PdPersonId, null, ct);
        await RemoveAsync(loser, loser.Id, ct);
        return loser.Id;
    }

    /// <summary>Deals that named this person before Hermes had it take its contact now.</summary>
    async Task LinkWaitingDeals(int pdPersonId, int contactId, CancellationToken ct)
    {
        var waiting = await DealsWaitingFor(o => o.RefPersonId == pdPersonId, ct);
        await Db.Deals.Where(d => waiting.Contains(d.PdDealId) && d.ContactId == null).ExecuteUpdateAsync(u => u.SetProperty(d => d.ContactId, contactId), ct);
    }

    static void SetName(Contact contact, string? name)
    {
        var parts = (name ?? "").Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        (contact.FirstName, contact.LastName) = parts.Length switch
        {
            0 => (contact.FirstName, contact.LastName),
            1 => (null, Truncate(parts[0])),
            _ => (Truncate(parts[0]), Truncate(parts[1])),
        };
    }
}

using Hermes.Domain;
using Microsoft.EntityFrameworkCore;

namespace Hermes.CallBooker;

/// <summary>The company, contact and (sales) deal a booking is for: found, or new and not yet saved.</summary>
public sealed record BookingPlan(Company Company, Contact Contact, Deal? Deal)
{
    public bool NewCompany => Company.Id == 0;
    public bool NewContact => Contact.Id == 0;
    public bool NewDeal => Deal is { Id: 0 };
}

/// <summary>
/// Finds or prepares the rows a booking needs (behaviour.md §4.1). Nothing is saved here: entities found are tracked
/// by <paramref name="db"/> and new ones are added to it, so the caller's SaveChanges (in its transaction) writes them
/// together with the meeting and its jobs. When several rows match, the lowest id wins and that is logged.
/// </summary>
public sealed class BookingMatcher(TimeProvider clock, ILogger<BookingMatcher> log)
{
    public async Task<BookingPlan> ResolveAsync(HermesDb db, BookingRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (company, contact) = await FindCompanyAsync(db, request, ct);
        if (company is null)
        {
            company = new Company
            {
                Name = request.CompanyName!,
                Created = now,
                SalesPersonId = request.Admin.Id,
                // A company first met through a support call is looked after by that support person.
                SupportPersonId = request.MeetingType == Meeting.TypeSupport ? request.Admin.Id : null,
                BdrPersonId = request.BdrPerson?.Id,
                PricePlan = request.PricePlan,
                Country = request.Country,
                Website = request.Website,
                EstimatedIncome = request.EstimatedIncome,
                Currency = request.Currency,
                UtmCampaign = request.UtmCampaign,
                UtmSource = request.UtmSource,
            };
            db.Companies.Add(company);
        }
        company.HasBookedCall = true;

        contact ??= company.Id == 0 ? null : await FindContactAsync(db, company.Id, request, ct);
        if (contact is null)
        {
            contact = new Contact
            {
                Company = company,
                Created = now,
                FirstName = request.FirstName,
                LastName = request.LastName,
                Email = request.Email,
                Phone = request.Phone,
                Country = request.Country,
            };
            db.Contacts.Add(contact);
        }
        else if (string.IsNullOrEmpty(contact.Email) && request.Email is not null)
        {
            // The one change made to a contact Hermes already has: an address to send the invitation to.
            contact.Email = request.Email;
        }

        Deal? deal = null;
        if (request.MeetingType == Meeting.TypeSales)
        {
            if (company.Id != 0)
                deal = await db.Deals.Where(d => d.CompanyId == company.Id && d.Status == Deal.StatusOpen).OrderBy(d => d.Id).FirstOrDefaultAsync(ct);
            deal ??= await NewDealAsync(db, company, contact, ct);
        }
        return new BookingPlan(company, contact, deal);
    }

    async Task<(Company?, Contact?)> FindCompanyAsync(HermesDb db, BookingRequest request, CancellationToken ct)
    {
        if (request.CompanyId is { } id)
            return (await db.Companies.FirstAsync(c => c.Id == id, ct), null);
        if (request.Email is { } email)
        {
            // lower(email) = @email: the expression index contact_email_ci_idx (the request's email is lower-cased already).
            var byEmail = await Lowest(db.Contacts.Where(c => c.Email != null && c.Email.ToLower() == email), "contact email", email, ct);
            if (byEmail is not null) return (await db.Companies.FirstAsync(c => c.Id == byEmail.CompanyId, ct), byEmail);
        }
        if (request.Phone is { } phone)
        {
            var byPhone = await Lowest(db.Contacts.Where(c => c.Phone == phone), "contact phone", phone, ct);
            if (byPhone is not null) return (await db.Companies.FirstAsync(c => c.Id == byPhone.CompanyId, ct), byPhone);
        }
        if (request.CompanyName is { } name)
        {
            // Trimmed and case-insensitive, written as the expression index company_name_ci_idx is built (migration 0008),
            // so a million companies cost one index lookup.
            var key = name.Trim().ToLowerInvariant();
            var matches = await db.Companies.Where(c => c.Name.Trim().ToLower() == key).OrderBy(c => c.Id).Take(5).ToListAsync(ct);
            if (matches.Count > 1)
                log.LogWarning("Booking: {Count} companies are named {Name} ({Ids}); using the lowest id", matches.Count, name,
                    string.Join(", ", matches.Select(m => m.Id)));
            if (matches.Count > 0) return (matches[0], null);
        }
        return (null, null);
    }

    async Task<Contact?> FindContactAsync(HermesDb db, int companyId, BookingRequest request, CancellationToken ct)
    {
        var inCompany = db.Contacts.Where(c => c.CompanyId == companyId);
        if (request.Email is { } email)
        {
            var byEmail = await Lowest(inCompany.Where(c => c.Email != null && c.Email.ToLower() == email), "contact email in company", email, ct);
            if (byEmail is not null) return byEmail;
        }
        var last = request.LastName.ToLowerInvariant();
        return await Lowest(inCompany.Where(c => c.LastName != null && c.LastName.ToLower() == last), "contact last name in company", last, ct);
    }

    async Task<Contact?> Lowest(IQueryable<Contact> query, string what, string value, CancellationToken ct)
    {
        var matches = await query.OrderBy(c => c.Id).Take(5).ToListAsync(ct);
        if (matches.Count > 1)
            log.LogWarning("Booking: {Count} contacts match {What} {Value} ({Ids}); using the lowest id", matches.Count, what, value,
                string.Join(", ", matches.Select(m => m.Id)));
        return matches.FirstOrDefault();
    }

    async Task<Deal> NewDealAsync(HermesDb db, Company company, Contact contact, CancellationToken ct)
    {
        var config = await db.Configs.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(ct);
        var pipelineId = config?.PipelineIdFor(company.PricePlan);
        var pipeline = pipelineId is null ? null : await db.Pipelines.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pipelineId, ct);
        if (pipeline?.DftEntryStageId is null)
            log.LogWarning("Booking: no pipeline with an entry stage is configured for the {Plan} plan; the deal for {Company} has none",
                company.PricePlan, company.Name);
        var deal = new Deal
        {
            Name = company.Name,
            Status = Deal.StatusOpen,
            Company = company,
            Contact = contact,
            AdminId = company.SalesPersonId,
            PipelineId = pipeline?.Id,
            StageId = pipeline?.DftEntryStageId,
        };
        db.Deals.Add(deal);
        return deal;
    }
}

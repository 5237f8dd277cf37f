using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Hermes.Tests.Sync;

namespace Hermes.Tests.Tc2;

/// <summary>Row shapes and arrangements the TC2 tests share.</summary>
public abstract class Tc2Test : SyncTest
{
    /// <summary>Every company column the TC2 rules touch.</summary>
    protected static (int, string, int?, int?, string, string?, string?, int, string, bool?, bool, int, int?, int?, int?) Row(Company c) =>
        (c.Id, c.Name, c.Tc2AgencyId, c.Tc2CligencyId, c.Tc2Status, c.Country, c.Website, c.PaidInvoiceCount, c.PricePlan, c.Narc, c.HasSignedUp,
            c.SalesPersonId, c.SupportPersonId, c.BdrPersonId, c.PdOrgId);

    protected static (int, int, int?, string?, string?, string?, string?, int?) Row(Contact c) =>
        (c.Id, c.CompanyId, c.Tc2SrId, c.FirstName, c.LastName, c.Email, c.Phone, c.PdPersonId);

    protected static (int, int, string?, string, int, int?, int?, int?, int?) Row(Deal d) =>
        (d.Id, d.CompanyId, d.Name, d.Status, d.AdminId, d.PipelineId, d.StageId, d.ContactId, d.PdDealId);

    protected async Task<Company> NewCompany(string name = "Julies Ltd", int? cligency = 10, int? agency = 20, int? pdOrgId = null, string status = "trial",
        int paidInvoices = 0, string? website = "https://junes.com", int? salesPersonId = null) =>
        await Save(new Company
        {
            Name = name, Tc2CligencyId = cligency, Tc2AgencyId = agency, PdOrgId = pdOrgId, Tc2Status = status, PaidInvoiceCount = paidInvoices,
            Country = "GB", Website = website, SalesPersonId = salesPersonId ?? Sales.Id, Created = Now, HasSignedUp = cligency is not null,
        });

    protected async Task<Contact> NewContact(Company company, string? first = "Mary", string last = "Booth", string? email = "mary@booth.com",
        int? tc2SrId = 40, int? pdPersonId = null, string? phone = null) =>
        await Save(new Contact
        {
            FirstName = first, LastName = last, Email = email, Tc2SrId = tc2SrId, PdPersonId = pdPersonId, Phone = phone, CompanyId = company.Id, Created = Now,
        });

    protected async Task<Deal> NewDeal(Company company, Contact? contact = null, string status = Deal.StatusOpen, int? pdDealId = null, string? name = null) =>
        await Save(new Deal
        {
            Name = name ?? company.Name, Status = status, AdminId = Sales.Id, CompanyId = company.Id, ContactId = contact?.Id,
            PipelineId = Payg.Id, StageId = PaygNew.Id, PdDealId = pdDealId,
        });

    /// <summary>An organization a user made in Pipedrive (no webhook), with the given custom field values.</summary>
    protected long PdOrg(string name, JsonObject? custom = null, long owner = 10) =>
        Pd.Create("organizations", new JsonObject { ["name"] = name, ["owner_id"] = owner, ["custom_fields"] = custom ?? new JsonObject() }, notify: false)["id"]!.AsLong();

    protected long PdPerson(string name, long? orgId, string? email, JsonObject? custom = null)
    {
        var body = new JsonObject { ["name"] = name, ["owner_id"] = 10, ["custom_fields"] = custom ?? new JsonObject() };
        if (orgId is not null) body["org_id"] = orgId;
        if (email is not null) body["emails"] = new JsonArray(new JsonObject { ["value"] = email, ["primary"] = true });
        return Pd.Create("persons", body, notify: false)["id"]!.AsLong();
    }

    protected long PdDeal(string title, long orgId, long? personId, string status = "open", JsonObject? custom = null)
    {
        var body = new JsonObject
        {
            ["title"] = title, ["org_id"] = orgId, ["owner_id"] = 10, ["pipeline_id"] = Payg.PdPipelineId, ["stage_id"] = PaygNew.PdStageId,
            ["status"] = status, ["custom_fields"] = custom ?? new JsonObject(),
        };
        if (personId is not null) body["person_id"] = personId;
        return Pd.Create("deals", body, notify: false)["id"]!.AsLong();
    }
}

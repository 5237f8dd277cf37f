namespace Hermes.Domain;

/// <summary>A prospect or customer. In TC2 a Cligency (meta client + agency); in Pipedrive an Organization.</summary>
public class Company
{
    public const string StatusPendingEmailConf = "pending_email_conf";
    public const string StatusTrial = "trial";
    public const string PlanPayg = "payg";
    public const string PlanStartup = "startup";
    public const string PlanEnterprise = "enterprise";
    public static readonly string[] PricePlans = [PlanPayg, PlanStartup, PlanEnterprise];

    public int Id { get; set; }
    public string Name { get; set; } = "";
    public int? Tc2AgencyId { get; set; }
    public int? Tc2CligencyId { get; set; }
    public string Tc2Status { get; set; } = StatusPendingEmailConf;
    public int? PdOrgId { get; set; }
    public DateTime Created { get; set; }
    public string PricePlan { get; set; } = PlanPayg;
    public string? Country { get; set; }
    public string? Website { get; set; }
    public int PaidInvoiceCount { get; set; }
    public string? EstimatedIncome { get; set; }
    public string? Currency { get; set; }
    public bool HasBookedCall { get; set; }
    public bool HasSignedUp { get; set; }
    public string? UtmCampaign { get; set; }
    public string? UtmSource { get; set; }
    public bool? Narc { get; set; } = false;
    /// <summary>JSON text (jsonb on PostgreSQL), as TC2 sends it.</summary>
    public string? SignupQuestionnaire { get; set; }

    public int SalesPersonId { get; set; }
    public Admin? SalesPerson { get; set; }
    public int? SupportPersonId { get; set; }
    public Admin? SupportPerson { get; set; }
    public int? BdrPersonId { get; set; }
    public Admin? BdrPerson { get; set; }

    public List<Contact> Contacts { get; set; } = [];
    public List<Deal> Deals { get; set; } = [];
}

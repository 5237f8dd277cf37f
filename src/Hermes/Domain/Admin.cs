namespace Hermes.Domain;

/// <summary>A TutorCruncher staff member: a sales, support or BDR person; a Pipedrive user (owner) and a TC2 admin.</summary>
public class Admin
{
    public int Id { get; set; }
    public int? Tc2AdminId { get; set; }
    public int? PdOwnerId { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    /// <summary>The admin's real email address (hermes_v2 kept it in <c>username</c>).</summary>
    public string Username { get; set; } = "";
    public string Timezone { get; set; } = "Europe/London";
    public bool IsSalesPerson { get; set; }
    public bool IsSupportPerson { get; set; }
    public bool IsBdrPerson { get; set; }
    public bool SellsPayg { get; set; }
    public bool SellsStartup { get; set; }
    public bool SellsEnterprise { get; set; }
    public bool SellsUs { get; set; }
    public bool SellsGb { get; set; }
    public bool SellsAu { get; set; }
    public bool SellsCa { get; set; }
    public bool SellsEu { get; set; }
    public bool SellsRow { get; set; }
    /// <summary>Password hash for the admin UI; null when the admin cannot sign in.</summary>
    public string? Password { get; set; }

    public string Email => Username;
    public string Name => $"{FirstName} {LastName}".Trim();
}

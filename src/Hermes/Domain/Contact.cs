namespace Hermes.Domain;

/// <summary>A person at a Company. In TC2 a paid recipient (SR); in Pipedrive a Person.</summary>
public class Contact
{
    public int Id { get; set; }
    public int? Tc2SrId { get; set; }
    public int? PdPersonId { get; set; }
    public DateTime Created { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Country { get; set; }

    public int CompanyId { get; set; }
    public Company? Company { get; set; }

    public string? Name => string.IsNullOrEmpty(FirstName) ? LastName : $"{FirstName} {LastName}";
}

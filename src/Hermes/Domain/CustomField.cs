namespace Hermes.Domain;

/// <summary>Maps one extra field between Hermes, TC2 (<c>extra_attrs</c>) and Pipedrive (custom field key).</summary>
public class CustomField
{
    public const string TypeInt = "int";
    public const string TypeStr = "str";
    public const string TypeBool = "bool";
    public const string TypeFk = "fk_field";

    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string? MachineName { get; set; }
    public string FieldType { get; set; } = TypeStr;
    /// <summary>A Company/Contact/Deal column (or <c>id</c>) holding the value; null → the value is a <see cref="CustomFieldValue"/>.</summary>
    public string? HermesFieldName { get; set; }
    public string? Tc2MachineName { get; set; }
    public string? PdFieldId { get; set; }
    /// <summary>Company, Contact, Deal or Meeting.</summary>
    public string LinkedObjectType { get; set; } = "Company";
}

public class CustomFieldValue
{
    public int Id { get; set; }
    public int CustomFieldId { get; set; }
    public CustomField? CustomField { get; set; }
    public int? CompanyId { get; set; }
    public int? ContactId { get; set; }
    public int? DealId { get; set; }
    public int? MeetingId { get; set; }
    public string? Value { get; set; }
}

using System.Text.Json.Serialization;
using Hermes.Domain;

namespace Hermes.Sales;

/// <summary>An admin as the round robin answers it (contract.md §2), keys in this order; never the password.</summary>
public record AdminJson(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("tc2_admin_id")] int? Tc2AdminId,
    [property: JsonPropertyName("pd_owner_id")] int? PdOwnerId,
    [property: JsonPropertyName("first_name")] string FirstName,
    [property: JsonPropertyName("last_name")] string LastName,
    [property: JsonPropertyName("timezone")] string Timezone,
    [property: JsonPropertyName("is_sales_person")] bool IsSalesPerson,
    [property: JsonPropertyName("is_support_person")] bool IsSupportPerson,
    [property: JsonPropertyName("is_bdr_person")] bool IsBdrPerson,
    [property: JsonPropertyName("sells_payg")] bool SellsPayg,
    [property: JsonPropertyName("sells_startup")] bool SellsStartup,
    [property: JsonPropertyName("sells_enterprise")] bool SellsEnterprise,
    [property: JsonPropertyName("sells_us")] bool SellsUs,
    [property: JsonPropertyName("sells_gb")] bool SellsGb,
    [property: JsonPropertyName("sells_au")] bool SellsAu,
    [property: JsonPropertyName("sells_ca")] bool SellsCa,
    [property: JsonPropertyName("sells_eu")] bool SellsEu,
    [property: JsonPropertyName("sells_row")] bool SellsRow)
{
    public static AdminJson From(Admin a) => new(a.Id, a.Username, a.Tc2AdminId, a.PdOwnerId, a.FirstName, a.LastName, a.Timezone,
        a.IsSalesPerson, a.IsSupportPerson, a.IsBdrPerson, a.SellsPayg, a.SellsStartup, a.SellsEnterprise,
        a.SellsUs, a.SellsGb, a.SellsAu, a.SellsCa, a.SellsEu, a.SellsRow);
}

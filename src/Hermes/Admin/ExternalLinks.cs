using Hermes.Configuration;

namespace Hermes.AdminUi;

/// <summary>Links from Hermes records to the same records in Pipedrive and TC2, when their base URLs are configured.</summary>
public sealed class ExternalLinks(HermesSettings settings)
{
    public string? PipedriveOrganization(int? id) => Pd("organization", id);
    public string? PipedrivePerson(int? id) => Pd("person", id);
    public string? PipedriveDeal(int? id) => Pd("deal", id);
    public string? Tc2Client(int? cligencyId) =>
        cligencyId is { } id && settings.Tc2BaseUrl.Length > 0 ? $"{settings.Tc2BaseUrl}/clients/{id}/" : null;

    string? Pd(string kind, int? id) =>
        id is { } value && settings.PdBaseUrl.Length > 0 ? $"{settings.PdBaseUrl}/{kind}/{value}/" : null;
}

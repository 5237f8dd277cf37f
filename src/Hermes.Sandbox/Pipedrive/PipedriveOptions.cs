namespace Hermes.Sandbox.Pipedrive;

public sealed class PipedriveOptions
{
    /// <summary>The API token clients must send in <c>x-api-token</c>.</summary>
    public string ApiToken { get; set; } = "sandbox-pipedrive-token";
    /// <summary>The user the token belongs to: default owner and creator of what the API creates.</summary>
    public long ApiUserId { get; set; } = 1;
    public string ApiUserName { get; set; } = "Sandbox API user";
    public string ApiUserEmail { get; set; } = "api-user@example.com";
    public long CompanyId { get; set; } = 7001;
    /// <summary>Webhooks' <c>meta.host</c>.</summary>
    public string CompanyDomain { get; set; } = "hermes-sandbox";
    public string DefaultCurrency { get; set; } = "GBP";
}

/// <summary>
/// Pipedrive's burst limits per API token over a rolling 2-second window (research/external_apis.md §C): 20 for the
/// cheapest plan's API tokens and, separately, 10 for the search endpoints. Changeable at any time.
/// </summary>
public sealed class PipedriveRateLimits
{
    public bool Enabled { get; set; } = true;
    public int General { get; set; } = 20;
    public int Search { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(2);
}

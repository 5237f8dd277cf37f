using Microsoft.AspNetCore.Mvc;

namespace Hermes.Operations.Input;

/// <summary>
/// One input-hygiene layer for every door. JSON bodies (webhooks, the booking API) are read with
/// <see cref="StrictJson"/> by their endpoints, which answer in their own contract's shape; query strings are checked
/// by <see cref="QueryStrings"/> before routing; admin form posts by <see cref="FormFields"/>; and every stored string
/// fits its column (<see cref="StoredText"/>).
/// </summary>
public static class InputHygiene
{
    public static IServiceCollection AddInputHygiene(this IServiceCollection services)
    {
        services.AddSingleton<ColumnLimits>();
        services.AddSingleton<StoredText>();
        services.Configure<MvcOptions>(o => o.Filters.Add<FormFields>());
        return services;
    }
}

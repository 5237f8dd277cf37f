using Hermes.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hermes.AdminUi.Pages.Jobs;

/// <summary>POST only: cancels a job that is still pending (as <c>jobs cancel ID --apply</c>).</summary>
public class CancelModel(JobMaintenance maintenance) : PageModel
{
    public IActionResult OnGet() => Redirect("/job/list?status=pending");

    public async Task<IActionResult> OnPostAsync(long id, string? returnUrl, CancellationToken ct)
    {
        var cancelled = await maintenance.CancelAsync(id, User.Identity?.Name ?? "an admin", ct);
        TempData["Flash"] = cancelled ? $"Job {id} is cancelled: it will not run." : $"Job {id} was not pending any more; nothing to cancel.";
        return LocalRedirect(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/job/list");
    }
}

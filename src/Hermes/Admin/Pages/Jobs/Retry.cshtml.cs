using Hermes.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hermes.AdminUi.Pages.Jobs;

/// <summary>POST only: puts a failed job back on the queue with fresh attempts.</summary>
public class RetryModel(JobStore store, JobSignal signal, ILogger<RetryModel> log) : PageModel
{
    public IActionResult OnGet() => Redirect("/job/list?status=failed");

    public async Task<IActionResult> OnPostAsync(long id, string? returnUrl, CancellationToken ct)
    {
        var retried = await store.RetryFailedAsync(id, ct);
        if (retried)
        {
            signal.Wake();
            log.LogInformation("Job {JobId} retried by {Admin}", id, User.Identity?.Name);
        }
        TempData["Flash"] = retried ? $"Job {id} is queued again." : $"Job {id} was not failed any more; nothing to retry.";
        return LocalRedirect(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/job/list");
    }
}

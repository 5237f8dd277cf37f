using Hermes.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hermes.AdminUi.Pages.Jobs;

/// <summary>POST only: queues every failed job of one kind again with fresh attempts (as <c>jobs retry-failed --kind K --apply</c>).</summary>
public class RetryFailedModel(JobMaintenance maintenance) : PageModel
{
    public IActionResult OnGet() => Redirect("/job/list?status=failed");

    public async Task<IActionResult> OnPostAsync(string? kind, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(kind)) return BadRequest("kind is required");
        var outcomes = await maintenance.RetryFailedAsync(kind, apply: true, by: User.Identity?.Name ?? "an admin", ct);
        var retried = outcomes.Count(o => o.Retried);
        TempData["Flash"] = retried == 0
            ? $"No failed {kind} jobs to retry."
            : $"{retried} failed {kind} job{(retried == 1 ? " is" : "s are")} queued again.";
        return LocalRedirect("/job/list?status=failed");
    }
}

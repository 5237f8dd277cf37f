using System.Text.Json;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hermes.AdminUi.Pages.Webhooks;

public class DetailModel(HermesDb db, Hermes.Operations.WebhookReplay replay, ILogger<DetailModel> log) : PageModel
{
    /// <summary>Applies the stored webhook again (as <c>webhooks replay ID --apply</c>) and shows what came of it.</summary>
    public async Task<IActionResult> OnPostReplayAsync(long id, CancellationToken ct)
    {
        var outcome = (await replay.RunAsync([id], apply: true, ct))[0];
        if (outcome.Webhook is null) return NotFound();
        log.LogInformation("Webhook {WebhookId} replayed by {Admin}: {Outcome}", id, User.Identity?.Name, outcome.After);
        TempData["Flash"] = $"Webhook {id} replayed: {outcome.After}{(outcome.Detail.Length > 0 ? $" ({outcome.Detail})" : "")}.";
        return LocalRedirect($"/webhook/{id}");
    }

    public WebhookLog Webhook { get; private set; } = null!;
    public string Body { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var webhook = await db.WebhookLogs.FindAsync(id);
        if (webhook is null) return NotFound();
        Webhook = webhook;
        try
        {
            using var doc = JsonDocument.Parse(webhook.Body);
            Body = JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (JsonException)
        {
            Body = webhook.Body;
        }
        return Page();
    }
}

using System.Text.Json;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hermes.AdminUi.Pages.Webhooks;

public class DetailModel(HermesDb db) : PageModel
{
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

using System.ComponentModel.DataAnnotations;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Config;

/// <summary>The single <c>config</c> row: call booker timings and the pipeline each price plan's deals go to.</summary>
public class EditModel(HermesDb db, ILogger<EditModel> log) : PageModel
{
    public sealed class ConfigInput
    {
        [Display(Name = "Meeting length (minutes)")] public int? MeetingDurMins { get; set; }
        [Display(Name = "Buffer between meetings (minutes)")] public int? MeetingBufferMins { get; set; }
        [Display(Name = "Earliest start (HH:MM)")] public string? MeetingMinStart { get; set; }
        [Display(Name = "Latest end (HH:MM)")] public string? MeetingMaxEnd { get; set; }
        [Display(Name = "PAYG pipeline")] public int? PaygPipelineId { get; set; }
        [Display(Name = "Startup pipeline")] public int? StartupPipelineId { get; set; }
        [Display(Name = "Enterprise pipeline")] public int? EnterprisePipelineId { get; set; }
    }

    [BindProperty] public ConfigInput Input { get; set; } = new();
    public List<Pipeline> Pipelines { get; private set; } = [];
    public int? ConfigId { get; private set; }

    public async Task OnGetAsync()
    {
        var config = await db.Configs.OrderBy(c => c.Id).FirstOrDefaultAsync() ?? new Domain.Config();
        ConfigId = config.Id == 0 ? null : config.Id;
        Input = new ConfigInput
        {
            MeetingDurMins = config.MeetingDurMins, MeetingBufferMins = config.MeetingBufferMins,
            MeetingMinStart = config.MeetingMinStart, MeetingMaxEnd = config.MeetingMaxEnd,
            PaygPipelineId = config.PaygPipelineId, StartupPipelineId = config.StartupPipelineId,
            EnterprisePipelineId = config.EnterprisePipelineId,
        };
        Pipelines = await db.Pipelines.OrderBy(p => p.Name).ToListAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var input = Input;
        Pipelines = await db.Pipelines.OrderBy(p => p.Name).ToListAsync();
        if (input.MeetingDurMins is not (>= 5 and <= 480) && ModelState.GetFieldValidationState("Input.MeetingDurMins") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
            ModelState.AddModelError("Input.MeetingDurMins", "Enter a whole number of minutes from 5 to 480.");
        if (input.MeetingBufferMins is not (>= 0 and <= 240) && ModelState.GetFieldValidationState("Input.MeetingBufferMins") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
            ModelState.AddModelError("Input.MeetingBufferMins", "Enter a whole number of minutes from 0 to 240.");
        var startOk = AdminForm.TryParseTime(input.MeetingMinStart, out var start);
        var endOk = AdminForm.TryParseTime(input.MeetingMaxEnd, out var end);
        if (!startOk) ModelState.AddModelError("Input.MeetingMinStart", "Enter a time as HH:MM, from 00:00 to 23:59 (e.g. 10:00).");
        if (!endOk) ModelState.AddModelError("Input.MeetingMaxEnd", "Enter a time as HH:MM, from 00:00 to 23:59 (e.g. 17:30).");
        if (startOk && endOk && start >= end)
            ModelState.AddModelError("Input.MeetingMaxEnd", "The latest end must be after the earliest start.");
        else if (startOk && endOk && input.MeetingDurMins is { } dur && (end - start).TotalMinutes < dur)
            ModelState.AddModelError("Input.MeetingMaxEnd", $"The working window is shorter than one {dur}-minute meeting.");
        foreach (var (field, id) in new[] { ("PaygPipelineId", input.PaygPipelineId), ("StartupPipelineId", input.StartupPipelineId), ("EnterprisePipelineId", input.EnterprisePipelineId) })
            if (id is { } pid && Pipelines.All(p => p.Id != pid))
                ModelState.AddModelError($"Input.{field}", "Choose a pipeline from the list.");
        if (!ModelState.IsValid)
        {
            ConfigId = await db.Configs.OrderBy(c => c.Id).Select(c => (int?)c.Id).FirstOrDefaultAsync();
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var config = await db.Configs.OrderBy(c => c.Id).FirstOrDefaultAsync();
        if (config is null) db.Configs.Add(config = new Domain.Config());
        config.MeetingDurMins = input.MeetingDurMins!.Value;
        config.MeetingBufferMins = input.MeetingBufferMins!.Value;
        config.MeetingMinStart = start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        config.MeetingMaxEnd = end.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        config.PaygPipelineId = input.PaygPipelineId;
        config.StartupPipelineId = input.StartupPipelineId;
        config.EnterprisePipelineId = input.EnterprisePipelineId;
        await db.SaveChangesAsync();
        log.LogInformation("Config saved: {Duration} min meetings, {Buffer} min buffer, {Start}-{End}, pipelines {Payg}/{Startup}/{Enterprise}",
            config.MeetingDurMins, config.MeetingBufferMins, config.MeetingMinStart, config.MeetingMaxEnd,
            config.PaygPipelineId, config.StartupPipelineId, config.EnterprisePipelineId);
        TempData["Flash"] = "Config saved. The call booker uses it from now on.";
        return Redirect("/config/list");
    }
}

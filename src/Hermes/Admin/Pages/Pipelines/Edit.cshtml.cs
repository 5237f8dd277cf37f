using System.ComponentModel.DataAnnotations;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.Pipelines;

public class EditModel(HermesDb db, ILogger<EditModel> log) : PageModel
{
    public sealed class PipelineInput
    {
        [StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Name { get; set; }
        [Display(Name = "Pipedrive pipeline id")] public int? PdPipelineId { get; set; }
        [Display(Name = "Default entry stage")] public int? DftEntryStageId { get; set; }
    }

    [BindProperty] public PipelineInput Input { get; set; } = new();
    public int Id { get; private set; }
    public List<Stage> Stages { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var pipeline = await db.Pipelines.FindAsync(id);
        if (pipeline is null) return NotFound();
        Id = id;
        Input = new PipelineInput { Name = pipeline.Name, PdPipelineId = pipeline.PdPipelineId, DftEntryStageId = pipeline.DftEntryStageId };
        Stages = await db.Stages.OrderBy(s => s.Name).ToListAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        var pipeline = await db.Pipelines.FindAsync(id);
        if (pipeline is null) return NotFound();
        Id = id;
        Stages = await db.Stages.OrderBy(s => s.Name).ToListAsync();
        if (string.IsNullOrWhiteSpace(Input.Name)) ModelState.AddModelError("Input.Name", "Enter a name.");
        if (ModelState.GetFieldValidationState("Input.PdPipelineId") != ModelValidationState.Invalid)
        {
            if (Input.PdPipelineId is not > 0) ModelState.AddModelError("Input.PdPipelineId", "Enter the pipeline's id in Pipedrive (a positive number).");
            else if (await db.Pipelines.AnyAsync(p => p.PdPipelineId == Input.PdPipelineId && p.Id != id))
                ModelState.AddModelError("Input.PdPipelineId", "Another pipeline already has this Pipedrive id.");
        }
        if (Input.DftEntryStageId is { } sid && Stages.All(s => s.Id != sid))
            ModelState.AddModelError("Input.DftEntryStageId", "Choose a stage from the list.");
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        pipeline.Name = Input.Name!.Trim();
        pipeline.PdPipelineId = Input.PdPipelineId!.Value;
        pipeline.DftEntryStageId = Input.DftEntryStageId;
        await db.SaveChangesAsync();
        log.LogInformation("Pipeline {PipelineId} saved: {Name}, Pipedrive {PdId}, default stage {StageId}", id, pipeline.Name, pipeline.PdPipelineId, pipeline.DftEntryStageId);
        TempData["Flash"] = $"Saved pipeline {pipeline.Name}.";
        return Redirect("/pipeline/list");
    }
}

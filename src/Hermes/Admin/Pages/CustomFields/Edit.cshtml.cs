using System.ComponentModel.DataAnnotations;
using Hermes.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Hermes.AdminUi.Pages.CustomFields;

/// <summary>
/// <c>/customfield/create</c> and <c>/customfield/update/{id}</c>. The row is all there is: the integrations read the
/// <c>customfield</c> table when they run, so a change is used by the next webhook or sync without a restart.
/// </summary>
public class EditModel(HermesDb db, ILogger<EditModel> log) : PageModel
{
    public sealed class FieldInput
    {
        [StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Name { get; set; }
        [Display(Name = "Machine name"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? MachineName { get; set; }
        [Display(Name = "Field type")] public string? FieldType { get; set; }
        [Display(Name = "Linked object")] public string? LinkedObjectType { get; set; }
        [Display(Name = "Hermes field name"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? HermesFieldName { get; set; }
        [Display(Name = "TC2 machine name"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? Tc2MachineName { get; set; }
        [Display(Name = "Pipedrive field id"), StringLength(255, ErrorMessage = AdminForm.TooLong)] public string? PdFieldId { get; set; }
    }

    [BindProperty] public FieldInput Input { get; set; } = new();
    public int? Id { get; private set; }
    public Tally ValueCount { get; private set; }
    public Dictionary<string, IReadOnlyList<string>> Columns { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? id)
    {
        Prepare();
        if (id is null)
        {
            Input = new FieldInput { FieldType = CustomField.TypeStr, LinkedObjectType = "Company" };
            return Page();
        }
        var field = await db.CustomFields.FindAsync(id);
        if (field is null) return NotFound();
        await Describe(field);
        Input = new FieldInput
        {
            Name = field.Name, MachineName = field.MachineName, FieldType = field.FieldType, LinkedObjectType = field.LinkedObjectType,
            HermesFieldName = field.HermesFieldName, Tc2MachineName = field.Tc2MachineName, PdFieldId = field.PdFieldId,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id)
    {
        Prepare();
        CustomField? field = null;
        if (id is not null && (field = await db.CustomFields.FindAsync(id)) is null) return NotFound();
        var input = Input;
        static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        input.Name = Clean(input.Name);
        input.MachineName = Clean(input.MachineName);
        input.HermesFieldName = Clean(input.HermesFieldName);
        input.Tc2MachineName = Clean(input.Tc2MachineName);
        input.PdFieldId = Clean(input.PdFieldId);
        if (input.Name is null) ModelState.AddModelError("Input.Name", "Enter a name.");
        var machine = input.MachineName ?? (input.Name is null ? null : CustomFieldRules.MachineNameFrom(input.Name));
        if (machine is not null && !CustomFieldRules.IsMachineName(machine))
            ModelState.AddModelError("Input.MachineName", "Use lower-case letters, digits and underscores only (e.g. estimated_income).");
        var allowedTypes = CustomFieldRules.FieldTypes.Append(field?.FieldType).ToList();
        if (input.FieldType is null || !allowedTypes.Contains(input.FieldType))
            ModelState.AddModelError("Input.FieldType", $"Choose one of {string.Join(", ", CustomFieldRules.FieldTypes)}.");
        if (input.LinkedObjectType is null || !CustomFieldRules.ObjectTypes.Contains(input.LinkedObjectType))
            ModelState.AddModelError("Input.LinkedObjectType", $"Choose one of {string.Join(", ", CustomFieldRules.ObjectTypes)}.");
        else
        {
            if (input.HermesFieldName is not null && !Columns[input.LinkedObjectType].Contains(input.HermesFieldName))
                ModelState.AddModelError("Input.HermesFieldName", $"{input.LinkedObjectType} has no column '{input.HermesFieldName}'. Leave it empty to keep values in the value table.");
            if (machine is not null && await db.CustomFields.AnyAsync(f => f.MachineName == machine && f.LinkedObjectType == input.LinkedObjectType && f.Id != (id ?? 0)))
                ModelState.AddModelError("Input.MachineName", $"Another {input.LinkedObjectType} field already has the machine name '{machine}'.");
            if (input.PdFieldId is not null && await db.CustomFields.AnyAsync(f => f.PdFieldId == input.PdFieldId && f.LinkedObjectType == input.LinkedObjectType && f.Id != (id ?? 0)))
                ModelState.AddModelError("Input.PdFieldId", $"Another {input.LinkedObjectType} field already uses this Pipedrive field id.");
        }
        if (!ModelState.IsValid)
        {
            if (field is not null) await Describe(field);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var creating = field is null;
        field ??= db.CustomFields.Add(new CustomField()).Entity;
        field.Name = input.Name!;
        field.MachineName = machine;
        field.FieldType = input.FieldType!;
        field.LinkedObjectType = input.LinkedObjectType!;
        field.HermesFieldName = input.HermesFieldName;
        field.Tc2MachineName = input.Tc2MachineName;
        field.PdFieldId = input.PdFieldId;
        await db.SaveChangesAsync();
        log.LogInformation("Custom field {FieldId} {Action}: {Object}.{Machine} pd={PdField} tc2={Tc2} hermes={Hermes}", field.Id,
            creating ? "created" : "updated", field.LinkedObjectType, field.MachineName, field.PdFieldId, field.Tc2MachineName, field.HermesFieldName);
        TempData["Flash"] = $"{(creating ? "Added" : "Saved")} custom field {field.Name} ({field.LinkedObjectType}). It is used from the next webhook or sync on.";
        return Redirect("/customfield/list");
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id)
    {
        var field = await db.CustomFields.FindAsync(id);
        if (field is null) return NotFound();
        db.CustomFields.Remove(field); // its values go with it (ON DELETE CASCADE)
        await db.SaveChangesAsync();
        log.LogInformation("Custom field {FieldId} {Object}.{Machine} deleted", id, field.LinkedObjectType, field.MachineName);
        TempData["Flash"] = $"Deleted custom field {field.Name} ({field.LinkedObjectType}) and its values.";
        return Redirect("/customfield/list");
    }

    void Prepare() => Columns = CustomFieldRules.ObjectTypes.ToDictionary(t => t, t => CustomFieldRules.HermesColumns(db, t));

    async Task Describe(CustomField field)
    {
        Id = field.Id;
        ValueCount = await Tally.CountAsync(db.CustomFieldValues.Where(v => v.CustomFieldId == field.Id), null, default);
    }
}

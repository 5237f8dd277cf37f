using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Configuration;
using Hermes.Domain;
using Microsoft.EntityFrameworkCore;
using Hermes.Operations;

namespace Hermes.CallBooker;

/// <summary>
/// The website's booker pages, served by Hermes under <c>/book-a-call/</c> (behaviour.md §9): the sales index, one
/// booker page for every admin (<c>/book-a-call/{admin_id}/</c>, the URL Hermes puts in support links), and the reps
/// file the pages read. The pages are static (wwwroot/book-a-call) and call the API like any website would, so the
/// website can host the same files and point them at Hermes.
/// </summary>
public static class WebsiteBooker
{
    public const string Path = "/book-a-call";

    public static IEndpointRouteBuilder MapWebsiteBooker(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("Website booker").ExcludeFromDescription();
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        // Routing ignores a trailing slash, but the pages' links are relative to /book-a-call/ and /book-a-call/{id}/,
        // so a request without it is redirected to it.
        group.MapMethods("/", read, (HttpRequest request, IWebHostEnvironment env) => Page(request, env, "index.html"));
        group.MapMethods("/{adminId:int}/", read, (int adminId, HttpRequest request, IWebHostEnvironment env) => Page(request, env, "booker.html"));
        group.MapMethods("/manage/{meetingId:int}/", read, (int meetingId, HttpRequest request, IWebHostEnvironment env) => Page(request, env, "manage.html"));
        group.MapMethods("/reps.json", read, RepsAsync);
        return app;
    }

    static IResult Page(HttpRequest request, IWebHostEnvironment env, string file)
    {
        if (!request.Path.Value!.EndsWith('/')) return Results.Redirect($"{request.PathBase}{request.Path}/{request.QueryString}");
        var path = System.IO.Path.Combine(env.WebRootPath, "book-a-call", file);
        return Results.File(path, "text/html; charset=utf-8");
    }

    /// <summary>
    /// <c>BOOKER_REPS_FILE</c> when set; in the sandbox, its own sales and support people (their ids are the sandbox's);
    /// else the file shipped in wwwroot/book-a-call. A file that is not a valid reps file is a 503 naming the problem.
    /// </summary>
    static async Task<IResult> RepsAsync(HermesSettings settings, IWebHostEnvironment env, HermesDb db, ILoggerFactory logs, CancellationToken ct)
    {
        if (settings.BookerRepsFile.Length == 0 && settings.Sandbox)
            return Results.Json(await SandboxRepsAsync(db, ct));
        var path = settings.BookerRepsFile.Length > 0 ? settings.BookerRepsFile : System.IO.Path.Combine(env.WebRootPath, "book-a-call", "reps.json");
        try
        {
            var document = JsonNode.Parse(await File.ReadAllTextAsync(path, ct));
            var problem = Problem(document);
            if (problem is null) return Results.Json(document);
            logs.CreateLogger("Hermes.CallBooker.WebsiteBooker").LogError("The reps file {Path} is not valid: {Problem}", path, problem);
            return ApiResults.Error($"The reps file is not valid: {problem}", StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            logs.CreateLogger("Hermes.CallBooker.WebsiteBooker").LogError(e, "The reps file {Path} could not be read", path);
            return ApiResults.Error("The reps file could not be read.", StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>What is wrong with a reps file, or null: each rep needs an id, a role (sales or support) and a name.</summary>
    internal static string? Problem(JsonNode? document)
    {
        if (document is not JsonObject { } root || root["reps"] is not JsonArray reps) return "it needs a \"reps\" list";
        for (var i = 0; i < reps.Count; i++)
        {
            var rep = reps[i] as JsonObject;
            if (rep?["hermes_admin_id"] is not JsonValue id || !id.TryGetValue<int>(out _)) return $"rep {i + 1} needs a whole number hermes_admin_id";
            if (rep["role"]?.GetValueKind() != JsonValueKind.String || rep["role"]!.GetValue<string>() is not ("sales" or "support"))
                return $"rep {i + 1} needs a role of \"sales\" or \"support\"";
            if (rep["name"]?.GetValueKind() != JsonValueKind.String || rep["name"]!.GetValue<string>().Trim().Length == 0)
                return $"rep {i + 1} needs a name";
        }
        return null;
    }

    /// <summary>The sandbox's reps: its sales and support people, each pointing at the next of the same role.</summary>
    static async Task<JsonObject> SandboxRepsAsync(HermesDb db, CancellationToken ct)
    {
        var admins = await db.Admins.AsNoTracking().Where(a => a.IsSalesPerson || a.IsSupportPerson).OrderBy(a => a.Id).ToListAsync(ct);
        var reps = new JsonArray();
        foreach (var (role, people) in new[] { ("sales", admins.Where(a => a.IsSalesPerson).ToList()), ("support", admins.Where(a => a.IsSupportPerson && !a.IsSalesPerson).ToList()) })
            for (var i = 0; i < people.Count; i++)
            {
                var a = people[i];
                reps.Add(new JsonObject
                {
                    ["hermes_admin_id"] = a.Id, ["role"] = role, ["name"] = $"{a.FirstName} {a.LastName}".Trim(),
                    ["alt_hermes_admin_id"] = people.Count > 1 ? people[(i + 1) % people.Count].Id : null,
                    ["picture"] = null, ["description"] = Describe(a, role),
                });
            }
        return new JsonObject { ["about"] = "The sandbox's own reps: its sales and support people.", ["reps"] = reps };
    }

    static string Describe(Admin admin, string role)
    {
        var place = admin.Timezone.Split('/').Last().Replace('_', ' ');
        if (role == "support") return $"{admin.FirstName} helps TutorCruncher customers get the most out of their account. Based in {place}.";
        var plans = new[] { (admin.SellsPayg, "Pay as you go"), (admin.SellsStartup, "Startup"), (admin.SellsEnterprise, "Enterprise") }
            .Where(p => p.Item1).Select(p => p.Item2).ToList();
        var what = plans.Count switch { 0 => "tutoring businesses", 1 => $"businesses on our {plans[0]} plan", _ => $"businesses on our {string.Join(" and ", plans)} plans" };
        return $"{admin.FirstName} helps {what} set up on TutorCruncher. Based in {place}.";
    }
}

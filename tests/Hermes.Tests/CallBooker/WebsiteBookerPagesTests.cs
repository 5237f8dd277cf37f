using System.Net;
using Hermes.Tests.Infrastructure;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>What Hermes serves for the website booker: the pages and the reps file (the pages themselves: Hermes.BrowserTests/Website).</summary>
public class WebsiteBookerPagesTests
{
    static HttpClient NoRedirects(HermesInstance hermes) => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = hermes.BaseAddress };

    [Fact]
    public async Task The_index_and_every_admins_booker_are_served_and_a_path_without_its_slash_is_redirected_to_it()
    {
        await using var hermes = await HermesInstance.StartAsync();
        using var http = NoRedirects(hermes);

        foreach (var (path, page) in new[] { ("/book-a-call/", "js/index.js"), ("/book-a-call/12/", "js/booker.js") })
        {
            var response = await http.GetAsync(path);
            Assert.Equal((HttpStatusCode.OK, "text/html"), (response.StatusCode, response.Content.Headers.ContentType!.MediaType));
            Assert.Contains($"<script type=\"module\" src=\"/book-a-call/{page}\"></script>", await response.Content.ReadAsStringAsync());
        }
        foreach (var (path, location) in new[] { ("/book-a-call", "/book-a-call/"), ("/book-a-call/12?s=ab&e=1", "/book-a-call/12/?s=ab&e=1") })
        {
            var response = await http.GetAsync(path);
            Assert.Equal((HttpStatusCode.Redirect, location), (response.StatusCode, response.Headers.Location!.OriginalString));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/book-a-call/sam/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/book-a-call/js/booker.js")).StatusCode);
    }

    [Fact]
    public async Task The_reps_file_is_the_shipped_one_or_BOOKER_REPS_FILE_and_one_that_is_not_valid_is_a_503_naming_the_problem()
    {
        await using (var shipped = await HermesInstance.StartAsync())
        {
            var json = await AssertJson(await shipped.Http.GetAsync("/book-a-call/reps.json"), HttpStatusCode.OK,
                System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "wwwroot", "book-a-call", "reps.json")))!);
            Assert.Equal(["sales", "sales", "sales", "support", "support"], json!["reps"]!.AsArray().Select(r => r!["role"]!.GetValue<string>()));
        }

        var file = Path.Combine(Path.GetTempPath(), $"reps-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, """{"reps":[{"hermes_admin_id":7,"role":"sales","name":"Sam","description":"Hello"}]}""");
            await using var hermes = await HermesInstance.StartAsync(s => s["BOOKER_REPS_FILE"] = file);
            await AssertJson(await hermes.Http.GetAsync("/book-a-call/reps.json"), HttpStatusCode.OK,
                """{"reps":[{"hermes_admin_id":7,"role":"sales","name":"Sam","description":"Hello"}]}""");

            foreach (var (content, problem) in new[]
                     {
                         ("""{"reps":[{"hermes_admin_id":"7","role":"sales","name":"Sam"}]}""", "rep 1 needs a whole number hermes_admin_id"),
                         ("""{"reps":[{"hermes_admin_id":7,"role":"sales","name":"Sam"},{"hermes_admin_id":8,"role":"boss","name":"Bo"}]}""", "rep 2 needs a role of \\\"sales\\\" or \\\"support\\\""),
                         ("""[{"hermes_admin_id":7}]""", "it needs a \\\"reps\\\" list"),
                     })
            {
                await File.WriteAllTextAsync(file, content);
                await AssertJson(await hermes.Http.GetAsync("/book-a-call/reps.json"), HttpStatusCode.ServiceUnavailable,
                    $$"""{"status":"error","message":"The reps file is not valid: {{problem}}"}""");
            }
            await File.WriteAllTextAsync(file, "{ not json");
            await AssertJson(await hermes.Http.GetAsync("/book-a-call/reps.json"), HttpStatusCode.ServiceUnavailable,
                """{"status":"error","message":"The reps file could not be read."}""");
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hermes.Domain;
using Hermes.Tests.Fuzz;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Hermes.Tests.Pipedrive.PipedriveWebhooks;
using SimAgency = Hermes.Sandbox.Tc2.Tc2Agency;
using SimClient = Hermes.Sandbox.Tc2.SimulatedClient;

namespace Hermes.Tests.Hygiene;

/// <summary>
/// The last step before the database (issue 12): every stored string fits its column, cut on a character boundary,
/// whichever door it came through and on either database; text from an API Hermes trusts (TC2's own answers) that
/// still holds a NUL is stored without it rather than failing the request.
/// </summary>
public class StoredTextTests
{
    [Fact]
    public async Task On_SQLite_too_a_name_longer_than_its_declared_column_is_cut_to_it_without_splitting_a_character()
    {
        await using var hermes = await HermesInstance.StartAsync(db: TestSqlite.NewFile());
        await using (var db = hermes.Db())
        {
            db.Admins.Add(new Admin { Username = "sally@example.com", PdOwnerId = 10, IsSalesPerson = true });
            await db.SaveChangesAsync();
        }
        var name = new string('a', 254) + "😀" + "tail";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/")
        {
            Content = new StringContent(Create(V2, "organization", new() { ["id"] = 20, ["name"] = name, ["owner_id"] = 10 }).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", FuzzWorld.Basic("pipedrive", "webhook-secret"));

        using var response = await hermes.Http.SendAsync(request);

        Assert.Equal((HttpStatusCode.OK, """{"status":"ok"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        await using var check = hermes.Db();
        Assert.Equal([new string('a', 254)], await check.Companies.Select(c => c.Name).ToListAsync());
    }

    [Fact]
    public async Task A_company_read_from_TC2_for_a_support_link_with_a_NUL_and_an_overlong_name_is_stored_without_the_NUL_and_cut()
    {
        await using var w = await FuzzWorld.StartAsync();
        w.Booker.Sim.Tc2.PutClient(new SimClient
        {
            Id = 77, FirstName = "Mary", LastName = "Booth", Status = "live",
            Agency = new SimAgency { Id = 177, Name = "Nul\0Tutors " + new string('x', 300), Created = w.Clock.GetUtcNow(), Website = "https://nul.example" },
            SalesPerson = new Hermes.Sandbox.Tc2.Tc2Admin(30, "Sally", "Seller", "sally@example.com"),
        });

        using var response = await w.Hermes.Http.GetAsync("/callbooker/support-link/generate/tc2/?tc2_admin_id=31&tc2_cligency_id=77",
            CancellationToken.None);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode); // no key: nothing read, nothing stored

        using var signed = new HttpRequestMessage(HttpMethod.Get, "/callbooker/support-link/generate/tc2/?tc2_admin_id=31&tc2_cligency_id=77");
        signed.Headers.TryAddWithoutValidation("Authorization", "token test-tc2-key");
        using var answer = await w.Hermes.Http.SendAsync(signed);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await using var db = w.Hermes.Db();
        var stored = await db.Companies.Where(c => c.Tc2CligencyId == 77).Select(c => c.Name).SingleAsync();
        Assert.Equal(("NulTutors " + new string('x', 300))[..255], stored);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

public class SupportLinkTests
{
    const string SigningKey = "test-signing-key"; // HermesInstance's SIGNING_KEY

    /// <summary>The signature a link must carry, computed here independently of Hermes.</summary>
    internal static string Hmac(int admin, int company, long e, bool express) => Convert.ToHexStringLower(HMACSHA256.HashData(
        Encoding.UTF8.GetBytes(SigningKey), Encoding.UTF8.GetBytes($"support-link|{admin}|{company}|{e}|{(express ? "express" : "standard")}")));

    /// <summary>hermes_v2's signature: sha1("{key}:{admin}-{company}-{e}").</summary>
    static string Legacy(int admin, int company, long e) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{SigningKey}:{admin}-{company}-{e}")));

    static HttpRequestMessage Generate(string query, string? authorization = "token test-tc2-key")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/callbooker/support-link/generate/tc2/" + query);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    static async Task<(HermesInstance Hermes, Admin Admin, Company Company)> StartAsync()
    {
        var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(Steve(tc2AdminId: 20));
        var company = await hermes.Add(new Company { Name = "Junes Ltd", Tc2CligencyId = 10, Created = hermes.Clock.GetUtcNow().UtcDateTime, SalesPersonId = admin.Id });
        return (hermes, admin, company);
    }

    [Fact]
    public async Task Support_callbooker__In_TC2_admin_clicks_a_link_on_the_companys_meta_profile_to_generate_a_support_link()
    {
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var e = hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();

        await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10")), HttpStatusCode.OK,
            $$"""{"link":"https://tutorcruncher.com/book-a-call/{{admin.Id}}/?s={{Hmac(admin.Id, company.Id, e, false)}}&admin_id={{admin.Id}}&company_id={{company.Id}}&e={{e}}"}""");
        // TC2 may send the key as a bearer token too; a request without the trailing slash works.
        using var bearer = Generate("?tc2_admin_id=20&tc2_cligency_id=10", "Bearer test-tc2-key");
        bearer.RequestUri = new Uri("/callbooker/support-link/generate/tc2?tc2_admin_id=20&tc2_cligency_id=10", UriKind.Relative);
        Assert.Equal(HttpStatusCode.OK, (await hermes.Http.SendAsync(bearer)).StatusCode);

        await using var db = hermes.Db();
        Assert.Equal(1, await db.Companies.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Support_callbooker__The_admin_has_a_choice_of_an_Express_link_or_not()
    {
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var e = hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();

        var response = await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10&express=true")), HttpStatusCode.OK,
            $$"""{"link":"https://tutorcruncher.com/book-a-call/{{admin.Id}}/?s={{Hmac(admin.Id, company.Id, e, true)}}&admin_id={{admin.Id}}&company_id={{company.Id}}&e={{e}}&ex=1"}""");
        await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10&express=false")), HttpStatusCode.OK,
            $$"""{"link":"https://tutorcruncher.com/book-a-call/{{admin.Id}}/?s={{Hmac(admin.Id, company.Id, e, false)}}&admin_id={{admin.Id}}&company_id={{company.Id}}&e={{e}}"}""");

        // The express flag is part of what is signed: validation reports it from the signature alone.
        var link = new Uri(response!["link"]!.GetValue<string>());
        var q = QueryHelpers.ParseQuery(link.Query);
        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={q["admin_id"]}&company_id={q["company_id"]}&e={q["e"]}&s={q["s"]}"),
            HttpStatusCode.OK, """{"status":"ok","company_name":"Junes Ltd","express":true}""");
        await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10&express=perhaps")), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"bool_parsing","loc":["query","express"],"msg":"Input should be a valid boolean, unable to interpret input","input":"perhaps"}]}""");
    }

    [Fact]
    public async Task Support_callbooker__The_link_directs_the_user_to_the_admins_callbooker()
    {
        await using var hermes = await HermesInstance.StartAsync(s => s["CALLBOOKER_BASE_URL"] = "https://www.example.org/book/");
        var admin = await hermes.Add(Steve(tc2AdminId: 20));
        var company = await hermes.Add(new Company { Name = "Junes Ltd", Tc2CligencyId = 10, Created = hermes.Clock.GetUtcNow().UtcDateTime, SalesPersonId = admin.Id });
        var e = hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();

        await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10")), HttpStatusCode.OK,
            $$"""{"link":"https://www.example.org/book/{{admin.Id}}/?s={{Hmac(admin.Id, company.Id, e, false)}}&admin_id={{admin.Id}}&company_id={{company.Id}}&e={{e}}"}""");
    }

    [Fact]
    public async Task Generating_a_link_needs_the_TC2_key_and_a_known_admin()
    {
        var (hermes, _, _) = await StartAsync();
        await using var _h = hermes;
        foreach (var auth in new[] { null, "token wrong-key", "test-tc2-key", "token", "token test-tc2-key-and-more" })
            await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10", auth)), HttpStatusCode.Forbidden,
                """{"detail":"Unauthorized key"}""");
        await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=1&tc2_cligency_id=10")), HttpStatusCode.NotFound,
            """{"status":"error","message":"Admin or Company not found"}""");
        await AssertJson(await hermes.Http.SendAsync(Generate("?tc2_admin_id=x")), HttpStatusCode.UnprocessableEntity, """
            {"detail":[{"type":"int_parsing","loc":["query","tc2_admin_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"},
                       {"type":"missing","loc":["query","tc2_cligency_id"],"msg":"Field required","input":null}]}
            """);
    }

    [Fact]
    public async Task Support_callbooker__If_the_token_is_missing_or_invalid_then_the_user_gets_an_error_message()
    {
        // Always a different last digit (replacing it with a fixed one left it unchanged one time in sixteen).
        static string Tampered(string signature) => signature[..^1] + (signature[^1] == '0' ? '1' : '0');
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var e = hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();
        var s = Hmac(admin.Id, company.Id, e, false);
        var other = await hermes.Add(new Company { Name = "Other Ltd", Created = hermes.Clock.GetUtcNow().UtcDateTime, SalesPersonId = admin.Id });

        const string invalid = """{"status":"error","message":"Invalid signature"}""";
        foreach (var query in new[]
                 {
                     $"admin_id={admin.Id}&company_id={company.Id}&e={e}",                 // no signature
                     $"admin_id={admin.Id}&company_id={company.Id}&e={e}&s=foo",           // not a signature
                     $"admin_id={admin.Id}&company_id={other.Id}&e={e}&s={s}",             // another company
                     $"admin_id={admin.Id}&company_id={company.Id}&e={e + 86400}&s={s}",   // a later expiry
                     $"admin_id={admin.Id}&company_id={company.Id}&s={s}",                 // no expiry
                     $"admin_id={admin.Id + 1}&company_id={company.Id}&e={e}&s={s}",       // another admin
                     $"admin_id={admin.Id}&company_id={company.Id}&e={e}&s={Tampered(Hmac(admin.Id, company.Id, e, true))}", // one hex digit changed
                 })
            await AssertJson(await hermes.Http.GetAsync("/callbooker/support-link/validate/?" + query), HttpStatusCode.Forbidden, invalid);

        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={admin.Id}&company_id={company.Id}&e={e}&s={s}"),
            HttpStatusCode.OK, """{"status":"ok","company_name":"Junes Ltd","express":false}""");
        // Upper-case hex is the same signature.
        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={admin.Id}&company_id={company.Id}&e={e}&s={s.ToUpperInvariant()}"),
            HttpStatusCode.OK, """{"status":"ok","company_name":"Junes Ltd","express":false}""");
    }

    [Fact]
    public async Task Support_callbooker__If_the_token_has_expired_then_the_user_gets_an_error_message()
    {
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var link = (await hermes.Http.SendAsync(Generate("?tc2_admin_id=20&tc2_cligency_id=10")));
        var q = QueryHelpers.ParseQuery(new Uri((await link.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["link"]).Query);
        var validate = $"/callbooker/support-link/validate/?admin_id={q["admin_id"]}&company_id={q["company_id"]}&e={q["e"]}&s={q["s"]}";

        // SUPPORT_TTL_DAYS is 4: valid until the last second of the fourth day, expired one second later.
        hermes.Clock.Advance(TimeSpan.FromDays(4));
        await AssertJson(await hermes.Http.GetAsync(validate), HttpStatusCode.OK, """{"status":"ok","company_name":"Junes Ltd","express":false}""");
        hermes.Clock.Advance(TimeSpan.FromSeconds(1));
        await AssertJson(await hermes.Http.GetAsync(validate), HttpStatusCode.Forbidden, """{"status":"error","message":"Link has expired"}""");
    }

    [Fact]
    public async Task Links_signed_the_hermes_v2_way_are_accepted_as_standard_links_until_they_expire()
    {
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var e = hermes.Clock.GetUtcNow().AddDays(1).ToUnixTimeSeconds();
        var validate = $"/callbooker/support-link/validate/?s={Legacy(admin.Id, company.Id, e)}&e={e}&company_id={company.Id}&admin_id={admin.Id}";

        await AssertJson(await hermes.Http.GetAsync(validate), HttpStatusCode.OK, """{"status":"ok","company_name":"Junes Ltd","express":false}""");
        // A legacy signature over other values is no signature.
        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?s={Legacy(admin.Id, company.Id, e + 1)}&e={e}&company_id={company.Id}&admin_id={admin.Id}"),
            HttpStatusCode.Forbidden, """{"status":"error","message":"Invalid signature"}""");
        hermes.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await AssertJson(await hermes.Http.GetAsync(validate), HttpStatusCode.Forbidden, """{"status":"error","message":"Link has expired"}""");
    }

    [Fact]
    public async Task Support_callbooker__If_the_company_id_doesnt_match_a_company_the_user_gets_an_error_message()
    {
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var e = hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();
        var missing = company.Id + 100;

        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={admin.Id}&company_id={missing}&e={e}&s={Hmac(admin.Id, missing, e, false)}"),
            HttpStatusCode.NotFound, """{"status":"error","message":"Admin or Company not found"}""");
        // Signed for this company, which has since been deleted.
        var s = Hmac(admin.Id, company.Id, e, false);
        await using (var db = hermes.Db()) await db.Companies.Where(c => c.Id == company.Id).ExecuteDeleteAsync();
        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={admin.Id}&company_id={company.Id}&e={e}&s={s}"),
            HttpStatusCode.NotFound, """{"status":"error","message":"Admin or Company not found"}""");
        // And an admin who has gone.
        var gone = admin.Id + 100;
        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={gone}&company_id={company.Id}&e={e}&s={Hmac(gone, company.Id, e, false)}"),
            HttpStatusCode.NotFound, """{"status":"error","message":"Admin or Company not found"}""");
    }

    [Fact]
    public async Task Support_callbooker__If_the_company_does_then_we_use_that_information_later()
    {
        var (hermes, admin, company) = await StartAsync();
        await using var _ = hermes;
        var e = hermes.Clock.GetUtcNow().AddDays(4).ToUnixTimeSeconds();
        // The booker shows (and prefills) the company's name from the validation answer.
        await AssertJson(await hermes.Http.GetAsync($"/callbooker/support-link/validate/?admin_id={admin.Id}&company_id={company.Id}&e={e}&s={Hmac(admin.Id, company.Id, e, false)}"),
            HttpStatusCode.OK, """{"status":"ok","company_name":"Junes Ltd","express":false}""");
    }
}

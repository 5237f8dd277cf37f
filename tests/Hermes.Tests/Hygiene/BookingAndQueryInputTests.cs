using System.Net;
using System.Text;
using Hermes.Domain;
using Hermes.Tests.CallBooker;
using Microsoft.EntityFrameworkCore;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.Hygiene;

/// <summary>
/// The booking API's and the query strings' input hygiene (issue 12): text Hermes cannot keep is a 422 in FastAPI's
/// shape naming the field or parameter, before anything is looked up or written; pages answer a plain 400.
/// </summary>
public class BookingAndQueryInputTests
{
    static async Task AssertNothingWritten(BookerWorld w)
    {
        await using var db = w.Db();
        Assert.Equal((0, 0, 0, 0), (await db.Contacts.CountAsync(), await db.Deals.CountAsync(), await db.Meetings.CountAsync(), await db.Jobs.CountAsync()));
        Assert.Empty(w.GoogleRequests("POST", "/calendar/v3/calendars/*/events"));
    }

    public static TheoryData<string, string, string> Unreadable => new()
    {
        { "\"name\":\"Brain Junes\"", "\"name\":\"Brain \\udc00Junes\"", """{"type":"string_unicode","loc":["body","name"],"msg":"Contains an unpaired UTF-16 surrogate (\\udc00), which is not valid Unicode","input":null}""" },
        { "\"company_name\":\"Junes Ltd\"", "\"company_name\":\"Junes\\u0000Ltd\"", """{"type":"string_nul","loc":["body","company_name"],"msg":"Contains a NUL character (\\u0000)","input":null}""" },
        { "\"email\":\"brain@junes.com\"", "\"email\":\"brain@junes.com\",\"email\":\"other@junes.com\"", """{"type":"duplicate_key","loc":["body","email"],"msg":"Key appears twice in one object","input":null}""" },
        { "\"currency\":\"GBP\"", "\"currency\":" + new string('[', 40) + new string(']', 40),
            $$"""{"type":"json_too_deep","loc":["body","currency"{{string.Concat(Enumerable.Repeat(",\"0\"", 31))}}],"msg":"Nested more than 32 levels deep","input":null}""" },
    };

    [Theory, MemberData(nameof(Unreadable))]
    public async Task A_booking_with_a_lone_surrogate_NUL_duplicate_key_or_deep_nesting_gets_422_naming_the_field_and_writes_nothing(string find, string replace, string error)
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        await w.Hermes.SeedConfigAsync();
        var body = SalesBody(admin, w.WeekdayAt(3, 10)).ToJsonString();
        Assert.Contains(find, body);

        await AssertJson(await w.Hermes.PostJson("/callbooker/sales/book/", body.Replace(find, replace)), HttpStatusCode.UnprocessableEntity, $$"""{"detail":[{{error}}]}""");
        await AssertNothingWritten(w);
        Assert.Empty(await w.CompaniesAsync());
    }

    [Fact]
    public async Task A_booking_body_that_is_not_UTF_8_gets_422_naming_the_byte()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var body = SalesBody(admin, w.WeekdayAt(3, 10)).ToJsonString();
        var at = body.IndexOf("Junes Ltd", StringComparison.Ordinal);
        var content = new ByteArrayContent([.. Encoding.UTF8.GetBytes(body[..at]), 0xFF, .. Encoding.UTF8.GetBytes(body[at..])]);
        content.Headers.ContentType = new("application/json");

        await AssertJson(await w.Hermes.Http.PostAsync("/callbooker/sales/book/", content), HttpStatusCode.UnprocessableEntity,
            $$"""{"detail":[{"type":"utf8_invalid","loc":["body"],"msg":"Not valid UTF-8 (byte {{at}})","input":null}]}""");
        await AssertNothingWritten(w);
    }

    [Fact]
    public async Task A_support_booking_with_a_blank_company_id_and_no_company_name_gets_422_instead_of_a_company_without_a_name()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        await AssertJson(await w.Post("/callbooker/support/book/", SupportBody(admin, null, w.WeekdayAt(3, 10), b => b["company_id"] = "  ")),
            HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"missing","loc":["body","company_id"],"msg":"Field required: a support booking needs company_id (or company_name to find or add the company)","input":null}]}""");
        await AssertNothingWritten(w);
        Assert.Empty(await w.CompaniesAsync());
    }

    [Theory, InlineData("-1"), InlineData("0")]
    public async Task A_support_link_for_a_TC2_client_id_that_cannot_exist_is_a_404_without_asking_TC2(string cligencyId)
    {
        await using var w = await BookerWorld.StartAsync();
        await w.Add(Steve());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/callbooker/support-link/generate/tc2/?tc2_admin_id=20&tc2_cligency_id={cligencyId}");
        request.Headers.TryAddWithoutValidation("Authorization", "token test-tc2-key");

        await AssertJson(await w.Hermes.Http.SendAsync(request), HttpStatusCode.NotFound, """{"status":"error","message":"Admin or Company not found"}""");
        Assert.Empty(w.Sim.Tc2.Requests.All);
        Assert.Empty(await w.CompaniesAsync());
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "/companies/?name=%00", """{"type":"string_nul","loc":["query","name"],"msg":"Value contains a NUL character (%00)","input":null}""" },
        { "/companies/?name=Junes%ED%A0%80", """{"type":"utf8_invalid","loc":["query","name"],"msg":"Value is not valid UTF-8 once percent-decoded","input":null}""" },
        { "/companies/?a%00b=1", """{"type":"string_nul","loc":["query","a%00b"],"msg":"Name contains a NUL character (%00)","input":null}""" },
        { "/callbooker/availability/?admin_id=1&start_dt=2026-01-01%FF&end_dt=2026-01-02", """{"type":"utf8_invalid","loc":["query","start_dt"],"msg":"Value is not valid UTF-8 once percent-decoded","input":null}""" },
        { "/callbooker/support-link/validate/?admin_id=1&company_id=1%00&e=1&s=x", """{"type":"string_nul","loc":["query","company_id"],"msg":"Value contains a NUL character (%00)","input":null}""" },
        { "/choose-roundrobin/sales/?plan=payg&country_code=G%00B", """{"type":"string_nul","loc":["query","country_code"],"msg":"Value contains a NUL character (%00)","input":null}""" },
    };

    [Theory, MemberData(nameof(BadQueries))]
    public async Task A_query_parameter_with_NUL_or_malformed_UTF_8_gets_422_naming_it(string url, string error)
    {
        await using var w = await BookerWorld.StartAsync();
        await w.Add(new Company { Name = "Junes Ltd", SalesPersonId = (await w.Add(Steve())).Id, Created = w.Now });

        await AssertJson(await w.Hermes.Http.GetAsync(url), HttpStatusCode.UnprocessableEntity, $$"""{"detail":[{{error}}]}""");
        Assert.Empty(w.GoogleRequests("POST", "/calendar/v3/freeBusy"));
    }

    [Fact]
    public async Task A_page_asked_for_with_a_NUL_in_its_query_string_gets_a_plain_400_naming_the_parameter()
    {
        await using var w = await BookerWorld.StartAsync();
        using var response = await w.Hermes.Http.GetAsync("/book-a-call/1/?rb=%00");
        Assert.Equal((HttpStatusCode.BadRequest, "Query parameter 'rb': Value contains a NUL character (%00)."),
            (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

/// <summary>Bad booking input: a 422 in FastAPI's shape naming each field, and nothing written or asked of Google.</summary>
public class BookingValidationTests
{
    static JsonObject SalesBody(Admin admin, DateTime meeting) => new()
    {
        ["admin_id"] = admin.Id, ["name"] = "Brain Junes", ["email"] = "brain@junes.com", ["company_name"] = "Junes Ltd",
        ["website"] = "https://junes.com", ["country"] = "GB", ["estimated_income"] = 1000, ["currency"] = "GBP",
        ["price_plan"] = "payg", ["meeting_dt"] = new DateTimeOffset(meeting).ToUnixTimeSeconds(),
    };

    static async Task AssertNothingWritten(HermesInstance hermes)
    {
        await using var db = hermes.Db();
        Assert.Equal((0, 0, 0, 0, 0), (await db.Companies.CountAsync(), await db.Contacts.CountAsync(), await db.Deals.CountAsync(),
            await db.Meetings.CountAsync(), await db.Jobs.CountAsync()));
    }

    [Fact]
    public async Task A_past_meeting_time_is_a_422_naming_meeting_dt()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(Steve());
        var now = hermes.Clock.GetUtcNow().UtcDateTime;

        var body = SalesBody(admin, now);
        body["meeting_dt"] = 123;
        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", body.ToJsonString()), HttpStatusCode.UnprocessableEntity, """
            {"detail":[{"type":"value_error","loc":["body","meeting_dt"],"msg":"Value error, meeting_dt must be in the future","input":123,"ctx":{"error":{}}}]}
            """);
        // Now itself is not in the future either.
        body["meeting_dt"] = Iso(now);
        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", body.ToJsonString()), HttpStatusCode.UnprocessableEntity, $$$$"""
            {"detail":[{"type":"value_error","loc":["body","meeting_dt"],"msg":"Value error, meeting_dt must be in the future","input":"{{{{Iso(now)}}}}","ctx":{"error":{}}}]}
            """);
        await AssertNothingWritten(hermes);
    }

    [Fact]
    public async Task A_one_word_name_a_bad_website_a_bad_email_and_an_unknown_plan_are_each_named()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(Steve());
        var body = SalesBody(admin, hermes.Clock.GetUtcNow().UtcDateTime.AddDays(2));
        body["name"] = "  Brimstone ";
        body["website"] = "not a website";
        body["email"] = "brain-at-junes.com";
        body["price_plan"] = "gold";

        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", body.ToJsonString()), HttpStatusCode.UnprocessableEntity, """
            {"detail":[
              {"type":"value_error","loc":["body","name"],"msg":"Value error, name must have at least two words (first and last name)","input":"  Brimstone ","ctx":{"error":{}}},
              {"type":"value_error","loc":["body","email"],"msg":"Value error, value is not a valid email address","input":"brain-at-junes.com","ctx":{"error":{}}},
              {"type":"value_error","loc":["body","website"],"msg":"Value error, website must be a URL, e.g. https://example.com","input":"not a website","ctx":{"error":{}}},
              {"type":"value_error","loc":["body","price_plan"],"msg":"Value error, price_plan must be one of payg, startup, enterprise","input":"gold","ctx":{"error":{}}}]}
            """);
        await AssertNothingWritten(hermes);
    }

    [Fact]
    public async Task An_unknown_admin_company_or_BDR_is_a_422_naming_the_field()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(Steve());
        var body = SalesBody(admin, hermes.Clock.GetUtcNow().UtcDateTime.AddDays(2));
        body["admin_id"] = admin.Id + 1;
        body["company_id"] = "75";
        body["bdr_person_id"] = 30;

        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", body.ToJsonString()), HttpStatusCode.UnprocessableEntity, $$$$"""
            {"detail":[
              {"type":"value_error","loc":["body","admin_id"],"msg":"Value error, Admin with id {{{{admin.Id + 1}}}} does not exist","input":{{{{admin.Id + 1}}}},"ctx":{"error":{}}},
              {"type":"value_error","loc":["body","bdr_person_id"],"msg":"Value error, Admin with tc2_admin_id 30 does not exist","input":30,"ctx":{"error":{}}},
              {"type":"value_error","loc":["body","company_id"],"msg":"Value error, Company with id 75 does not exist","input":"75","ctx":{"error":{}}}]}
            """);

        var support = new JsonObject { ["admin_id"] = admin.Id, ["company_id"] = 75, ["name"] = "Brain Junes", ["email"] = "brain@junes.com", ["meeting_dt"] = body["meeting_dt"]!.DeepClone() };
        await AssertJson(await hermes.PostJson("/callbooker/support/book/", support.ToJsonString()), HttpStatusCode.UnprocessableEntity, """
            {"detail":[{"type":"value_error","loc":["body","company_id"],"msg":"Value error, Company with id 75 does not exist","input":75,"ctx":{"error":{}}}]}
            """);
        await AssertNothingWritten(hermes);
    }

    [Fact]
    public async Task Missing_fields_and_wrong_types_are_422s_never_500s()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var admin = await hermes.Add(Steve());
        var future = new DateTimeOffset(hermes.Clock.GetUtcNow().UtcDateTime.AddDays(2)).ToUnixTimeSeconds();

        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", $$"""{"admin_id":"one","name":42,"email":["a@b.com"],"meeting_dt":{"at":1},"estimated_income":true,"price_plan":"payg","country":"GB","currency":"GBP","company_name":"Junes Ltd","website":7,"company_id":1.5}"""),
            HttpStatusCode.UnprocessableEntity, """
            {"detail":[
              {"type":"int_parsing","loc":["body","admin_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"one"},
              {"type":"int_from_float","loc":["body","company_id"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5},
              {"type":"string_type","loc":["body","name"],"msg":"Input should be a valid string","input":42},
              {"type":"string_type","loc":["body","email"],"msg":"Input should be a valid string","input":["a@b.com"]},
              {"type":"string_type","loc":["body","website"],"msg":"Input should be a valid string","input":7},
              {"type":"string_type","loc":["body","estimated_income"],"msg":"Input should be a valid string","input":true},
              {"type":"datetime_parsing","loc":["body","meeting_dt"],"msg":"Input should be a valid datetime: a unix timestamp, ISO 8601 (e.g. 2026-07-03T09:00:00+00:00) or 'YYYY-MM-DD HH:MM'","input":{"at":1}}]}
            """);

        var missing = await AssertJson(await hermes.PostJson("/callbooker/sales/book/", $$$"""{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}"""), HttpStatusCode.UnprocessableEntity,
            $$$"""
            {"detail":[
              {"type":"missing","loc":["body","name"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}},
              {"type":"missing","loc":["body","email"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}},
              {"type":"missing","loc":["body","company_name"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}},
              {"type":"missing","loc":["body","country"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}},
              {"type":"missing","loc":["body","estimated_income"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}},
              {"type":"missing","loc":["body","currency"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}},
              {"type":"missing","loc":["body","price_plan"],"msg":"Field required","input":{"admin_id":{{{admin.Id}}},"meeting_dt":{{{future}}}}}]}
            """);

        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", """{"admin_id": 1, "name": """), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"json_invalid","loc":["body","24"],"msg":"JSON decode error","input":null}]}""");
        await AssertJson(await hermes.PostJson("/callbooker/sales/book/", "[1,2]"), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1,2]}]}""");
        await AssertJson(await hermes.PostJson("/callbooker/support/book/", ""), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}""");
        await AssertJson(await hermes.PostJson("/callbooker/support/book/", $$$"""{"admin_id":{{{admin.Id}}},"name":"Brain Junes","meeting_dt":{{{future}}}}"""), HttpStatusCode.UnprocessableEntity,
            $$"""{"detail":[{"type":"missing","loc":["body","company_id"],"msg":"Field required: a support booking needs company_id (or company_name to find or add the company)","input":null}]}""");
        await AssertNothingWritten(hermes);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Tests.Infrastructure;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.Sales;

public class RoundRobinTests
{
    static readonly string[] Plans = ["payg", "startup", "enterprise"];
    static readonly string[] Regions = ["us", "gb", "au", "ca", "eu", "row"];

    /// <summary>Two sales people for every plan × region, each selling only that plan in only that region, ids ascending.</summary>
    static async Task<Dictionary<(string Plan, string Region), Admin[]>> SeedSellersAsync(HermesInstance hermes)
    {
        var table = new Dictionary<(string, string), Admin[]>();
        await using var db = hermes.Db();
        foreach (var plan in Plans)
        foreach (var region in Regions)
        {
            var pair = Enumerable.Range(1, 2).Select(n => new Admin
            {
                FirstName = $"{plan}-{region}", LastName = $"{n}", Username = $"{plan}-{region}-{n}@example.com", IsSalesPerson = true,
                SellsPayg = plan == "payg", SellsStartup = plan == "startup", SellsEnterprise = plan == "enterprise",
                SellsUs = region == "us", SellsGb = region == "gb", SellsAu = region == "au", SellsCa = region == "ca",
                SellsEu = region == "eu", SellsRow = region == "row",
            }).ToArray();
            foreach (var admin in pair)
            {
                db.Admins.Add(admin);
                await db.SaveChangesAsync(); // one by one, so ids ascend in this order
            }
            table[(plan, region)] = pair;
        }
        // Not candidates anywhere: a seller who isn't a sales person, and a sales person selling nothing.
        db.Admins.Add(new Admin { Username = "not-sales@example.com", SellsPayg = true, SellsGb = true, SellsEu = true, SellsRow = true, SellsUs = true });
        db.Admins.Add(new Admin { Username = "sells-nothing@example.com", IsSalesPerson = true, SellsGb = true });
        await db.SaveChangesAsync();
        return table;
    }

    static JsonObject Json(Admin a) => new()
    {
        ["id"] = a.Id, ["username"] = a.Username, ["tc2_admin_id"] = a.Tc2AdminId, ["pd_owner_id"] = a.PdOwnerId,
        ["first_name"] = a.FirstName, ["last_name"] = a.LastName, ["timezone"] = a.Timezone,
        ["is_sales_person"] = a.IsSalesPerson, ["is_support_person"] = a.IsSupportPerson, ["is_bdr_person"] = a.IsBdrPerson,
        ["sells_payg"] = a.SellsPayg, ["sells_startup"] = a.SellsStartup, ["sells_enterprise"] = a.SellsEnterprise,
        ["sells_us"] = a.SellsUs, ["sells_gb"] = a.SellsGb, ["sells_au"] = a.SellsAu, ["sells_ca"] = a.SellsCa,
        ["sells_eu"] = a.SellsEu, ["sells_row"] = a.SellsRow,
    };

    /// <summary>A company on <paramref name="plan"/> created "now" on the fake clock, which then moves on a minute.</summary>
    static async Task AddCompanyAsync(HermesInstance hermes, string plan, Admin salesPerson, Admin? supportPerson = null)
    {
        await hermes.Add(new Company
        {
            Name = $"Company {Guid.NewGuid():N}", PricePlan = plan, Created = hermes.Clock.GetUtcNow().UtcDateTime,
            SalesPersonId = salesPerson.Id, SupportPersonId = supportPerson?.Id,
        });
        hermes.Clock.Advance(TimeSpan.FromMinutes(1));
    }

    public static TheoryData<string, string, string> PlanAndCountry()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var plan in Plans)
        foreach (var (country, region) in new[] { ("US", "us"), ("GB", "gb"), ("AU", "au"), ("CA", "ca"), ("FR", "eu"), ("DE", "eu"), ("JP", "row"), ("", "gb"), ("nz", "row") })
            data.Add(plan, country, region);
        return data;
    }

    [Theory]
    [MemberData(nameof(PlanAndCountry))]
    public async Task Sales_round_robin_picks_the_regional_seller_of_the_plan_after_the_latest_companys_and_wraps_round(string plan, string country, string region)
    {
        await using var hermes = await HermesInstance.StartAsync();
        var sellers = await SeedSellersAsync(hermes);
        var (first, second) = (sellers[(plan, region)][0], sellers[(plan, region)][1]);
        var url = $"/choose-roundrobin/sales/?plan={plan}&country_code={country}";

        // No company on the plan yet: the first candidate.
        await AssertJson(await hermes.Http.GetAsync(url), HttpStatusCode.OK, Json(first));
        // The newest company on the plan is the first's: the second. A company on another plan changes nothing.
        await AddCompanyAsync(hermes, plan, first);
        await AddCompanyAsync(hermes, Plans.First(p => p != plan), second);
        await AssertJson(await hermes.Http.GetAsync(url), HttpStatusCode.OK, Json(second));
        // The second is the last candidate: wrap round to the first.
        await AddCompanyAsync(hermes, plan, second);
        await AssertJson(await hermes.Http.GetAsync(url), HttpStatusCode.OK, Json(first));
        // The latest company's sales person isn't a candidate here (another region): the first.
        await AddCompanyAsync(hermes, plan, sellers[(plan, region == "row" ? "us" : "row")][1]);
        await AssertJson(await hermes.Http.GetAsync(url), HttpStatusCode.OK, Json(first));
    }

    [Fact]
    public async Task Sales_round_robin_falls_back_to_every_seller_of_the_plan_when_nobody_covers_the_region()
    {
        await using var hermes = await HermesInstance.StartAsync();
        var a1 = await hermes.Add(new Admin { LastName = "1", Username = "admin_1@example.com", Tc2AdminId = 10, IsSalesPerson = true, SellsPayg = true, SellsStartup = true });
        var a2 = await hermes.Add(new Admin { LastName = "2", Username = "admin_2@example.com", Tc2AdminId = 20, IsSalesPerson = true, SellsPayg = true, SellsUs = true });
        await hermes.Add(new Admin { LastName = "3", Username = "admin_3@example.com", IsSalesPerson = true, SellsStartup = true, SellsGb = true });

        // Nobody sells payg in GB: both payg sellers, in id order, wrapping.
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=payg&country_code=GB"), HttpStatusCode.OK, Json(a1));
        await AddCompanyAsync(hermes, "payg", a1);
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=payg&country_code=GB"), HttpStatusCode.OK, Json(a2));
        await AddCompanyAsync(hermes, "payg", a2);
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=payg&country_code=GB"), HttpStatusCode.OK, Json(a1));
        // The US has its own payg seller: only a2, even right after a2.
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=payg&country_code=US"), HttpStatusCode.OK, Json(a2));
    }

    [Fact]
    public async Task Sales_round_robin_refuses_an_unknown_plan_or_a_missing_country_and_says_when_nobody_sells_the_plan()
    {
        await using var hermes = await HermesInstance.StartAsync();
        await hermes.Add(new Admin { Username = "payg@example.com", IsSalesPerson = true, SellsPayg = true });

        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=foobar&country_code=GB"), HttpStatusCode.UnprocessableEntity,
            """{"detail":"Price plan must be one of \"payg,startup,enterprise\""}""");
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?country_code=GB"), HttpStatusCode.UnprocessableEntity,
            """{"detail":"Price plan must be one of \"payg,startup,enterprise\""}""");
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=payg"), HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"missing","loc":["query","country_code"],"msg":"Field required","input":null}]}""");
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/sales/?plan=enterprise&country_code=GB"), HttpStatusCode.NotFound,
            """{"detail":"No admins found selling the enterprise plan"}""");
    }

    [Fact]
    public async Task Support_round_robin_picks_the_support_person_after_the_latest_companys_and_wraps_round()
    {
        await using var hermes = await HermesInstance.StartAsync();
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/support/"), HttpStatusCode.NotFound,
            """{"detail":"No admins found: nobody is a support person"}""");
        var support = new List<Admin>();
        foreach (var n in new[] { 1, 2, 3 })
            support.Add(await hermes.Add(new Admin { LastName = $"{n}", Username = $"admin_{n}@example.com", Tc2AdminId = n * 10, IsSupportPerson = true }));
        var sales = await hermes.Add(new Admin { Username = "sales@example.com", IsSalesPerson = true, SellsPayg = true });

        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/support/"), HttpStatusCode.OK, Json(support[0]));
        await AddCompanyAsync(hermes, "payg", sales, support[0]);
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/support/"), HttpStatusCode.OK, Json(support[1]));
        await AddCompanyAsync(hermes, "payg", sales, support[1]);
        // A newer company without a support person doesn't count.
        await AddCompanyAsync(hermes, "startup", sales);
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/support/"), HttpStatusCode.OK, Json(support[2]));
        await AddCompanyAsync(hermes, "payg", sales, support[2]);
        await AssertJson(await hermes.Http.GetAsync("/choose-roundrobin/support/"), HttpStatusCode.OK, Json(support[0]));
    }

    [Fact]
    public async Task Loc_answers_the_CF_IPCountry_header_or_GB_also_without_the_trailing_slash()
    {
        await using var hermes = await HermesInstance.StartAsync();
        using var us = new HttpRequestMessage(HttpMethod.Get, "/loc/") { Headers = { { "CF-IPCountry", "US" } } };
        await AssertJson(await hermes.Http.SendAsync(us), HttpStatusCode.OK, """{"country_code":"US"}""");
        await AssertJson(await hermes.Http.GetAsync("/loc/"), HttpStatusCode.OK, """{"country_code":"GB"}""");
        await AssertJson(await hermes.Http.GetAsync("/loc"), HttpStatusCode.OK, """{"country_code":"GB"}""");
    }
}

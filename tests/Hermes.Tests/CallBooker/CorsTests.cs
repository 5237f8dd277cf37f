using System.Net;
using Hermes.Tests.Infrastructure;

namespace Hermes.Tests.CallBooker;

public class CorsTests
{
    static async Task<(HttpStatusCode Status, string? AllowOrigin)> Preflight(HermesInstance hermes, string path, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await hermes.Http.SendAsync(request);
        return (response.StatusCode, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? string.Join(",", v) : null);
    }

    static async Task<string?> AllowOriginOnGet(HermesInstance hermes, string path, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", origin);
        using var response = await hermes.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? string.Join(",", v) : null;
    }

    [Fact]
    public async Task The_website_origins_from_CORS_ORIGINS_may_call_the_booker_and_other_origins_may_not()
    {
        await using var hermes = await HermesInstance.StartAsync(s => s["CORS_ORIGINS"] = "https://tutorcruncher.com, https://www.example.org");

        Assert.Equal((HttpStatusCode.NoContent, "https://www.example.org"), await Preflight(hermes, "/callbooker/sales/book/", "https://www.example.org"));
        Assert.Equal((HttpStatusCode.NoContent, "https://tutorcruncher.com"), await Preflight(hermes, "/callbooker/support/book/", "https://tutorcruncher.com"));
        Assert.Equal((HttpStatusCode.NoContent, (string?)null), await Preflight(hermes, "/callbooker/sales/book/", "https://evil.example.com"));
        Assert.Equal("https://www.example.org", await AllowOriginOnGet(hermes, "/loc/", "https://www.example.org"));
        Assert.Null(await AllowOriginOnGet(hermes, "/loc/", "https://evil.example.com"));
    }

    [Fact]
    public async Task In_dev_mode_any_origin_may_call_the_booker()
    {
        await using var hermes = await HermesInstance.StartAsync(s => s["DEV_MODE"] = "true");
        Assert.Equal((HttpStatusCode.NoContent, "*"), await Preflight(hermes, "/callbooker/sales/book/", "http://localhost:3000"));
        Assert.Equal("*", await AllowOriginOnGet(hermes, "/loc/", "http://localhost:3000"));
    }
}

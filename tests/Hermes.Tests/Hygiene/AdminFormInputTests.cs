using System.Net;
using System.Text;
using Hermes.Tests.Fuzz;
using Microsoft.EntityFrameworkCore;

namespace Hermes.Tests.Hygiene;

/// <summary>
/// The admin forms' input hygiene (issue 12), signed in and with the antiforgery token: a NUL in a field or a checkbox
/// that is neither true nor false is refused with a 400 page naming the field; text longer than its column is
/// refused next to the field. Nothing is saved in either case.
/// </summary>
public class AdminFormInputTests : IAsyncLifetime
{
    FuzzWorld _w = null!;

    public async Task InitializeAsync() => _w = await FuzzWorld.StartAsync();
    public async Task DisposeAsync() => await _w.DisposeAsync();

    /// <summary>Posts the company edit form with every field as it is but <paramref name="changes"/> (name and value already URL-encoded).</summary>
    async Task<(HttpStatusCode Status, string Html)> PostCompany(int id, params (string Name, string Value)[] changes)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.Name"] = "Junes+Ltd", ["Input.Tc2Status"] = "trial", ["Input.PricePlan"] = "payg", ["Input.Country"] = "GB", ["Input.PaidInvoiceCount"] = "0",
            ["Input.SalesPersonId"] = _w.Sales.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.HasBookedCall"] = "false",
            ["__RequestVerificationToken"] = Uri.EscapeDataString(_w.AdminToken),
        };
        foreach (var (name, value) in changes) fields[name] = value;
        using var content = new StringContent(string.Join('&', fields.Select(f => $"{f.Key}={f.Value}")), Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await _w.AdminHttp.PostAsync($"/company/update/{id}", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task<string> CompanyRow(int id)
    {
        await using var db = _w.Hermes.Db();
        var c = await db.Companies.AsNoTracking().SingleAsync(x => x.Id == id);
        return $"{c.Name}|{c.Tc2Status}|{c.Website}|{c.HasBookedCall}|{c.UtmSource}";
    }

    [Theory]
    [InlineData("Input.Website", "https%3A%2F%2Fjunes.com%00", "Input.Website", "Value contains a NUL character (%00)")]
    [InlineData("Input.Utm%00Source", "x", "Input.Utm%00Source", "Name contains a NUL character (%00)")]
    [InlineData("Input.Website", "junes%ED%A0%80.com", "Input.Website", "Value is not valid UTF-8 once percent-decoded")]
    [InlineData("Input.HasBookedCall", "maybe", "Input.HasBookedCall", "Must be true or false")]
    public async Task A_field_with_a_NUL_or_a_checkbox_that_is_not_a_bool_is_refused_with_400_naming_it_and_nothing_is_saved(string name, string value, string field, string problem)
    {
        var id = _w.CompanyIds[0];
        var before = await CompanyRow(id);

        var (status, html) = await PostCompany(id, (name, value));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"<p>The field <code>{field}</code>: {problem}. Nothing was changed: go back, correct it and save again.</p>", html);
        Assert.Equal(before, await CompanyRow(id));
    }

    [Fact]
    public async Task A_NUL_in_a_multipart_form_field_is_refused_with_400_naming_it_and_nothing_is_saved()
    {
        var id = _w.CompanyIds[0];
        var before = await CompanyRow(id);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Junes\0Ltd"), "Input.Name" }, { new StringContent("trial"), "Input.Tc2Status" },
            { new StringContent("payg"), "Input.PricePlan" }, { new StringContent(_w.Sales.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), "Input.SalesPersonId" },
            { new StringContent("0"), "Input.PaidInvoiceCount" }, { new StringContent(_w.AdminToken), "__RequestVerificationToken" },
        };

        using var response = await _w.AdminHttp.PostAsync($"/company/update/{id}", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<p>The field <code>Input.Name</code>: Value contains a NUL character (\\u0000). Nothing was changed: go back, correct it and save again.</p>",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await CompanyRow(id));
    }

    [Theory]
    [InlineData("""{"meta":{"entity":"organization","action":"create"},"data":{"id":20,"name":"A","name":"B"}}""", "data.name is a key that appears twice in one object")]
    [InlineData("""{"meta":{"entity":"organization","action":"create"},"data":{"id":20,"name":"A\ud800"}}""", "data.name contains an unpaired UTF-16 surrogate (\\ud800), which is not valid Unicode")]
    public async Task Replaying_a_refused_webhook_from_the_admin_reads_it_as_strictly_as_its_delivery_and_changes_nothing(string body, string why)
    {
        using var delivery = new HttpRequestMessage(HttpMethod.Post, "/pipedrive/callback/") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        delivery.Headers.Authorization = new("Basic", FuzzWorld.Basic("pipedrive", "webhook-secret"));
        using var refused = await _w.Hermes.Http.SendAsync(delivery);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        await using var db = _w.Hermes.Db();
        var stored = await db.WebhookLogs.OrderByDescending(w => w.Id).FirstAsync();
        var before = await CompanyRow(_w.CompanyIds[0]);

        using var form = new StringContent($"__RequestVerificationToken={Uri.EscapeDataString(_w.AdminToken)}", Encoding.ASCII, "application/x-www-form-urlencoded");
        using var replayed = await _w.AdminHttp.PostAsync($"/webhook/{stored.Id}?handler=replay", form);
        Assert.Equal((HttpStatusCode.Redirect, $"/webhook/{stored.Id}"), (replayed.StatusCode, replayed.Headers.Location?.OriginalString));

        var page = await _w.AdminHttp.GetStringAsync($"/webhook/{stored.Id}");
        Assert.Contains(System.Net.WebUtility.HtmlEncode($"Webhook {stored.Id} replayed: unreadable ({why}).").Replace("&#39;", "'"), page.Replace("&#x27;", "'"));
        Assert.Equal(before, await CompanyRow(_w.CompanyIds[0]));
    }

    [Fact]
    public async Task A_TC2_status_longer_than_its_25_character_column_is_refused_next_to_the_field()
    {
        var id = _w.CompanyIds[0];
        var before = await CompanyRow(id);

        var (status, html) = await PostCompany(id, ("Input.Tc2Status", new string('x', 26)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("<span class=\"field-error\">Use at most 25 characters.</span>", html);
        Assert.Equal(before, await CompanyRow(id));
    }

    [Fact]
    public async Task A_custom_field_name_longer_than_its_column_is_refused_and_no_field_is_added()
    {
        await using var db = _w.Hermes.Db();
        var count = await db.CustomFields.CountAsync();
        var form = $"Input.Name={new string('n', 256)}&Input.FieldType=str&Input.LinkedObjectType=Company&__RequestVerificationToken={Uri.EscapeDataString(_w.AdminToken)}";
        using var content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded");

        using var response = await _w.AdminHttp.PostAsync("/customfield/create", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Use at most 255 characters.", await response.Content.ReadAsStringAsync());
        Assert.Equal(count, await db.CustomFields.CountAsync());
    }
}

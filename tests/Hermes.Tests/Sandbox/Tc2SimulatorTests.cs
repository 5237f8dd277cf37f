using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Sandbox;
using Hermes.Sandbox.Tc2;
using Hermes.Tests.Sandbox.Support;

namespace Hermes.Tests.Sandbox;

/// <summary>The TC2 simulator's client API and signed webhooks (research/external_apis.md §D).</summary>
public sealed class Tc2SimulatorTests : IAsyncLifetime
{
    SimulatorFixture _sim = null!;

    static readonly Tc2Admin Brian = new(30, "Brain", "Johnson", "brian@tc.com");

    public async Task InitializeAsync()
    {
        _sim = await SimulatorFixture.StartAsync();
        _sim.Host.Tc2.PutClient(new SimulatedClient
        {
            Id = 10, FirstName = "Mary", LastName = "Booth", Email = "mary@booth.com", Status = "live",
            Agency = new Tc2Agency
            {
                Id = 20, Name = "MyTutors", Website = "www.example.com", Status = "active", PaidInvoiceCount = 2,
                Created = SimulatorFixture.Start.AddDays(-1),
            },
            AssociatedAdmin = Brian, SalesPerson = Brian, BdrPerson = Brian,
            PaidRecipients = [new Tc2Recipient(40, "Mary", "Booth", "mary@booth.com")],
            ExtraAttrs = new Dictionary<string, string> { ["how_did_you_hear_about_us_1"] = "----" },
        });
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    const string MaryBooth = """
        {"id":10,"model":"Client","user":{"first_name":"Mary","last_name":"Booth","email":"mary@booth.com","phone":null},"status":"live",
         "is_taxable":true,"charge_via_branch":false,"invoices_count":0,"payment_pending":"0.00","received_notifications":[],
         "associated_admin":{"id":30,"first_name":"Brain","last_name":"Johnson","email":"brian@tc.com"},
         "sales_person":{"id":30,"first_name":"Brain","last_name":"Johnson","email":"brian@tc.com"},
         "bdr_person":{"id":30,"first_name":"Brain","last_name":"Johnson","email":"brian@tc.com"},
         "paid_recipients":[{"id":40,"first_name":"Mary","last_name":"Booth","email":"mary@booth.com"}],
         "extra_attrs":[{"id":1,"value":"----","type":"text","machine_name":"how_did_you_hear_about_us_1","name":"How did you hear about us 1"}],
         "meta_agency":{"id":20,"name":"MyTutors","country":"United Kingdom (GB)","website":"www.example.com","status":"active",
          "paid_invoice_count":2,"created":"2026-11-23T09:30:00.000000Z","price_plan":"1-payg","narc":false,"signup_questionnaire":null,
          "pay0_dt":null,"pay1_dt":null,"pay3_dt":null,"card_saved_dt":null,"email_confirmed_dt":null,"gclid":null,"gclid_expiry_dt":null}}
        """;

    [Fact]
    public async Task A_client_is_read_with_the_integration_token()
    {
        var reply = await _sim.Tc2(HttpMethod.Get, "/api/clients/10/");

        Assert.Equal(200, reply.Status);
        JsonAssert.Equal(MaryBooth, reply.Json);
    }

    [Theory]
    [InlineData("", "Authentication credentials were not provided.")]
    [InlineData("token wrong-key", "Invalid token.")]
    [InlineData("token", "Invalid token header. No credentials provided.")]
    [InlineData("Bearer sandbox-tc2-key", "Authentication credentials were not provided.")]
    public async Task Requests_without_the_token_are_refused_as_django_rest_framework_does(string authorization, string detail)
    {
        var reply = await _sim.Tc2(HttpMethod.Get, "/api/clients/10/", authorization: authorization);

        Assert.Equal((401, "Token"), (reply.Status, reply.Header("WWW-Authenticate")));
        JsonAssert.Equal(new JsonObject { ["detail"] = detail }, reply.Json);
    }

    [Fact]
    public async Task Unknown_clients_are_404_and_a_missing_slash_redirects()
    {
        var unknown = await _sim.Tc2(HttpMethod.Get, "/api/clients/11/");
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, _sim.Host.Tc2BaseUrl + "/api/clients/10");
        request.Headers.Add("Authorization", "token sandbox-tc2-key");
        using var redirect = await noRedirects.SendAsync(request);

        Assert.Equal(404, unknown.Status);
        JsonAssert.Equal("""{"detail":"Not found."}""", unknown.Json);
        Assert.Equal((301, "/tc2/api/clients/10/"), ((int)redirect.StatusCode, redirect.Headers.Location?.ToString()));
    }

    [Fact]
    public async Task Posting_the_client_with_extra_attrs_updates_the_client_with_that_email()
    {
        // What hermes_v2 posted: the client with extra_attrs as a dict and admins as ids (research §D.3).
        var reply = await _sim.Tc2(HttpMethod.Post, "/api/clients/", """
            {"id":10,"user":{"email":"mary@booth.com","first_name":"Mary","last_name":"Booth"},"status":"live",
             "associated_admin":30,"sales_person":30,"bdr_person":null,
             "extra_attrs":{"pipedrive_url":"https://sandbox.pipedrive.com/organization/7/","pipedrive_deal_stage":"Trial",
                            "pipedrive_pipeline":"PAYG","how_did_you_hear_about_us_1":null},
             "meta_agency":{"name":"Ignored"}}
            """);

        var expected = JsonNode.Parse(MaryBooth)!;
        expected["bdr_person"] = null;
        expected["extra_attrs"] = JsonNode.Parse("""
            [{"id":1001,"value":"https://sandbox.pipedrive.com/organization/7/","type":"text","machine_name":"pipedrive_url","name":"Pipedrive url"},
             {"id":1002,"value":"Trial","type":"text","machine_name":"pipedrive_deal_stage","name":"Pipedrive deal stage"},
             {"id":1003,"value":"PAYG","type":"text","machine_name":"pipedrive_pipeline","name":"Pipedrive pipeline"}]
            """);
        Assert.Equal(200, reply.Status);
        JsonAssert.Equal(expected, reply.Json);
        JsonAssert.Equal(expected, (await _sim.Tc2(HttpMethod.Get, "/api/clients/10/")).Json);
    }

    [Theory]
    [InlineData("""{"user":{"email":"mary@booth.com"},"extra_attrs":[{"machine_name":"x","value":"y"}]}""",
        """{"extra_attrs":["Expected a dictionary of items but got type \"list\"."]}""")]
    [InlineData("""{"user":{"email":"mary@booth.com"},"sales_person":99}""", """{"sales_person":["Invalid pk \"99\" - object does not exist."]}""")]
    [InlineData("""{"user":{"email":"mary@booth.com"},"sales_person":"30"}""", """{"sales_person":["Incorrect type. Expected pk value, received str."]}""")]
    [InlineData("""{"user":{"email":"new@example.com","first_name":"New"}}""", """{"user":{"last_name":["This field is required."]}}""")]
    [InlineData("""[1]""", """{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}""")]
    public async Task Bad_updates_are_refused_with_field_errors_and_change_nothing(string body, string errors)
    {
        var reply = await _sim.Tc2(HttpMethod.Post, "/api/clients/", body);

        Assert.Equal(400, reply.Status);
        JsonAssert.Equal(errors, reply.Json);
        JsonAssert.Equal(MaryBooth, (await _sim.Tc2(HttpMethod.Get, "/api/clients/10/")).Json);
        Assert.Single(_sim.Host.Tc2.Clients);
    }

    [Fact]
    public async Task Client_webhooks_are_python_json_signed_with_hmac_sha256_of_the_raw_body()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _sim.Host.Tc2.Webhooks.Url = () => receiver.Url;

        var sent = await _sim.Host.Tc2.Webhooks.EmitClientEventAsync("EDITED_A_CLIENT", 10);
        var received = await receiver.NextAsync();

        // The documented check (tc-api-docs webhooks-verification.py): hmac.new(KEY, payload, sha256).hexdigest().
        var expectedSignature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("sandbox-tc2-key"), Encoding.UTF8.GetBytes(received.Body)));
        Assert.Equal((expectedSignature, 200), (received.Header("webhook-signature"), sent.StatusCode ?? 0));
        Assert.Equal(PythonJson.Serialize(JsonNode.Parse($$"""
            {"_request_time":1795512600,"events":[{"action":"EDITED_A_CLIENT","verb":"Edited a Client","timestamp":"2026-11-24T09:30:00.000000Z",
             "branch":99,"actor":{"name":"Sandbox Admin","id":1,"user_id":1},"extra_msg":"","subject":{{MaryBooth}}}]}
            """)), received.Body);
        Assert.StartsWith("""{"_request_time": 1795512600, "events": [{"action": "EDITED_A_CLIENT", "verb": "Edited a Client", """, received.Body);
    }

    [Fact]
    public async Task Deleting_a_client_sends_the_thin_subject_and_invoices_name_their_client()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _sim.Host.Tc2.Webhooks.Url = () => receiver.Url;

        await _sim.Host.Tc2.Webhooks.EmitInvoiceEventAsync("CLIENT_PAID_INVOICE", 10, invoiceId: 55);
        await _sim.Host.Tc2.Webhooks.EmitClientDeletedAsync(10);
        var invoice = JsonNode.Parse((await receiver.NextAsync()).Body)!["events"]![0]!;
        var deleted = JsonNode.Parse((await receiver.NextAsync()).Body)!["events"]![0]!;

        JsonAssert.Equal("""
            {"id":55,"model":"Invoice","display_id":"INV-55","client":{"id":10,"first_name":"Mary","last_name":"Booth","email":"mary@booth.com"},
             "status":"paid","gross":"90.00","net":"75.00","tax":"15.00"}
            """, invoice["subject"]);
        JsonAssert.Equal("""{"id":10,"model":"Client","first_name":"Mary","last_name":"Booth"}""", deleted["subject"]);
        Assert.Equal(("DELETED_A_CLIENT", "Deleted a Client"), (deleted["action"]!.GetValue<string>(), deleted["verb"]!.GetValue<string>()));
        Assert.Equal(404, (await _sim.Tc2(HttpMethod.Get, "/api/clients/10/")).Status);
    }

    [Fact]
    public void Python_json_escapes_non_ascii_like_json_dumps()
    {
        Assert.Equal("""{"name": "Zo\u00eb \u2013 \"tutor\"", "n": [1, 2.5, true, null]}""",
            PythonJson.Serialize(JsonNode.Parse("""{"name":"Zoë – \"tutor\"","n":[1,2.5,true,null]}""")));
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Sandbox;
using Microsoft.Extensions.Time.Testing;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.CallBooker;

public class AvailabilityTests
{
    static DateTime Utc(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, DateTimeKind.Utc);

    /// <summary>Ten slots of 30 minutes, 45 minutes apart, from <paramref name="first"/> (the default config's working day).</summary>
    static IEnumerable<(DateTime, DateTime)> Day(DateTime first) => Enumerable.Range(0, 10).Select(i => (first.AddMinutes(45 * i), first.AddMinutes(45 * i + 30)));

    static async Task<List<(DateTime Start, DateTime End)>> SlotsAsync(BookerWorld w, string query)
    {
        var response = await w.Hermes.Http.GetAsync("/callbooker/availability/?" + query);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("ok", body["status"]!.GetValue<string>());
        return body["slots"]!.AsArray().Select(s => (Parse(s![0]!.GetValue<string>()), Parse(s[1]!.GetValue<string>()))).ToList();
    }

    static DateTime Parse(string iso)
    {
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+00:00$", iso); // hermes_v2's format, always UTC
        return DateTimeOffset.ParseExact(iso, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture).UtcDateTime;
    }

    static string Q(DateTime utc) => Uri.EscapeDataString(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    [Fact]
    public async Task Availability_across_the_2027_DST_changes_for_a_London_admin_as_a_Toronto_visitor_sees_it()
    {
        // The clock is set before the ranges so the 2-hour notice doesn't touch them; these dates never expire.
        await using var w = await BookerWorld.StartAsync(clock: new FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        var admin = await w.Add(Steve());
        var toronto = TimeZoneInfo.FindSystemTimeZoneById("America/Toronto");

        // Spring: Toronto moves to EDT on 14 March, London to BST on 28 March. The visitor asks in their own offsets.
        var spring = await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={Uri.EscapeDataString("2027-03-12T00:00:00-05:00")}&end_dt={Uri.EscapeDataString("2027-03-30T23:59:00-04:00")}");
        int[] gmtDays = [12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26];
        Assert.Equal(gmtDays.SelectMany(d => Day(Utc(2027, 3, d, 10))).Concat(new[] { 29, 30 }.SelectMany(d => Day(Utc(2027, 3, d, 9)))), spring);
        // In Toronto the first call of the day moves from 5:00 to 6:00 and back to 5:00 as the two countries change clocks.
        Assert.Equal(["Fri 12 05:00", "Mon 15 06:00", "Fri 26 06:00", "Mon 29 05:00", "Tue 30 05:00"],
            spring.GroupBy(s => s.Start.Date).Select(g => TimeZoneInfo.ConvertTimeFromUtc(g.First().Start, toronto))
                .Where(t => t.Day is 12 or 15 or 26 or 29 or 30).Select(t => t.ToString("ddd dd HH:mm", CultureInfo.InvariantCulture)));

        // Autumn: London back to GMT on 31 October, Toronto to EST on 7 November.
        var autumn = await SlotsAsync(w, $"admin_id={admin.Id}&start_dt=2027-10-27T00:00:00&end_dt=2027-11-10T23:59:00");
        Assert.Equal(new[] { 27, 28, 29 }.SelectMany(d => Day(Utc(2027, 10, d, 9)))
            .Concat(new[] { 1, 2, 3, 4, 5, 8, 9, 10 }.SelectMany(d => Day(Utc(2027, 11, d, 10)))), autumn);
        Assert.Equal(["Fri 29 05:00", "Mon 01 06:00", "Fri 05 06:00", "Mon 08 05:00"],
            autumn.GroupBy(s => s.Start.Date).Select(g => TimeZoneInfo.ConvertTimeFromUtc(g.First().Start, toronto))
                .Where(t => t.Day is 29 or 1 or 5 or 8).Select(t => t.ToString("ddd dd HH:mm", CultureInfo.InvariantCulture)));

        // One free/busy question per request, for the admin's calendar over the asked range.
        var asked = w.GoogleRequests("POST", "/calendar/v3/freeBusy").Select(r => r.Json!.ToJsonString()).ToList();
        Assert.Equal([
            """{"timeMin":"2027-03-12T05:00:00Z","timeMax":"2027-03-31T03:59:00Z","timeZone":"UTC","groupExpansionMax":100,"items":[{"id":"climan@example.com"}]}""",
            """{"timeMin":"2027-10-27T00:00:00Z","timeMax":"2027-11-10T23:59:00Z","timeZone":"UTC","groupExpansionMax":100,"items":[{"id":"climan@example.com"}]}""",
        ], asked);
    }

    [Fact]
    public async Task Availability_for_a_Toronto_admin_follows_Toronto_working_hours()
    {
        await using var w = await BookerWorld.StartAsync(clock: new FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        var admin = await w.Add(Steve(timezone: "America/Toronto"));
        // Fri 12 March (EST, 10:00 = 15:00Z) and Mon 15 March (EDT, 10:00 = 14:00Z).
        var slots = await SlotsAsync(w, $"admin_id={admin.Id}&start_dt=2027-03-12T00:00:00Z&end_dt=2027-03-16T00:00:00Z");
        Assert.Equal(Day(Utc(2027, 3, 12, 15)).Concat(Day(Utc(2027, 3, 15, 14))), slots);
    }

    [Fact]
    public async Task An_admin_busy_for_the_whole_range_has_no_slots_and_that_is_an_ok_answer()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve(timezone: "Etc/UTC"));
        var day = w.WeekdayAt(7, 0);
        w.Sim.Google.SetBusy(admin.Username, (day.AddHours(-1), day.AddDays(3)));

        var response = await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id={admin.Id}&start_dt={Q(day)}&end_dt={Q(day.AddDays(2))}");

        await AssertJson(response, System.Net.HttpStatusCode.OK, """{"status":"ok","slots":[]}""");
    }

    [Fact]
    public async Task A_busy_period_touching_a_slots_edge_takes_the_slot_away()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve(timezone: "Etc/UTC"));
        var day = w.WeekdayAt(7, 0);
        w.Sim.Google.SetBusy(admin.Username,
            (day.AddHours(10.5), day.AddHours(11.5)),                         // ends when 11:30 starts, starts when 10:00 ends
            (day.AddMinutes(13 * 60 + 30), day.AddMinutes(13 * 60 + 45)),     // between 13:00–13:30 and 13:45–14:15, touching both
            (day.AddMinutes(15 * 60 + 46), day.AddMinutes(15 * 60 + 59)));    // between 15:15–15:45 and 16:00–16:30, touching neither

        var slots = await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={Q(day)}&end_dt={Q(day.AddDays(1))}");
        Assert.Equal(new[] { 12 * 60 + 15, 14 * 60 + 30, 15 * 60 + 15, 16 * 60, 16 * 60 + 45 }.Select(m => (day.AddMinutes(m), day.AddMinutes(m + 30))), slots);
    }

    [Fact]
    public async Task A_range_spanning_a_weekend_has_no_weekend_slots_and_nothing_outside_the_range()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve(timezone: "Etc/UTC"));
        var friday = w.WeekdayAt(7, 0);
        while (friday.DayOfWeek != DayOfWeek.Friday) friday = friday.AddDays(1);

        var slots = await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={Q(friday.AddHours(14))}&end_dt={Q(friday.AddDays(3).AddHours(12))}");
        var monday = friday.AddDays(3);
        Assert.Equal(new[] { friday.AddMinutes(14 * 60 + 30), friday.AddMinutes(15 * 60 + 15), friday.AddHours(16), friday.AddMinutes(16 * 60 + 45),
                             monday.AddHours(10), monday.AddMinutes(10 * 60 + 45), monday.AddMinutes(11 * 60 + 30) }
            .Select(s => (s, s.AddMinutes(30))), slots);
    }

    [Fact]
    public async Task The_configured_meeting_length_buffer_and_hours_make_the_slots()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve(timezone: "Etc/UTC"));
        await w.Hermes.SeedConfigAsync(c => { c.MeetingDurMins = 60; c.MeetingBufferMins = 0; c.MeetingMinStart = "09:00"; c.MeetingMaxEnd = "12:00"; });
        var day = w.WeekdayAt(7, 0);

        var slots = await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={Q(day)}&end_dt={Q(day.AddDays(1))}");
        Assert.Equal([(day.AddHours(9), day.AddHours(10)), (day.AddHours(10), day.AddHours(11)), (day.AddHours(11), day.AddHours(12))], slots);
    }

    [Fact]
    public async Task Availability_starts_at_start_dt_never_sooner_than_15_minutes_from_now__without_link_parameters__as_hermes_v2s_contract()
    {
        // The existing website asks with only admin_id, start_dt and end_dt, and sets start_dt itself: now + 2 hours for a
        // sales booker, now for an express support link. Hermes keeps everyone from a slot about to start (15 minutes).
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve(tc2AdminId: 20, timezone: "Etc/UTC"));
        await w.Add(new Company { Name = "Junes Ltd", Tc2CligencyId = 10, Created = w.Now, SalesPersonId = admin.Id });
        var monday = w.WeekdayAt(7, 0);
        while (monday.DayOfWeek != DayOfWeek.Monday) monday = monday.AddDays(1);
        var fromTen = new[] { 10 * 60, 10 * 60 + 45, 11 * 60 + 30, 12 * 60 + 15 }.Select(m => (monday.AddMinutes(m), monday.AddMinutes(m + 30))).ToList();
        string From(DateTime start) => $"admin_id={admin.Id}&start_dt={Q(start)}&end_dt={Q(monday.AddHours(13))}";

        // Now 09:45: the express booker asks from now and gets 10:00, exactly 15 minutes ahead.
        w.Clock.SetUtcNow(monday.AddHours(9).AddMinutes(45));
        Assert.Equal(fromTen, await SlotsAsync(w, From(w.Now)));
        // Asking from midnight changes nothing; the sales booker asks from now + 2 hours and gets 12:15 first.
        Assert.Equal(fromTen, await SlotsAsync(w, From(monday)));
        Assert.Equal(fromTen[3..], await SlotsAsync(w, From(w.Now.AddHours(2))));
        // Now 09:50: 10:00 is 10 minutes away, too soon for anyone, with or without a support link's parameters.
        w.Clock.SetUtcNow(monday.AddHours(9).AddMinutes(50));
        Assert.Equal(fromTen[1..], await SlotsAsync(w, From(w.Now)));
        var response = await w.Hermes.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get,
            "/callbooker/support-link/generate/tc2/?tc2_admin_id=20&tc2_cligency_id=10&express=true") { Headers = { { "Authorization", "token test-tc2-key" } } });
        var link = new Uri(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["link"]!.GetValue<string>());
        var linkParams = string.Join("&", link.Query.TrimStart('?').Split('&').Where(p => !p.StartsWith("admin_id=", StringComparison.Ordinal)));
        Assert.Equal(fromTen[1..], await SlotsAsync(w, $"{From(w.Now)}&{linkParams}"));
    }

    [Fact]
    public async Task An_unknown_admin_is_a_404_and_bad_dates_are_422s()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var day = w.WeekdayAt(7, 0);

        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id={admin.Id + 1}&start_dt={Q(day)}&end_dt={Q(day.AddDays(1))}"),
            HttpStatusCode.NotFound, $$"""{"status":"error","message":"Admin {{admin.Id + 1}} not found"}""");
        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id=x&start_dt=yesterday&end_dt="), HttpStatusCode.UnprocessableEntity, """
            {"detail":[
              {"type":"int_parsing","loc":["query","admin_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"},
              {"type":"datetime_parsing","loc":["query","start_dt"],"msg":"Input should be a valid datetime: ISO 8601 (with or without offset; naive is UTC) or a unix timestamp","input":"yesterday"},
              {"type":"missing","loc":["query","end_dt"],"msg":"Field required","input":""}]}
            """);
        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id={admin.Id}&start_dt=2027-01-05T10:00:00&end_dt=2027-01-05T09:00:00"),
            HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"value_error","loc":["query","end_dt"],"msg":"Value error, end_dt must be after start_dt","input":"2027-01-05T09:00:00","ctx":{"error":{}}}]}""");
        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id={admin.Id}&start_dt=2027-01-01&end_dt=2027-06-01"),
            HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"datetime_parsing","loc":["query","start_dt"],"msg":"Input should be a valid datetime: ISO 8601 (with or without offset; naive is UTC) or a unix timestamp","input":"2027-01-01"},{"type":"datetime_parsing","loc":["query","end_dt"],"msg":"Input should be a valid datetime: ISO 8601 (with or without offset; naive is UTC) or a unix timestamp","input":"2027-06-01"}]}""");
        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id={admin.Id}&start_dt=2027-01-01T00:00&end_dt=2027-06-01T00:00"),
            HttpStatusCode.UnprocessableEntity,
            """{"detail":[{"type":"value_error","loc":["query","end_dt"],"msg":"Value error, the range may cover at most 92 days","input":"2027-06-01T00:00","ctx":{"error":{}}}]}""");
        await w.Hermes.RunJobsAsync();
        Assert.Empty(w.Sim.Google.Requests.All);
    }

    [Fact]
    public async Task Availability_accepts_the_date_forms_callers_send()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve(timezone: "Etc/UTC"));
        var day = w.WeekdayAt(7, 0);
        var expected = Day(day.AddHours(10)).ToList();
        string D(string format) => day.ToString(format, CultureInfo.InvariantCulture);

        // The website's Date.toISOString(), a naive time (UTC), an offset whose '+' arrived unencoded, unix seconds.
        Assert.Equal(expected, await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={D("yyyy-MM-dd")}T00:00:00.000Z&end_dt={D("yyyy-MM-dd")}T23:00:00.000Z"));
        Assert.Equal(expected, await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={D("yyyy-MM-dd")}T00:00:00&end_dt={D("yyyy-MM-dd")}T23:00"));
        Assert.Equal(expected, await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={D("yyyy-MM-dd")}T01:00:00+01:00&end_dt={D("yyyy-MM-dd")}T23:00:00%2B00:00"));
        Assert.Equal(expected, await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={new DateTimeOffset(day).ToUnixTimeSeconds()}.0&end_dt={new DateTimeOffset(day.AddHours(23)).ToUnixTimeSeconds()}"));
    }

    [Fact]
    public async Task When_Google_cannot_be_read_availability_says_so()
    {
        await using var w = await BookerWorld.StartAsync();
        var admin = await w.Add(Steve());
        var day = w.WeekdayAt(7, 0);
        w.Sim.Google.Faults.Next(1, Fault.ServerError(503), "/calendar/v3/freeBusy");

        await AssertJson(await w.Hermes.Http.GetAsync($"/callbooker/availability/?admin_id={admin.Id}&start_dt={Q(day)}&end_dt={Q(day.AddDays(1))}"),
            HttpStatusCode.BadGateway, """{"status":"error","message":"The admin's Google Calendar could not be read. Please try again."}""");
        // The next request works again.
        Assert.Equal(10, (await SlotsAsync(w, $"admin_id={admin.Id}&start_dt={Q(day)}&end_dt={Q(day.AddDays(1))}")).Count);
    }
}

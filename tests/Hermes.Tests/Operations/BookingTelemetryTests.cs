using System.Net;
using Hermes.Tests.CallBooker;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using static Hermes.Tests.CallBooker.Rows;
using static Hermes.Tests.CallBooker.TestKit;

namespace Hermes.Tests.Operations;

/// <summary>A booking is a span (with Google's calls inside it) and is counted by type and outcome.</summary>
[Collection(TelemetryCollection.Name)]
public class BookingTelemetryTests
{
    [Fact]
    public async Task A_booking_is_one_span_with_Googles_calls_inside_and_bookings_are_counted_by_outcome()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var w = await BookerWorld.StartAsync(s => s["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.BaseAddress.ToString());
        var admin = await w.Add(Steve());
        var slot = w.WeekdayAt(3, 11);
        Assert.Equal(HttpStatusCode.OK, (await w.Post("/callbooker/sales/book/", SalesBody(admin, slot))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await w.Post("/callbooker/sales/book/", SalesBody(admin, slot, b => { b["email"] = "other@junes.com"; b["name"] = "Other Person"; }))).StatusCode);
        Assert.True(w.Hermes.App.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        Assert.True(w.Hermes.App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));

        var server = otlp.Spans.Where(s => s.Kind == 2 && Equals(s.Attributes.GetValueOrDefault("server.port"), (long)w.Hermes.BaseAddress.Port)
                                            && s.Name == "POST /callbooker/sales/book/").ToList();
        Assert.Equal(2, server.Count);
        var bookings = server.Select(s => Assert.Single(otlp.Trace(s.TraceId), b => b.Name == "booking sales" && b.ParentSpanId == s.SpanId)).ToList();
        Assert.Equal(["booked", "refused"], bookings.Select(b => b.Attributes["hermes.booking.outcome"]).Order());
        var booked = bookings.Single(b => Equals(b.Attributes["hermes.booking.outcome"], "booked"));
        var google = otlp.Trace(booked.TraceId).Where(s => s.Kind == 3 && s.Scope == "System.Net.Http" && s.ParentSpanId == booked.SpanId)
            .Select(s => new Uri((string)s.Attributes["url.full"]!).AbsolutePath).ToList();
        Assert.Contains("/google/calendar/v3/freeBusy", google);
        Assert.Contains(google, p => p.EndsWith("/events", StringComparison.Ordinal));

        double Count(string outcome) => otlp.Metrics.Where(m => m.Name == "hermes.bookings").SelectMany(m => m.Points)
            .Where(p => Equals(p.Attributes["hermes.booking.type"], "sales") && Equals(p.Attributes["hermes.booking.outcome"], outcome))
            .Select(p => p.Value ?? 0).DefaultIfEmpty().Max();
        Assert.True(Count("booked") >= 1 && Count("refused") >= 1);
    }
}

using System.Collections.Concurrent;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes.Tests.Operations;

/// <summary>
/// An OpenTelemetry collector for tests: OTLP/HTTP with protobuf bodies at <c>/v1/traces</c>, <c>/v1/metrics</c> and
/// <c>/v1/logs</c> on a free local port. It reads as much of the OTLP messages as tests look at (span names, ids,
/// kinds and attributes; metric names and data points; log bodies and their trace ids), straight from the protobuf
/// wire format, and keeps the request headers.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, int StatusCode,
        IReadOnlyDictionary<string, object?> Attributes, IReadOnlyDictionary<string, object?> Resource, string Scope);
    public sealed record DataPoint(IReadOnlyDictionary<string, object?> Attributes, double? Value, ulong? Count);
    public sealed record Metric(string Name, string Scope, IReadOnlyList<DataPoint> Points);
    public sealed record LogRecord(string? Body, string TraceId, string SpanId, int Severity);

    readonly WebApplication _app;
    public ConcurrentQueue<Span> Spans { get; } = new();
    public ConcurrentQueue<Metric> Metrics { get; } = new();
    public ConcurrentQueue<LogRecord> Logs { get; } = new();
    /// <summary>Each request's path and headers, in arrival order.</summary>
    public ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers)> Requests { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;

    OtlpReceiver(WebApplication app) => _app = app;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            receiver.Requests.Enqueue((request.Path, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            var body = await ReadBodyAsync(request);
            switch (signal)
            {
                case "traces": receiver.ReadTraces(body); break;
                case "metrics": receiver.ReadMetrics(body); break;
                case "logs": receiver.ReadLogs(body); break;
                default: return Results.NotFound();
            }
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return receiver;
    }

    static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
        await body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public IEnumerable<Span> Trace(string traceId) => Spans.Where(s => s.TraceId == traceId);

    // ─────────────── the protobuf messages of opentelemetry-proto, field numbers as in its .proto files ───────────────

    void ReadTraces(byte[] body)
    {
        foreach (var resourceSpans in Repeated(body, 1)) // ExportTraceServiceRequest.resource_spans
        {
            var resource = ResourceOf(resourceSpans);
            foreach (var scopeSpans in Repeated(resourceSpans, 2))
            {
                var scope = ScopeName(scopeSpans);
                foreach (var span in Repeated(scopeSpans, 2))
                {
                    var f = Fields(span);
                    var status = f.TryGetValue(15, out var s) ? Fields((ByteString)s[0]) : [];
                    Spans.Enqueue(new Span(Hex(f, 1), Hex(f, 2), Hex(f, 4), Str(f, 5) ?? "", (int)Num(f, 6), (int)(status.TryGetValue(3, out var c) ? (ulong)c[0] : 0),
                        Attributes(f, 9), resource, scope));
                }
            }
        }
    }

    void ReadMetrics(byte[] body)
    {
        foreach (var resourceMetrics in Repeated(body, 1))
        foreach (var scopeMetrics in Repeated(resourceMetrics, 2))
        {
            var scope = ScopeName(scopeMetrics);
            foreach (var metric in Repeated(scopeMetrics, 2))
            {
                var f = Fields(metric);
                var points = new List<DataPoint>();
                foreach (var (field, attributesField) in new[] { (5, 7), (7, 7), (9, 9) }) // gauge, sum (NumberDataPoint), histogram
                {
                    if (!f.TryGetValue(field, out var data)) continue;
                    foreach (var point in Repeated((ByteString)data[0], 1))
                    {
                        var p = Fields(point);
                        if (field == 9)
                            points.Add(new DataPoint(Attributes(p, attributesField), p.TryGetValue(5, out var sum) ? BitConverter.UInt64BitsToDouble((ulong)sum[0]) : null, (ulong)p[4][0]));
                        else
                            points.Add(new DataPoint(Attributes(p, attributesField),
                                p.TryGetValue(4, out var d) ? BitConverter.UInt64BitsToDouble((ulong)d[0]) : p.TryGetValue(6, out var i) ? (long)(ulong)i[0] : null, null));
                    }
                }
                Metrics.Enqueue(new Metric(Str(f, 1) ?? "", scope, points));
            }
        }
    }

    void ReadLogs(byte[] body)
    {
        foreach (var resourceLogs in Repeated(body, 1))
        foreach (var scopeLogs in Repeated(resourceLogs, 2))
        foreach (var record in Repeated(scopeLogs, 2))
        {
            var f = Fields(record);
            var text = f.TryGetValue(5, out var b) ? AnyValue((ByteString)b[0])?.ToString() : null;
            Logs.Enqueue(new LogRecord(text, Hex(f, 9), Hex(f, 10), (int)Num(f, 2)));
        }
    }

    static IReadOnlyDictionary<string, object?> ResourceOf(ByteString resourceSpans)
    {
        var f = Fields(resourceSpans);
        return f.TryGetValue(1, out var r) ? Attributes(Fields((ByteString)r[0]), 1) : new Dictionary<string, object?>();
    }

    static string ScopeName(ByteString scoped)
    {
        var f = Fields(scoped);
        return f.TryGetValue(1, out var s) ? Str(Fields((ByteString)s[0]), 1) ?? "" : "";
    }

    static Dictionary<string, object?> Attributes(Dictionary<int, List<object>> message, int field)
    {
        var result = new Dictionary<string, object?>();
        if (!message.TryGetValue(field, out var values)) return result;
        foreach (ByteString kv in values)
        {
            var f = Fields(kv);
            result[Str(f, 1) ?? ""] = f.TryGetValue(2, out var v) ? AnyValue((ByteString)v[0]) : null;
        }
        return result;
    }

    static object? AnyValue(ByteString value)
    {
        var f = Fields(value);
        if (f.TryGetValue(1, out var s)) return ((ByteString)s[0]).ToStringUtf8();
        if (f.TryGetValue(2, out var b)) return (ulong)b[0] != 0;
        if (f.TryGetValue(3, out var i)) return (long)(ulong)i[0];
        if (f.TryGetValue(4, out var d)) return BitConverter.UInt64BitsToDouble((ulong)d[0]);
        return null;
    }

    static IEnumerable<ByteString> Repeated(byte[] message, int field) => Repeated(ByteString.CopyFrom(message), field);

    static IEnumerable<ByteString> Repeated(ByteString message, int field) =>
        Fields(message).TryGetValue(field, out var values) ? values.Cast<ByteString>() : [];

    static string? Str(Dictionary<int, List<object>> f, int field) => f.TryGetValue(field, out var v) ? ((ByteString)v[0]).ToStringUtf8() : null;

    static ulong Num(Dictionary<int, List<object>> f, int field) => f.TryGetValue(field, out var v) ? (ulong)v[0] : 0;

    static string Hex(Dictionary<int, List<object>> f, int field) =>
        f.TryGetValue(field, out var v) ? Convert.ToHexStringLower(((ByteString)v[0]).ToByteArray()) : "";

    /// <summary>One message's fields by number: length-delimited ones as bytes, numbers (varint, fixed32/64) as ulong.</summary>
    static Dictionary<int, List<object>> Fields(ByteString message)
    {
        var fields = new Dictionary<int, List<object>>();
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            object value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => input.ReadUInt64(),
                WireFormat.WireType.Fixed64 => input.ReadFixed64(),
                WireFormat.WireType.Fixed32 => (ulong)input.ReadFixed32(),
                WireFormat.WireType.LengthDelimited => input.ReadBytes(),
                var other => throw new InvalidDataException($"unexpected wire type {other}"),
            };
            var number = WireFormat.GetTagFieldNumber(tag);
            if (!fields.TryGetValue(number, out var list)) fields[number] = list = [];
            list.Add(value);
        }
        return fields;
    }

    static Dictionary<int, List<object>> Fields(byte[] message) => Fields(ByteString.CopyFrom(message));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

namespace Hermes.Configuration;

/// <summary>
/// Where this Hermes process reaches itself, e.g. <c>http://127.0.0.1:8000</c>. The sandbox points Hermes's settings
/// at simulators on Hermes's own port, which (with port 0) is known only once Kestrel listens; such settings are
/// written with <see cref="Placeholder"/> and resolved each time they are read, from the server's bound address.
/// </summary>
public sealed class SelfOrigin
{
    public const string Placeholder = "http://127.0.0.1:0";

    Func<string?>? _source;
    string? _value;

    /// <summary>Tells where to look once the server listens (the source answers null until then).</summary>
    public void ResolveWith(Func<string?> source) => _source = source;

    /// <summary>The origin, or null while Hermes is not listening yet.</summary>
    public string? Value => _value ??= _source?.Invoke();

    /// <summary>The URL with the placeholder origin replaced by the real one (unchanged before Hermes listens).</summary>
    public string Resolve(string url) =>
        url.StartsWith(Placeholder + "/", StringComparison.Ordinal) && Value is { } origin ? origin + url[Placeholder.Length..] : url;
}

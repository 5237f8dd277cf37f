namespace Hermes.Configuration;

/// <summary>A setting is missing or malformed. Start-up prints the message (which names the variable) and exits.</summary>
public sealed class SettingsException(string variable, string problem)
    : Exception($"{variable}: {problem}")
{
    public string Variable { get; } = variable;
}

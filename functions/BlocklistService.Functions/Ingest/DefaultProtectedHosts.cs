namespace BlocklistService.Functions.Ingest;

/// <summary>The curated default protected hosts, <c>Ingest/protected-hosts.txt</c>, embedded in the assembly.</summary>
public static class DefaultProtectedHosts
{
    public const string ResourceName = "BlocklistService.Functions.Ingest.protected-hosts.txt";

    /// <summary>Every host line of the file (comments and blank lines skipped).</summary>
    public static IReadOnlyList<string> Load()
    {
        using var stream = typeof(DefaultProtectedHosts).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var hosts = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#')
            {
                hosts.Add(trimmed);
            }
        }

        return hosts;
    }
}

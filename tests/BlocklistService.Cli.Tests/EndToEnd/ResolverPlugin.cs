using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// A real Unbound running the resolver plugin (<c>tools/resolver/blocklist_unbound.py</c>) in its Python module before
/// the iterator, forwarding <c>test.</c> to an upstream resolver; the plugin's settings file names the state files.
/// </summary>
public static class ResolverPlugin
{
    /// <summary>The core module Debian's python3-unbound installs; Unbound's Python module imports it.</summary>
    public const string UnboundPythonModule = "/usr/lib/python3/dist-packages/unboundmodule.py";

    public static string Script => Path.Combine(RepositoryPaths.Root, "tools", "resolver", "blocklist_unbound.py");

    public static async Task<UnboundResolver> StartAsync(string directory, string name, int upstreamPort, string settings, string readyName)
    {
        var settingsPath = Path.Combine(directory, name + "-plugin.conf");
        await File.WriteAllTextAsync(settingsPath, settings);
        var environment = new Dictionary<string, string?>
        {
            ["BLOCKLIST_UNBOUND_CONF"] = settingsPath,

            // the embedded interpreter must find Debian's unboundmodule even where another Python comes first on PATH
            ["PYTHONPATH"] = Path.GetDirectoryName(UnboundPythonModule),
        };
        return await UnboundResolver.StartAsync(
            directory,
            name,
            """
              module-config: "python iterator"
              domain-insecure: "test."
              local-zone: "test." nodefault
            """,
            $"""
            python:
              python-script: "{Script}"
            forward-zone:
              name: "test."
              forward-addr: 127.0.0.1@{upstreamPort}
            """,
            readyName,
            environment);
    }
}

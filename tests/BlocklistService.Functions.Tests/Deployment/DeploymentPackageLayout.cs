using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>
/// What the Azure Functions host requires of a custom-handler deployment zip, as checks that return every
/// problem found (empty = valid): host.json at the root with a customHandler whose executable is in the zip and
/// executable, one root folder per function holding a valid function.json, a self-contained linux-x64 handler.
/// </summary>
internal static partial class DeploymentPackageLayout
{
    public const string HandlerFolder = "handler/";

    public static List<string> Validate(ZipArchive zip)
    {
        var problems = new List<string>();
        var entries = zip.Entries.ToDictionary(e => e.FullName, StringComparer.Ordinal);
        if (!entries.TryGetValue("host.json", out var hostEntry))
        {
            problems.Add("host.json is not at the root of the zip");
            return problems;
        }

        using (var host = JsonDocument.Parse(Read(hostEntry)))
        {
            ValidateHost(host.RootElement, entries, problems);
        }

        var functionFiles = entries.Keys.Where(name => name.EndsWith("/function.json", StringComparison.Ordinal)).ToList();
        if (functionFiles.Count == 0)
        {
            problems.Add("no function.json in the zip");
        }

        var definitions = functionFiles.Where(n => n.Count(c => c == '/') == 1)
            .Select(n => (Name: n.Split('/')[0], Json: TryParse(Read(entries[n])))).Where(d => d.Json is not null).ToList();
        using (var host = JsonDocument.Parse(Read(hostEntry)))
        {
            var routes = FrontDoorRoutes(host.RootElement, definitions.Select(d => d.Json!.RootElement));
            foreach (var timer in definitions.Where(d => HttpRoute(d.Json!.RootElement).Length == 0))
            {
                if (Routed(routes, "/" + timer.Name))
                {
                    problems.Add($"/{timer.Name} (a host-only timer path) is reachable through the front door");
                }
            }
        }

        foreach (var definition in definitions)
        {
            definition.Json!.Dispose();
        }

        foreach (var name in functionFiles)
        {
            if (name.Count(c => c == '/') != 1 || name.StartsWith(HandlerFolder, StringComparison.Ordinal))
            {
                problems.Add($"{name}: a function.json must sit in a root folder named after its function");
                continue;
            }

            problems.AddRange(ValidateFunction(name, Read(entries[name])));
        }

        return problems;
    }

    /// <summary>Checks one function.json; problems are prefixed with <paramref name="name"/>.</summary>
    public static IEnumerable<string> ValidateFunction(string name, byte[] json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return [$"{name}: not JSON ({e.Message})"];
        }

        using (document)
        {
            var problems = new List<string>();
            if (!document.RootElement.TryGetProperty("bindings", out var bindings) || bindings.ValueKind != JsonValueKind.Array)
            {
                return [$"{name}: no bindings array"];
            }

            var triggers = bindings.EnumerateArray()
                .Where(b => Text(b, "type").EndsWith("Trigger", StringComparison.Ordinal))
                .ToList();
            if (triggers.Count != 1)
            {
                problems.Add($"{name}: needs exactly one trigger binding, has {triggers.Count}");
                return problems;
            }

            foreach (var binding in bindings.EnumerateArray())
            {
                if (Text(binding, "name").Length == 0 || Text(binding, "direction") is not ("in" or "out"))
                {
                    problems.Add($"{name}: every binding needs a name and a direction of in or out");
                }
            }

            var trigger = triggers[0];
            if (Text(trigger, "direction") != "in")
            {
                problems.Add($"{name}: the trigger's direction must be in");
            }

            switch (Text(trigger, "type"))
            {
                case "httpTrigger":
                    if (Text(trigger, "authLevel") != "anonymous")
                    {
                        problems.Add($"{name}: the API authenticates itself; authLevel must be anonymous");
                    }

                    // A route must start with a literal segment: a catch-all at the root would route the host-only
                    // timer path (/Publish) from the internet to the handler.
                    var route = Text(trigger, "route");
                    if (route.Length == 0 || route.StartsWith('{') || route.StartsWith('/'))
                    {
                        problems.Add($"{name}: the HTTP route '{route}' must start with a literal segment such as api/");
                    }

                    var methods = trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()).ToHashSet() : [];
                    var required = route.StartsWith("api/", StringComparison.Ordinal)
                        ? new[] { "get", "head", "post", "put", "patch", "delete", "options" }
                        : ["get"];
                    foreach (var method in required)
                    {
                        if (!methods.Contains(method))
                        {
                            problems.Add($"{name}: HTTP method {method} is not routed to the handler");
                        }
                    }

                    if (!bindings.EnumerateArray().Any(b => Text(b, "type") == "http" && Text(b, "direction") == "out"))
                    {
                        problems.Add($"{name}: an HTTP function needs an http output binding");
                    }

                    break;
                case "timerTrigger":
                    var schedule = Text(trigger, "schedule");
                    if (!SettingReference().IsMatch(schedule) && !IsNcrontab(schedule))
                    {
                        problems.Add($"{name}: schedule '{schedule}' is neither %SETTING% nor a six-field NCRONTAB expression");
                    }

                    break;
                default:
                    problems.Add($"{name}: trigger type {Text(trigger, "type")} is not one the service handles");
                    break;
            }

            return problems;
        }
    }

    /// <summary>The app settings a function.json refers to as <c>%NAME%</c>.</summary>
    public static IEnumerable<string> SettingReferences(string json) =>
        SettingReference().Matches(json).Select(match => match.Groups[1].Value);

    private static JsonDocument? TryParse(byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void ValidateHost(JsonElement host, Dictionary<string, ZipArchiveEntry> entries, List<string> problems)
    {
        if (Text(host, "version") != "2.0")
        {
            problems.Add("host.json: version must be 2.0");
        }

        if (!host.TryGetProperty("customHandler", out var handler))
        {
            problems.Add("host.json: no customHandler section");
            return;
        }

        if (!handler.TryGetProperty("enableProxyingHttpRequest", out var proxy) || proxy.ValueKind != JsonValueKind.True)
        {
            problems.Add("host.json: customHandler.enableProxyingHttpRequest must be true");
        }

        var executable = handler.TryGetProperty("description", out var description) ? Text(description, "defaultExecutablePath") : string.Empty;
        if (!entries.TryGetValue(executable, out var entry))
        {
            problems.Add($"host.json: the handler executable '{executable}' is not in the zip");
        }
        else
        {
            var mode = (entry.ExternalAttributes >> 16) & 0x1FF;
            if ((mode & 0x49) != 0x49)
            {
                problems.Add($"{executable}: not executable (mode {Convert.ToString(mode, 8)})");
            }

            var head = Read(entry).AsSpan(0, 4);
            if (!head.SequenceEqual("\u007fELF"u8))
            {
                problems.Add($"{executable}: not a Linux ELF executable");
            }
        }

        var workingDirectory = Text(description, "workingDirectory");
        if (workingDirectory.Length > 0 && !entries.Keys.Any(k => k.StartsWith(workingDirectory.TrimEnd('/') + "/", StringComparison.Ordinal)))
        {
            problems.Add($"host.json: workingDirectory '{workingDirectory}' is not a folder of the zip");
        }

        if (RoutePrefix(host).Length != 0)
        {
            problems.Add("host.json: extensions.http.routePrefix must be empty: each function.json route names its public path (api/..., stop/...)");
        }

        var runtimeConfig = executable + ".runtimeconfig.json";
        if (entries.TryGetValue(runtimeConfig, out var config))
        {
            using var json = JsonDocument.Parse(Read(config));
            var options = json.RootElement.GetProperty("runtimeOptions");
            if (!options.TryGetProperty("includedFrameworks", out _) || options.TryGetProperty("framework", out _) || options.TryGetProperty("frameworks", out _))
            {
                problems.Add($"{runtimeConfig}: the handler is not self-contained");
            }
        }
        else
        {
            problems.Add($"{runtimeConfig} is missing");
        }
    }

    /// <summary>The HTTP route prefix host.json gives every HTTP function; <c>api</c> when host.json does not set one.</summary>
    public static string RoutePrefix(JsonElement host) =>
        host.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http) &&
        http.TryGetProperty("routePrefix", out var prefix) && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!.Trim('/')
            : "api";

    /// <summary>
    /// The paths the front door routes to the handler: host.json's route prefix plus each HTTP function's route, as
    /// ASP.NET Core route templates (the host registers them with ASP.NET Core routing).
    /// </summary>
    public static List<string> FrontDoorRoutes(JsonElement host, IEnumerable<JsonElement> functions)
    {
        var prefix = RoutePrefix(host);
        return functions.Select(HttpRoute).Where(r => r.Length > 0).Select(r => prefix.Length == 0 ? r : $"{prefix}/{r}").ToList();
    }

    /// <summary>True when <paramref name="path"/> matches one of <paramref name="routes"/> (case-insensitive, as the host).</summary>
    public static bool Routed(IEnumerable<string> routes, string path) =>
        routes.Any(route => new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(
                Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(route), new Microsoft.AspNetCore.Routing.RouteValueDictionary())
            .TryMatch(path, new Microsoft.AspNetCore.Routing.RouteValueDictionary()));

    /// <summary>The <c>route</c> of an HTTP trigger binding (empty for other triggers).</summary>
    public static string HttpRoute(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray()
            .Where(b => Text(b, "type") == "httpTrigger")
            .Select(b => Text(b, "route"))
            .FirstOrDefault() ?? string.Empty;

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? string.Empty
            : string.Empty;

    private static bool IsNcrontab(string schedule)
    {
        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 6 && fields.All(field => NcrontabField().IsMatch(field));
    }

    [GeneratedRegex(@"%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReference();

    [GeneratedRegex(@"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$|^[A-Za-z]{3}(-[A-Za-z]{3})?$")]
    private static partial Regex NcrontabField();
}

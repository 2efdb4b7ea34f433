using System.Globalization;
using System.Text.RegularExpressions;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// Where artifacts live, in the blob container and under <c>/api/v1/lists/{list}/artifacts/</c>.
/// Versioned files are immutable: <c>lists/{list}/v/{version}/delta.json.gz</c>, <c>snapshot.json.gz</c>,
/// <c>manifest.json</c>; the current manifest is <c>lists/{list}/manifest.json</c>; each has a <c>.sig</c> twin.
/// Manifests name their files relative to <c>lists/{list}/</c>, e.g. <c>v/7/delta.json.gz</c>.
/// </summary>
public static partial class ArtifactPaths
{
    public const string SignatureSuffix = ".sig";

    public const string DeltaFile = "delta.json.gz";

    public const string SnapshotFile = "snapshot.json.gz";

    public const string ManifestFile = "manifest.json";

    /// <summary><c>lists/{list}/</c></summary>
    public static string ListPrefix(ListName list) => $"lists/{list.Value}/";

    /// <summary>The folder name of the hashed feed's files inside a list's folder.</summary>
    public const string HashedFolder = "hashed";

    /// <summary>
    /// Where a feed's files live: <c>lists/{list}/</c> for the plain feed, <c>lists/{list}/hashed/</c> for the hashed
    /// one. Below it both feeds use the same relative names (<c>manifest.json</c>, <c>v/{version}/…</c>).
    /// </summary>
    public static string FeedPrefix(ListName list, ListFeed feed) =>
        feed == ListFeed.Hashed ? $"lists/{list.Value}/{HashedFolder}/" : ListPrefix(list);

    /// <summary><c>{feed prefix}{relative}</c>.</summary>
    public static string Resolve(ListName list, ListFeed feed, string relative) => FeedPrefix(list, feed) + relative;

    /// <summary><c>v/{version}/delta.json.gz</c>, as a manifest names it.</summary>
    public static string RelativeDelta(long version) => Relative(version, DeltaFile);

    /// <summary><c>v/{version}/snapshot.json.gz</c>.</summary>
    public static string RelativeSnapshot(long version) => Relative(version, SnapshotFile);

    /// <summary><c>v/{version}/manifest.json</c>.</summary>
    public static string RelativeManifest(long version) => Relative(version, ManifestFile);

    /// <summary><c>lists/{list}/v/{version}/delta.json.gz</c></summary>
    public static string Delta(ListName list, long version) => ListPrefix(list) + RelativeDelta(version);

    /// <summary><c>lists/{list}/v/{version}/snapshot.json.gz</c></summary>
    public static string Snapshot(ListName list, long version) => ListPrefix(list) + RelativeSnapshot(version);

    /// <summary><c>lists/{list}/v/{version}/manifest.json</c></summary>
    public static string Manifest(ListName list, long version) => ListPrefix(list) + RelativeManifest(version);

    /// <summary><c>lists/{list}/manifest.json</c>: the current manifest (overwritten, served no-cache).</summary>
    public static string CurrentManifest(ListName list) => ListPrefix(list) + ManifestFile;

    /// <summary>The detached signature of a file: <c>{path}.sig</c>.</summary>
    public static string Signature(string path) => path + SignatureSuffix;

    /// <summary><c>keys.json</c>: the public key set.</summary>
    public const string Keys = "keys.json";

    /// <summary>Resolves a manifest's relative path against its list: <c>lists/{list}/{relative}</c>.</summary>
    public static string Resolve(ListName list, string relative) => ListPrefix(list) + relative;

    /// <summary>
    /// True for the relative paths a manifest may name (<c>v/{version}/delta.json.gz</c> or
    /// <c>v/{version}/snapshot.json.gz</c>, version without leading zeros) and yields its version and file name.
    /// Anything else — <c>..</c>, absolute paths, other files — is rejected.
    /// </summary>
    public static bool TryParseRelative(string path, out long version, out string file)
    {
        version = 0;
        file = string.Empty;
        var match = RelativePattern().Match(path);
        if (!match.Success || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            return false;
        }

        file = match.Groups[2].Value;
        return true;
    }

    private static string Relative(long version, string file) =>
        string.Create(CultureInfo.InvariantCulture, $"v/{version}/{file}");

    [GeneratedRegex(@"\Av/([1-9][0-9]{0,17}|0)/(delta\.json\.gz|snapshot\.json\.gz)\z", RegexOptions.CultureInvariant)]
    private static partial Regex RelativePattern();
}

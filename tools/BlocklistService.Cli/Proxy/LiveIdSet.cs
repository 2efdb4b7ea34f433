using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Matching;

namespace BlocklistService.Cli.Proxy;

/// <summary>One loaded version of a list: the matcher over its ids and the head it was read under.</summary>
public sealed record LoadedList(StateFileHeader Header, UrlMatcher Matcher);

/// <summary>
/// The current list of a long-running matcher (the Squid helper): loaded from the state file at start, then reloaded
/// in the background whenever sync commits a new one (sync renames a finished file over <c>state.bin</c>, so a
/// changed file is always a whole one). Answers keep using the old version while the new one loads; the switch is one
/// reference assignment, so no answer waits for a reload and none sees a half-loaded list. A state that fails to load
/// (damaged, wrong list) is reported and the last good version stays in use.
/// </summary>
public sealed class LiveIdSet : IDisposable
{
    private readonly string _path;
    private readonly ListName _list;
    private readonly TimeSpan _interval;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private (DateTime WrittenAt, long Length) _seen;
    private volatile LoadedList _current;
    private Task? _watcher;

    private LiveIdSet(string path, ListName list, TimeSpan interval, Action<string> log, LoadedList first, (DateTime, long) seen)
    {
        _path = path;
        _list = list;
        _interval = interval;
        _log = log;
        _current = first;
        _seen = seen;
    }

    /// <summary>The version answers use now.</summary>
    public LoadedList Current => _current;

    /// <summary>Loads the state at <paramref name="path"/> (a <see cref="CliException"/> when there is none or it is damaged).</summary>
    public static LiveIdSet Open(string path, ListName list, TimeSpan interval, Action<string> log, CancellationToken cancellationToken)
    {
        var seen = Stamp(path);
        return new LiveIdSet(path, list, interval, log, Load(path, list, cancellationToken), seen);
    }

    /// <summary>Starts checking the state file every <c>interval</c> and reloading it when it changed.</summary>
    public void StartWatching() => _watcher ??= Task.Run(() => WatchAsync(_stop.Token));

    /// <summary>Checks once: reloads when the state file changed since the last load. True when a new version was switched in.</summary>
    public bool ReloadIfChanged(CancellationToken cancellationToken)
    {
        var stamp = Stamp(_path);
        if (stamp == _seen)
        {
            return false;
        }

        try
        {
            var loaded = Load(_path, _list, cancellationToken);
            _seen = stamp;
            var previous = _current.Header;
            if (loaded.Header.Version == previous.Version && loaded.Header.StateHash == previous.StateHash)
            {
                return false;
            }

            _current = loaded;
            _log($"list {_list}: switched from version {previous.Version} to version {loaded.Header.Version} ({loaded.Header.Count} entries, {loaded.Header.Feed.ToWireName()} feed)");
            return true;
        }
        catch (CliException e)
        {
            // sync replaces the file by rename, so a damaged file is not a half-written one: keep the last good version
            _seen = stamp;
            _log($"list {_list}: the state file changed but cannot be used, still answering from version {_current.Header.Version}: {e.Message}");
            return false;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _watcher?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, cancellationToken);
                ReloadIfChanged(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (IOException e)
            {
                _log($"list {_list}: cannot read the state file, still answering from version {_current.Header.Version}: {e.Message}");
            }
        }
    }

    private static LoadedList Load(string path, ListName list, CancellationToken cancellationToken)
    {
        var (header, ids) = StateIdSet.Load(path, list, cancellationToken);
        return new LoadedList(header, UrlMatcher.ForIdSet(ids));
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}

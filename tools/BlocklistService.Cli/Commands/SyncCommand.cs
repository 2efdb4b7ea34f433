using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.Output;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Lists;
using System.Diagnostics;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// <c>blocklist sync</c> (ISP): keeps a list's local state current with the service, verifying everything against
/// pinned keys; <c>--once</c> for cron, otherwise a long-running poller that stops cleanly on SIGTERM / Ctrl-C.
/// </summary>
public static class SyncCommand
{
    /// <summary>Outcomes that say "try again later" rather than "something is wrong".</summary>
    private static readonly HashSet<string> Transient = ["unreachable", "timeout", "server-error", "server-busy", "rate-limited", "refused-download"];

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    /// <summary>Exports to keep when no --export is given (comma-separated), e.g. from a systemd environment file.</summary>
    public const string ExportsVariable = "BLOCKLIST_EXPORTS";

    /// <summary>The reload command when no --on-change is given.</summary>
    public const string OnChangeVariable = "BLOCKLIST_ON_CHANGE";

    public static Command Create(GlobalOptions global)
    {
        var list = GlobalOptions.ListOption();
        var once = new Option<bool>("--once") { Description = "Poll once, apply what is new, and exit (for cron or a systemd timer)." };
        var now = new Option<bool>("--now") { Description = "With --once: poll even if the service's minimumWaitSeconds since the last poll has not passed." };
        var trusted = new Option<string[]>("--trusted-key")
        {
            Description = "A pinned signing key: a PEM file of the public key, or its 64-hex key id (repeat for several, e.g. during a key rotation). Default: $BLOCKLIST_TRUSTED_KEYS (comma-separated), the config's trustedKeys. Required.",
            HelpName = "file|keyid",
        };
        var export = new Option<string[]>("--export", "-e")
        {
            Description = "Regenerate this export after each update (repeat for several): rpz, squid, hosts, plain, json. Written to STATE_DIR/LIST/exports/. Default: $BLOCKLIST_EXPORTS (comma-separated).",
            HelpName = "format",
        };
        export.AcceptOnlyFromAmong(ExportFormatNames.All);
        var onChange = new Option<string?>("--on-change")
        {
            Description = "Shell command to run after each successful update, e.g. \"unbound-control auth_zone_reload rpz.blocklist\"; gets BLOCKLIST_LIST, BLOCKLIST_VERSION, BLOCKLIST_PREVIOUS_VERSION, BLOCKLIST_ENTRY_COUNT, BLOCKLIST_EXPORT_DIR, BLOCKLIST_EXPORT_FILES. Default: $BLOCKLIST_ON_CHANGE.",
            HelpName = "command",
        };
        var maxWait = new Option<int>("--max-wait")
        {
            Description = "With --once: the longest Retry-After (seconds) to wait out within the run before giving up until the next run.",
            DefaultValueFactory = _ => 60,
        };
        var longPoll = new Option<int>("--wait")
        {
            Description = "Daemon: ask the service to hold each poll up to this many seconds (0-60) until a newer version exists (long poll); 0 polls every minimumWaitSeconds.",
            DefaultValueFactory = _ => 55,
        };
        longPoll.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 60)
            {
                result.AddError("--wait must be between 0 and 60 seconds.");
            }
        });
        var stopPageHost = new Option<string?>("--stop-page-host") { Description = "rpz export: CNAME to this stop-page host instead of NXDOMAIN.", HelpName = "host" };
        var stopPageAddress = GlobalOptions.StopPageAddressOption();
        var exportGroup = GlobalOptions.ExportGroupOption();

        var feed = new Option<string>("--feed")
        {
            Description = "Which feed to hold: plain (ids and expressions; every export) or hashed (ids, scopes and categories only: no readable list on this machine; for squid-helper and the resolver plugin, no exports). Must match the API key's entitlement.",
            HelpName = "plain|hashed",
            DefaultValueFactory = _ => ListFeedNames.Plain,
        };
        feed.AcceptOnlyFromAmong(ListFeedNames.Plain, ListFeedNames.Hashed);

        var command = new Command("sync", "Fetch, verify and apply a list's updates from the service; regenerate exports; run a command on change.")
        {
            list, once, now, trusted, export, onChange, maxWait, longPoll, stopPageHost, stopPageAddress, exportGroup, feed,
        };
        global.AddHelp(command, """
            Notes:
              Every manifest, snapshot and delta must be signed by a pinned key, match the SHA-256 and size its manifest
              states, chain to the manifest held, lead to a higher version, and produce the manifest's state hash; a
              manifest past its expiry is refused (a frozen feed). Otherwise nothing changes locally and sync says which
              rule failed. The state and exports are replaced atomically (write, flush, rename).
              Without --once, sync polls until SIGTERM or Ctrl-C: each poll is a long poll (--wait, default 55 s) that the
              service answers as soon as a newer version exists, so a new version (or an emergency revert) is applied within
              seconds; it honours Retry-After and backs off with jitter after failures. Every poll reports the version
              applied here (X-Blocklist-Applied-Version), which operators see in admin/isps.
              Pin a key: fetch GET /api/v1/keys over a channel you trust, compare the keyId with the operator's, save the
              publicKeyPem and pass --trusted-key key.pem. Key rotation: when a manifest names a key not trusted yet, sync
              follows the service's key sets from the trusted keys (each set signed by a key of the one before), trusts
              the new key only if that chain verifies, and records it in STATE_DIR/trusted-keys.json.

            Examples:
              blocklist sync --list eu --once --trusted-key /etc/blocklist/service.pem --export rpz
              blocklist sync --list eu --export rpz --export squid --on-change "unbound-control auth_zone_reload rpz.blocklist"
              BLOCKLIST_TRUSTED_KEYS=22ad7cd0...6f237 blocklist sync --list eu --once --json
              blocklist sync --list eu --feed hashed --trusted-key /etc/blocklist/service.pem   (then: blocklist squid-helper --list eu)
            """);

        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            var settings = await global.LoadSettingsAsync(
                parse,
                new SettingOverrides(
                    List: parse.GetValue(list),
                    StopPageHost: parse.GetValue(stopPageHost),
                    StopPageAddresses: parse.GetValue(stopPageAddress),
                    TrustedKeys: parse.GetValue(trusted),
                    ExportGroup: parse.GetValue(exportGroup)),
                cancellationToken);
            var store = new LocalStateStore(settings.StateDirectory.Value);
            var listName = settings.List.Value is { } named ? ListName.Parse(named) : GlobalOptions.ResolveList(settings, store);
            // Under systemd the per-list unit takes exports and the reload command from its environment file.
            var exportNames = parse.GetValue(export) is { Length: > 0 } given
                ? given
                : (global.Environment.GetVariable(ExportsVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var formats = exportNames.Select(name => ExportFormatNames.TryParse(name, out var f)
                ? f
                : throw CliException.Usage("bad-export", $"{ExportsVariable}: '{name}' is not an export format.", $"Use a comma-separated list of: {string.Join(", ", ExportFormatNames.All)}.")).Distinct().ToList();
            ListFeedNames.TryParse(parse.GetValue(feed), out var listFeed);
            if (listFeed == ListFeed.Hashed && formats.Count > 0)
            {
                var refusal = ExportRunner.HashedRefusal(listName, formats[0]);
                throw CliException.Usage(refusal.Code, refusal.Message, refusal.Hint);
            }

            using var service = ServiceClient.FromSettings(settings, requireKey: false, "sync");
            var rotation = await KeyRotationFollower.LoadAsync(service, await TrustedKeys.LoadKeysAsync(settings.TrustedKeys.Value, service, cancellationToken), store.Root, cancellationToken);
            using var keys = rotation.Verifier;
            var onChangeCommand = parse.GetValue(onChange) ?? (global.Environment.GetVariable(OnChangeVariable) is { Length: > 0 } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment : null);
            var options = new SyncOptions(
                listName,
                formats,
                new RpzOptions { StopPageHost = settings.StopPageHost.Value, StopPageAddresses = settings.StopPageAddresses.Value },
                onChangeCommand,
                parse.GetValue(once) || parse.GetValue(longPoll) == 0 ? null : TimeSpan.FromSeconds(parse.GetValue(longPoll)),
                listFeed)
            {
                ExportPermissions = FilePermissions.ForExports(settings.ExportGroup.Value),
            };
            var progress = output.IsJson || !global.Environment.IsInteractive ? null : new SpectreSyncProgress();
            var time = global.Environment.Time;
            var synchronizer = new ListSynchronizer(new UpdateFeed(service, time, listFeed), keys, store, options, time, progress, rotation);

            return parse.GetValue(once)
                ? await RunOnceAsync(synchronizer, store, output, time, parse.GetValue(now), TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(maxWait))), progress, cancellationToken)
                : await RunDaemonAsync(synchronizer, output, output.IsJson ? null : new DaemonLog(global.Environment), time, progress, cancellationToken);
        }, cancellationToken));
        return command;
    }

    private static async Task<int> RunOnceAsync(ListSynchronizer synchronizer, LocalStateStore store, CommandOutput output, TimeProvider time, bool now, TimeSpan maxWait, SpectreSyncProgress? progress, CancellationToken cancellationToken)
    {
        var cursor = await SyncCursor.ReadAsync(store.CursorPath(synchronizer.List), cancellationToken);
        if (!now && cursor.NextPollNotBefore is { } notBefore && notBefore > time.GetUtcNow())
        {
            output.Result(
                new { outcome = "skipped", list = synchronizer.List.Value, nextPollNotBefore = notBefore },
                console => console.MarkupLineInterpolated($"Not polling list {synchronizer.List.Value} before {notBefore:u} (the service's minimum wait); use --now to poll anyway."));
            return ExitCodes.Ok;
        }

        for (var attempt = 1; ; attempt++)
        {
            var report = await RunCycleAsync(synchronizer, output, progress, cancellationToken);
            if (report.Outcome == "retry-later" && attempt < 3 && report.NextPollIn <= maxWait)
            {
                await Task.Delay(report.NextPollIn, time, cancellationToken);
                continue;
            }

            Print(output, report);
            return report.Outcome == "retry-later" ? ExitCodes.Failure : ExitCodes.Ok;
        }
    }

    /// <param name="log">Text lines with times (or journald priorities); null with --json, which prints one document per poll.</param>
    private static async Task<int> RunDaemonAsync(ListSynchronizer synchronizer, CommandOutput output, DaemonLog? log, TimeProvider time, SpectreSyncProgress? progress, CancellationToken cancellationToken)
    {
        log?.Info($"Syncing list {synchronizer.List.Value} until stopped (SIGTERM or Ctrl-C).");
        var failures = 0;
        while (true)
        {
            TimeSpan wait;
            try
            {
                var report = await RunCycleAsync(synchronizer, output, progress, cancellationToken);
                if (log is null)
                {
                    Print(output, report);
                }
                else
                {
                    log.Info(report.Message);
                    foreach (var export in report.Exports)
                    {
                        log.Info($"  exported {export.Format.ToName()}: {string.Join(", ", export.Files.Select(f => f.Path))}");
                    }
                }

                failures = 0;
                wait = report.NextPollIn + Jitter(report.NextPollIn, 0.1);
            }
            catch (CliException e) when (e.ExitCode != ExitCodes.Usage)
            {
                if (log is null)
                {
                    output.Error(e);
                }
                else
                {
                    log.Error(e);
                }

                failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 30 * Math.Pow(2, Math.Min(failures - 1, 10))));
                wait = Transient.Contains(e.Code) || e.Code.StartsWith("refused-", StringComparison.Ordinal)
                    ? backoff / 2 + Jitter(backoff / 2, 1.0)
                    : backoff;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(wait, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (log is null)
        {
            output.Result(new { outcome = "stopped", list = synchronizer.List.Value }, console => console.MarkupLineInterpolated($"Stopped syncing list {synchronizer.List.Value}."));
        }
        else
        {
            log.Info($"Stopped syncing list {synchronizer.List.Value}.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<SyncReport> RunCycleAsync(ListSynchronizer synchronizer, CommandOutput output, SpectreSyncProgress? progress, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return await synchronizer.RunOnceAsync(cancellationToken);
        }

        return await output.Console.Progress().AutoClear(true).HideCompleted(true).StartAsync(async context =>
        {
            progress.Context = context;
            try
            {
                return await synchronizer.RunOnceAsync(cancellationToken);
            }
            finally
            {
                progress.Context = null;
            }
        });
    }

    private static TimeSpan Jitter(TimeSpan span, double share) => TimeSpan.FromMilliseconds(span.TotalMilliseconds * share * Random.Shared.NextDouble());

    private static void Print(CommandOutput output, SyncReport report) =>
        output.Result(
            new
            {
                outcome = report.Outcome,
                list = report.List,
                previousVersion = report.PreviousVersion,
                version = report.Version,
                entries = report.Entries,
                nextPollSeconds = (long)report.NextPollIn.TotalSeconds,
                message = report.Message,
                steps = report.Steps,
                exports = report.Exports.Select(e => new { format = e.Format.ToName(), written = e.Summary.Written, merged = e.Merged, files = e.Files }),
            },
            console =>
            {
                console.WriteLine(report.Message);
                foreach (var export in report.Exports)
                {
                    console.WriteLine($"  exported {export.Format.ToName()}: {string.Join(", ", export.Files.Select(f => f.Path))}");
                }
            });

    /// <summary>Download bars on a terminal.</summary>
    private sealed class SpectreSyncProgress : ISyncProgress
    {
        public ProgressContext? Context { get; set; }

        public IProgress<long>? Download(string name, long size)
        {
            if (Context is not { } context)
            {
                return null;
            }

            var task = context.AddTask(Markup.Escape(name), maxValue: Math.Max(1, size));
            return new Bar(task);
        }

        private sealed class Bar(ProgressTask task) : IProgress<long>
        {
            public void Report(long value) => task.Value = value;
        }
    }
}

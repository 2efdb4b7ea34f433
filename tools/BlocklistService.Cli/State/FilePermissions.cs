using System.Runtime.InteropServices;

namespace BlocklistService.Cli.State;

/// <summary>
/// Who may read a file the CLI writes. Everything is written for its owner only (0600): the state, manifests and
/// resume files, and the exports too, which are a readable list of abuse locations. An export may instead be 0640 with
/// a named group (the resolver's or proxy's, e.g. <c>unbound</c>), so that service can read it; the directories from the
/// state directory down to the export then let that group pass through (0710) and the export directory be read (0750).
/// </summary>
public sealed record FilePermissions(UnixFileMode Mode, string? Group)
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0600, the owner's group: the default for every file.</summary>
    public static readonly FilePermissions OwnerOnly = new(OwnerReadWrite, null);

    /// <summary>
    /// Exports: 0600, or 0640 with <paramref name="group"/> when one is configured. The group is looked up at once, so a
    /// misspelt one stops the command before anything is fetched or written.
    /// </summary>
    public static FilePermissions ForExports(string? group)
    {
        if (group is null)
        {
            return OwnerOnly;
        }

        ResolveGroup(group);
        return new(OwnerReadWrite | UnixFileMode.GroupRead, group);
    }

    /// <summary>Applies the mode and group to a file just written (before it is renamed into place).</summary>
    public void ApplyTo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (Group is not null)
        {
            ChangeGroup(path, Group);
        }

        File.SetUnixFileMode(path, Mode);
    }

    /// <summary>
    /// With a group: lets it reach <paramref name="directory"/> from <paramref name="root"/> (each directory on the way
    /// gets the group and group-execute, 0710 at least; the last one 0750 so the group can read its entries). Without a
    /// group nothing changes.
    /// </summary>
    public void OpenPath(string root, string directory)
    {
        if (Group is null || OperatingSystem.IsWindows())
        {
            return;
        }

        var top = Path.GetFullPath(root);
        var current = Path.GetFullPath(directory);
        Directory.CreateDirectory(current);
        var last = true;
        while (current.StartsWith(top, StringComparison.Ordinal))
        {
            ChangeGroup(current, Group);
            var mode = File.GetUnixFileMode(current) | UnixFileMode.GroupExecute | (last ? UnixFileMode.GroupRead : 0);
            File.SetUnixFileMode(current, mode);
            if (current.Length == top.Length)
            {
                break;
            }

            current = Path.GetDirectoryName(current)!;
            last = false;
        }
    }

    private static void ChangeGroup(string path, string group)
    {
        var gid = ResolveGroup(group);
        if (chown(path, -1, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new CliException(
                "export-group",
                $"Cannot give {path} to group {group} (errno {errno}).",
                $"The user running blocklist must be a member of group {group} (e.g. `adduser blocklist {group}`), or drop exportGroup / --export-group.");
        }
    }

    /// <summary>A group name (or number) to its id through the system's group database (getgrnam: /etc/group, NSS).</summary>
    public static int ResolveGroup(string group)
    {
        if (int.TryParse(group, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var entry = getgrnam(group);
        if (entry == IntPtr.Zero)
        {
            throw CliException.Usage("unknown-group", $"There is no group named {group}.", "Name an existing group (getent group NAME), e.g. unbound, bind or proxy.");
        }

        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }: gr_gid follows two pointers.
        return Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; the calls are two, at export time
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr getgrnam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore SYSLIB1054
}

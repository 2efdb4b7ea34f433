using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using Moq;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.State;

public sealed class AtomicFileWriterTests
{
    [Fact]
    public async Task A_writer_that_fails_midway_leaves_the_old_file_intact_and_no_temporary_file()
    {
        using var directory = TempDirectory();
        var path = directory.File("blocklist.rpz");
        await File.WriteAllTextAsync(path, "old zone\n");

        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFileWriter.WriteTextAsync<bool>(
            path,
            async (writer, _) =>
            {
                await writer.WriteAsync(new string('x', 1 << 20));
                await writer.FlushAsync();
                throw new InvalidOperationException("disk full, say");
            },
            CancellationToken.None));

        Assert.Equal("old zone\n", await File.ReadAllTextAsync(path));
        Assert.Equal([path], Directory.GetFiles(directory.Path));
    }

    [Fact]
    public async Task A_failing_exporter_leaves_every_part_of_the_previous_export_intact()
    {
        using var directory = TempDirectory();
        var paths = new[] { directory.File("eu.txt"), directory.File("eu-urls.txt") };
        await ExportRunner.ExportAsync(ListAt(1, Host("evil.example"), UnderPath("site.example/a/")), ExportFormat.Squid, new RpzOptions(), paths, CancellationToken.None);
        var before = await Task.WhenAll(paths.Select(p => File.ReadAllTextAsync(p)));

        var failing = new Mock<IListExporter>();
        failing.SetupGet(e => e.Parts).Returns([new ExportPart("domains", "a"), new ExportPart("urls", "b")]);
        failing.Setup(e => e.WriteAsync(It.IsAny<LocalListState>(), It.IsAny<IReadOnlyList<TextWriter>>(), It.IsAny<CancellationToken>()))
            .Returns(async (LocalListState _, IReadOnlyList<TextWriter> writers, CancellationToken _) =>
            {
                await writers[0].WriteLineAsync(".new.example");
                throw new IOException("No space left on device");
            });

        await Assert.ThrowsAsync<IOException>(() => AtomicFileWriter.WriteTextAsync(paths, (writers, ct) => failing.Object.WriteAsync(ListAt(2), writers, ct), CancellationToken.None));

        Assert.Equal(before, await Task.WhenAll(paths.Select(p => File.ReadAllTextAsync(p))));
        Assert.Equal(paths.Order().ToArray(), Directory.GetFiles(directory.Path).Order().ToArray());
    }

    [Fact]
    public async Task A_cancelled_export_leaves_the_old_file()
    {
        using var directory = TempDirectory();
        var path = directory.File("hosts");
        await File.WriteAllTextAsync(path, "0.0.0.0 old.example\n");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ExportRunner.ExportAsync(ListAt(2, Host("new.example")), ExportFormat.Hosts, new RpzOptions(), [path], cancel.Token));

        Assert.Equal("0.0.0.0 old.example\n", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public async Task A_successful_write_replaces_the_file_and_creates_missing_directories()
    {
        using var directory = TempDirectory();
        var path = Path.Combine(directory.Path, "a", "b", "plain.txt");

        await AtomicFileWriter.WriteTextAsync(path, async (w, _) => { await w.WriteLineAsync("one"); return 0; }, CancellationToken.None);
        await AtomicFileWriter.WriteTextAsync(path, async (w, _) => { await w.WriteLineAsync("two"); return 0; }, CancellationToken.None);

        Assert.Equal("two\n", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}

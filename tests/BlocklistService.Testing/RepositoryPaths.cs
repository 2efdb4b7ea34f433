namespace BlocklistService.Testing;

/// <summary>Locates the checkout and the shared test data, so tests run from any working directory.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder that holds <c>BlocklistService.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared/testdata</c> beside the checkout.</summary>
    public static string SharedTestData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "testdata"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BlocklistService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("BlocklistService.sln not found above " + AppContext.BaseDirectory);
    }
}

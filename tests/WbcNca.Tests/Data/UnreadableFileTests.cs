using WbcNca.Data;
using WbcNca.Imaging;

namespace WbcNca.Tests.Data;

/// <summary>
/// Files that are listed but cannot be read. Two kinds: one without read permission (which root can still read, so that
/// test is skipped when run as root, saying so), and one whose reads fail at the operating system (a link to
/// <c>/proc/self/mem</c>, whose first page is unmapped: reading it fails with EIO for every user, root included).
/// </summary>
public sealed class UnreadableFileTests
{
    private static bool CanRead(string path)
    {
        try
        {
            using var s = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [SkippableFact]
    public void A_file_without_read_permission_is_rejected_naming_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "Unix permissions");
        using var t = new TempTree();
        string path = t.File("basophil/BA_1.png");
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) File.SetUnixFileMode(path, UnixFileMode.None);
        Skip.If(CanRead(path), "this process reads files without read permission (it runs as root): permissions cannot make a file unreadable here");
        var e = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode8(path));
        Assert.StartsWith($"{path}: cannot read file (", e.Message);
        var items = DatasetReader.Open("folder", t.Root).Items;
        var hashing = Assert.Throws<WbcNcaException>(() => StratifiedKFold.Split(items, 2, 0));
        Assert.StartsWith($"{path}: cannot be read: ", hashing.Message);
    }

    [SkippableFact]
    public void A_file_whose_reads_fail_is_rejected_naming_it_whoever_runs_the_tests()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/proc/self/mem"), "needs Linux /proc");
        using var t = new TempTree();
        string path = Path.Combine(t.Folder("basophil"), "BA_1.png");
        File.CreateSymbolicLink(path, "/proc/self/mem");
        var e = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode8(path));
        Assert.StartsWith($"{path}: cannot read file (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [SkippableFact]
    public void Hashing_a_data_set_with_a_file_whose_reads_fail_is_one_error_naming_the_file()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/proc/self/mem"), "needs Linux /proc");
        using var t = new TempTree();
        t.File("basophil/BA_0.png", "a");
        t.File("eosinophil/EO_0.png", "b");
        string bad = Path.Combine(t.Root, "eosinophil", "EO_1.png");
        File.CreateSymbolicLink(bad, "/proc/self/mem");
        Dataset d = DatasetReader.Open("folder", t.Root);
        Assert.Equal(3, d.Items.Count);                    // listed: a link to an existing file is followed
        // Hashing reads in parallel: the failure is a one-line user error, not an AggregateException with a stack.
        var e = Assert.Throws<WbcNcaException>(() => StratifiedKFold.Split(d.Items, 2, 0));
        Assert.StartsWith($"{bad}: cannot be read: ", e.Message);
    }
}

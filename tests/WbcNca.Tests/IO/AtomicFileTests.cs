using WbcNca.IO;

namespace WbcNca.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void Writing_creates_the_file_with_its_content_and_no_temp_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("out.txt");

        AtomicFile.WriteAllText(path, "héllo");

        Assert.Equal("héllo", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Writing_replaces_an_existing_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("out.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);

        AtomicFile.WriteAllBytes(path, [9]);

        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_writer_that_throws_leaves_the_old_file_intact_and_no_temp_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.safetensors");
        File.WriteAllText(path, "old content");

        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new partial content"u8);
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", ex.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_full_disk_surfaces_as_a_user_error_naming_the_file_and_keeps_the_old_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.safetensors");
        File.WriteAllText(path, "old content");

        var ex = Assert.Throws<WbcNcaException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("No space left on device");
        }));

        Assert.Equal($"{path}: cannot write: No space left on device", ex.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Writing_into_a_missing_folder_is_a_user_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "no-such-folder", "out.txt");

        var ex = Assert.Throws<WbcNcaException>(() => AtomicFile.WriteAllText(path, "x"));

        Assert.Equal($"{path}: cannot write: the folder {Path.GetDirectoryName(path)} does not exist", ex.Message);
    }
}

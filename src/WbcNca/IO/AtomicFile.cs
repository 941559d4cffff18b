namespace WbcNca.IO;

/// <summary>
/// Writes a file so that readers see either the old complete file or the new complete file, never a
/// partial one: the content goes to a temporary file in the same folder, is flushed to disk, and is
/// then renamed over the target. On any failure the temporary file is removed and the old file is
/// left as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content; it must not close the stream. Its exceptions propagate
    /// (an <see cref="IOException"/> becomes a <see cref="WbcNcaException"/> naming the file).</param>
    /// <exception cref="WbcNcaException">The file cannot be written (missing folder, no permission, disk full).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw WbcNcaException.ForFile(path, "cannot write: not a file path");
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        bool created = false;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                created = true;
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            created = false;
        }
        catch (DirectoryNotFoundException)
        {
            throw WbcNcaException.ForFile(path, $"cannot write: the folder {folder} does not exist");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WbcNcaException.ForFile(path, $"cannot write: {ex.Message.ReplaceLineEndings(" ")}");
        }
        catch (ArgumentOutOfRangeException ex) when (ex.TargetSite?.DeclaringType == typeof(RandomAccess))
        {
            // .NET reports EFBIG (the file system's or the process's file size limit) this way, not as an IOException.
            throw WbcNcaException.ForFile(path, "cannot write: the file is larger than the file system or the process's file size limit allows");
        }
        finally
        {
            if (created) TryDelete(temp);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (without byte order mark) to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="WbcNcaException">The file cannot be written.</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="WbcNcaException">The file cannot be written.</exception>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>
    /// Removes the temporary files that writes into <paramref name="folder"/> left behind when the process was killed
    /// mid-write (hidden <c>.NAME.GUID.tmp</c> files; the targets themselves are always complete). Returns how many.
    /// </summary>
    public static int RemoveLeftovers(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            int dot = name.LastIndexOf('.');
            if (dot < 1 || name.Length - dot - 1 != 32 || !name[(dot + 1)..].All(char.IsAsciiHexDigitLower)) continue;
            TryDelete(file);
            removed++;
        }
        return removed;
    }

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

using WbcNca.Data;

namespace WbcNca.Cli;

/// <summary>Expands command-line inputs (files and folders) into a sorted list of image files.</summary>
public static class InputFiles
{
    /// <summary>
    /// Files are kept as given (their content decides whether they are images); folders are searched recursively for
    /// files with an image extension, hidden entries skipped, sorted by path. A missing input is an error.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> inputs)
    {
        var result = new List<string>();
        foreach (string input in inputs)
        {
            if (File.Exists(input)) result.Add(input);
            else if (Directory.Exists(input))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = true };
                var found = Directory.EnumerateFiles(input, "*", options)
                    .Where(f => ImageFiles.IsImage(Path.GetFileName(f)) && !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0) throw WbcNcaException.ForFile(input, "folder holds no image files (.jpg .jpeg .png .bmp .tif .tiff)");
                result.AddRange(found);
            }
            else throw WbcNcaException.ForFile(input, "no such file or folder");
        }
        return result;
    }
}

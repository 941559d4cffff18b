namespace WbcNca.Data;

/// <summary>
/// Walks a folder-per-class layout: the class root's subfolders are class folders, read flat (not recursively).
/// Each file becomes a labelled image or a skipped entry with its reason; nothing is dropped silently.
/// Symbolic links to files are followed (a broken or looping link is skipped); a linked class folder is read like
/// any other, and since class folders are read flat no link can make the walk loop.
/// </summary>
internal static class ClassFolderScanner
{
    /// <summary>How many single wrapper folders (e.g. a zip's own top folder) are looked through to find the class folders.</summary>
    public const int MaxWrapperDepth = 3;

    /// <summary>
    /// The folder that holds the class folders: <paramref name="root"/> itself, or, when it holds no known class
    /// folder, no image and exactly one visible subfolder, that subfolder (repeated up to <see cref="MaxWrapperDepth"/> times).
    /// </summary>
    public static string FindClassRoot(string root, Func<string, bool> isClassFolder)
    {
        string current = root;
        var seen = new HashSet<string>(StringComparer.Ordinal) { RealPath(root) };
        for (int depth = 0; depth < MaxWrapperDepth; depth++)
        {
            var dir = new DirectoryInfo(current);
            DirectoryInfo[] subs;
            try
            {
                subs = dir.EnumerateDirectories().Where(d => !ImageFiles.IsHidden(d)).ToArray();
                if (subs.Any(d => isClassFolder(d.Name))) return current;
                if (subs.Length != 1 || dir.EnumerateFiles().Any(f => ImageFiles.IsImage(f.Name))) return current;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return current;
            }
            if (!seen.Add(RealPath(subs[0].FullName))) return current;
            current = subs[0].FullName;
        }
        return current;
    }

    /// <summary>Reads every class folder below <paramref name="classRoot"/> with the rule <paramref name="ruleFor"/> gives its name.</summary>
    public static (List<LabeledImage> Items, List<SkippedEntry> Skipped) Scan(string classRoot, LabelLevel level, Func<string, FolderRule> ruleFor)
    {
        var items = new List<LabeledImage>();
        var skipped = new List<SkippedEntry>();
        foreach (FileSystemInfo entry in List(classRoot, classRoot, skipped))
        {
            string rel = Relative(classRoot, entry.FullName);
            if (ImageFiles.IsHidden(entry))
            {
                skipped.Add(new(entry is DirectoryInfo ? rel + "/" : rel, SkipReason.Hidden, "hidden entry"));
                continue;
            }
            if (entry is not DirectoryInfo folder)
            {
                skipped.Add(new(rel, SkipReason.Misplaced, "file outside the class folders"));
                continue;
            }
            FolderRule rule = ruleFor(folder.Name);
            bool anyImage = false;
            foreach (FileSystemInfo child in List(folder.FullName, classRoot, skipped))
            {
                string childRel = Relative(classRoot, child.FullName);
                if (ImageFiles.IsHidden(child))
                {
                    skipped.Add(new(child is DirectoryInfo ? childRel + "/" : childRel, SkipReason.Hidden, "hidden entry", folder.Name));
                    continue;
                }
                if (child is DirectoryInfo)
                {
                    skipped.Add(new(childRel + "/", SkipReason.Misplaced, "folder inside a class folder (class folders are read flat)", folder.Name));
                    continue;
                }
                if (!ImageFiles.IsImage(child.Name))
                {
                    skipped.Add(new(childRel, SkipReason.NotAnImage, $"not an image file (expected {string.Join(" ", ImageFiles.Extensions)})", folder.Name));
                    continue;
                }
                if (BadLink(child) is { } linkProblem)
                {
                    skipped.Add(new(childRel, SkipReason.BadLink, linkProblem, folder.Name));
                    continue;
                }
                anyImage = true;
                FileDecision d = rule.Classify(child.Name);
                if (d.IsLabeled) items.Add(new LabeledImage(child.FullName, childRel, d.Label, level, d.SourceClass));
                else skipped.Add(new(childRel, d.Skip, d.Reason!, d.SourceClass));
            }
            if (!anyImage)
            {
                string folderRel = Relative(classRoot, folder.FullName) + "/";
                if (rule.IsKnown)
                    skipped.Add(new(folderRel, SkipReason.EmptyClassFolder, "class folder holds no image", folder.Name));
                else
                {
                    FileDecision unknown = rule.Classify(folder.Name);
                    skipped.Add(new(folderRel, unknown.Skip, unknown.Reason!, folder.Name));
                }
            }
        }
        return (items, skipped);
    }

    private static IEnumerable<FileSystemInfo> List(string folder, string classRoot, List<SkippedEntry> skipped)
    {
        try
        {
            return new DirectoryInfo(folder).EnumerateFileSystemInfos().ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new(Relative(classRoot, folder) + "/", SkipReason.BadLink, $"folder cannot be read: {e.Message}"));
            return [];
        }
    }

    /// <summary>Null for a regular file or a link that ends at one; otherwise what is wrong with the link.</summary>
    private static string? BadLink(FileSystemInfo file)
    {
        if (file.LinkTarget is null) return null;
        try
        {
            FileSystemInfo? target = file.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists) return "broken symbolic link";
            if (target is DirectoryInfo || target.Attributes.HasFlag(FileAttributes.Directory)) return "symbolic link to a folder";
            return null;
        }
        catch (IOException e)
        {
            return $"symbolic link cannot be resolved (loop?): {e.Message}";
        }
    }

    private static string RealPath(string path)
    {
        try
        {
            var dir = new DirectoryInfo(path);
            return (dir.LinkTarget is null ? dir : dir.ResolveLinkTarget(true) ?? dir).FullName;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}

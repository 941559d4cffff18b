using System.Globalization;
using System.Text;
using WbcNca.IO;
using WbcNca.Imaging;

namespace WbcNca.Review;

/// <summary>
/// What leaves the review database: a CSV with one row per cell (the model's answer next to the person's), and a
/// folder per class holding the images of the reviewed cells, the layout <c>wbc-nca adapt --data FOLDER</c> reads.
/// </summary>
public static class ReviewExport
{
    /// <summary>The CSV's header line.</summary>
    public const string CsvHeader =
        "cell_id,sample,file,image_sha256,model_file,model_sha256,model_class,model_confidence,model_status,model_reason,reviewed_class,action,reviewer,reviewed_at,reviews,uploaded_at,cell,box_x,box_y,box_width,box_height";

    /// <summary>
    /// The CSV of <paramref name="cells"/>: a header and one row per cell. <c>reviewed_class</c>, <c>action</c>,
    /// <c>reviewer</c> and <c>reviewed_at</c> are the latest review's (empty for a cell nobody reviewed); <c>reviews</c>
    /// counts them; <c>cell</c> is the cell's index in its image (0: the first; several for a field) and the box its
    /// nucleus's, in pixels of the image (empty where not known). Fields a spreadsheet would take for a formula (starting
    /// with =, +, -, @) get a leading apostrophe.
    /// </summary>
    public static string Csv(IEnumerable<StoredCell> cells)
    {
        var sb = new StringBuilder(CsvHeader).Append("\r\n");
        foreach (StoredCell c in cells)
        {
            CellReview? r = c.Latest;
            string[] row =
            [
                c.Id.ToString(CultureInfo.InvariantCulture), Text(c.Sample), Text(c.FileName), c.ImageSha256, Text(c.Model.FileName), c.Model.Sha256,
                c.Class, c.Confidence.ToString("0.0000", CultureInfo.InvariantCulture), c.Status, Text(c.Reason),
                r?.Label ?? "", r?.Action ?? "", r is null ? "" : Text(r.Reviewer), r is null ? "" : ReviewDatabase.FormatTime(r.Time),
                c.Reviews.ToString(CultureInfo.InvariantCulture), ReviewDatabase.FormatTime(c.Time),
                Number(c.CellIndex), Number(c.Box?.X), Number(c.Box?.Y), Number(c.Box?.Width), Number(c.Box?.Height),
            ];
            sb.AppendJoin(',', row.Select(Quote)).Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>Writes the CSV of the cells of <paramref name="sample"/> (every cell when null) to <paramref name="path"/>, atomically; returns the number of rows.</summary>
    /// <exception cref="ReviewRefusedException">There is no such sample.</exception>
    public static int WriteCsv(ReviewDatabase db, string path, string? sample = null)
    {
        IReadOnlyList<StoredCell> cells = db.Cells(sample);
        AtomicFile.WriteAllText(path, Csv(cells));
        return cells.Count;
    }

    /// <summary>
    /// Writes the reviewed cells of <paramref name="sample"/> (of every sample when null) as <c>FOLDER/CLASS/ID-NAME.EXT</c>:
    /// one folder per current label, each image as it was uploaded; a cell of a field (an image with several cells) as
    /// the square the model saw around it, cut out as PNG (<c>ID-NAME-cellN.png</c>, N counted from 1), so that each
    /// file holds the one cell its folder names. Cells labelled not a cell and cells nobody reviewed
    /// are left out (and counted). The folder appears whole or not at all: it is written beside it under a temporary
    /// name and renamed at the end. It must not exist yet, or be empty.
    /// </summary>
    /// <exception cref="WbcNcaException">The folder exists and is not empty, cannot be written, or no cell is reviewed.</exception>
    /// <exception cref="ReviewRefusedException">There is no such sample.</exception>
    public static FolderExport WriteFolder(ReviewDatabase db, string folder, string? sample = null)
    {
        string target = Path.GetFullPath(folder);
        if (File.Exists(target)) throw WbcNcaException.ForFile(folder, "is a file; give a folder for the cells");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw WbcNcaException.ForFile(folder, "is not empty; give a new folder for the cells");
        IReadOnlyList<StoredCell> cells = db.Cells(sample);
        var chosen = cells.Where(c => c.Latest is not null && c.Label != ReviewLabel.NotACell).ToList();
        int notACell = cells.Count(c => c.Label == ReviewLabel.NotACell), unreviewed = cells.Count(c => c.Latest is null);
        if (chosen.Count == 0)
            throw WbcNcaException.ForFile(db.Path, $"no reviewed cell{(sample is null ? "" : $" in sample '{sample}'")} to export ({unreviewed} not reviewed, {notACell} not a cell); confirm or correct cells first");

        string parent = Path.GetDirectoryName(target)!;
        string temp = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(temp);
            foreach (StoredCell c in chosen)
            {
                string classFolder = Path.Combine(temp, c.Label!);
                Directory.CreateDirectory(classFolder);
                byte[] bytes = db.Image(c.ImageSha256) ?? throw WbcNcaException.ForFile(db.Path, $"the image of cell {c.Id} is missing");
                string name = $"{c.Id}-{SafeStem(c.FileName)}{Extension(c.ImageFormat)}";
                if (c.InField)
                {
                    bytes = CutOut(bytes, c);
                    name = $"{c.Id}-{SafeStem(c.FileName)}-cell{c.CellIndex + 1}.png";
                }
                using var stream = new FileStream(Path.Combine(classFolder, name), FileMode.CreateNew, FileAccess.Write);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (Directory.Exists(target)) Directory.Delete(target);   // empty, checked above
            Directory.Move(temp, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw WbcNcaException.ForFile(folder, $"cannot write: {e.Message.ReplaceLineEndings(" ")}");
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        var perClass = chosen.GroupBy(c => c.Label!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new FolderExport(folder, perClass, notACell, unreviewed);
    }

    /// <summary>The square frame of a field's cell cut out of its image (background colour where it leaves the image), as PNG.</summary>
    private static byte[] CutOut(byte[] image, StoredCell cell)
    {
        Rgb8Image field = ImageDecoder.Decode8(image, cell.FileName);
        CellBox f = cell.Frame!;
        IReadOnlyList<float> background = CellLocator.Locate(field).Background;
        var frame = new CellLocation(true, [], -1, f.X + f.Width / 2.0, f.Y + f.Width / 2.0, f.Width, "stored", double.NaN, 0, background, background);
        return PngEncoder.Encode(CellLocator.Crop(field, frame));
    }

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Extension(string format) => format switch
    {
        "jpeg" => ".jpg",
        "png" => ".png",
        "bmp" => ".bmp",
        "tiff" => ".tif",
        _ => ".img",
    };

    /// <summary>The file name without its extension, with only letters, digits, '.', '-' and '_' kept (others become '_').</summary>
    private static string SafeStem(string fileName)
    {
        string stem = Path.GetFileNameWithoutExtension(fileName);
        var sb = new StringBuilder(stem.Length);
        foreach (char ch in stem.Length > 80 ? stem[..80] : stem)
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_');
        return sb.Length == 0 ? "cell" : sb.ToString();
    }

    internal static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    internal static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;

    private static void TryDelete(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

using System.Globalization;
using System.Text;
using WbcNca.IO;

namespace WbcNca.Review;

/// <summary>
/// The history of cells as one table: per cell, who stored it, the model's answer (who answered: the model file) and then every
/// review in the order it was stored (who: the reviewer, when, confirm or correct). Nothing in it is ever overwritten,
/// so it is the record of who decided what about each cell.
/// </summary>
public static class AuditTrail
{
    /// <summary>The CSV's header line.</summary>
    public const string CsvHeader = "cell_id,sample,file,time,event,label,by,review_id,model_sha256,model_confidence,model_status";

    /// <summary>
    /// The CSV of <paramref name="cells"/> and their <paramref name="reviews"/> (reviews of other cells are left out):
    /// per cell a row with event <c>upload</c> (by: who stored it; only where that is known), a row with event
    /// <c>model</c> (label: the model's answer as a label, by: the model file), then one
    /// row per review with event <c>confirm</c> or <c>correct</c> (by: the reviewer). Fields a spreadsheet would take
    /// for a formula get a leading apostrophe, as in <see cref="ReviewExport.Csv"/>.
    /// </summary>
    public static string Csv(IReadOnlyList<StoredCell> cells, IEnumerable<CellReview> reviews)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(reviews);
        var byCell = reviews.GroupBy(r => r.CellId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Id).ToList());
        var sb = new StringBuilder(CsvHeader).Append("\r\n");
        foreach (StoredCell c in cells)
        {
            string id = c.Id.ToString(CultureInfo.InvariantCulture);
            if (c.UploadedBy is string uploader)
                Row(sb, [id, ReviewExport.Text(c.Sample), ReviewExport.Text(c.FileName), ReviewDatabase.FormatTime(c.Time), "upload", "",
                    ReviewExport.Text(uploader), "", "", "", ""]);
            Row(sb, [id, ReviewExport.Text(c.Sample), ReviewExport.Text(c.FileName), ReviewDatabase.FormatTime(c.Time), "model", c.ModelLabel,
                ReviewExport.Text(c.Model.FileName), "", c.Model.Sha256, c.Confidence.ToString("0.0000", CultureInfo.InvariantCulture), c.Status]);
            foreach (CellReview r in byCell.GetValueOrDefault(c.Id, []))
                Row(sb, [id, ReviewExport.Text(c.Sample), ReviewExport.Text(c.FileName), ReviewDatabase.FormatTime(r.Time), r.Action, r.Label,
                    ReviewExport.Text(r.Reviewer), r.Id.ToString(CultureInfo.InvariantCulture), "", "", ""]);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The audit CSV of one cell (<paramref name="cell"/>), of the cells of <paramref name="sample"/>, or of every cell
    /// when both are null.
    /// </summary>
    /// <exception cref="ReviewRefusedException">There is no such cell or sample.</exception>
    public static string Csv(ReviewDatabase db, string? sample = null, long? cell = null)
    {
        var (cells, reviews) = Read(db, sample, cell);
        return Csv(cells, reviews);
    }

    /// <summary>Writes <see cref="Csv(ReviewDatabase, string?, long?)"/> to <paramref name="path"/>, atomically; returns the number of rows.</summary>
    /// <exception cref="ReviewRefusedException">There is no such cell or sample; nothing is written.</exception>
    public static int WriteCsv(ReviewDatabase db, string path, string? sample = null, long? cell = null)
    {
        var (cells, reviews) = Read(db, sample, cell);
        AtomicFile.WriteAllText(path, Csv(cells, reviews));
        return cells.Count + cells.Count(c => c.UploadedBy is not null) + reviews.Count;
    }

    private static (IReadOnlyList<StoredCell> Cells, IReadOnlyList<CellReview> Reviews) Read(ReviewDatabase db, string? sample, long? cell)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (cell is not long id) return (db.Cells(sample), db.Reviews(sample));
        StoredCell one = db.Cell(id) ?? throw new ReviewRefusedException($"no cell {id}", notFound: true);
        if (sample is not null && one.Sample != sample) throw new ReviewRefusedException($"cell {id} is not in sample '{sample}'", notFound: true);
        return ([one], db.History(id) ?? []);
    }

    private static void Row(StringBuilder sb, string[] fields) => sb.AppendJoin(',', fields.Select(ReviewExport.Quote)).Append("\r\n");
}

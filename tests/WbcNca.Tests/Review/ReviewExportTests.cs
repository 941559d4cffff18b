using Microsoft.Data.Sqlite;
using WbcNca.Data;
using WbcNca.Inference;
using WbcNca.Review;

namespace WbcNca.Tests.Review;

public sealed class ReviewExportTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly ModelIdentity Model = new("m.safetensors", new string('a', 64));
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-export-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Sample S1: a corrected cell, a confirmed one, one corrected to not a cell, one not reviewed; S2: one confirmed.</summary>
    private (ReviewDatabase Db, IReadOnlyList<long> Ids) Reviewed()
    {
        var db = ReviewDatabase.Open(Path.Combine(dir, "r.db"));
        var ids = db.AddCells("S1", Model, CellClasses.Fine,
        [
            ReviewDatabaseTests.Cell("a.png", 0, AnswerStatus.Review, 1),
            ReviewDatabaseTests.Cell("=b, \"c\".png", 9, AnswerStatus.Ok, 2),
            ReviewDatabaseTests.Cell("dust.png", 1, AnswerStatus.Ok, 3),
            ReviewDatabaseTests.Cell("later.png", 2, AnswerStatus.Ok, 4),
        ], T0);
        db.AddReview(ids[0], "eosinophil", "ann", T0.AddMinutes(1));
        db.AddReview(ids[1], null, "@bob", T0.AddMinutes(2));
        db.AddReview(ids[2], "not_a_cell", "ann", T0.AddMinutes(3));
        long other = db.AddCells("S2", Model, CellClasses.Fine, [ReviewDatabaseTests.Cell("e.png", 10, AnswerStatus.Ok, 5)], T0)[0];
        db.AddReview(other, null, "ann", T0.AddMinutes(4));
        return (db, [.. ids, other]);
    }

    [Fact]
    public void The_csv_has_one_row_per_cell_with_the_model_answer_and_the_latest_review()
    {
        var (db, ids) = Reviewed();
        string[] lines = ReviewExport.Csv(db.Cells()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("cell_id,sample,file,image_sha256,model_file,model_sha256,model_class,model_confidence,model_status,model_reason,reviewed_class,action,reviewer,reviewed_at,reviews,uploaded_at", lines[0]);
        Assert.Equal(6, lines.Length);
        string sha0 = db.Cell(ids[0])!.ImageSha256;
        Assert.Equal($"{ids[0]},S1,a.png,{sha0},m.safetensors,{new string('a', 64)},basophil,0.6000,review,confidence 0.60 is below 0.80,eosinophil,correct,ann,2025-03-04T10:01:00.000Z,1,2025-03-04T10:00:00.000Z", lines[1]);
        // A file name a spreadsheet would run as a formula is defused, quotes and commas are quoted; so is the reviewer.
        Assert.StartsWith($"{ids[1]},S1,\"'=b, \"\"c\"\".png\",", lines[2]);
        Assert.Contains(",monocyte,confirm,'@bob,", lines[2]);
        Assert.Contains(",eosinophil,0.6000,ok,,not_a_cell,correct,ann,", lines[3]);
        Assert.Contains(",erythroblast,0.6000,ok,,,,,,0,", lines[4]);   // not reviewed: the review's fields are empty
        Assert.StartsWith($"{ids[4]},S2,e.png,", lines[5]);
        Assert.Contains(",lymphocyte_typical,0.6000,ok,,lymphocyte_typical,confirm,ann,", lines[5]);

        string csv = Path.Combine(dir, "one.csv");
        Assert.Equal(4, ReviewExport.WriteCsv(db, csv, "S1"));
        Assert.Equal(5, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void The_folder_export_holds_the_reviewed_cells_by_class_as_the_folder_reader_reads_them()
    {
        var (db, ids) = Reviewed();
        string output = Path.Combine(dir, "corrected");
        FolderExport result = ReviewExport.WriteFolder(db, output);
        Assert.Equal(new Dictionary<string, int> { ["eosinophil"] = 1, ["lymphocyte_typical"] = 1, ["monocyte"] = 1 }, result.PerClass);
        Assert.Equal((1, 1), (result.NotACell, result.Unreviewed));
        Assert.Equal($"{ids[1]}-_b___c_.png", Path.GetFileName(Directory.GetFiles(Path.Combine(output, "monocyte")).Single()));
        Assert.Equal(db.Image(db.Cell(ids[0])!.ImageSha256), File.ReadAllBytes(Directory.GetFiles(Path.Combine(output, "eosinophil")).Single()));
        Assert.Empty(Directory.GetDirectories(dir, ".corrected.*"));   // no temporary folder left

        Dataset set = DatasetReader.Open("folder", output);
        Assert.Equal(LabelLevel.Fine, set.Level);
        Assert.Empty(set.Skipped);
        Assert.Equal(["eosinophil", "lymphocyte_typical", "monocyte"], set.Items.Select(i => i.LabelName).Order());

        // Only one sample; a folder that is not empty is refused before anything is written.
        string s2 = Path.Combine(dir, "s2");
        Directory.CreateDirectory(s2);
        Assert.Equal(1, ReviewExport.WriteFolder(db, s2, "S2").Written);
        Assert.Equal($"{s2}: is not empty; give a new folder for the cells", Assert.Throws<WbcNcaException>(() => ReviewExport.WriteFolder(db, s2)).Message);
        Assert.Single(Directory.GetFiles(s2, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_folder_export_without_any_reviewed_cell_is_refused_and_writes_nothing()
    {
        var db = ReviewDatabase.Open(Path.Combine(dir, "r.db"));
        db.AddCells("S1", Model, CellClasses.Fine, [ReviewDatabaseTests.Cell("a.png", 0, AnswerStatus.Ok, 1)], T0);
        string output = Path.Combine(dir, "out");
        var e = Assert.Throws<WbcNcaException>(() => ReviewExport.WriteFolder(db, output));
        Assert.EndsWith("r.db: no reviewed cell to export (1 not reviewed, 0 not a cell); confirm or correct cells first", e.Message);
        Assert.False(Directory.Exists(output));
    }
}

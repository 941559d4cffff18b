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
        Assert.Equal("cell_id,sample,file,image_sha256,model_file,model_sha256,model_class,model_confidence,model_status,model_reason,reviewed_class,action,reviewer,reviewed_at,reviews,uploaded_at,cell,box_x,box_y,box_width,box_height", lines[0]);
        Assert.Equal(6, lines.Length);
        string sha0 = db.Cell(ids[0])!.ImageSha256;
        Assert.Equal($"{ids[0]},S1,a.png,{sha0},m.safetensors,{new string('a', 64)},basophil,0.6000,review,confidence 0.60 is below 0.80,eosinophil,correct,ann,2025-03-04T10:01:00.000Z,1,2025-03-04T10:00:00.000Z,0,,,,", lines[1]);
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
    public void A_reviewed_cell_of_a_field_is_exported_as_the_square_the_model_saw_and_a_single_cell_as_uploaded()
    {
        var db = ReviewDatabase.Open(Path.Combine(dir, "r.db"));
        // A 100×60 field of random pixels holding two cells; the second cell's frame leaves the image on the right.
        var rng = new Random(3);
        var px = new byte[100 * 60 * 3];
        rng.NextBytes(px);
        var image = new WbcNca.Imaging.Rgb8Image(100, 60, px);
        byte[] png = Imaging.TestImages.Png(image);
        NewCell Of(int index, int cls, CellBox frame) => ReviewDatabaseTests.Cell("field 1.png", cls, AnswerStatus.Ok, 1) with
        {
            Image = png, CellIndex = index, CellsInImage = 2, Box = new CellBox(frame.X + 5, frame.Y + 5, 10, 10), Frame = frame,
        };
        var ids = db.AddCells("S1", Model, CellClasses.Fine,
            [Of(0, 1, new CellBox(10, 5, 30, 30)), Of(1, 9, new CellBox(80, 20, 30, 30)), ReviewDatabaseTests.Cell("single.png", 0, AnswerStatus.Ok, 2)], T0);
        foreach (long id in ids) db.AddReview(id, null, "ann", T0.AddMinutes(1));

        string output = Path.Combine(dir, "corrected");
        Assert.Equal(3, ReviewExport.WriteFolder(db, output).Written);
        string first = Path.Combine(output, "eosinophil", $"{ids[0]}-field_1-cell1.png");
        string second = Path.Combine(output, "monocyte", $"{ids[1]}-field_1-cell2.png");
        var cut = WbcNca.Imaging.ImageDecoder.Decode8(first);
        Assert.Equal((30, 30), (cut.Width, cut.Height));
        for (int y = 0; y < 30; y++)
            Assert.Equal(px.AsSpan(3 * ((5 + y) * 100 + 10), 90).ToArray(), cut.Pixels.AsSpan(3 * y * 30, 90).ToArray());
        var edge = WbcNca.Imaging.ImageDecoder.Decode8(second);
        Assert.Equal((30, 30), (edge.Width, edge.Height));
        Assert.Equal(px.AsSpan(3 * (20 * 100 + 80), 60).ToArray(), edge.Pixels.AsSpan(0, 60).ToArray());   // inside the image: its pixels
        // A single-cell image leaves as it was uploaded.
        Assert.Equal(db.Image(db.Cell(ids[2])!.ImageSha256), File.ReadAllBytes(Path.Combine(output, "basophil", $"{ids[2]}-single.png")));
        Assert.Equal(["basophil", "eosinophil", "monocyte"], DatasetReader.Open("folder", output).Items.Select(i => i.LabelName).Order());
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

using System.CommandLine;
using WbcNca.Review;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca reviews list|export|audit</c>: what the lab page's reviews hold. <c>list</c> prints the samples and how far
/// their review has come; <c>export --out FOLDER</c> writes the reviewed cells as a folder per class (for
/// <c>wbc-nca adapt --data FOLDER</c>) and <c>--csv FILE</c> one row per cell; <c>audit</c> the history of the cells
/// (the model's answer, then every review with who and when) as CSV.
/// </summary>
public static class ReviewsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("reviews", "The cells reviewed on the lab page ('serve --db'): list the samples, export the corrections (CSV, a folder per class for 'adapt'), the audit trail");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Audit());
        return command;
    }

    private static Option<string?> Db() => new("--db")
    {
        Description = "The review database ('serve --db' writes it); default: the user's data folder's wbc-nca/reviews.db",
    };

    private static ReviewDatabase OpenDb(string? path) => ReviewDatabase.Open(path ?? ReviewDatabase.DefaultPath(), create: false);

    private static Command List()
    {
        var db = Db();
        var command = new Command("list", "List the samples: cells, reviewed cells, cells still to review") { db };
        command.SetAction(parse =>
        {
            IReadOnlyList<SampleSummary> samples = OpenDb(parse.GetValue(db)).Samples();
            int width = Math.Max("sample".Length, samples.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
            Console.Out.WriteLine($"{"sample".PadRight(width)}  {"started (UTC)",-24}  {"cells",6}  {"reviewed",8}  {"to review",9}");
            foreach (SampleSummary s in samples)
                Console.Out.WriteLine($"{s.Name.PadRight(width)}  {ReviewDatabase.FormatTime(s.Created),-24}  {s.Cells,6}  {s.Reviewed,8}  {s.ToReview,9}");
            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var db = Db();
        var output = new Option<string?>("--out", "-o") { Description = "Write the reviewed cells here, a folder per class (a new or empty folder), for 'wbc-nca adapt --data FOLDER'" };
        var csv = new Option<string?>("--csv") { Description = "Write one row per cell (the model's answer, the review, who and when) to this CSV file" };
        var sample = new Option<string?>("--sample") { Description = "Only this sample's cells (default: every sample)" };
        var command = new Command("export", "Export the reviews: --out FOLDER (a folder per class of the reviewed cells) and/or --csv FILE (one row per cell)")
        {
            db, output, csv, sample,
        };
        command.SetAction(parse =>
        {
            string? folder = parse.GetValue(output), csvPath = parse.GetValue(csv), only = parse.GetValue(sample);
            if (folder is null && csvPath is null) throw new UsageException("reviews export: give --out FOLDER, --csv FILE or both; see 'wbc-nca reviews export --help'");
            ReviewDatabase reviews = OpenDb(parse.GetValue(db));
            try
            {
                Write(reviews, folder, csvPath, only);
            }
            catch (ReviewRefusedException e)
            {
                throw WbcNcaException.ForFile(reviews.Path, e.Message);
            }
            return 0;
        });
        return command;
    }

    private static Command Audit()
    {
        var db = Db();
        var csv = new Option<string?>("--csv") { Description = "Write the audit trail to this CSV file (without it: to standard output)" };
        var sample = new Option<string?>("--sample") { Description = "Only this sample's cells (default: every sample)" };
        var cell = new Option<long?>("--cell") { Description = "Only this cell (its cell_id)" };
        var command = new Command("audit", "The history of the cells as CSV: per cell the model's answer, then every confirmation and correction with who and when")
        {
            db, csv, sample, cell,
        };
        command.SetAction(parse =>
        {
            ReviewDatabase reviews = OpenDb(parse.GetValue(db));
            string? csvPath = parse.GetValue(csv);
            try
            {
                if (csvPath is null)
                {
                    Console.Out.Write(AuditTrail.Csv(reviews, parse.GetValue(sample), parse.GetValue(cell)));
                    return 0;
                }
                int rows = AuditTrail.WriteCsv(reviews, csvPath, parse.GetValue(sample), parse.GetValue(cell));
                Console.Out.WriteLine($"wrote {rows} event(s) to {csvPath}");
            }
            catch (ReviewRefusedException e)
            {
                throw WbcNcaException.ForFile(reviews.Path, e.Message);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Writes the CSV first, then the folder; a missing sample stops before either.</summary>
    private static void Write(ReviewDatabase reviews, string? folder, string? csvPath, string? only)
    {
        if (csvPath is not null)
        {
            int rows = ReviewExport.WriteCsv(reviews, csvPath, only);
            Console.Out.WriteLine($"wrote {rows} cell(s) to {csvPath}");
        }
        if (folder is not null)
        {
            FolderExport e = ReviewExport.WriteFolder(reviews, folder, only);
            string classes = string.Join(", ", e.PerClass.Select(kv => $"{kv.Key} {kv.Value}"));
            Console.Out.WriteLine($"wrote {e.Written} reviewed cell(s) to {folder} ({classes}); left out: {e.NotACell} not a cell, {e.Unreviewed} not reviewed");
            Console.Out.WriteLine($"adapt a model to them: wbc-nca adapt --model M.safetensors --data {folder} --out M-adapted.safetensors");
        }
    }
}

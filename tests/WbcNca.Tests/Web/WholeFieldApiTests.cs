using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WbcNca.Imaging;
using WbcNca.Review;
using WbcNca.Tests.Imaging;
using WbcNca.Web;

namespace WbcNca.Tests.Web;

/// <summary>
/// Whole microscope fields through the API: a field of three real Acevedo-20 cells (<see cref="SyntheticField"/>; skipped
/// without ../shared) gives one answer per cell with its box, each stored as its own cell with records.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class WholeFieldApiTests : IDisposable
{
    private static readonly WebOptions Options = new(MaxImagesPerRequest: 3, MaxUploadBytes: 8_000_000, Samples: 2);
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-field-api-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private static MultipartFormDataContent Form(params (string Name, byte[] Data)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, data) in files) form.Add(new ByteArrayContent(data), "images", name);
        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> Post(HttpClient client, string url, HttpContent content)
    {
        using HttpResponseMessage r = await client.PostAsync(url, content);
        string text = await r.Content.ReadAsStringAsync();
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return (r.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static CellCandidate Box(JsonElement b) =>
        new(b.GetProperty("x").GetInt32(), b.GetProperty("y").GetInt32(), b.GetProperty("width").GetInt32(), b.GetProperty("height").GetInt32(), 0, 0);

    private static byte[] Noise(int seed)
    {
        var rng = new Random(seed);
        var px = new byte[24 * 24 * 3];
        rng.NextBytes(px);
        return TestImages.Png(new Rgb8Image(24, 24, px));
    }

    [SkippableFact]
    public async Task A_field_of_three_cells_gets_three_answers_each_with_the_box_of_its_own_nucleus_and_one_cell_keeps_one()
    {
        var (_, centres) = SyntheticField.Make();
        byte[] field = SyntheticField.Png();
        await using var host = await WebTestHost.StartAsync(options: Options);

        var (status, json) = await Post(host.Client, "/api/predict?preview=true", Form(("field.png", field), ("cell.png", Noise(1))));
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement answer = json.GetProperty("predictions")[0];
        Assert.Equal("field.png", answer.GetProperty("path").GetString());
        Assert.Equal((SyntheticField.Width, SyntheticField.Height), (answer.GetProperty("width").GetInt32(), answer.GetProperty("height").GetInt32()));
        JsonElement[] cells = [.. answer.GetProperty("cells").EnumerateArray()];
        Assert.Equal(3, cells.Length);
        Assert.Equal([0, 1, 2], cells.Select(c => c.GetProperty("cell").GetInt32()));
        foreach (var centre in centres)
            Assert.Single(cells, c => SyntheticField.Inside(centre, Box(c.GetProperty("box")), margin: 8));
        foreach (JsonElement c in cells)
        {
            Assert.Equal(13, c.GetProperty("probabilities").GetArrayLength());
            Assert.Contains(c.GetProperty("status").GetString(), new[] { "ok", "review", "not_a_cell" });
            Assert.False(c.TryGetProperty("cell_id", out _));   // nothing stored without a sample
        }
        // The top level stays the first cell's answer, as before fields were answered cell by cell.
        Assert.Equal(cells[0].GetProperty("class").GetString(), answer.GetProperty("class").GetString());
        Assert.Equal(cells[0].GetProperty("confidence").GetDouble(), answer.GetProperty("confidence").GetDouble());
        Assert.Equal(cells[0].GetProperty("box").GetRawText(), answer.GetProperty("box").GetRawText());
        // A field's preview is larger than a single cell's, and keeps the field's shape.
        Rgb8Image preview = ImageDecoder.Decode8(Convert.FromBase64String(answer.GetProperty("preview").GetString()!["data:image/png;base64,".Length..]), "preview");
        Assert.Equal((512, 384), (preview.Width, preview.Height));
        // The small image beside it is one cell.
        Assert.Equal(1, json.GetProperty("predictions")[1].GetProperty("cells").GetArrayLength());

        var (oneStatus, one) = await Post(host.Client, "/api/predict?one_cell=true", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.OK, oneStatus);
        JsonElement single = one.GetProperty("predictions")[0];
        Assert.Equal(1, single.GetProperty("cells").GetArrayLength());
        Assert.Equal(answer.GetProperty("box").GetRawText(), single.GetProperty("box").GetRawText());   // the first cell, found as before
        var (bad, badJson) = await Post(host.Client, "/api/predict?one_cell=maybe", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("query parameter 'one_cell' must be true or false (got 'maybe')", badJson.GetProperty("error").GetString());
    }

    [SkippableFact]
    public async Task With_records_each_cell_of_a_field_is_stored_with_its_box_and_own_id_and_the_sample_counts_cells()
    {
        var (_, centres) = SyntheticField.Make();
        byte[] field = SyntheticField.Png();
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        await using var host = await WebTestHost.StartAsync(options: Options, records: new ReviewRecords(db, new ModelIdentity("small.safetensors", new string('4', 64))));

        var (status, json) = await Post(host.Client, "/api/predict?sample=Slide%201", Form(("field.png", field), ("cell.png", Noise(2))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("stored").GetBoolean());
        JsonElement answer = json.GetProperty("predictions")[0];
        JsonElement[] cells = [.. answer.GetProperty("cells").EnumerateArray()];
        long[] ids = [.. cells.Select(c => c.GetProperty("cell_id").GetInt64())];
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(ids[0], answer.GetProperty("cell_id").GetInt64());   // the top level names the first cell's id
        long other = json.GetProperty("predictions")[1].GetProperty("cell_id").GetInt64();
        Assert.DoesNotContain(other, ids);

        for (int i = 0; i < 3; i++)
        {
            StoredCell stored = db.Cell(ids[i])!;
            Assert.Equal(("Slide 1", "field.png", i, 3), (stored.Sample, stored.FileName, stored.CellIndex, stored.CellsInImage));
            CellCandidate box = Box(cells[i].GetProperty("box"));
            Assert.Equal(new CellBox((int)box.X, (int)box.Y, (int)box.Width, (int)box.Height), stored.Box);
            JsonElement frame = cells[i].GetProperty("frame");
            Assert.Equal(new CellBox(frame.GetProperty("x").GetInt32(), frame.GetProperty("y").GetInt32(), frame.GetProperty("side").GetInt32(), frame.GetProperty("side").GetInt32()), stored.Frame);
            Assert.Equal(cells[i].GetProperty("class").GetString(), stored.Class);
            Assert.Equal(cells[i].GetProperty("status").GetString(), stored.Status);
        }
        Assert.Equal(3, centres.Count(c => db.Cells("Slide 1").Any(s => s.Box is { } b && SyntheticField.Inside(c, new CellCandidate(b.X, b.Y, b.Width, b.Height, 0, 0), 8))));
        // One image stored once, shared by its three cells.
        Assert.Single(db.Cells("Slide 1").Where(c => c.FileName == "field.png").Select(c => c.ImageSha256).Distinct());

        // The sample's differential count counts cells: three from the field and one from the small image.
        using var sample = JsonDocument.Parse(await host.Client.GetStringAsync("/api/samples/Slide%201"));
        JsonElement count = sample.RootElement.GetProperty("count");
        Assert.Equal(4, count.GetProperty("cells").GetInt32());
        Assert.Equal(4, count.GetProperty("answered").GetInt32() + count.GetProperty("review").GetInt32() + count.GetProperty("not_a_cell").GetInt32());
        Assert.Equal(4, sample.RootElement.GetProperty("cells").GetArrayLength());
        Assert.Equal(3, sample.RootElement.GetProperty("cells").EnumerateArray().Count(c => c.TryGetProperty("box", out _) && c.GetProperty("cells_in_image").GetInt32() == 3));

        // one_cell=true stores one cell for the field.
        var (oneStatus, one) = await Post(host.Client, "/api/predict?sample=Slide%202&one_cell=true", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.OK, oneStatus);
        Assert.Single(db.Cells("Slide 2"));
        Assert.Equal((0, 1), (db.Cells("Slide 2")[0].CellIndex, db.Cells("Slide 2")[0].CellsInImage));
        Assert.Equal(one.GetProperty("predictions")[0].GetProperty("cell_id").GetInt64(), db.Cells("Slide 2")[0].Id);
    }

    [SkippableFact]
    public async Task A_request_whose_images_hold_more_cells_than_the_limit_is_refused_whole_and_stores_nothing()
    {
        byte[] field = SyntheticField.Png();
        var db = ReviewDatabase.Open(Path.Combine(dir, "reviews.db"));
        await using var host = await WebTestHost.StartAsync(options: Options with { MaxCells = 4 },
            records: new ReviewRecords(db, new ModelIdentity("small.safetensors", new string('4', 64))));
        using (var model = JsonDocument.Parse(await host.Client.GetStringAsync("/api/model")))
            Assert.Equal(4, model.RootElement.GetProperty("limits").GetProperty("max_cells_per_request").GetInt32());

        var (status, json) = await Post(host.Client, "/api/predict?sample=S", Form(("a.png", field), ("b.png", field)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("the 2 image(s) of this request hold 6 white cells, more than the limit of 4 cells per request; send fewer images per request", json.GetProperty("error").GetString());
        Assert.Equal(413, json.GetProperty("status").GetInt32());
        Assert.Empty(db.Cells());

        // One field at a time fits; the limit counts cells, and images are still counted against --max-images.
        var (ok, _) = await Post(host.Client, "/api/predict?sample=S", Form(("a.png", field)));
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(3, db.Cells("S").Count);
        // Without a limit of its own, a server allows 8 cells per allowed image.
        Assert.Equal(8 * 3, Options.MaxCellsPerRequest);
    }

    [SkippableFact]
    public async Task Explain_takes_the_cell_of_a_field_and_answers_its_box_and_a_cell_beyond_the_field_is_a_400_naming_the_parameter()
    {
        byte[] field = SyntheticField.Png();
        var explainer = new WebApiTests.FakeExplainer();
        await using var host = await WebTestHost.StartAsync(explainer, options: Options);
        var (_, predicted) = await Post(host.Client, "/api/predict", Form(("field.png", field)));
        JsonElement[] cells = [.. predicted.GetProperty("predictions")[0].GetProperty("cells").EnumerateArray()];

        var (status, json) = await Post(host.Client, "/api/explain?cell=2", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((2, 3), (json.GetProperty("cell").GetInt32(), json.GetProperty("cells_in_image").GetInt32()));
        Assert.Equal(cells[2].GetProperty("box").GetRawText(), json.GetProperty("box").GetRawText());
        Assert.Equal(cells[2].GetProperty("frame").GetRawText(), json.GetProperty("frame").GetRawText());
        Assert.Equal("cell 3 of the 3 in the image, framed and shrunk to 16×16 pixels", json.GetProperty("input").GetString());
        Assert.Equal(2, explainer.Seen!.Cell);
        // The explainer is shown the third cell's frame, not the first one's.
        var (_, first) = await Post(host.Client, "/api/explain?cell=0", Form(("field.png", field)));
        Assert.NotEqual(first.GetProperty("input_png").GetString(), json.GetProperty("input_png").GetString());
        Assert.Equal(cells[0].GetProperty("box").GetRawText(), first.GetProperty("box").GetRawText());

        var (bad, badJson) = await Post(host.Client, "/api/explain?cell=3", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("query parameter 'cell' is 3, but field.png holds 3 white cells (cell 0 to 2)", badJson.GetProperty("error").GetString());
        var (negative, negativeJson) = await Post(host.Client, "/api/explain?cell=-1", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.BadRequest, negative);
        Assert.StartsWith("query parameter 'cell' must be an integer in 0..", negativeJson.GetProperty("error").GetString());
        var (single, singleJson) = await Post(host.Client, "/api/explain?cell=1&one_cell=true", Form(("field.png", field)));
        Assert.Equal(HttpStatusCode.BadRequest, single);
        Assert.Equal("query parameter 'cell' is 1, but with one_cell=true field.png is answered as one cell (cell 0)", singleJson.GetProperty("error").GetString());
    }
}

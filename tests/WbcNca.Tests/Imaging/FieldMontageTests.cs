using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public sealed class FieldMontageTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wbc-nca-montage-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Save(string name, Rgb8Image image)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, TestImages.Png(image));
        return path;
    }

    [Fact]
    public void Images_without_one_white_cell_are_passed_over_and_each_nucleus_lands_where_it_was_placed()
    {
        string blank = Save("blank.png", new SyntheticSmear(90, 90).Build());
        string two = Save("two.png", new SyntheticSmear(160, 90).WhiteCell(40, 45, 10, 16).WhiteCell(120, 45, 10, 16).Build());
        string a = Save("a.png", new SyntheticSmear(90, 90).WhiteCell(45, 45, 10, 16).Build());
        string b = Save("b.png", new SyntheticSmear(90, 90, seed: 1).WhiteCell(40, 50, 8, 14).Build());

        FieldMontage field = FieldMontage.Build(320, 200, [new([blank, two, a], 80, 100), new([b], 240, 90)]);

        Assert.Equal([a, b], field.Sources);
        Assert.Equal((320, 200), (field.Field.Width, field.Field.Height));
        var found = CellLocator.LocateAll(field.Field);
        Assert.Equal(2, found.Count);
        for (int i = 0; i < 2; i++)
            Assert.Contains(found, c => SyntheticField.Inside(field.Centres[i], c.Cell!, 2));
        Assert.InRange(field.Centres[0].X, 76, 84);
        Assert.InRange(field.Centres[1].X, 236, 244);
    }

    [Fact]
    public void A_placement_without_an_image_of_one_white_cell_names_its_first_candidate()
    {
        string blank = Save("blank.png", new SyntheticSmear(90, 90).Build());
        var e = Assert.Throws<WbcNcaException>(() => FieldMontage.Build(200, 200, [new([blank], 100, 100)]));
        Assert.StartsWith(blank + ": ", e.Message);
    }

    [Fact]
    public void A_cell_placed_over_the_border_of_the_field_is_refused_with_its_file()
    {
        string a = Save("a.png", new SyntheticSmear(90, 90).WhiteCell(45, 45, 10, 16).Build());
        var e = Assert.Throws<WbcNcaException>(() => FieldMontage.Build(200, 200, [new([a], 5, 100)]));
        Assert.StartsWith(a + ": the cell", e.Message);
        Assert.Contains("does not fit on a 200×200 field", e.Message);
    }
}

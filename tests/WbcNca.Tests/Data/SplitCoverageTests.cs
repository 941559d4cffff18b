using WbcNca.Data;

namespace WbcNca.Tests.Data;

public sealed class SplitCoverageTests
{
    private static readonly string[] Names = ["alpha", "beta", "gamma", "delta"];

    [Fact]
    public void Classes_missing_from_a_part_are_named_with_what_it_means()
    {
        int[] labels = [0, 0, 0, 1, 1, 2];
        IReadOnlyList<int> train = [0, 1, 3], validation = [4], test = [2, 5];
        var lines = SplitCoverage.MissingClasses(labels, Names, [("training", train), ("validation", validation), ("test", test)]);
        Assert.Equal(
        [
            "class alpha (3 image(s)) has no image in the validation part: it does not count in model selection",
            "class beta (2 image(s)) has no image in the test part: its recall is not measured",
            "class gamma (1 image(s)) has no image in the training part: the model cannot learn it",
            "class gamma (1 image(s)) has no image in the validation part: it does not count in model selection",
        ], lines);
    }

    [Fact]
    public void A_split_that_holds_every_class_everywhere_has_nothing_to_say()
    {
        int[] labels = [0, 1, 0, 1];
        Assert.Empty(SplitCoverage.MissingClasses(labels, Names, [("training", [0, 1]), ("test", [2, 3])]));
    }

    [Fact]
    public void Identical_files_are_counted_and_those_with_different_labels_listed()
    {
        LabeledImage Item(string rel, int label) => new($"/x/{rel}", rel, label, LabelLevel.Fine, "x");
        LabeledImage[] items = [Item("a/1.png", 0), Item("a/2.png", 0), Item("b/1.png", 1), Item("a/3.png", 0), Item("c/9.png", 2)];
        // Groups: {a/1, a/2} (same label), {b/1, a/3} (labels beta and alpha), {c/9} alone.
        var folds = StratifiedKFold.Split(items.Select(i => i.RelativePath).ToArray(), items.Select(i => i.Label).ToArray(), [0, 0, 2, 2, 4], 2, 0);
        var lines = SplitCoverage.Duplicates(folds, items, Names);
        Assert.Equal(
        [
            "4 byte-identical files in 2 group(s), each group kept in one fold (never across training and test)",
            "identical files with different labels (alpha, beta): b/1.png, a/3.png",
        ], lines);
        Assert.Equal(folds.Folds[0], folds.Folds[1]);
        Assert.Equal(folds.Folds[2], folds.Folds[3]);
    }

    [Fact]
    public void Without_duplicates_nothing_is_said()
    {
        LabeledImage[] items = [new("/x/a", "a", 0, LabelLevel.Fine, "x"), new("/x/b", "b", 1, LabelLevel.Fine, "x")];
        var folds = StratifiedKFold.Split(["a", "b"], [0, 1], [0, 1], 2, 0);
        Assert.Empty(SplitCoverage.Duplicates(folds, items, Names));
    }
}

using WbcNca.Checkpoints;
using WbcNca.Explainability;
using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Tests.Explainability;

public class FocusScoreTests
{
    private static CellMask Disc(int size, int cx, int cy, int r) =>
        new(size, Enumerable.Range(0, size * size).Select(i => TestCells.InDisc(i % size, i / size, cx, cy, r)).ToArray());

    private static float[] Map(int size, Func<int, int, float> f) =>
        Enumerable.Range(0, size * size).Select(i => f(i % size, i / size)).ToArray();

    [Theory]
    [InlineData(0.8, 0.0, 0.3, "The evidence is spread over the cell and its surroundings.")]   // active on the cell, but every maximum off it
    [InlineData(0.12, 0.84, 0.12, "Most of the evidence lies on the cell.")]   // maxima on the cell carry the relevance (a framed cell, maps active everywhere)
    [InlineData(0.5, 0.5, 0.5, "Most of the evidence lies on the cell.")]
    [InlineData(0.1, 0.2, 0.3, "The evidence lies mostly outside the cell: check the image.")]
    [InlineData(0.4, 0.3, 0.2, "The evidence is spread over the cell and its surroundings.")]    // under half, but more than an even spread
    [InlineData(0.6, 0.4, 0.7, "The evidence is spread over the cell and its surroundings.")]    // over half, but less than an even spread
    [InlineData(double.NaN, 1.0, 0.3, "Where the model looked cannot be said: no cell could be outlined in the image.")]
    [InlineData(0.0, 1.0, 0.0, "Where the model looked cannot be said: no cell could be outlined in the image.")]
    public void The_sentence_on_where_the_model_looked_follows_where_the_maxima_lie_then_the_activation_and_the_cell_area(double score, double pooled, double area, string sentence)
    {
        Assert.Equal(sentence, FocusScore.Describe(score, pooled, area));
        Assert.Equal(sentence, new FocusScore(score, pooled, area, []).Describe());
    }

    [Fact]
    public void A_channel_active_on_the_cell_scores_near_one_and_one_active_on_the_background_near_zero()
    {
        CellMask mask = Disc(32, 16, 16, 6);
        float[] onCell = Map(32, (x, y) => TestCells.InDisc(x, y, 16, 16, 5) ? 3f : -1f);
        float[] onBackground = Map(32, (x, y) => TestCells.InDisc(x, y, 16, 16, 7) ? -1f : 2f);
        Assert.Equal(1.0, FocusScore.InsideShare(onCell, mask), 9);
        Assert.Equal(0.0, FocusScore.InsideShare(onBackground, mask), 9);
        Assert.Equal(mask.AreaFraction, FocusScore.InsideShare(new float[32 * 32], mask), 9);   // constant: evenly spread
    }

    [Fact]
    public void The_image_score_weights_channels_by_positive_relevance_only()
    {
        var channels = new[]
        {
            new ChannelFocus(5, 3.0, 0.9, true),
            new ChannelFocus(7, 1.0, 0.1, false),
            new ChannelFocus(9, -4.0, 0.0, false),   // against the class: not counted
        };
        FocusScore s = FocusScore.FromChannels(channels, 0.2);
        Assert.Equal(0.75 * 0.9 + 0.25 * 0.1, s.Score, 12);
        Assert.Equal(0.75, s.PooledInsideShare, 12);
    }

    [Fact]
    public void The_summary_per_class_counts_images_and_flags_those_that_look_at_the_background()
    {
        var images = new[]
        {
            new ImageFocus("a", 0, "x", 0.9, 1, 0.1), new ImageFocus("b", 0, "x", 0.5, 1, 0.1), new ImageFocus("c", 0, "x", 0.05, 0, 0.1),
            new ImageFocus("d", 2, "y", 0.2, 0, 0.3),
            new ImageFocus("e", 2, "y", 0.2, 0.8, 0.3),   // activation off the cell, but the maxima the head reads lie on it
        };
        FocusSummary s = FocusSummary.FromImages(images, ["zero", "one", "two"]);
        Assert.Equal(2, s.Classes.Count);
        Assert.Equal(("zero", 3, 0.5), (s.Classes[0].Name, s.Classes[0].Count, s.Classes[0].MedianScore));
        Assert.Equal(1.0 / 3, s.Classes[0].BackgroundShare, 12);
        Assert.Equal(("two", 0.5), (s.Classes[1].Name, s.Classes[1].BackgroundShare));
    }
}

/// <summary>Hand-built NCAs whose only relevant channel is known to light up on the background or on the cell.</summary>
[Collection(TorchCollection.Name)]
public class FocusOfHandBuiltModelsTests
{
    /// <summary>
    /// A 2-step NCA (p = 1) whose channel 3 grows by ReLU(G) (sign +1) or ReLU(−G − 1) (sign −1) each step (G = normalised
    /// green: about +0.5 on the pale background, −0.7 on red cells, −2.9 on the violet cell); the head's class 0 reads only
    /// channel 3, class 1 its negative.
    /// sign = +1 makes channel 3 a background detector, −1 a cell detector.
    /// </summary>
    internal static ModelBundle HandBuilt(double sign)
    {
        var config = new NcaConfig(Channels: 6, HiddenSize: 4, Steps: 2, ImageSize: 32, UpdateProbability: 1.0, ClassifierHidden: 2, NumClasses: 2);
        var model = new NcaClassifier(config);
        using (no_grad())
        {
            foreach (var p in model.parameters()) p.zero_();
            var sd = model.state_dict();
            sd["backbone.update.fc1.weight"][0, 1] = tensor((float)sign);   // perception identity part, channel G
            sd["backbone.update.fc1.bias"][0] = tensor(sign > 0 ? 0f : -1f);
            sd["backbone.update.fc2.weight"][3, 0] = tensor(1f);            // → channel 3
            sd["head.fc1.weight"][0, 3] = tensor(1f);
            sd["head.fc2.weight"][0, 0] = tensor(1f);
            sd["head.fc2.weight"][1, 0] = tensor(-1f);
        }
        return new ModelBundle(model, ["class0", "class1"], Normalization.Acevedo20, new Dictionary<string, string>());
    }

    [Fact]
    public void A_model_that_decides_on_the_background_scores_below_the_cell_area_and_one_that_decides_on_the_cell_near_one()
    {
        Rgb8Image image = TestCells.Disc(32, 15, 17, 7, seed: 3);
        var run = new PredictOptions(UpdateProbability: 1.0);
        Explanation background = new Explainer(HandBuilt(+1)).Explain(image, "synthetic", new ExplainOptions(Top: 1), run);
        Explanation cell = new Explainer(HandBuilt(-1)).Explain(image, "synthetic", new ExplainOptions(Top: 1), run);

        Assert.Equal(3, background.TopChannels[0]);
        Assert.Equal(3, cell.TopChannels[0]);
        Assert.True(background.Focus.Score < 0.5 * background.Focus.AreaFraction, $"background model: focus {background.Focus.Score:0.000}, cell area {background.Focus.AreaFraction:0.000}");
        Assert.False(background.Focus.Channels[0].PooledInside);
        Assert.True(cell.Focus.Score > 0.9, $"cell model: focus {cell.Focus.Score:0.000}");
        Assert.True(cell.Focus.Channels[0].PooledInside);
        Assert.True(FocusSummary.FromExplanation(background, 0).LooksAtBackground);
        Assert.False(FocusSummary.FromExplanation(cell, 0).LooksAtBackground);
    }
}

using WbcNca.Imaging;
using static TorchSharp.torch;

namespace WbcNca.Tests.Imaging;

[Collection(TorchCollection.Name)]
public sealed class DihedralViewTests
{
    private static Tensor Asymmetric() => arange(2 * 3 * 4 * 4, dtype: float32).reshape(2, 3, 4, 4);   // no symmetry of the square

    [Fact]
    public void The_eight_views_are_distinct_rearrangements_of_the_same_pixels_and_view_zero_is_the_image()
    {
        using var x = Asymmetric();
        var views = Enumerable.Range(0, DihedralView.Count).Select(v => DihedralView.Apply(x, v)).ToArray();
        Assert.True(views[0].equal(x).all().item<bool>());
        for (int a = 0; a < views.Length; a++)
        {
            Assert.Equal(x.shape, views[a].shape);
            // Each channel of each image keeps its own pixel values, only moved.
            Assert.True(views[a].reshape(2, 3, 16).sort(-1).Values.equal(x.reshape(2, 3, 16)).all().item<bool>());
            for (int b = a + 1; b < views.Length; b++) Assert.False(views[a].equal(views[b]).all().item<bool>(), $"views {a} and {b} are the same");
        }
    }

    [Fact]
    public void View_one_is_a_quarter_turn_view_four_a_mirror_image_and_views_repeat_every_eight()
    {
        using var x = Asymmetric();
        Assert.True(DihedralView.Apply(x, 1).equal(x.rot90(1, (2, 3))).all().item<bool>());
        Assert.True(DihedralView.Apply(x, 4).equal(x.flip(3)).all().item<bool>());
        Assert.True(DihedralView.Apply(x, 6).equal(x.flip(3).rot90(2, (2, 3))).all().item<bool>());
        Assert.True(DihedralView.Apply(x, 11).equal(DihedralView.Apply(x, 3)).all().item<bool>());
    }
}

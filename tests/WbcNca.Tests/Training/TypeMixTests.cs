using WbcNca.Training;

namespace WbcNca.Tests.Training;

public sealed class TypeMixTests
{
    [Fact]
    public void Even_and_blood_are_named_mixes_whose_shares_sum_to_one()
    {
        Assert.Same(TypeMix.Even, TypeMix.Parse(" Even "));
        Assert.Same(TypeMix.Blood, TypeMix.Parse("blood"));
        Assert.All(TypeMix.Even.Shares, v => Assert.Equal(0.2, v, 12));
        Assert.Equal(1, TypeMix.Blood.Shares.Sum(), 12);
        // basophil, eosinophil, lymphocyte, monocyte, neutrophil: neutrophils the most, basophils the fewest.
        Assert.Equal(4, Array.IndexOf([.. TypeMix.Blood.Shares], TypeMix.Blood.Shares.Max()));
        Assert.Equal(0, Array.IndexOf([.. TypeMix.Blood.Shares], TypeMix.Blood.Shares.Min()));
    }

    [Fact]
    public void The_colour_fit_spreads_towards_a_blood_smears_mix_unless_told_otherwise()
    {
        Assert.Same(TypeMix.Blood, new LabColourOptions().TargetMix);
        Assert.Same(TypeMix.Even, new LabColourOptions(Mix: TypeMix.Even).TargetMix);
        Assert.Throws<ArgumentException>(() => new LabColourOptions(Mix: new TypeMix("bad", [0.5, 0.5])).Validate());
    }

    [Fact]
    public void Shares_given_per_type_in_any_order_are_normalised_and_named_in_type_order()
    {
        TypeMix mix = TypeMix.Parse("neutrophil=50, lymphocyte=30,monocyte=10,eosinophil=8,BASOPHIL=2");
        Assert.Equal([0.02, 0.08, 0.3, 0.1, 0.5], mix.Shares.Select(v => Math.Round(v, 12)));
        Assert.Equal("basophil=2,eosinophil=8,lymphocyte=30,monocyte=10,neutrophil=50", mix.Name);
        Assert.Equal(mix.Shares, TypeMix.Parse(mix.Name).Shares);
    }

    [Theory]
    [InlineData("neutrophil=60,lymphocyte=40", "every main type needs a share > 0; missing: basophil, eosinophil, monocyte")]
    [InlineData("neutrophil=60,neutrophil=40,lymphocyte=1,monocyte=1,eosinophil=1,basophil=1", "neutrophil is given twice")]
    [InlineData("neutrophil=0,lymphocyte=1,monocyte=1,eosinophil=1,basophil=1", "the share of neutrophil must be a number > 0 (got 0)")]
    [InlineData("other=5", "'other=5' is not a main type with its share (expected even, blood or type=percent for each of basophil, eosinophil, lymphocyte, monocyte, neutrophil)")]
    [InlineData("uniform", "'uniform' is not a main type with its share (expected even, blood or type=percent for each of basophil, eosinophil, lymphocyte, monocyte, neutrophil)")]
    public void A_mix_that_is_not_one_says_why_in_one_line(string text, string message)
    {
        var e = Assert.Throws<WbcNcaException>(() => TypeMix.Parse(text));
        Assert.Equal(message, e.Message);
    }
}

using WbcNca.Runs;

namespace WbcNca.Tests.Runs;

public sealed class InputShardTests
{
    // A large recursive listing: 40 folders of 25 images.
    private static readonly string[] Files =
        [.. Enumerable.Range(0, 40).SelectMany(f => Enumerable.Range(0, 25).Select(i => $"/data/slides/slide-{f:00}/cells/cell_{i:000}.png"))];

    [Fact]
    public void Every_file_is_in_exactly_one_shard_and_every_shard_gets_a_fair_part()
    {
        var shards = Enumerable.Range(0, 7).Select(i => new InputShard(i, 7).Select(Files)).ToArray();
        Assert.Equal(Files.Length, shards.Sum(s => s.Count));
        Assert.Equal(Files.Order(StringComparer.Ordinal), shards.SelectMany(s => s).Order(StringComparer.Ordinal));
        foreach (var shard in shards) Assert.InRange(shard.Count, Files.Length / 7 / 2, Files.Length / 7 * 2);
    }

    [Fact]
    public void A_shard_does_not_depend_on_the_order_of_the_list_nor_on_the_other_files()
    {
        var shard = new InputShard(3, 5);
        var whole = shard.Select(Files).ToHashSet();
        var shuffled = Files.OrderBy(f => f.GetHashCode(StringComparison.Ordinal)).ToArray();
        Assert.True(whole.SetEquals(shard.Select(shuffled)));
        // Half the files (a listing that stopped early, or a second job over part of the folders) keep their shard.
        var half = Files.Where((_, i) => i % 2 == 0).ToArray();
        Assert.True(whole.Intersect(half).ToHashSet().SetEquals(shard.Select(half)));
    }

    [Fact]
    public void A_relative_path_is_in_the_shard_of_its_absolute_path()
    {
        string relative = Path.Combine("cells", "slide-1", "cell_7.png");
        string absolute = Path.Combine(Directory.GetCurrentDirectory(), relative);
        for (int n = 2; n <= 9; n++) Assert.Equal(InputShard.Of(absolute, n), InputShard.Of(relative, n));
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    [InlineData("1/2/3")]
    public void A_shard_that_is_not_I_of_N_is_a_one_line_error_naming_the_option(string text)
    {
        var e = Assert.Throws<WbcNcaException>(() => InputShard.Parse(text));
        Assert.Equal($"--shard: expected I/N with 0 ≤ I < N, e.g. 0/8 (got '{text}')", e.Message);
    }

    [Fact]
    public void I_of_N_parses_into_its_index_and_count()
    {
        Assert.Equal(new InputShard(2, 8), InputShard.Parse("2/8"));
        Assert.Equal(new InputShard(0, 1), InputShard.Parse("0/1"));
    }
}

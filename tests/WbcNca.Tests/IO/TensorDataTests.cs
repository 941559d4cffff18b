using WbcNca.IO;

namespace WbcNca.Tests.IO;

public sealed class TensorDataTests
{
    [Fact]
    public void A_value_count_that_does_not_match_the_shape_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TensorData([2, 3], new float[5]));

        Assert.Contains("shape [2,3] needs 6 values but 5 were given", ex.Message);
    }

    [Fact]
    public void A_negative_dimension_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new TensorData([-1], []));
    }

    [Fact]
    public void A_scalar_has_an_empty_shape_and_one_value_and_an_empty_dimension_no_values()
    {
        var scalar = new TensorData([], [3f]);
        var empty = new TensorData([4, 0], []);

        Assert.Single(scalar.Data);
        Assert.Empty(empty.Data);
        Assert.Throws<ArgumentException>(() => new TensorData([], []));
    }

    [Fact]
    public void It_deconstructs_into_shape_and_data()
    {
        (long[] shape, float[] data) = new TensorData([2], [1f, 2f]);

        Assert.Equal([2L], shape);
        Assert.Equal([1f, 2f], data);
    }
}

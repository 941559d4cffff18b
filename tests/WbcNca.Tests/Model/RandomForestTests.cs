using WbcNca.Model.Baselines;

namespace WbcNca.Tests.Model;

public sealed class RandomForestTests
{
    // Three classes in 4 features: class c has feature c shifted up by 2; the last feature is noise.
    private static (float[] X, int[] Y) Blobs(int perClass, int seed)
    {
        var rng = new Random(seed);
        int n = 3 * perClass;
        var x = new float[n * 4];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int f = 0; f < 4; f++) x[i * 4 + f] = (float)rng.NextDouble() + (f == y[i] ? 2f : 0f);
        }
        return (x, y);
    }

    private static int[] ArgMax(float[] p, int classes) =>
        Enumerable.Range(0, p.Length / classes).Select(i => Enumerable.Range(0, classes).MaxBy(c => p[i * classes + c])).ToArray();

    [Fact]
    public void A_forest_separates_well_separated_classes_it_has_not_seen()
    {
        var (x, y) = Blobs(30, 1);
        var (tx, ty) = Blobs(20, 2);
        var forest = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 25, seed: 7);
        int[] predicted = ArgMax(forest.PredictProbabilities(tx, ty.Length), 3);
        Assert.Equal(ty, predicted);
    }

    [Fact]
    public void Probabilities_of_each_row_sum_to_one()
    {
        var (x, y) = Blobs(10, 3);
        var forest = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 9, seed: 1, minLeaf: 2);
        float[] p = forest.PredictProbabilities(x, y.Length);
        for (int i = 0; i < y.Length; i++) Assert.Equal(1f, p[(3 * i)..(3 * i + 3)].Sum(), 4);
    }

    [Fact]
    public void The_same_seed_gives_the_same_forest_whatever_the_number_of_threads_and_another_seed_another()
    {
        var (x, y) = Blobs(15, 4);
        for (int i = 0; i < x.Length; i += 5) x[i] += 1.5f;   // overlap, so that trees differ
        float[] one = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 12, seed: 3, threads: 1).PredictProbabilities(x, y.Length);
        float[] two = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 12, seed: 3, threads: 2).PredictProbabilities(x, y.Length);
        float[] other = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 12, seed: 4, threads: 2).PredictProbabilities(x, y.Length);
        Assert.Equal(one, two);
        Assert.NotEqual(one, other);
    }

    [Fact]
    public void A_forest_stored_as_tensors_and_read_back_predicts_the_same()
    {
        var (x, y) = Blobs(12, 5);
        var forest = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 5, seed: 2, minLeaf: 3, maxDepth: 4);
        var tensors = forest.ToTensors("forest.").ToDictionary(t => t.Name, t => t.Tensor);
        var back = RandomForest.FromTensors(tensors, "forest.", 4, "m.safetensors");
        Assert.Equal(forest.Nodes, back.Nodes);
        Assert.Equal(forest.PredictProbabilities(x, y.Length), back.PredictProbabilities(x, y.Length));
    }

    [Fact]
    public void A_forest_whose_links_leave_the_arrays_is_refused_naming_the_file()
    {
        var (x, y) = Blobs(6, 6);
        var tensors = RandomForest.Fit(x, y.Length, 4, y, 3, trees: 2, seed: 2).ToTensors("forest.").ToDictionary(t => t.Name, t => t.Tensor);
        tensors["forest.feature"].Data[0] = 9;   // a feature the vectors do not have
        var e = Assert.Throws<WbcNca.IO.CheckpointFormatException>(() => RandomForest.FromTensors(tensors, "forest.", 4, "m.safetensors"));
        Assert.StartsWith("m.safetensors: ", e.Message);
    }
}

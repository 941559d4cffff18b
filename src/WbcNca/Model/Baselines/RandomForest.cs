using WbcNca.Checkpoints;
using WbcNca.IO;
using WbcNca.Runtime;

namespace WbcNca.Model.Baselines;

/// <summary>
/// A seeded random forest classifier (Breiman 2001, as scikit-learn's default): each tree is a CART tree grown on a
/// bootstrap sample of the rows, splitting on the Gini impurity over ⌊√features⌋ features drawn at every node, down to
/// leaves of at least <c>minLeaf</c> rows (or a maximum depth); a leaf holds its rows' class shares and the forest's
/// probabilities are the mean of the trees' leaf shares. Tree t draws from its own generator seeded by (seed, t), so
/// the forest is the same whatever the number of threads. Stored as flat arrays that fit a model file's tensors.
/// Written here rather than taken from ML.NET: its FastForest is a binary classifier (13 classes would need one-versus-all
/// ensembles), it adds native dependencies, and its models save as separate zip files, whereas these arrays travel in
/// the same safetensors file as the autoencoder and are seeded by the run's one seed.
/// </summary>
public sealed class RandomForest
{
    private readonly int[] feature;     // per node: split feature, −1 at a leaf
    private readonly float[] threshold; // per node: go left when x[feature] ≤ threshold
    private readonly int[] left;        // per node: left child, or the leaf's row in `shares`
    private readonly int[] right;       // per node: right child
    private readonly float[] shares;    // leaves × classes: class shares of the leaf's training rows
    private readonly int[] roots;       // per tree: its root node

    private RandomForest(int classes, int features, int[] feature, float[] threshold, int[] left, int[] right, float[] shares, int[] roots)
    {
        Classes = classes;
        Features = features;
        this.feature = feature;
        this.threshold = threshold;
        this.left = left;
        this.right = right;
        this.shares = shares;
        this.roots = roots;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Length of a feature vector.</summary>
    public int Features { get; }

    /// <summary>Number of trees.</summary>
    public int Trees => roots.Length;

    /// <summary>Nodes of all trees.</summary>
    public int Nodes => feature.Length;

    /// <summary>Grows a forest on <paramref name="rows"/> feature vectors (row-major in <paramref name="x"/>) with labels <paramref name="y"/>.</summary>
    /// <param name="x">rows × features values.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Features per row.</param>
    /// <param name="y">Label of each row, in [0, classes).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="trees">Number of trees.</param>
    /// <param name="seed">Seed of the bootstrap samples and feature draws.</param>
    /// <param name="minLeaf">Fewest rows in a leaf.</param>
    /// <param name="maxDepth">Deepest a tree may grow; 0 = unlimited.</param>
    /// <param name="threads">Trees grown in parallel.</param>
    public static RandomForest Fit(float[] x, int rows, int features, int[] y, int classes, int trees, long seed, int minLeaf = 1, int maxDepth = 0, int threads = 1)
    {
        if (rows < 1 || features < 1 || x.Length != (long)rows * features || y.Length != rows) throw new ArgumentException("x must hold rows × features values and y one label per row");
        if (y.Any(l => l < 0 || l >= classes)) throw new ArgumentException($"labels must be in [0, {classes})");
        ArgumentOutOfRangeException.ThrowIfLessThan(trees, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minLeaf, 1);
        var grown = new Tree[trees];
        Parallel.For(0, trees, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
            t => grown[t] = Tree.Grow(x, rows, features, y, classes, new SplitMix64(Training.SeedMix.Derive(seed, t)), minLeaf, maxDepth));
        // Concatenate the trees: node and leaf numbers shift by the sizes of the trees before.
        int nodes = grown.Sum(g => g.Feature.Count), leaves = grown.Sum(g => g.Shares.Count / classes);
        var forest = new RandomForest(classes, features, new int[nodes], new float[nodes], new int[nodes], new int[nodes], new float[leaves * classes], new int[trees]);
        int nodeBase = 0, leafBase = 0;
        for (int t = 0; t < trees; t++)
        {
            Tree g = grown[t];
            forest.roots[t] = nodeBase;
            for (int i = 0; i < g.Feature.Count; i++)
            {
                bool leaf = g.Feature[i] < 0;
                forest.feature[nodeBase + i] = g.Feature[i];
                forest.threshold[nodeBase + i] = g.Threshold[i];
                forest.left[nodeBase + i] = leaf ? leafBase + g.Left[i] : nodeBase + g.Left[i];
                forest.right[nodeBase + i] = leaf ? -1 : nodeBase + g.Right[i];
            }
            g.Shares.CopyTo(forest.shares, leafBase * classes);
            nodeBase += g.Feature.Count;
            leafBase += g.Shares.Count / classes;
        }
        return forest;
    }

    /// <summary>Class probabilities (rows × classes, row-major): the mean of the trees' leaf shares.</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> x, int rows)
    {
        if (x.Length != (long)rows * Features) throw new ArgumentException($"expected {rows} × {Features} values, got {x.Length}");
        var result = new float[rows * Classes];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.Slice(r * Features, Features);
            Span<float> output = result.AsSpan(r * Classes, Classes);
            foreach (int root in roots)
            {
                int node = root;
                while (feature[node] >= 0) node = row[feature[node]] <= threshold[node] ? left[node] : right[node];
                ReadOnlySpan<float> leaf = shares.AsSpan(left[node] * Classes, Classes);
                for (int c = 0; c < Classes; c++) output[c] += leaf[c];
            }
            for (int c = 0; c < Classes; c++) output[c] /= roots.Length;
        }
        return result;
    }

    /// <summary>The forest as float32 tensors (exact: node numbers stay below 2²⁴), named with <paramref name="prefix"/>.</summary>
    public IEnumerable<(string Name, TensorData Tensor)> ToTensors(string prefix)
    {
        if (Nodes >= 1 << 24) throw new InvalidOperationException($"a forest of {Nodes} nodes is too large to store as float32");
        static float[] F(int[] a) => a.Select(v => (float)v).ToArray();
        yield return (prefix + "feature", new TensorData([Nodes], F(feature)));
        yield return (prefix + "threshold", new TensorData([Nodes], (float[])threshold.Clone()));
        yield return (prefix + "left", new TensorData([Nodes], F(left)));
        yield return (prefix + "right", new TensorData([Nodes], F(right)));
        yield return (prefix + "shares", new TensorData([shares.Length / Classes, Classes], (float[])shares.Clone()));
        yield return (prefix + "roots", new TensorData([Trees], F(roots)));
    }

    /// <summary>Names of the tensors <see cref="ToTensors"/> writes (without the prefix).</summary>
    public static IReadOnlyList<string> TensorNames { get; } = ["feature", "threshold", "left", "right", "shares", "roots"];

    /// <summary>Reads a forest written by <see cref="ToTensors"/>, checking that every link stays inside the arrays.</summary>
    /// <exception cref="CheckpointFormatException">A tensor is missing or the arrays do not form a forest.</exception>
    public static RandomForest FromTensors(IReadOnlyDictionary<string, TensorData> tensors, string prefix, int features, string path)
    {
        TensorData Get(string name) => tensors.TryGetValue(prefix + name, out var t) ? t : throw new CheckpointFormatException(path, $"missing tensor '{prefix + name}'");
        static int[] I(float[] a) => a.Select(v => (int)v).ToArray();
        TensorData sharesData = Get("shares");
        if (sharesData.Shape.Length != 2) throw new CheckpointFormatException(path, $"'{prefix}shares' must be (leaves, classes)");
        int classes = (int)sharesData.Shape[1], leaves = (int)sharesData.Shape[0];
        int[] feature = I(Get("feature").Data), left = I(Get("left").Data), right = I(Get("right").Data), roots = I(Get("roots").Data);
        float[] threshold = Get("threshold").Data;
        int nodes = feature.Length;
        bool ok = threshold.Length == nodes && left.Length == nodes && right.Length == nodes && roots.Length > 0 && roots.All(r => r >= 0 && r < nodes);
        for (int i = 0; ok && i < nodes; i++)
            ok = feature[i] < 0 ? left[i] >= 0 && left[i] < leaves
                                : feature[i] < features && left[i] > i && left[i] < nodes && right[i] > i && right[i] < nodes;
        if (!ok) throw new CheckpointFormatException(path, $"'{prefix}*' tensors do not form a forest over {features} features");
        return new RandomForest(classes, features, feature, threshold, left, right, (float[])sharesData.Data.Clone(), roots);
    }

    /// <summary>One tree while it grows: nodes in pre-order (children after their parent), leaves numbered from 0.</summary>
    private sealed class Tree
    {
        public List<int> Feature { get; } = [];
        public List<float> Threshold { get; } = [];
        public List<int> Left { get; } = [];
        public List<int> Right { get; } = [];
        public List<float> Shares { get; } = [];

        public static Tree Grow(float[] x, int rows, int features, int[] y, int classes, SplitMix64 rng, int minLeaf, int maxDepth)
        {
            var tree = new Tree();
            int[] sample = new int[rows];
            for (int i = 0; i < rows; i++) sample[i] = rng.NextInt(rows);                 // bootstrap
            int tries = Math.Max(1, (int)Math.Sqrt(features));
            int[] order = Enumerable.Range(0, features).ToArray();
            var keys = new float[rows];
            var members = new int[rows];
            var counts = new int[classes];
            var leftCounts = new int[classes];
            // Explicit stack of (start, length, depth, parent slot to patch) instead of recursion.
            var stack = new Stack<(int Start, int Length, int Depth, int Parent, bool IsLeft)>();
            stack.Push((0, rows, 0, -1, false));
            while (stack.Count > 0)
            {
                var (start, length, depth, parent, isLeft) = stack.Pop();
                int node = tree.Feature.Count;
                if (parent >= 0) { if (isLeft) tree.Left[parent] = node; else tree.Right[parent] = node; }
                Array.Clear(counts);
                for (int i = start; i < start + length; i++) counts[y[sample[i]]]++;
                int best = -1;
                float bestThreshold = 0;
                double bestScore = Score(counts, length);   // Σ count²/n: larger is purer
                bool pure = counts.Count(c => c > 0) == 1;
                if (!pure && length >= 2 * minLeaf && (maxDepth == 0 || depth < maxDepth))
                {
                    for (int k = 0; k < tries; k++)
                    {
                        int j = k + rng.NextInt(features - k);
                        (order[k], order[j]) = (order[j], order[k]);
                        int f = order[k];
                        for (int i = 0; i < length; i++) { members[i] = sample[start + i]; keys[i] = x[(long)members[i] * features + f]; }
                        Array.Sort(keys, members, 0, length);
                        Array.Clear(leftCounts);
                        for (int i = 0; i < length - 1; i++)
                        {
                            leftCounts[y[members[i]]]++;
                            int nl = i + 1, nr = length - nl;
                            if (nl < minLeaf || nr < minLeaf || keys[i] == keys[i + 1]) continue;
                            double score = 0;
                            for (int c = 0; c < classes; c++)
                            {
                                double l = leftCounts[c], r = counts[c] - leftCounts[c];
                                score += l * l / nl + r * r / nr;
                            }
                            if (score > bestScore + 1e-12)
                            {
                                bestScore = score;
                                best = f;
                                float mid = keys[i] + (keys[i + 1] - keys[i]) / 2;
                                bestThreshold = mid < keys[i + 1] ? mid : keys[i];
                            }
                        }
                    }
                }
                if (best < 0)
                {
                    tree.Feature.Add(-1);
                    tree.Threshold.Add(0);
                    tree.Left.Add(tree.Shares.Count / classes);
                    tree.Right.Add(-1);
                    for (int c = 0; c < classes; c++) tree.Shares.Add((float)counts[c] / length);
                    continue;
                }
                tree.Feature.Add(best);
                tree.Threshold.Add(bestThreshold);
                tree.Left.Add(-1);
                tree.Right.Add(-1);
                // Partition the segment: rows with x ≤ threshold first.
                int lo = start, hi = start + length - 1;
                while (lo <= hi)
                {
                    if (x[(long)sample[lo] * features + best] <= bestThreshold) lo++;
                    else { (sample[lo], sample[hi]) = (sample[hi], sample[lo]); hi--; }
                }
                int leftLength = lo - start;
                stack.Push((lo, length - leftLength, depth + 1, node, false));
                stack.Push((start, leftLength, depth + 1, node, true));   // popped first: the left subtree follows its parent
            }
            return tree;
        }

        private static double Score(int[] counts, int n)
        {
            double s = 0;
            foreach (int c in counts) s += (double)c * c / n;
            return s;
        }
    }
}

using System.Text.Json;
using TorchSharp;
using WbcNca.Explainability;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Explainability;

public class LrpEpsilonTests
{
    internal static HeadWeights RandomHead(int n, int hidden, int classes, int seed, double biasScale = 0.5)
    {
        var rng = new Random(seed);
        double G() => rng.NextDouble() * 2 - 1;
        return new HeadWeights(n, hidden, classes,
            Enumerable.Range(0, hidden * n).Select(_ => G()).ToArray(),
            Enumerable.Range(0, hidden).Select(_ => biasScale * G()).ToArray(),
            Enumerable.Range(0, classes * hidden).Select(_ => G()).ToArray(),
            Enumerable.Range(0, classes).Select(_ => biasScale * G()).ToArray()).Validate();
    }

    internal static double[] RandomInput(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 3 - 0.5).ToArray();
    }

    [Fact]
    public void With_epsilon_zero_the_channel_relevances_and_the_bias_share_add_up_to_the_logit()
    {
        var w = RandomHead(16, 12, 5, seed: 1);
        var h = RandomInput(16, seed: 2);
        var (_, logits) = w.Forward(h);
        for (int c = 0; c < 5; c++)
        {
            ChannelRelevance r = LrpEpsilon.Explain(w, h, c, epsilon: 0);
            Assert.Equal(logits[c], r.Logit, 12);
            Assert.Equal(0.0, r.EpsilonShare);
            Assert.Equal(r.Logit, r.RelevanceSum + r.OutputBiasShare + r.HiddenBiasShare, 9);
            Assert.NotEqual(0.0, r.HiddenBiasShare);   // the biases take a real share, which must be reported
            Assert.Equal(r.Logit - r.OutputBiasShare, r.HiddenRelevance.Sum(), 9);   // conserved layer by layer
        }
    }

    [Fact]
    public void With_positive_epsilon_the_stabiliser_takes_a_share_and_the_budget_still_balances()
    {
        var w = RandomHead(16, 12, 5, seed: 3);
        var h = RandomInput(16, seed: 4);
        foreach (double eps in new[] { 0.01, 0.5, 5.0 })
        {
            ChannelRelevance r = LrpEpsilon.Explain(w, h, 2, eps);
            Assert.NotEqual(0.0, r.EpsilonShare);
            Assert.Equal(r.Logit, r.RelevanceSum + r.BiasShare + r.EpsilonShare, 9);
        }
        // A huge ε absorbs (almost) everything: nothing reaches the channels.
        ChannelRelevance big = LrpEpsilon.Explain(w, h, 2, 1e9);
        Assert.True(big.Relevance.Max(Math.Abs) < 1e-6);
    }

    [Fact]
    public void For_a_head_that_acts_linearly_relevance_is_the_input_times_the_effective_weight()
    {
        // Large positive hidden biases keep every hidden unit active: the head is the linear map W4·W3 (+ biases),
        // and LRP-0 must give h_i · Σ_j W4[c,j] W3[j,i] (gradient × input of a linear function).
        var w = RandomHead(8, 6, 3, seed: 5) with { };
        var linear = w with { B3 = Enumerable.Repeat(100.0, 6).ToArray() };
        var h = RandomInput(8, seed: 6);
        Assert.All(linear.Forward(h).HiddenPre, z => Assert.True(z > 0));
        for (int c = 0; c < 3; c++)
        {
            ChannelRelevance r = LrpEpsilon.Explain(linear, h, c);
            for (int i = 0; i < 8; i++)
            {
                double effective = Enumerable.Range(0, 6).Sum(j => linear.W4[c * 6 + j] * linear.W3[j * 8 + i]);
                Assert.Equal(h[i] * effective, r.Relevance[i], 9);
            }
        }
    }

    [Fact]
    public void A_channel_for_the_class_gets_positive_relevance_one_against_it_negative_and_flipping_the_weights_flips_the_signs()
    {
        // Hidden unit j copies channel j; class 0 adds channel 0, subtracts channel 1 and ignores channel 2.
        double[] identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        var w = new HeadWeights(3, 3, 2, identity, [0, 0, 0], [1, -1, 0, 0, 0, 1], [0, 0]);
        double[] h = [2, 3, 5];
        ChannelRelevance r = LrpEpsilon.Explain(w, h, targetClass: 0);
        Assert.Equal([2.0, -3.0, 0.0], r.Relevance);
        Assert.Equal(-1.0, r.Logit);
        Assert.Equal([0, 2, 1], r.Top(3));   // largest signed relevance first: neutral before contradicting

        var flipped = w with { W4 = [-1, 1, 0, 0, 0, 1] };
        Assert.Equal([-2.0, 3.0, 0.0], LrpEpsilon.Explain(flipped, h, 0).Relevance);
    }

    [Fact]
    public void The_largest_logit_is_explained_unless_another_class_is_chosen_and_a_bad_class_or_epsilon_is_refused()
    {
        var w = RandomHead(6, 5, 4, seed: 7);
        var h = RandomInput(6, seed: 8);
        var (_, logits) = w.Forward(h);
        int best = Array.IndexOf(logits, logits.Max());
        Assert.Equal(best, LrpEpsilon.Explain(w, h).TargetClass);
        int other = (best + 1) % 4;
        Assert.Equal(logits[other], LrpEpsilon.Explain(w, h, other).Logit, 12);
        Assert.Throws<ArgumentException>(() => LrpEpsilon.Explain(w, h, 4));
        Assert.Throws<ArgumentException>(() => LrpEpsilon.Explain(w, h, 0, -0.1));
        Assert.Throws<ArgumentException>(() => LrpEpsilon.Explain(w, new double[5], 0));
    }

    [Fact]
    public void Relevances_match_the_values_of_the_independent_pytorch_script()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Explainability", "Resources", "lrp_reference.json")));
        var root = doc.RootElement;
        double[] Flat(JsonElement e) => e.EnumerateArray().SelectMany(x => x.ValueKind == JsonValueKind.Array ? x.EnumerateArray().Select(v => v.GetDouble()) : [x.GetDouble()]).ToArray();
        double[] w3 = Flat(root.GetProperty("w3")), w4 = Flat(root.GetProperty("w4"));
        double[] b3 = Flat(root.GetProperty("b3")), b4 = Flat(root.GetProperty("b4"));
        var weights = new HeadWeights(b3.Length == 5 ? 6 : throw new InvalidDataException(), 5, 3, w3, b3, w4, b4).Validate();
        var inputs = root.GetProperty("inputs").EnumerateArray().Select(Flat).ToList();
        int cases = 0;
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var h = inputs[c.GetProperty("input").GetInt32()];
            ChannelRelevance r = LrpEpsilon.Explain(weights, h, c.GetProperty("target").GetInt32(), c.GetProperty("epsilon").GetDouble());
            Assert.Equal(c.GetProperty("logit").GetDouble(), r.Logit, 10);
            double[] want = Flat(c.GetProperty("relevance")), wantHidden = Flat(c.GetProperty("hidden_relevance"));
            for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], r.Relevance[i], 10);
            for (int j = 0; j < wantHidden.Length; j++) Assert.Equal(wantHidden[j], r.HiddenRelevance[j], 10);
            Assert.Equal(c.GetProperty("output_bias_share").GetDouble(), r.OutputBiasShare, 10);
            Assert.Equal(c.GetProperty("hidden_bias_share").GetDouble(), r.HiddenBiasShare, 10);
            Assert.Equal(c.GetProperty("epsilon_share").GetDouble(), r.EpsilonShare, 10);
            cases++;
        }
        Assert.Equal(36, cases);
    }
}

[Collection(TorchCollection.Name)]
public class LrpEpsilonAutogradTests
{
    [Fact]
    public void With_epsilon_zero_relevance_equals_gradient_times_input_from_autograd_on_the_real_head()
    {
        random.manual_seed(11);
        using var head = new ClassifierHead(32, 24, 13);
        using var scope = NewDisposeScope();
        Tensor pooled = (randn(1, 32) * 2).requires_grad_(true);
        Tensor logits = head.forward(pooled);
        float[] h = pooled.detach().data<float>().ToArray();
        for (int c = 0; c < 13; c += 4)
        {
            if (pooled.grad is { } g) g.zero_();
            logits[0, c].backward(retain_graph: true);
            float[] grad = pooled.grad!.data<float>().ToArray();
            ChannelRelevance r = LrpEpsilon.Explain(head, h, c, 0);
            Assert.Equal(logits[0, c].item<float>(), r.Logit, 4);
            for (int i = 0; i < 32; i++) Assert.Equal(h[i] * grad[i], r.Relevance[i], 4);
        }
    }
}

using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Tests.Model;

[Collection(TorchCollection.Name)]
public class NcaClassifierTests
{
    private static readonly NcaConfig Tiny = new(Channels: 8, HiddenSize: 16, Steps: 5, ImageSize: 12, ClassifierHidden: 10, NumClasses: 4);

    private static void Randomize(nn.Module model, long seed) => RandomWeights.Fill(model, seed, 0.3);

    [Fact]
    public void Paper_model_has_exactly_86413_parameters()
    {
        using var model = new NcaClassifier(NcaConfig.Paper);
        Assert.Equal(86_413, model.ParameterCount);
    }

    [Fact]
    public void Parameter_count_follows_the_layer_sizes()
    {
        using var model = new NcaClassifier(NcaConfig.Compact);
        long n = 32, h = 64, c = 128, k = 13;
        long expected = 2 * (n * 9 + n) + (3 * n * h + h) + h * n + (n * c + c) + (c * k + k);
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void Forward_gives_one_finite_logit_per_class_and_image()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 2);
        using var x = randn(3, 3, 12, 12);
        using var masks = UpdateMask.Seeded(Tiny.Steps, 12, 0.5, seed: 3);
        using var logits = model.forward(x, masks);
        Assert.Equal(new long[] { 3, 4 }, logits.shape);
        Assert.False(logits.isnan().any().item<bool>() || logits.isinf().any().item<bool>());
    }

    [Fact]
    public void Fresh_model_leaves_the_state_unchanged_because_the_rules_last_layer_starts_at_zero()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        using var x = randn(2, 3, 12, 12);
        using var state = model.Backbone.forward(x, null);
        using var seed = model.Backbone.Seed(x);
        Assert.True(state.equal(seed).all().item<bool>());
    }

    [Fact]
    public void Colour_channels_stay_fixed_while_hidden_channels_evolve()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 5);
        using var x = randn(2, 3, 12, 12);
        using var state = model.Backbone.forward(x, null);                       // (B, H, W, n)
        using var colour = state.narrow(3, 0, 3).permute(0, 3, 1, 2);
        Assert.True(colour.equal(x).all().item<bool>());
        Assert.True(state.narrow(3, 3, 5).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void A_cell_whose_mask_is_zero_at_every_step_keeps_its_state()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 6);
        using var x = randn(1, 3, 12, 12);
        using var masks = ones([Tiny.Steps, 1, 12, 12, 1]);
        masks[.., .., 4, 7, ..] = tensor(0f);
        using var state = model.Backbone.forward(x, masks);
        Assert.Equal(0f, state[0, 4, 7].narrow(0, 3, 5).abs().sum().item<float>());
        Assert.True(state[0, 4, 8].narrow(0, 3, 5).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void All_ones_masks_equal_running_without_masks()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 7);
        using var x = randn(2, 3, 12, 12);
        using var a = model.forward(x, null);
        using var b = model.forward(x, ones([Tiny.Steps, 2, 12, 12, 1]));
        Assert.True(a.allclose(b, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Seeded_masks_repeat_and_other_seeds_differ()
    {
        using var m1 = UpdateMask.Seeded(10, 16, 0.5, seed: 42);
        using var m2 = UpdateMask.Seeded(10, 16, 0.5, seed: 42);
        using var m3 = UpdateMask.Seeded(10, 16, 0.5, seed: 43);
        Assert.Equal(new long[] { 10, 1, 16, 16, 1 }, m1.shape);
        Assert.True(m1.equal(m2).all().item<bool>());
        Assert.False(m1.equal(m3).all().item<bool>());
        double rate = m1.mean().item<float>();
        Assert.InRange(rate, 0.4, 0.6);
    }

    [Fact]
    public void Update_probability_sets_the_share_of_cells_that_fire()
    {
        using var g = new Generator(9);
        using var m = UpdateMask.Sample(8, 4, 32, 0.2, g);
        Assert.InRange(m.mean().item<float>(), 0.17, 0.23);
    }

    [Fact]
    public void Logits_of_an_image_do_not_depend_on_the_rest_of_its_batch()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 8);
        using var x = randn(3, 3, 12, 12);
        using var masks = UpdateMask.Seeded(Tiny.Steps, 12, 0.5, seed: 1);
        using var all = model.forward(x, masks);
        using var one = model.forward(x.narrow(0, 1, 1), masks);
        Assert.True(all.narrow(0, 1, 1).allclose(one, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Loss_and_gradients_flow_through_all_steps_to_the_first_perception_kernel()
    {
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 10);
        using var x = randn(2, 3, 12, 12);
        using var logits = model.forward(x, UpdateMask.Seeded(Tiny.Steps, 12, 0.5, seed: 2));
        using var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 3 }));
        loss.backward();
        var grad = model.named_parameters().First(p => p.name == "backbone.perception.k1.weight").parameter.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void The_gradient_of_the_update_rule_equals_finite_differences_through_all_k_steps_and_not_the_last_step_alone()
    {
        // In float64 the central difference of the loss along a random direction d of the rule's weights matches the
        // autograd gradient to ~1e-9; a gradient truncated to the last step (earlier states detached) misses the
        // rule's effect on the states it perceives, and this test shows that it is far off.
        using var model = NcaClassifier.Create(Tiny, seed: 1);
        Randomize(model, 10);
        model.to(ScalarType.Float64);
        using var x = randn(2, 3, 12, 12, dtype: ScalarType.Float64, generator: new Generator(4));
        using var masks = UpdateMask.Seeded(Tiny.Steps, 12, 0.5, seed: 2).to_type(ScalarType.Float64);
        using var labels = tensor(new long[] { 0, 3 });
        var weight = model.named_parameters().First(p => p.name == "backbone.update.fc1.weight").parameter;
        using var direction = randn(weight.shape, dtype: ScalarType.Float64, generator: new Generator(5));
        direction.div_(direction.norm());

        double Loss()
        {
            using var _ = no_grad();
            using var l = nn.functional.cross_entropy(model.forward(x, masks), labels);
            return l.item<double>();
        }

        model.zero_grad();
        using (var loss = nn.functional.cross_entropy(model.forward(x, masks), labels)) loss.backward();
        double autograd = (weight.grad! * direction).sum().item<double>();

        const double eps = 1e-5;
        using (no_grad()) weight.add_(direction * eps);
        double up = Loss();
        using (no_grad()) weight.add_(direction * (-2 * eps));
        double down = Loss();
        using (no_grad()) weight.add_(direction * eps);
        double finite = (up - down) / (2 * eps);
        Assert.True(Math.Abs(autograd - finite) <= 1e-6 * Math.Max(1, Math.Abs(finite)), $"autograd {autograd:R}, finite differences {finite:R}");

        // The same gradient with backpropagation cut to the last step.
        model.zero_grad();
        using (var scope = NewDisposeScope())
        {
            Tensor state = model.Backbone.Seed(x), colour = state.narrow(3, 0, 3);
            for (int t = 0; t < Tiny.Steps; t++)
            {
                if (t < Tiny.Steps - 1) using (no_grad()) state = model.Backbone.Step(state, colour, masks[t]).detach();
                else state = model.Backbone.Step(state, colour, masks[t]);
            }
            nn.functional.cross_entropy(model.Head.forward(model.Pool(state)), labels).backward();
        }
        double truncated = (weight.grad! * direction).sum().item<double>();
        Assert.True(Math.Abs(truncated - finite) > 100 * 1e-6 * Math.Max(1, Math.Abs(finite)), $"one-step truncation {truncated:R} is as close as {finite:R}");
    }
}

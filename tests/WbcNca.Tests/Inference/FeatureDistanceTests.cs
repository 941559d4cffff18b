using System.Text.Json;
using WbcNca.Inference;

namespace WbcNca.Tests.Inference;

/// <summary>The Mahalanobis feature distance: fitted on labelled features, it measures how far an input lies from every class.</summary>
public sealed class FeatureDistanceTests
{
    // Two classes in 2-D: class 0 around (0, 0), class 1 around (10, 0); x spread ±1, y spread ±2 (independent).
    private static (float[] Features, int[] Labels) TwoClusters()
    {
        var features = new List<float>();
        var labels = new List<int>();
        foreach (int label in new[] { 0, 1 })
            foreach (float dx in new[] { -1f, 1f })
                foreach (float dy in new[] { -2f, 2f })
                {
                    features.AddRange([10 * label + dx, dy]);
                    labels.Add(label);
                }
        return (features.ToArray(), labels.ToArray());
    }

    [Fact]
    public void The_distance_is_zero_at_a_class_mean_and_scales_with_the_spread_of_each_direction()
    {
        var (features, labels) = TwoClusters();
        var d = FeatureDistance.Fit(features, labels, classes: 2, "test");
        Assert.Equal(2, d.Dimension);
        Assert.Equal(0, d.Distance([10f, 0f]), 3);
        // Within-class variance is 1 along x and 4 along y: one unit of x counts as much as two of y.
        Assert.Equal(d.Distance([1f, 0f]), d.Distance([0f, 2f]), 2);
        Assert.Equal(1, d.Distance([1f, 0f]), 2);
        // The nearest class counts: a point near class 1 is close, one far from both is far.
        Assert.True(d.Distance([9f, 0f]) < 1.01);
        Assert.True(d.Distance([5f, 20f]) > 9);
    }

    [Fact]
    public void The_stored_form_reads_back_to_the_same_distances()
    {
        var (features, labels) = TwoClusters();
        var d = FeatureDistance.Fit(features, labels, classes: 3, "the training part");
        var back = FeatureDistance.FromJson(d.ToJson());
        Assert.Equal(d.Distance([3f, 1f]), back.Distance([3f, 1f]), 5);
        // Class 2 had no features: it is not a nearest mean (its zero mean would otherwise be at distance 0 here).
        Assert.Equal(new[] { true, true, false }, back.Present);
        Assert.True(back.Distance([0.5f, 0f]) > 0.4);
        Assert.Throws<JsonException>(() => FeatureDistance.FromJson("{\"classes\": 2}"));
    }

    [Fact]
    public void A_cell_beyond_the_chosen_distance_goes_to_review_and_the_threshold_keeps_97_percent_of_validation()
    {
        double[] validation = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        DecisionRule rule = DecisionRule.Default.WithFeatureDistanceChosenOn(validation);
        Assert.Equal(97, rule.MaxFeatureDistance);
        var near = new Prediction(0, ["a", "b"], [0.99f, 0.01f], [5, 0], [0, 0]) { FeatureDistance = 50 };
        var far = near with { FeatureDistance = 120 };
        Assert.Equal(AnswerStatus.Ok, rule.Decide(near, null).Status);
        var (status, reason) = rule.Decide(far, null);
        Assert.Equal(AnswerStatus.Review, status);
        Assert.Contains("feature distance 120.0 above 97.0", reason);
        // No distance (a model without the measure): the rule does not apply.
        Assert.Equal(AnswerStatus.Ok, rule.Decide(near with { FeatureDistance = double.NaN }, null).Status);
    }

    [Fact]
    public void Examples_of_non_white_cells_lower_the_threshold_until_97_percent_of_them_go_to_review_but_never_below_90_percent_of_validation_kept()
    {
        double[] validation = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        // Platelets from 90.5 up: the validation threshold (97) would answer 7 of 100; 97 % refused needs 93.
        double[] platelets = Enumerable.Range(0, 100).Select(i => 90.5 + i).ToArray();
        DecisionRule rule = DecisionRule.Default.WithFeatureDistanceChosenOn(validation, platelets);
        Assert.Equal(92.5, rule.MaxFeatureDistance);
        Assert.Equal(97, platelets.Count(d => d > rule.MaxFeatureDistance));
        Assert.Contains("100 examples of non-white cells (97.0 % sent to review)", rule.FeatureDistanceChosenOn);
        Assert.Contains("92.0 % kept", rule.FeatureDistanceChosenOn);
        // Platelets that look like white cells cannot push it below 90 % of the validation cells kept.
        DecisionRule floor = DecisionRule.Default.WithFeatureDistanceChosenOn(validation, Enumerable.Range(0, 100).Select(i => 10.0 + i / 10.0).ToArray());
        Assert.Equal(90, floor.MaxFeatureDistance);
        // Platelets far from every class change nothing: the examples only ever make the rule stricter.
        DecisionRule far = DecisionRule.Default.WithFeatureDistanceChosenOn(validation, Enumerable.Range(0, 100).Select(i => 500.0 + i).ToArray());
        Assert.Equal(97, far.MaxFeatureDistance);
        // The stored form keeps how it was chosen; a rule stored without it reads as chosen on validation alone.
        Assert.Equal(rule, DecisionRule.FromJson(rule.ToJson()));
        Assert.Equal("", DecisionRule.FromJson("{\"max_feature_distance\": 5}").FeatureDistanceChosenOn);
    }
}

using WbcNca.Imaging;
using WbcNca.Inference;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Inference;

public sealed class DecisionRuleTests
{
    private static Prediction Answer(float confidence, float spread = 0) =>
        new(0, ["basophil", "eosinophil"], [confidence, 1 - confidence], [0f, 0f], [spread, spread]);

    private static CellLocation Found(double nucleusExtent, double redCellDiameter, int redCells) =>
        new(true, [new CellCandidate(10, 10, nucleusExtent, nucleusExtent, nucleusExtent * nucleusExtent, 1)], 0, 20, 20, 60, "nucleus",
            redCellDiameter, redCells, [0.9f, 0.9f, 0.8f], [0.4f, 0.2f, 0.5f]);

    [Fact]
    public void A_confident_answer_on_a_found_cell_is_ok()
    {
        var rule = new DecisionRule(ReviewBelow: 0.5);
        Assert.Equal((AnswerStatus.Ok, ""), rule.Decide(Answer(0.9f), Found(25, 25, 5)));
    }

    [Fact]
    public void Low_confidence_or_disagreeing_runs_go_to_review_with_the_reason()
    {
        var rule = new DecisionRule(ReviewBelow: 0.5, MaxSpread: 0.1);
        var (status, reason) = rule.Decide(Answer(0.45f), Found(25, 25, 5));
        Assert.Equal(AnswerStatus.Review, status);
        Assert.Equal("confidence 0.450 below 0.500", reason);
        (status, reason) = rule.Decide(Answer(0.8f, spread: 0.2f), Found(25, 25, 5));
        Assert.Equal(AnswerStatus.Review, status);
        Assert.Contains("runs disagree", reason);
    }

    [Fact]
    public void No_nucleus_or_one_too_small_for_a_white_cell_is_not_a_cell_whatever_the_confidence()
    {
        var rule = new DecisionRule(ReviewBelow: 0.5);
        var blank = CellLocator.Locate(new SyntheticSmear(64, 64).Build());
        Assert.Equal((AnswerStatus.NotACell, "no stained nucleus found"), rule.Decide(Answer(0.99f), blank));
        var (status, reason) = rule.Decide(Answer(0.99f), Found(10, 25, 5));       // 0.4 red-cell diameters
        Assert.Equal(AnswerStatus.NotACell, status);
        Assert.Contains("0.40 red-cell diameters", reason);
        // Without enough red cells to measure, size says nothing.
        Assert.Equal(AnswerStatus.Ok, rule.Decide(Answer(0.99f), Found(10, 25, 2)).Status);
    }

    [Fact]
    public void The_review_threshold_chosen_on_validation_answers_nine_cells_in_ten()
    {
        float[] confidences = Enumerable.Range(1, 100).Select(i => i / 100f).ToArray();
        DecisionRule rule = DecisionRule.ChooseOnValidation(confidences);
        Assert.Equal(0.11f, (float)rule.ReviewBelow, 5);
        int answered = confidences.Count(c => c >= rule.ReviewBelow);
        Assert.Equal(90, answered);
        Assert.Contains("validation (100 cells", rule.ChosenOn);
        Assert.Equal(rule, DecisionRule.FromJson(rule.ToJson()));
    }

    [Fact]
    public void The_spread_rule_chosen_on_averaged_answers_lets_ninety_nine_cells_in_a_hundred_through_and_is_never_below_the_default()
    {
        // Two runs per item: item i's top class has probabilities 0.5 ± i/200, so its spread is i/200.
        const int n = 100, classes = 2;
        var first = new float[n * classes];
        var second = new float[n * classes];
        for (int i = 0; i < n; i++)
        {
            float d = (i + 1) / 200f;
            (first[i * 2], first[i * 2 + 1]) = (0.6f + d, 0.4f - d);
            (second[i * 2], second[i * 2 + 1]) = (0.6f - d, 0.4f + d);
        }
        float[] spreads = DecisionRule.TopClassSpreads([first, second], classes);
        Assert.Equal(0.005f, spreads[0], 5);
        Assert.Equal(0.5f, spreads[99], 5);
        DecisionRule rule = DecisionRule.Default.WithSpreadChosenOn(spreads);
        Assert.Equal(0.495, rule.MaxSpread, 5);
        Assert.Equal(99, spreads.Count(s => s <= rule.MaxSpread));
        Assert.Equal(DecisionRule.Default.MaxSpread, DecisionRule.Default.WithSpreadChosenOn([0.01f, 0.02f]).MaxSpread);
        Assert.Equal(rule, DecisionRule.FromJson(rule.ToJson()));
    }
}

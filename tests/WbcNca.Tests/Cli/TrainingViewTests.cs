using WbcNca.Cli;
using WbcNca.Training;

namespace WbcNca.Tests.Cli;

public class TrainingViewTests
{
    [Fact]
    public void A_batch_line_shows_the_accuracy_when_the_model_has_one()
    {
        var p = new TrainingProgress(2, 5, 10, 500, 1.23456, 0.4375, 24.8, TimeSpan.FromSeconds(259), TimeSpan.FromMinutes(25));
        Assert.Equal("epoch 2/5 batch 10/500 loss 1.2346 acc 0.438 24.8 img/s ETA epoch 0:04:19 run 0:25:00", TrainingView.BatchLine(p));
    }

    [Fact]
    public void A_batch_line_leaves_out_the_accuracy_while_the_model_has_no_class_output()
    {
        var p = new TrainingProgress(1, 5, 3, 500, 0.0123, null, 40.0, TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(3661));
        Assert.Equal("epoch 1/5 batch 3/500 loss 0.0123 40.0 img/s ETA epoch 0:01:01 run 1:01:01", TrainingView.BatchLine(p));
    }

    [Fact]
    public void A_batch_line_says_estimating_while_the_trainer_has_no_rate_yet()
    {
        var p = new TrainingProgress(1, 32, 1, 655, 2.5649, 0.0625, 3.1, null, null);
        Assert.Equal("epoch 1/32 batch 1/655 loss 2.5649 acc 0.063 3.1 img/s ETA estimating", TrainingView.BatchLine(p));
    }
}

namespace WbcNca.Training;

/// <summary>
/// The learning rate of each optimiser step (batch). First an optional linear warm-up of w steps (step t &lt; w gets
/// lr₀·(t+1)/w), then, with t counted from the end of the warm-up and S the steps left in the run:
/// <list type="bullet">
/// <item>exponential, fixed γ: lr₀ · γ^t (the reference code's ExponentialLR stepped every batch; the paper's γ = 0.9999);</item>
/// <item>exponential, automatic γ: lr₀ · f^(t/(S−1)), i.e. γ = f^(1/(S−1)), so the last step's rate is f · lr₀ whatever the run's length;</item>
/// <item>cosine: lr_f + (lr₀ − lr_f)·(1 + cos(π·t/(S−1)))/2 with lr_f = f · lr₀, so the last step's rate is lr_f.</item>
/// </list>
/// </summary>
public sealed record LearningRateSchedule
{
    private readonly double finalFraction;   // f of the automatic exponential; 0 otherwise

    /// <summary>A fixed exponential decay per step without warm-up: lr(t) = <paramref name="initialRate"/> · <paramref name="gamma"/>^t.</summary>
    public LearningRateSchedule(double initialRate, double gamma)
        : this(LearningRateScheduleKind.Exp, initialRate, gamma, 0, 0, 0, 0)
    {
    }

    private LearningRateSchedule(LearningRateScheduleKind kind, double initialRate, double gamma, double finalFraction, double finalRate, long totalSteps, int warmup)
    {
        Kind = kind;
        InitialRate = initialRate;
        Gamma = gamma;
        this.finalFraction = finalFraction;
        FinalRate = finalRate;
        TotalSteps = totalSteps;
        Warmup = warmup;
    }

    /// <summary>
    /// The schedule of a run of <paramref name="totalSteps"/> optimiser steps (epochs × batches per epoch) with
    /// <paramref name="options"/>' rate, schedule, decay, final fraction and warm-up.
    /// </summary>
    /// <exception cref="WbcNcaException">The warm-up does not leave a step of the run.</exception>
    public static LearningRateSchedule For(TrainOptions options, long totalSteps)
    {
        if (totalSteps < 1) throw new ArgumentException($"a run needs at least one optimiser step (got {totalSteps})");
        if (options.Warmup >= totalSteps)
            throw new WbcNcaException($"--warmup {options.Warmup} leaves no step of the run's {totalSteps} optimiser steps (epochs × batches per epoch); use fewer warm-up steps");
        double lr = options.LearningRate, f = options.FinalLrFraction;
        long left = totalSteps - options.Warmup;
        return options.LrSchedule switch
        {
            LearningRateScheduleKind.Cosine => new(LearningRateScheduleKind.Cosine, lr, double.NaN, 0, f * lr, totalSteps, options.Warmup),
            _ when options.DecayAuto => new(LearningRateScheduleKind.Exp, lr, left > 1 ? Math.Pow(f, 1.0 / (left - 1)) : 1, f, f * lr, totalSteps, options.Warmup),
            _ => new(LearningRateScheduleKind.Exp, lr, options.Decay, 0, lr * Math.Pow(options.Decay, left - 1), totalSteps, options.Warmup),
        };
    }

    /// <summary>Exponential or cosine.</summary>
    public LearningRateScheduleKind Kind { get; }

    /// <summary>lr₀: the rate at the end of the warm-up (the first step's without one).</summary>
    public double InitialRate { get; }

    /// <summary>The exponential schedule's factor per step (resolved for the automatic decay); NaN for cosine.</summary>
    public double Gamma { get; }

    /// <summary>The rate of the run's last step (the warm-up and schedule of <see cref="For"/>); 0 for the plain constructor, which knows no end.</summary>
    public double FinalRate { get; }

    /// <summary>The run's optimiser steps, warm-up included (0 for the plain constructor).</summary>
    public long TotalSteps { get; }

    /// <summary>Warm-up steps.</summary>
    public int Warmup { get; }

    /// <summary>The rate used for optimiser step <paramref name="step"/> (0-based).</summary>
    public double RateAt(long step)
    {
        if (step < Warmup) return InitialRate * (step + 1) / Warmup;
        long t = step - Warmup, last = TotalSteps - Warmup - 1;   // last: the schedule's final t
        switch (Kind)
        {
            case LearningRateScheduleKind.Cosine:
                if (last <= 0) return InitialRate;
                double c = (1 + Math.Cos(Math.PI * Math.Min(t, last) / last)) / 2;   // 1 at the start, 0 at the end
                return InitialRate * c + FinalRate * (1 - c);
            default:
                // The automatic decay's exponent reaches 1 exactly at the last step, so it ends at f · lr₀ exactly.
                return finalFraction > 0 && last > 0 ? InitialRate * Math.Pow(finalFraction, (double)t / last) : InitialRate * Math.Pow(Gamma, t);
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using WbcNca.IO;

namespace WbcNca.Training;

/// <summary>
/// The files of a training run: <c>config.json</c> (options, model config, seed, data), <c>best.safetensors</c> and
/// <c>last.safetensors</c> (model files for <c>predict</c>/<c>evaluate</c>), <c>training.ckpt</c> (state for
/// <c>--resume</c>), <c>metrics.json</c> and <c>metrics.csv</c> (one row per epoch), <c>curves.png</c> and, after the
/// run, <c>test.json</c>. Every file is written atomically.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Uses (and creates) the folder.</summary>
    public RunFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Run description.</summary>
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");

    /// <summary>Model of the best validation epoch.</summary>
    public string BestModel => System.IO.Path.Combine(Path, "best.safetensors");

    /// <summary>Model after the last completed epoch.</summary>
    public string LastModel => System.IO.Path.Combine(Path, "last.safetensors");

    /// <summary>Training checkpoint for resuming.</summary>
    public string Checkpoint => CheckpointIn(Path);

    /// <summary>The training checkpoint of the run folder <paramref name="path"/> (without creating the folder).</summary>
    public static string CheckpointIn(string path) => System.IO.Path.Combine(path, "training.ckpt");

    /// <summary>Metrics per epoch, JSON.</summary>
    public string MetricsJson => System.IO.Path.Combine(Path, "metrics.json");

    /// <summary>Metrics per epoch, CSV.</summary>
    public string MetricsCsv => System.IO.Path.Combine(Path, "metrics.csv");

    /// <summary>Loss and accuracy curves.</summary>
    public string CurvesPng => System.IO.Path.Combine(Path, "curves.png");

    /// <summary>Evaluation of the best model on the test fold.</summary>
    public string TestJson => System.IO.Path.Combine(Path, "test.json");

    /// <summary>Writes the per-epoch metrics as JSON and CSV.</summary>
    public void WriteMetrics(IReadOnlyList<EpochMetrics> history)
    {
        AtomicFile.WriteAllText(MetricsJson, JsonSerializer.Serialize(history, TrainOptions.JsonOptions));
        var sb = new StringBuilder("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,validation_balanced_accuracy,learning_rate,seconds,validation_seconds\n");
        foreach (var m in history)
            sb.Append(CultureInfo.InvariantCulture, $"{m.Epoch},{m.TrainLoss:R},{m.TrainAccuracy:R},{m.ValidationLoss:R},{m.ValidationAccuracy:R},{m.ValidationBalancedAccuracy:R},{m.LearningRate:R},{m.Seconds:R},{m.ValidationSeconds:R}\n");
        AtomicFile.WriteAllText(MetricsCsv, sb.ToString());
    }
}

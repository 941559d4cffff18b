using System.CommandLine;
using WbcNca.Data;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca calibrate --model M --data D --out M2</c>: fits what training fits at its end (temperature, review
/// threshold, feature distance and its threshold) for a model trained before these existed, on its own training and
/// validation parts (<see cref="CalibrationRun"/>).
/// </summary>
public static class CalibrateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var dataset = new Option<string>("--dataset") { Description = $"Dataset layout: {string.Join(", ", DatasetReader.Kinds)}", DefaultValueFactory = _ => "acevedo20" };
        var data = new Option<string>("--data") { Description = "Dataset folder (labelled: its layout is --dataset)", Required = true };
        var output = CommonOptions.Out("Model file to write (the same weights with the fitted temperature, thresholds and feature distance)", ".safetensors");
        var threads = CommonOptions.Threads();
        var outliers = new Option<string[]>("--outliers")
        {
            Description = "Images that are not white cells (files or folders: platelets, debris, the lab's own rejects): the feature-distance threshold then sends 97 % of them to review, keeping at least 90 % of the validation cells",
            AllowMultipleArgumentsPerToken = true,
        };
        var samples = new Option<int>("--samples")
        {
            Description = $"Average this many mask draws (1..{Inference.TestTimeAveraging.MaxSamples}) in the answers everything is fitted on; the model then answers so unless predict, evaluate, explain or serve say otherwise",
            DefaultValueFactory = _ => 1,
        };
        var views = new Option<bool>("--views") { Description = "Each of the --samples runs sees the cell in another of its 8 rotations and mirror images" };
        var command = new Command("calibrate", "Fit confidence, review and feature-distance thresholds for a trained model on its own training and validation parts, rebuilt from the split it records in the data set it was trained on (training does this itself)")
        {
            model, dataset, data, output, threads, outliers, samples, views,
        };
        command.SetAction(parse =>
        {
            int runs = parse.GetValue(samples);
            if (runs < 1 || runs > Inference.TestTimeAveraging.MaxSamples) throw new WbcNcaException($"--samples must be in 1..{Inference.TestTimeAveraging.MaxSamples} (got {runs})");
            if (parse.GetValue(views) && runs == 1) throw new WbcNcaException("--views: averages several runs, each on another view; give --samples 2 or more (e.g. --samples 8 --views)");
            string dataPath = parse.GetValue(data)!;
            if (!Directory.Exists(dataPath)) throw new WbcNcaException($"--data {dataPath}: no such folder");
            string[] outlierArgs = parse.GetValue(outliers) ?? [];
            List<string> outlierFiles = outlierArgs.Length == 0 ? [] : InputFiles.Expand(outlierArgs);
            var dev = CommonOptions.Setup("cpu", parse.GetValue(threads));
            new CalibrationRun(CommonOptions.ResolveModel(parse.GetValue(model)), parse.GetValue(dataset)!, dataPath, parse.GetValue(output)!,
                parse.GetValue(threads) ?? Environment.ProcessorCount, outlierFiles, new Inference.TestTimeAveraging(runs, parse.GetValue(views))).Run(new ConsoleRunLog(), dev);
            Console.Out.WriteLine($"wrote {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }
}

using System.Text;
using System.Text.Json;
using TorchSharp;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// The file that lets a run resume exactly: a magic line, the <see cref="TrainingState"/> as JSON (with the options and
/// config), the model's weights and Adam's state (moments and step counts), written atomically (temp file + rename)
/// after each epoch. Random streams need no saving: each epoch derives its own from the seed (<see cref="SeedMix"/>).
/// </summary>
public static class TrainingCheckpoint
{
    private const string Magic = "wbc-nca-training/1";

    /// <summary>Writes the checkpoint atomically.</summary>
    public static void Save(string path, TrainingState state, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(state, TrainOptions.JsonOptions));
            model.save(writer);
            optimizer.save_state_dict(writer);
            writer.Flush();
        });
    }

    /// <summary>Reads the state only (no weights), e.g. to check what a run folder holds.</summary>
    public static TrainingState ReadState(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(reader, path);
    }

    /// <summary>Restores weights and optimiser state into existing objects and returns the saved state.</summary>
    /// <exception cref="WbcNcaException">Not a training checkpoint, or it does not fit the model.</exception>
    public static TrainingState Load(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        TrainingState state = ReadHeader(reader, path);
        try
        {
            model.load(reader, strict: true);
            optimizer.load_state_dict(reader);
        }
        catch (EndOfStreamException)
        {
            throw WbcNcaException.ForFile(path, "training checkpoint ends early (truncated); restore it, or start a new run with another --out");
        }
        catch (Exception e) when (e is not WbcNcaException)
        {
            throw WbcNcaException.ForFile(path, $"training checkpoint does not fit the model: {e.Message.ReplaceLineEndings(" ")}");
        }
        return state;
    }

    private static TrainingState ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            if (reader.ReadString() != Magic) throw WbcNcaException.ForFile(path, "not a wbc-nca training checkpoint");
            return JsonSerializer.Deserialize<TrainingState>(reader.ReadString(), TrainOptions.JsonOptions)
                ?? throw WbcNcaException.ForFile(path, "training state is null");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw WbcNcaException.ForFile(path, $"not a readable training checkpoint ({(e is JsonException j ? IO.JsonProblem.Describe(j) : e.Message)})");
        }
    }
}

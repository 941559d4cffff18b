using System.Reflection;
using System.Text.Json;
using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.IO;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Export;

/// <summary>
/// Exports a whole <see cref="NcaClassifier"/> as an ONNX model (opset 17, dynamic batch), written by hand with
/// <see cref="ProtoWriter"/> (no protobuf dependency, no code generation).
/// <para>
/// Inputs: <c>image</c> float (batch, 3, S, S), normalised as the model expects; <c>update_mask</c> float
/// (k, batch or 1, S, S, 1), 1 where a cell updates at a step (all ones = every cell every step, or a seeded or
/// random Bernoulli(p) draw, as <see cref="UpdateMask"/> makes). Outputs: <c>logits</c> and <c>probabilities</c>
/// (batch, classes). The k steps are one ONNX <c>Loop</c> whose body is a single NCA step: reflect padding,
/// two depthwise 3×3 convolutions (<c>Conv</c> with group = n), the update MLP as two 1×1 convolutions, the
/// masked update of the hidden channels and the reset of the colour channels. Then the maximum over the
/// image and the classifier head. The state is kept channels-first (batch, n, S, S) inside the graph;
/// weights are initializers of the main graph, shared by every step.
/// </para>
/// </summary>
public static class OnnxExporter
{
    /// <summary>The default-domain opset the exported model uses.</summary>
    public const long Opset = 17;

    /// <summary>Name of the image input.</summary>
    public const string ImageInput = "image";

    /// <summary>Name of the update-mask input.</summary>
    public const string MaskInput = "update_mask";

    /// <summary>Name of the logits output.</summary>
    public const string LogitsOutput = "logits";

    /// <summary>Name of the probabilities output (softmax of the logits).</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public static void Save(ModelBundle bundle, string path) => AtomicFile.WriteAllBytes(path, Export(bundle));

    /// <summary>Encodes the model as the bytes of an ONNX ModelProto.</summary>
    public static byte[] Export(ModelBundle bundle)
    {
        NcaConfig c = bundle.Config;
        int n = c.Channels, color = c.ColorChannels, hidden = n - color, s = c.ImageSize;
        var weights = new Dictionary<string, (long[] Shape, float[] Data)>();
        foreach (var (name, tensor) in bundle.Classifier.state_dict())
        {
            using var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
            weights[name] = (cpu.shape, cpu.data<float>().ToArray());
        }
        (long[] Shape, float[] Data) W(string name) =>
            weights.TryGetValue(name, out var w) ? w : throw new InvalidOperationException($"the classifier has no tensor '{name}'");

        var init = new List<ProtoWriter>();
        void Initializer(string name, long[] shape, float[] data) => init.Add(Onnx.FloatTensor(name, shape, data));
        void Int64s(string name, long[] dims, long[] data) => init.Add(Onnx.Int64Tensor(name, dims, data));

        // Perception kernels: (n, 1, 3, 3) depthwise, as torch stores them.
        foreach (string k in new[] { "k1", "k2" })
        {
            var (ws, wd) = W($"backbone.perception.{k}.weight");
            Initializer($"{k}.weight", ws, wd);
            var (bs, bd) = W($"backbone.perception.{k}.bias");
            Initializer($"{k}.bias", bs, bd);
        }
        // Update rule as 1×1 convolutions; only the hidden rows of fc2 matter (colour channels are reset).
        var (f1s, f1d) = W("backbone.update.fc1.weight");                       // (h, 3n)
        Initializer("rule1.weight", [f1s[0], f1s[1], 1, 1], f1d);
        var (f1bs, f1bd) = W("backbone.update.fc1.bias");
        Initializer("rule1.bias", f1bs, f1bd);
        var (f2s, f2d) = W("backbone.update.fc2.weight");                       // (n, h)
        Initializer("rule2.weight", [hidden, f2s[1], 1, 1], f2d[(int)(color * f2s[1])..]);
        foreach (string k in new[] { "fc1", "fc2" })
        {
            var (hs, hd) = W($"head.{k}.weight");
            Initializer($"head.{k}.weight", hs, hd);
            var (hbs, hbd) = W($"head.{k}.bias");
            Initializer($"head.{k}.bias", hbs, hbd);
        }
        Int64s("pads", [8], [0, 0, 1, 1, 0, 0, 1, 1]);
        Int64s("hidden_start", [1], [color]);
        Int64s("hidden_end", [1], [n]);
        Int64s("channel_axis", [1], [1]);
        Int64s("hidden_channels", [1], [hidden]);
        Int64s("steps", [], [c.Steps]);

        // One NCA step: state (B, n, S, S) → state.
        var step = new List<ProtoWriter>
        {
            Onnx.Node("Pad", "pad", ["state_in", "pads"], ["padded"], Onnx.Attr("mode", "reflect")),
            Onnx.Node("Conv", "perceive_k1", ["padded", "k1.weight", "k1.bias"], ["k1_out"], Onnx.Attr("group", n), Onnx.Attr("kernel_shape", [3L, 3L])),
            Onnx.Node("Conv", "perceive_k2", ["padded", "k2.weight", "k2.bias"], ["k2_out"], Onnx.Attr("group", n), Onnx.Attr("kernel_shape", [3L, 3L])),
            Onnx.Node("Concat", "perception", ["state_in", "k1_out", "k2_out"], ["z"], Onnx.Attr("axis", 1L)),
            Onnx.Node("Conv", "rule1", ["z", "rule1.weight", "rule1.bias"], ["rule1_out"], Onnx.Attr("kernel_shape", [1L, 1L])),
            Onnx.Node("Relu", "rule_relu", ["rule1_out"], ["rule_hidden"]),
            Onnx.Node("Conv", "rule2", ["rule_hidden", "rule2.weight"], ["delta"], Onnx.Attr("kernel_shape", [1L, 1L])),
            Onnx.Node("Gather", "step_mask", ["mask_nchw", "i"], ["mask_t"], Onnx.Attr("axis", 0L)),
            Onnx.Node("Mul", "masked_delta", ["delta", "mask_t"], ["delta_masked"]),
            Onnx.Node("Slice", "hidden_state", ["state_in", "hidden_start", "hidden_end", "channel_axis"], ["hidden_in"]),
            Onnx.Node("Add", "update", ["hidden_in", "delta_masked"], ["hidden_out"]),
            Onnx.Node("Concat", "reset_colour", [ImageInput, "hidden_out"], ["state_out"], Onnx.Attr("axis", 1L)),
            Onnx.Node("Identity", "keep_going", ["cond_in"], ["cond_out"]),
        };
        ProtoWriter body = Onnx.Graph("nca_step", step, [],
            [Onnx.Value("i", Onnx.Int64), Onnx.Value("cond_in", Onnx.Bool), Onnx.Value("state_in", Onnx.Float, "batch", n, s, s)],
            [Onnx.Value("cond_out", Onnx.Bool), Onnx.Value("state_out", Onnx.Float, "batch", n, s, s)]);

        var nodes = new List<ProtoWriter>
        {
            Onnx.Node("Shape", "batch_dim", [ImageInput], ["batch_dim"], Onnx.Attr("end", 1L)),
            Onnx.Node("Shape", "spatial_dims", [ImageInput], ["spatial_dims"], Onnx.Attr("start", 2L)),
            Onnx.Node("Concat", "zeros_shape", ["batch_dim", "hidden_channels", "spatial_dims"], ["zeros_shape"], Onnx.Attr("axis", 0L)),
            Onnx.Node("ConstantOfShape", "hidden_zeros", ["zeros_shape"], ["hidden_zeros"], Onnx.Attr("value", Onnx.FloatTensor("", [1], [0f]))),
            Onnx.Node("Concat", "seed", [ImageInput, "hidden_zeros"], ["state0"], Onnx.Attr("axis", 1L)),
            Onnx.Node("Transpose", "mask_channels_first", [MaskInput], ["mask_nchw"], Onnx.Attr("perm", [0L, 1L, 4L, 2L, 3L])),
            Onnx.Node("Loop", "nca_steps", ["steps", "", "state0"], ["state_final"], Onnx.GraphAttr("body", body)),
            Onnx.Node("ReduceMax", "global_max_pool", ["state_final"], ["pooled"], Onnx.Attr("axes", [2L, 3L]), Onnx.Attr("keepdims", 0L)),
            Onnx.Node("Gemm", "head_fc1", ["pooled", "head.fc1.weight", "head.fc1.bias"], ["head_hidden_pre"], Onnx.Attr("transB", 1L)),
            Onnx.Node("Relu", "head_relu", ["head_hidden_pre"], ["head_hidden"]),
            Onnx.Node("Gemm", "head_fc2", ["head_hidden", "head.fc2.weight", "head.fc2.bias"], [LogitsOutput], Onnx.Attr("transB", 1L)),
            Onnx.Node("Softmax", "softmax", [LogitsOutput], [ProbabilitiesOutput], Onnx.Attr("axis", 1L)),
        };
        ProtoWriter graph = Onnx.Graph("wbc_nca", nodes, init,
            [Onnx.Value(ImageInput, Onnx.Float, "batch", color, s, s), Onnx.Value(MaskInput, Onnx.Float, c.Steps, "mask_batch", s, s, 1)],
            [Onnx.Value(LogitsOutput, Onnx.Float, "batch", c.NumClasses), Onnx.Value(ProbabilitiesOutput, Onnx.Float, "batch", c.NumClasses)],
            "WBC-NCA classifier (Deutges et al., MICCAI 2024): k NCA steps as a Loop, global max pooling, MLP head.");

        var json = new JsonSerializerOptions { WriteIndented = false };
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("format", ModelFile.FormatTag),
            new("config", c.ToJson()),
            new("classes", JsonSerializer.Serialize(bundle.Classes, json)),
            new("normalization", JsonSerializer.Serialize(new { name = bundle.Normalization.Name, mean = bundle.Normalization.Mean, std = bundle.Normalization.Std }, json)),
            new("provenance", JsonSerializer.Serialize(bundle.Provenance, json)),
            new("preprocessing", bundle.Preprocessing.ToJson()),
            // How wbc-nca answers with this model: softmax(logits / temperature) per run, averaged over the runs.
            new("calibration", bundle.Calibration.ToJson()),
            new("averaging", bundle.Averaging.ToJson()),
            new("inputs", $"{ImageInput}: float (batch, {color}, {s}, {s}) normalised image; {MaskInput}: float ({c.Steps}, batch or 1, {s}, {s}, 1), 1 = the cell updates at that step (Bernoulli(p = {c.UpdateProbability}) draws as trained, averaged over several; all ones = every cell every step, an exactness check only)"),
        };
        string version = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return Onnx.Model(graph, Opset, "wbc-nca", version, "White blood cell classifier (neural cellular automaton)", metadata).ToArray();
    }
}

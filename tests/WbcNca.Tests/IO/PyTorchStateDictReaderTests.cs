using System.Text;
using WbcNca.IO;

namespace WbcNca.Tests.IO;

public sealed class PyTorchStateDictReaderTests
{
    private static string TinyStateDict => Path.Combine(AppContext.BaseDirectory, "IO", "Resources", "tiny_state_dict.pt");

    /// <summary>Keys and shapes from ../shared/reference/README.md.</summary>
    private static readonly (string Key, long[] Shape)[] ReferenceShapes =
    [
        ("p0.weight", [128, 1, 3, 3]), ("p0.bias", [128]),
        ("p1.weight", [128, 1, 3, 3]), ("p1.bias", [128]),
        ("fc0.weight", [128, 384]), ("fc0.bias", [128]),
        ("fc1.weight", [128, 128]),
        ("fc2.weight", [128, 128]), ("fc2.bias", [128]),
        ("fc3.weight", [13, 128]), ("fc3.bias", [13]),
    ];

    /// <summary>
    /// Printed by /usr/bin/python3 (torch 1.13) for the reference checkpoint: per key the sum and the sum of absolute
    /// values (in float64), and the first, middle (index numel // 2) and last values of the flattened tensor.
    /// </summary>
    private static readonly Dictionary<string, (double Sum, double AbsSum, float First, float Middle, float Last)> ReferenceValues = new()
    {
        ["p0.weight"] = (-3.9993464370272704, 201.98837679418648, -0.3054651618003845f, -0.07096551358699799f, 0.14819982647895813f),
        ["p0.bias"] = (-1.1904208331252448, 16.43805112625705, -0.07471401244401932f, 0.2349870353937149f, -0.30384981632232666f),
        ["p1.weight"] = (-3.689562968444079, 197.7886921952013, 0.07492932677268982f, -0.07433893531560898f, -0.15495078265666962f),
        ["p1.bias"] = (2.51958591931907, 17.30099397896265, 0.3459796607494354f, -0.21295520663261414f, -0.17843885719776154f),
        ["fc0.weight"] = (50.87193376839082, 1636.1624787186306, 0.02357025258243084f, -0.016987096518278122f, -0.009637702256441116f),
        ["fc0.bias"] = (-1.1534995532783796, 3.911561395791068, -0.051529452204704285f, -0.04407202824950218f, -0.043407756835222244f),
        ["fc1.weight"] = (-35.85585358893874, 361.85607299217736, 0.0f, -0.016803095117211342f, -0.019657960161566734f),
        ["fc2.weight"] = (-74.55286246337016, 894.3851321347935, 0.0001044395103235729f, -0.029594630002975464f, -0.0442279614508152f),
        ["fc2.bias"] = (0.8816742486087605, 5.650766718783416, 0.0032986639998853207f, 0.03415496647357941f, -0.04140385240316391f),
        ["fc3.weight"] = (-49.301029255759204, 120.72374542235048, 0.015648311004042625f, -0.13073162734508514f, -0.11229629814624786f),
        ["fc3.bias"] = (-0.33805483113974333, 0.7478260500356555, -0.07849893718957901f, -0.11984322965145111f, 0.09017305076122284f),
    };

    [SkippableFact]
    public void The_reference_checkpoint_reads_with_the_documented_keys_shapes_and_86413_values()
    {
        string path = SharedData.Require("reference/wbc-nca-matek19-maxnca128.pt");

        IReadOnlyDictionary<string, TensorData> sd = PyTorchStateDictReader.Read(path);

        Assert.Equal(ReferenceShapes.Select(r => r.Key), sd.Keys);
        foreach ((string key, long[] shape) in ReferenceShapes) Assert.Equal(shape, sd[key].Shape);
        Assert.Equal(86_413, sd.Values.Sum(t => t.Data.Length));
    }

    [SkippableFact]
    public void The_reference_checkpoint_values_match_what_pytorch_reads()
    {
        string path = SharedData.Require("reference/wbc-nca-matek19-maxnca128.pt");

        IReadOnlyDictionary<string, TensorData> sd = PyTorchStateDictReader.Read(path);

        foreach ((string key, var expected) in ReferenceValues)
        {
            float[] data = sd[key].Data;
            Assert.Equal(expected.Sum, data.Sum(v => (double)v), 1e-9);
            Assert.Equal(expected.AbsSum, data.Sum(v => Math.Abs((double)v)), 1e-9);
            Assert.Equal(expected.First, data[0]);
            Assert.Equal(expected.Middle, data[data.Length / 2]);
            Assert.Equal(expected.Last, data[^1]);
        }
    }

    /// <summary>Printed by tools/make_test_state_dict.py when it wrote IO/Resources/tiny_state_dict.pt.</summary>
    private static readonly (string Key, long[] Shape, float[] Values)[] TinyExpected =
    [
        ("layer.weight", [2, 3], [1.5f, -2.25f, 3.0f, 0.125f, 4.0f, -1.0f]),
        ("view.transposed", [4, 3], [-0.5f, 0.0f, 0.5f, -0.375f, 0.125f, 0.625f, -0.25f, 0.25f, 0.75f, -0.125f, 0.375f, 0.875f]),
        ("view.sliced", [2, 2], [0.125f, 0.25f, 0.625f, 0.75f]),
        ("view.base", [3, 4], [-0.5f, -0.375f, -0.25f, -0.125f, 0.0f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f]),
        ("double", [3], [0.10000000149011612f, -2.5f, 0.0010000000474974513f]),
        ("half", [2, 2], [0.5f, -1.0f, 65504.0f, 0.09991455078125f]),
        ("bfloat", [3], [1.0f, -3.140625f, 256.0f]),
        ("count", [], [7.0f]),
        ("empty", [0, 3], []),
    ];

    [Fact]
    public void A_tiny_state_dict_with_views_offsets_and_other_dtypes_reads_as_pytorch_does()
    {
        IReadOnlyDictionary<string, TensorData> sd = PyTorchStateDictReader.Read(TinyStateDict);

        Assert.Equal(TinyExpected.Select(e => e.Key), sd.Keys);
        foreach ((string key, long[] shape, float[] values) in TinyExpected)
        {
            Assert.Equal(shape, sd[key].Shape);
            Assert.Equal(values, sd[key].Data);
        }
    }

    [Fact]
    public void A_hand_built_plain_dict_with_a_strided_view_reads_contiguously()
    {
        using var temp = new TempFolder();
        string path = temp.File("plain.pt");
        // storage 0..11, view: offset 1, size [2, 3], stride [1, 4] → rows (1,5,9), (2,6,10)
        byte[] pickle = PickleBuilder.OneTensorStateDict("w", 12, 1, [2, 3], [1, 4]);
        PickleBuilder.WriteCheckpoint(path, pickle, new Dictionary<string, byte[]> { ["0"] = PickleBuilder.Floats([.. Enumerable.Range(0, 12).Select(i => (float)i)]) }, top: "some_other_name");

        TensorData w = PyTorchStateDictReader.Read(path)["w"];

        Assert.Equal([2L, 3L], w.Shape);
        Assert.Equal([1f, 5f, 9f, 2f, 6f, 10f], w.Data);
    }

    [Theory]
    [InlineData("os", "system", "refuses global 'os.system'")]
    [InlineData("builtins", "eval", "refuses global 'builtins.eval'")]
    [InlineData("torch", "load", "refuses global 'torch.load'")]
    public void A_pickle_with_a_forbidden_global_is_refused_without_running_it(string module, string name, string expected)
    {
        using var temp = new TempFolder();
        string path = temp.File("evil.pt");
        string marker = temp.File("pwned");
        byte[] pickle = new PickleBuilder().Global(module, name).Str($"touch {marker}").Op(0x85).Op('R').Op('.').ToArray();
        PickleBuilder.WriteCheckpoint(path, pickle, new Dictionary<string, byte[]>());

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: not a plain state dict ({expected})", ex.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void A_global_reached_through_stack_global_is_refused_too()
    {
        using var temp = new TempFolder();
        string path = temp.File("evil4.pt");
        byte[] pickle = new PickleBuilder().ShortStr("subprocess").ShortStr("Popen").Op(0x93).Op(')').Op('R').Op('.').ToArray();
        PickleBuilder.WriteCheckpoint(path, pickle, new Dictionary<string, byte[]>());

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Contains("refuses global 'subprocess.Popen'", ex.Message);
    }

    public static TheoryData<string, byte[], string> MalformedPickles => new()
    {
        { "a list", new PickleBuilder().Op(']').Op('.').ToArray(), "not a plain state dict (the file holds a list" },
        { "an int value", new PickleBuilder().Op('}').Str("epoch").Int(3).Op('s').Op('.').ToArray(), "'epoch' is a int, not a tensor" },
        { "no STOP", new PickleBuilder().Op('}').ToArray(), "ends before its STOP" },
        { "a cut string", new PickleBuilder().Op('}').Raw([(byte)'X', 200, 0, 0, 0, (byte)'a']).ToArray(), "truncated" },
        { "an unknown opcode", new PickleBuilder().Op('}').Op('i').Op('.').ToArray(), "unsupported pickle opcode 0x69" },
        { "an unset memo entry", new PickleBuilder().Op('h').Raw([9]).Op('.').ToArray(), "memo entry 9 is not set" },
    };

    [Theory]
    [MemberData(nameof(MalformedPickles))]
    public void A_malformed_or_non_state_dict_pickle_is_a_clear_error(string what, byte[] pickle, string expected)
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.pt");
        PickleBuilder.WriteCheckpoint(path, pickle, new Dictionary<string, byte[]>());

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {ex.Message}");
    }

    [Fact]
    public void A_missing_storage_entry_is_a_clear_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("nodata.pt");
        PickleBuilder.WriteCheckpoint(path, PickleBuilder.OneTensorStateDict("w", 4, 0, [4], [1]), new Dictionary<string, byte[]>());

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: storage entry archive/data/0 is missing", ex.Message);
    }

    [Fact]
    public void A_storage_shorter_than_the_pickle_says_is_a_clear_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("short.pt");
        PickleBuilder.WriteCheckpoint(path, PickleBuilder.OneTensorStateDict("w", 4, 0, [4], [1]), new Dictionary<string, byte[]> { ["0"] = PickleBuilder.Floats(1, 2, 3) });

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Contains("holds 12 bytes, 16 expected", ex.Message);
    }

    [Fact]
    public void A_view_reaching_outside_its_storage_is_a_clear_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("outside.pt");
        PickleBuilder.WriteCheckpoint(path, PickleBuilder.OneTensorStateDict("w", 4, 2, [3], [1]), new Dictionary<string, byte[]> { ["0"] = PickleBuilder.Floats(1, 2, 3, 4) });

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: tensor 'w' reaches outside its storage (4 elements)", ex.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_is_a_clear_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("truncated.pt");
        byte[] bytes = File.ReadAllBytes(TinyStateDict);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void A_zero_byte_file_is_a_clear_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("empty.pt");
        File.WriteAllBytes(path, []);

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: empty file (0 bytes), not a PyTorch checkpoint", ex.Message);
    }

    [Fact]
    public void Random_bytes_are_a_clear_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("random.pt");
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0x17;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: not a PyTorch checkpoint (not a zip archive)", ex.Message);
    }

    [Fact]
    public void A_safetensors_file_renamed_pt_is_recognised_and_refused()
    {
        using var temp = new TempFolder();
        string path = temp.File("model.pt");
        SafeTensorsFile.Write(path, new Dictionary<string, TensorData> { ["w"] = new([2], [1f, 2f]) }, new Dictionary<string, string>());

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: a safetensors file, not a PyTorch checkpoint (read it as safetensors)", ex.Message);
    }

    [Fact]
    public void A_legacy_non_zip_torch_save_file_is_refused_with_advice()
    {
        using var temp = new TempFolder();
        string path = temp.File("legacy.pt");
        // What torch.save(..., _use_new_zipfile_serialization=False) starts with: the pickled magic number.
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.']);

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Contains("legacy (pre-1.6, non-zip) torch.save file", ex.Message);
        Assert.StartsWith($"{path}: ", ex.Message);
    }

    [Fact]
    public void A_zip_without_a_pickle_is_not_taken_for_a_checkpoint()
    {
        using var temp = new TempFolder();
        string path = temp.File("other.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        using (var s = new StreamWriter(zip.CreateEntry("readme.txt").Open(), Encoding.UTF8))
            s.Write("hello");

        var ex = Assert.Throws<CheckpointFormatException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: not a PyTorch checkpoint (the zip has no TOP/data.pkl entry)", ex.Message);
    }

    [Fact]
    public void A_missing_file_is_a_one_line_user_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("absent.pt");

        var ex = Assert.Throws<WbcNcaException>(() => PyTorchStateDictReader.Read(path));

        Assert.Equal($"{path}: no such file", ex.Message);
    }
}

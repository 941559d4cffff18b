using System.Diagnostics;
using BitMiracle.LibTiff.Classic;
using WbcNca.Imaging;
using Xunit.Abstractions;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// Mutates valid images of every supported format with a seeded generator, for a fixed count and time budget,
/// and requires that each mutant either decodes to a well-formed image or is rejected with an
/// <see cref="ImageLoadException"/> — no other exception, no crash, no hang.
/// Override with WBC_FUZZ_SEED, WBC_FUZZ_COUNT (per format) and WBC_FUZZ_SECONDS.
/// </summary>
public class ImageDecoderFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// A decode that takes longer than this counts as a hang. The slowest mutant of seeds 2 and 3 with 8000 per format
    /// takes 0.15 s; TIFF mutants whose tags declared billions of values took 12–27 s (LibTiff.NET allocated 4 GB for
    /// them) until <c>TiffDirectoryCheck</c> refused them from the header.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    private static IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        Rgb8Image img = TestImages.Pattern(24, 20);
        yield return ("png", TestImages.Png(img));
        yield return ("jpeg", TestImages.Jpeg(img, 90));
        yield return ("bmp", TestImages.Bmp(img));
        yield return ("tiff", TestImages.Tiff(24, 20, 3, 8, Photometric.RGB, img.Pixels));
        yield return ("tiff-lzw", TestImages.Tiff(24, 20, 3, 8, Photometric.RGB, img.Pixels, compression: Compression.LZW));
        yield return ("tiff-rgba", TestImages.Tiff(24, 20, 4, 8, Photometric.RGB, TestImages.WithAlpha(img, (x, y) => (byte)(x * 10)), unassociatedAlpha: true));
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var data = new List<byte>(seed);
        int operations = rng.Next(1, 9);
        for (int i = 0; i < operations && data.Count > 0; i++)
        {
            int at = rng.Next(data.Count);
            switch (rng.Next(6))
            {
                case 0: data[at] ^= (byte)(1 << rng.Next(8)); break;                        // flip a bit
                case 1: data[at] = (byte)rng.Next(256); break;                               // random byte
                case 2: data.RemoveRange(at, data.Count - at); break;                        // truncate
                case 3: data.InsertRange(at, Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256))); break;
                case 4:                                                                      // large values (sizes, offsets)
                    for (int j = at; j < Math.Min(at + 4, data.Count); j++) data[j] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0x7F;
                    break;
                default: data.RemoveRange(at, Math.Min(rng.Next(1, 32), data.Count - at)); break; // delete a run
            }
        }
        return [.. data];
    }

    [Fact]
    public void Mutated_images_of_every_format_decode_or_are_rejected_cleanly_without_crash_or_hang()
    {
        int seed = EnvInt("WBC_FUZZ_SEED", 20241126);
        int perFormat = EnvInt("WBC_FUZZ_COUNT", 4000);
        var budget = TimeSpan.FromSeconds(EnvInt("WBC_FUZZ_SECONDS", 40));
        var rng = new Random(seed);
        var clock = Stopwatch.StartNew();
        int decoded = 0, rejected = 0;
        (TimeSpan Time, string Which) slowest = (TimeSpan.Zero, "");
        var options = new ImageDecoderOptions(MaxPixels: 262_144);   // mutants declaring more are rejected from the header; decoding cost stays small
        foreach (var (name, bytes) in Seeds())
        {
            for (int i = 0; i < perFormat && clock.Elapsed < budget; i++)
            {
                byte[] mutant = Mutate(bytes, rng);
                var one = Stopwatch.StartNew();
                try
                {
                    RgbImage image = ImageDecoder.Decode(mutant, $"{name}-mutant-{i}", options);
                    Assert.True(image.Width >= 1 && image.Height >= 1 && image.Planar.Length == 3 * image.Width * image.Height);
                    Assert.All(image.Planar, v => Assert.InRange(v, 0f, 1f));
                    decoded++;
                }
                catch (ImageLoadException e)
                {
                    Assert.StartsWith($"{name}-mutant-{i}: ", e.Message);
                    Assert.DoesNotContain('\n', e.Message);
                    rejected++;
                }
                catch (Exception e)
                {
                    File.WriteAllBytes(Path.Combine(Path.GetTempPath(), $"wbc-nca-fuzz-{name}-{seed}-{i}.bin"), mutant);
                    Assert.Fail($"{name} mutant {i} (seed {seed}) threw {e.GetType().Name}: {e.Message}");
                }
                if (one.Elapsed > slowest.Time) slowest = (one.Elapsed, $"{name} mutant {i}");
                if (one.Elapsed > HangLimit)
                {
                    string saved = Path.Combine(Path.GetTempPath(), $"wbc-nca-fuzz-{name}-{seed}-{i}.bin");
                    File.WriteAllBytes(saved, mutant);
                    Assert.Fail($"{name} mutant {i} (seed {seed}) took {one.Elapsed.TotalSeconds:0.0} s (saved as {saved})");
                }
            }
        }
        output.WriteLine($"seed {seed}: {decoded} decoded, {rejected} rejected in {clock.Elapsed.TotalSeconds:0.0} s; slowest {slowest.Which} {slowest.Time.TotalSeconds:0.00} s");
        Assert.True(decoded + rejected >= Math.Min(6 * perFormat, 200), "the fuzz budget ran out before 200 mutants were tried");
        Assert.True(rejected > 0 && decoded > 0, "mutations should produce both decodable and undecodable files");
    }
}

using WbcNca.Imaging;
using WbcNca.Tests.Imaging;

namespace WbcNca.Tests.Training;

/// <summary>
/// A small labelled data set written as PNG files into a folder-per-class layout (the <c>folder</c> reader's coarse
/// classes): each class has its own dominant colour plus seeded noise, so that a tiny model learns something in a few
/// epochs. For tests that run <c>wbc-nca train</c> or <c>evaluate</c> as they are used.
/// </summary>
internal static class SyntheticCells
{
    /// <summary>The five main types, as class folder names.</summary>
    public static readonly string[] Classes = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"];

    /// <summary>Writes <paramref name="perClass"/> images of side <paramref name="size"/> for each of the first <paramref name="classes"/> classes.</summary>
    public static string Write(string root, int perClass, int size = 16, int classes = 5, int seed = 1)
    {
        var rng = new Random(seed);
        for (int c = 0; c < classes; c++)
        {
            string folder = Directory.CreateDirectory(Path.Combine(root, Classes[c])).FullName;
            for (int i = 0; i < perClass; i++)
            {
                var px = new byte[3 * size * size];
                for (int p = 0; p < size * size; p++)
                    for (int ch = 0; ch < 3; ch++)
                        px[3 * p + ch] = (byte)Math.Clamp(((c + ch) % 3 == 0 ? 60 + 30 * c : 170) + rng.Next(-40, 40), 0, 255);
                File.WriteAllBytes(Path.Combine(folder, $"{Classes[c][..2].ToUpperInvariant()}_{i:000}.png"), TestImages.Png(new Rgb8Image(size, size, px)));
            }
        }
        return root;
    }
}

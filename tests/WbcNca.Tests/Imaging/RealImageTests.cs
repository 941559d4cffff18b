using System.Security.Cryptography;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>Real images from ../shared (skipped when it is absent).</summary>
public sealed class RealImageTests
{
    /// <summary>Expected hashes printed by tools/pil_decode_reference.py (Pillow 9.4.0): decoded RGB, and the reference code's 64×64 resize.</summary>
    [SkippableTheory]
    [InlineData("data/acevedo20/basophil/BA_100102.jpg", 128, 129, "75eb8314e65c0f86fc9e56c05631bde9e0fb3d487707c8131cf1d3b968f8996d", "e591ee96c5c0263c6053064e7b656f4b9b6a0f93dc23a824938e64e079ce59d7")]
    [InlineData("data/jtsc/monocyte/228.png", 120, 120, "5b2e6061a609bbf6f21c42e423c124c2064525da30e4241e896bac9140a74539", "b871f872bed0379fc479622a96b55a8057ffc91bb9e70a285caf7bf887118b2d")]
    [InlineData("data/bccd/Eosinophil/BloodImage_00009_1.jpg", 330, 330, "9f1bc350ec4d10d873f7c3d4d00bcf00fbf761ca52a2149747c3d8f8c9f1f2db", "3321f54697c003132415e2ec854eba4d7d46d07546c5f312639a6fe43eb09861")]
    public void Real_image_decodes_and_resizes_exactly_as_pil_does(string relative, int width, int height, string decodedSha256, string resizedSha256)
    {
        string path = SharedData.Require(relative);
        Rgb8Image img = ImageDecoder.Decode8(path);
        Assert.Equal((width, height), (img.Width, img.Height));
        Assert.Equal(decodedSha256, Convert.ToHexStringLower(SHA256.HashData(img.Pixels)));
        Assert.Equal(resizedSha256, Convert.ToHexStringLower(SHA256.HashData(Resampler.ResizeBicubic(img, 64, 64).Pixels)));
    }

    [SkippableFact]
    public void Acevedo64_fixtures_are_64_by_64_and_preprocess_to_a_plain_normalisation()
    {
        string dir = SharedData.Require("fixtures/acevedo64");
        string[] files = Directory.GetFiles(dir, "*.png");
        Assert.NotEmpty(files);
        var pre = new ImagePreprocessor(64, Normalization.Acevedo20);
        foreach (string file in files)
        {
            RgbImage img = ImageDecoder.Decode(file);
            Assert.Equal((64, 64), (img.Width, img.Height));
            float[] expected = (float[])img.Planar.Clone();
            Normalization.Acevedo20.ApplyInPlace(expected);
            Assert.Equal(expected, pre.Process(file));
        }
    }

    [SkippableFact]
    public void Every_sample_image_of_the_three_datasets_decodes()
    {
        string data = SharedData.Require("data");
        foreach (string set in new[] { "acevedo20", "jtsc", "bccd" })
        {
            // A few files per class folder: cheap, but touches every folder.
            foreach (string classDir in Directory.GetDirectories(Path.Combine(data, set)))
                foreach (string file in Directory.EnumerateFiles(classDir).Where(ImageDecoder.IsSupportedExtension).Order(StringComparer.Ordinal).Take(2))
                {
                    Rgb8Image img = ImageDecoder.Decode8(file);
                    Assert.InRange(img.Width, 64, 400);
                    Assert.InRange(img.Height, 64, 400);
                }
        }
    }
}

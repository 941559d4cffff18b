using System.Security.Cryptography;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// The 8-bit bicubic resize equals PIL's <c>Image.resize((w, h), Image.BICUBIC)</c> byte for byte.
/// Expected values printed by tools/pil_resize_reference.py with Pillow 9.4.0 (Debian's python3-pil).
/// </summary>
public sealed class PilParityTests
{
    [Theory]
    [InlineData(128, 129, 64, 64, "16a48c7f616ba6369591a4e82a68e91f85d91934afade1c5e804f6ad8dc0b527", 1564826)]
    [InlineData(360, 363, 64, 64, "68fab185e8ae314a43a730c4e58144315eb0fffcebfecb6a9d9d69de6d480ab4", 1565121)]
    [InlineData(50, 50, 64, 64, "975c853244181f8fe60a47d3105369764a51d4eef26f7c682a20ffb3f2f6fcf7", 1556542)]
    [InlineData(40, 30, 64, 64, "d07318f60775049c371567e81ec6211e9bbc62bd9a95b5d8daac5a88de184cde", 1542455)]
    [InlineData(70, 64, 64, 64, "4260070f27bdeadc318f8f35da326e659a098000b68eefb9ab898a57b1a8e691", 1564000)]
    [InlineData(64, 70, 64, 64, "2544725a359efde3151623cc6fcec60159848395a7c43429666c481c84a0a492", 1565101)]
    [InlineData(64, 64, 64, 64, "be91421654a7d0ff497929d2f07c5cf27a4dcdfbfccbcde217c3c6a4d21ae74c", 1563392)]
    [InlineData(13, 11, 5, 4, "c9cdef3172cc3aeaa8c266d7b332a022ad4a563f4e2117894bcdc1f88009f0fa", 6496)]
    public void Eight_bit_bicubic_resize_equals_pil_byte_for_byte(int srcW, int srcH, int dstW, int dstH, string sha256, long sum)
    {
        Rgb8Image result = Resampler.ResizeBicubic(TestImages.Pattern(srcW, srcH), dstW, dstH);
        Assert.Equal((dstW, dstH), (result.Width, result.Height));
        Assert.Equal(sum, result.Pixels.Sum(b => (long)b));
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(result.Pixels)));
    }

    [Fact]
    public void Small_downscale_equals_pil_value_by_value()
    {
        byte[] expected =
        [
            18, 4, 0, 35, 14, 0, 54, 39, 9, 73, 78, 225, 90, 127, 255, 52, 40, 0, 69, 50, 0, 88, 75, 5, 107, 118, 229, 124, 172, 255,
            90, 133, 36, 107, 142, 36, 126, 164, 42, 145, 169, 198, 162, 152, 219, 124, 173, 247, 141, 134, 247, 160, 97, 239, 179, 82, 36, 196, 107, 8,
        ];
        Assert.Equal(expected, Resampler.ResizeBicubic(TestImages.Pattern(13, 11), 5, 4).Pixels);
    }

    [Fact]
    public void Resizing_to_the_same_size_returns_the_pixels_untouched()
    {
        Rgb8Image src = TestImages.Pattern(64, 64);
        Rgb8Image same = Resampler.ResizeBicubic(src, 64, 64);
        Assert.Equal(src.Pixels, same.Pixels);
        Assert.NotSame(src.Pixels, same.Pixels);
        RgbImage f = src.ToRgbImage();
        Assert.Equal(f.Planar, Resampler.ResizeBicubic(f, 64, 64).Planar);
    }

    [Theory]
    [InlineData(128, 129)]
    [InlineData(50, 50)]
    [InlineData(70, 64)]
    public void Float_resize_stays_within_about_one_level_of_the_eight_bit_resize_on_smooth_content(int srcW, int srcH)
    {
        // Smooth content: no overshoot beyond 0…255, so the 8-bit path differs only by its rounding
        // after each pass: half a level after the first pass, carried through the second pass's weights
        // (whose absolute values sum to about 1.1 because of the negative lobes), plus half a level.
        var px = new byte[3 * srcW * srcH];
        for (int y = 0; y < srcH; y++)
            for (int x = 0; x < srcW; x++)
            {
                int i = 3 * (y * srcW + x);
                px[i] = (byte)(128 + 90 * Math.Sin(x * 0.07) * Math.Cos(y * 0.05));
                px[i + 1] = (byte)(40 + 150.0 * x / srcW);
                px[i + 2] = (byte)(200 - 120.0 * (x + y) / (srcW + srcH));
            }
        var src = new Rgb8Image(srcW, srcH, px);
        byte[] eight = Resampler.ResizeBicubic(src, 64, 64).Pixels;
        RgbImage f = Resampler.ResizeBicubic(src.ToRgbImage(), 64, 64);
        int plane = 64 * 64;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                Assert.InRange(Math.Abs(f.Planar[c * plane + i] * 255f - eight[3 * i + c]), 0f, 1.1f);
    }

    [Fact]
    public void Constant_image_stays_constant_when_down_or_upscaled()
    {
        var flat = new Rgb8Image(37, 41, Enumerable.Repeat((byte)173, 3 * 37 * 41).ToArray());
        Assert.All(Resampler.ResizeBicubic(flat, 64, 64).Pixels, b => Assert.Equal(173, b));
        Assert.All(Resampler.ResizeBicubic(flat, 9, 5).Pixels, b => Assert.Equal(173, b));
    }
}

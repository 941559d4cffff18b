using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

public class PngEncoderTests
{
    [Fact]
    public void A_png_decodes_to_the_same_pixels()
    {
        Rgb8Image image = TestImages.Pattern(37, 11);
        Rgb8Image back = ImageDecoder.Decode8(PngEncoder.Encode(image), "x.png");
        Assert.Equal((37, 11), (back.Width, back.Height));
        Assert.Equal(image.Pixels, back.Pixels);
    }

    [Fact]
    public void A_preview_fits_the_longer_side_into_the_limit_keeping_the_aspect_and_leaves_small_images_alone()
    {
        Rgb8Image wide = ImageDecoder.Decode8(PngEncoder.Preview(TestImages.Pattern(400, 300), 256), "p.png");
        Assert.Equal((256, 192), (wide.Width, wide.Height));
        Assert.Equal(Resampler.ResizeBicubic(TestImages.Pattern(400, 300), 256, 192).Pixels, wide.Pixels);
        Rgb8Image tall = ImageDecoder.Decode8(PngEncoder.Preview(TestImages.Pattern(30, 600), 256), "p.png");
        Assert.Equal((13, 256), (tall.Width, tall.Height));
        Rgb8Image small = TestImages.Pattern(64, 64);
        Assert.Equal(small.Pixels, ImageDecoder.Decode8(PngEncoder.Preview(small, 256), "p.png").Pixels);
        Assert.StartsWith("data:image/png;base64,iVBORw0KGgo", PngEncoder.DataUrl(PngEncoder.Encode(small)));
    }
}

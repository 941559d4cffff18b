using static TorchSharp.torch;

namespace WbcNca.Imaging;

/// <summary>
/// The eight rotations and mirror images of a square image (the dihedral group of the square): view v mirrors the
/// image left–right when bit 2 of v is set, then turns it v mod 4 quarter turns. View 0 is the image as it is. Models
/// here are trained with rotations and flips, so every view is an equally valid look at a cell; averaging the answers
/// over views (<c>--views</c>) and over update masks is test-time augmentation. The pooled maximum of an NCA does not
/// depend on where in the image a response lies, so answers need no transforming back.
/// </summary>
public static class DihedralView
{
    /// <summary>Number of distinct views.</summary>
    public const int Count = 8;

    /// <summary>View <paramref name="view"/> (taken modulo <see cref="Count"/>) of images (B, C, H, W).</summary>
    public static Tensor Apply(Tensor images, int view)
    {
        int v = ((view % Count) + Count) % Count;
        if (v == 0) return images;
        Tensor mirrored = (v & 4) != 0 ? images.flip(3) : images;
        return (v & 3) == 0 ? mirrored : mirrored.rot90(v & 3, (2, 3));
    }
}

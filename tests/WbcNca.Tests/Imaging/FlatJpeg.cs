namespace WbcNca.Tests.Imaging;

/// <summary>
/// Writes baseline JPEGs of one flat colour, byte by byte, with any number of components: 1 (grayscale), 3 (YCbCr) or
/// 4 (CMYK with an Adobe APP14 marker, as Photoshop and many scanners write it). Encoders such as Skia's write only
/// grayscale and YCbCr; this one needs none. Every 8×8 block holds only its DC coefficient (quantiser 1), so a sample
/// of value v decodes to exactly v (up to the decoder's rounding of the IDCT).
/// </summary>
internal static class FlatJpeg
{
    /// <summary>
    /// A <paramref name="width"/>×<paramref name="height"/> JPEG whose components have the flat values
    /// <paramref name="samples"/> (one per component; for CMYK the stored, Adobe-inverted values).
    /// </summary>
    public static byte[] Encode(int width, int height, byte[] samples, bool adobeCmyk = false)
    {
        int n = samples.Length;
        using var ms = new MemoryStream();
        ms.Write([0xFF, 0xD8]);
        if (adobeCmyk)
        {
            // APP14 "Adobe": version 100, flags 0, 0, transform 0 (CMYK stored as is).
            Segment(ms, 0xEE, [(byte)'A', (byte)'d', (byte)'o', (byte)'b', (byte)'e', 0, 100, 0, 0, 0, 0, 0]);
        }
        Segment(ms, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);               // DQT 0: all ones
        var sof = new List<byte> { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)n };
        for (int c = 0; c < n; c++) sof.AddRange([(byte)(c + 1), 0x11, 0]);
        Segment(ms, 0xC0, [.. sof]);
        // DC table 0: category 0 has code "0" (1 bit), categories 1..11 have 5-bit codes 10000..11010.
        Segment(ms, 0xC4, [0x00, 1, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        // AC table 0: only end-of-block, code "0".
        Segment(ms, 0xC4, [0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
        var sos = new List<byte> { (byte)n };
        for (int c = 0; c < n; c++) sos.AddRange([(byte)(c + 1), 0x00]);
        sos.AddRange([0, 63, 0]);
        Segment(ms, 0xDA, [.. sos]);

        var bits = new BitWriter(ms);
        int mcus = (width + 7) / 8 * ((height + 7) / 8);
        for (int m = 0; m < mcus; m++)
            for (int c = 0; c < n; c++)
            {
                int diff = m == 0 ? (samples[c] - 128) * 8 : 0;   // flat: only the first block differs from the predictor 0
                if (diff == 0) bits.Write(0, 1);
                else
                {
                    int category = 32 - int.LeadingZeroCount(Math.Abs(diff));
                    bits.Write(0b10000 + category - 1, 5);
                    bits.Write(diff > 0 ? diff : diff + (1 << category) - 1, category);
                }
                bits.Write(0, 1);                                                      // end of block
            }
        bits.Flush();
        ms.Write([0xFF, 0xD9]);
        return ms.ToArray();
    }

    /// <summary>Offset of the SOF0 segment's height field (two bytes, then two of width), to patch declared sizes.</summary>
    public static int SizeFieldOffset(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i + 5;
        throw new ArgumentException("no SOF segment");
    }

    private static void Segment(Stream s, byte marker, byte[] body)
    {
        int length = body.Length + 2;
        s.Write([0xFF, marker, (byte)(length >> 8), (byte)length]);
        s.Write(body);
    }

    /// <summary>Entropy-coded data: bits most significant first, 0xFF stuffed with 0x00, padded with ones.</summary>
    private sealed class BitWriter(Stream stream)
    {
        private int buffer, count;

        public void Write(int value, int length)
        {
            for (int i = length - 1; i >= 0; i--)
            {
                buffer = (buffer << 1) | ((value >> i) & 1);
                if (++count == 8) Emit();
            }
        }

        public void Flush()
        {
            while (count != 0) Write(1, 1);
        }

        private void Emit()
        {
            stream.WriteByte((byte)buffer);
            if (buffer == 0xFF) stream.WriteByte(0);
            buffer = 0;
            count = 0;
        }
    }
}

#!/usr/bin/python3
"""Reference values for the PIL-parity test of WbcNca.Imaging.Resampler (tests/WbcNca.Tests/Imaging/PilParityTests.cs).

Builds deterministic RGB test images from a formula (no files), resizes them with
PIL's Image.resize((w, h), Image.BICUBIC) on uint8 data, as the paper's reference code does,
and prints for each case the SHA-256 of the result's interleaved RGB bytes and their sum; the
smallest case is printed in full. The C# test recreates the same images with the same formula.

Run with Debian's python (python3-pil, python3-numpy):  /usr/bin/python3 tools/pil_resize_reference.py
"""
import hashlib

import numpy as np
import PIL
from PIL import Image


def test_image(width, height):
    """R: diagonal ramp with wrap-around, G: quadratic pattern, B: 8-px black/white checkerboard."""
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 7 + y * 13) % 256
    g = (x * x + 3 * y * y) % 256
    b = np.where(((x // 8) + (y // 8)) % 2 == 1, 255, 0)
    return Image.fromarray(np.stack([r, g, b], axis=-1).astype(np.uint8), "RGB")


CASES = [
    ((128, 129), (64, 64)),
    ((360, 363), (64, 64)),
    ((50, 50), (64, 64)),
    ((40, 30), (64, 64)),
    ((70, 64), (64, 64)),
    ((64, 70), (64, 64)),
    ((64, 64), (64, 64)),
    ((13, 11), (5, 4)),
]

print(f"# Pillow {PIL.__version__}, numpy {np.__version__}")
for (sw, sh), (dw, dh) in CASES:
    out = np.asarray(test_image(sw, sh).resize((dw, dh), Image.BICUBIC))
    data = out.tobytes()
    print(f'[InlineData({sw}, {sh}, {dw}, {dh}, "{hashlib.sha256(data).hexdigest()}", {int(out.astype(np.int64).sum())})]')
    if dw * dh <= 20:
        print("// all values:", ", ".join(str(v) for v in out.reshape(-1)))

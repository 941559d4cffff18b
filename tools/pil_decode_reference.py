#!/usr/bin/python3
"""Reference values for the real-data PIL-parity tests of WbcNca.Imaging (RealImageTests.cs).

For a few images of ../shared/data (read-only; nothing is copied), prints the SHA-256 of PIL's
decoded RGB bytes and of the reference code's preprocessing before normalisation:
Image.open(path).resize((64, 64)) (default resample: BICUBIC) then [:, :, 0:3].

Run from the repository root with Debian's python:  /usr/bin/python3 tools/pil_decode_reference.py
"""
import hashlib
import os

import numpy as np
import PIL
from PIL import Image

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
FILES = [
    "acevedo20/basophil/BA_100102.jpg",
    "jtsc/monocyte/228.png",
    "bccd/Eosinophil/BloodImage_00009_1.jpg",
]

print(f"# Pillow {PIL.__version__}")
for rel in FILES:
    im = Image.open(os.path.join(SHARED, rel))
    decoded = np.asarray(im.convert("RGB"))
    resized = np.array(im.resize((64, 64)))[:, :, 0:3]
    print(f'[InlineData("data/{rel}", {im.size[0]}, {im.size[1]}, '
          f'"{hashlib.sha256(decoded.tobytes()).hexdigest()}", "{hashlib.sha256(resized.tobytes()).hexdigest()}")]')

#!/usr/bin/env python3
"""Logits of the paper authors' Matek-19 checkpoint, computed the way their reference code computes.

Written from the facts in ../shared/reference/README.md (not from their code): state (B, H, W, C) with
the 3 normalised colour channels followed by zeros; per step the state is transposed with
x.transpose(1, 3) so the depthwise 3x3 convolutions (padding 1, reflect) see the image transposed;
perception = concat(x, p0(x), p1(x)); transposed back; fc0 -> ReLU -> fc1 per cell; masked add; colour
channels reset. Max over H and W; fc2 -> ReLU -> fc3.

With update probability 1 (every cell updates at every step) the result is deterministic, which is what
the C# test compares against.

Usage (Debian's python3 with python3-torch, python3-pil, python3-numpy):
    /usr/bin/python3 tools/reference_logits.py ../shared/reference/wbc-nca-matek19-maxnca128.pt \
        ../shared/fixtures/acevedo64 > tests/WbcNca.Tests/Model/Resources/reference_logits_acevedo64.json
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ACEVEDO20_MEAN = [0.8746204, 0.7487587, 0.7203138]
ACEVEDO20_STD = [0.15061052, 0.17617777, 0.07467376]


def load_image(path, size=64):
    img = Image.open(path).convert("RGB").resize((size, size), Image.BICUBIC)
    a = np.asarray(img, dtype=np.float32) / 255.0                        # (H, W, 3)
    a = (a - np.array(ACEVEDO20_MEAN, np.float32)) / np.array(ACEVEDO20_STD, np.float32)
    return torch.from_numpy(a)


def forward(sd, image_hwc, steps=64, channels=128, fire_rate=1.0, generator=None):
    x = torch.zeros(1, image_hwc.shape[0], image_hwc.shape[1], channels)
    x[..., :3] = image_hwc
    color = x[..., :3].clone()
    for _ in range(steps):
        xt = x.transpose(1, 3)                                            # (B, C, W, H)
        p0 = F.conv2d(F.pad(xt, (1, 1, 1, 1), mode="reflect"), sd["p0.weight"], sd["p0.bias"], groups=channels)
        p1 = F.conv2d(F.pad(xt, (1, 1, 1, 1), mode="reflect"), sd["p1.weight"], sd["p1.bias"], groups=channels)
        z = torch.cat([xt, p0, p1], dim=1).transpose(1, 3)               # (B, H, W, 3C)
        dx = F.linear(torch.relu(F.linear(z, sd["fc0.weight"], sd["fc0.bias"])), sd["fc1.weight"])
        if fire_rate < 1.0:
            mask = (torch.rand(x.shape[0], x.shape[1], x.shape[2], 1, generator=generator) > 1.0 - fire_rate).float()
            dx = dx * mask
        x = x + dx
        x = torch.cat([color, x[..., 3:]], dim=3)
    pooled = x.amax(dim=(1, 2))
    hidden = torch.relu(F.linear(pooled, sd["fc2.weight"], sd["fc2.bias"]))
    return F.linear(hidden, sd["fc3.weight"], sd["fc3.bias"])[0]


def main():
    sd = torch.load(sys.argv[1], map_location="cpu")
    folder = sys.argv[2]
    out = {"model": os.path.basename(sys.argv[1]), "normalization": "acevedo20", "update_probability": 1.0,
           "steps": 64, "torch": torch.__version__, "logits": {}}
    torch.set_grad_enabled(False)
    for name in sorted(os.listdir(folder)):
        logits = forward(sd, load_image(os.path.join(folder, name)))
        out["logits"][name] = [float(v) for v in logits]
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()

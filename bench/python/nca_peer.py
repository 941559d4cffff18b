#!/usr/bin/env python3
"""PyTorch peer of the WBC-NCA model for side-by-side benchmarks (Debian python3-torch).

The same model as src/WbcNca/Model: channels-last state, two depthwise reflect-padded 3x3 convolutions with
bias, Linear(3n->h) -> ReLU -> Linear(h->n, no bias), masked add on the hidden channels, colour reset, global
max pooling, two-layer head. Prints one JSON object per measurement on stdout.

  nca_peer.py train  --preset paper --batch 16 --iters 3 --threads 2
  nca_peer.py infer  --preset paper --batch 1  --iters 5 --threads 2
  nca_peer.py gemm [--preset P] --threads 2   (machine peak: fp32 GEMM of the preset's fc1 shape at batch 16)

--linear blas: the rule's layers as nn.Linear on the channels-last state (the literal formulation; Debian's
torch 1.13 is built with BLAS_INFO=generic, i.e. the netlib reference BLAS, so this is very slow).
--linear onednn (default): the same layers as 1x1 convolutions on a channels_last NCHW tensor, which torch 1.13
runs through oneDNN with AVX-512; the fastest formulation of this model we found for this PyTorch build.
"""
import argparse, json, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    "paper": dict(n=128, hidden=128, steps=64, size=64),
    "compact": dict(n=32, hidden=64, steps=32, size=32),
    "wide": dict(n=32, hidden=128, steps=32, size=32),
}


class Nca(nn.Module):
    def __init__(self, n, hidden, steps, classes=13, head_hidden=128):
        super().__init__()
        self.n, self.steps = n, steps
        self.k1 = nn.Conv2d(n, n, 3, padding=1, padding_mode="reflect", groups=n, bias=True)
        self.k2 = nn.Conv2d(n, n, 3, padding=1, padding_mode="reflect", groups=n, bias=True)
        self.fc1 = nn.Linear(3 * n, hidden)
        self.fc2 = nn.Linear(hidden, n, bias=False)
        self.h1 = nn.Linear(n, head_hidden)
        self.h2 = nn.Linear(head_hidden, classes)

    def step_onednn(self, s, color, mask):
        # s: (B, n, H, W) in channels_last memory format; color (B, 3, H, W); mask (B or 1, 1, H, W)
        z = torch.cat([s, self.k1(s), self.k2(s)], 1)
        w1 = self.fc1.weight[:, :, None, None]
        w2 = self.fc2.weight[:, :, None, None]
        delta = F.conv2d(F.relu(F.conv2d(z, w1, self.fc1.bias)), w2)
        hidden = s[:, 3:] + delta[:, 3:] * mask
        return torch.cat([color, hidden], 1).contiguous(memory_format=torch.channels_last)

    def forward_onednn(self, image, masks):
        b, _, h, w = image.shape
        color = image.contiguous(memory_format=torch.channels_last)
        s = torch.cat([color, image.new_zeros(b, self.n - 3, h, w)], 1).contiguous(memory_format=torch.channels_last)
        m = masks.permute(0, 1, 4, 2, 3)   # (k, B, 1, H, W)
        for t in range(self.steps):
            s = self.step_onednn(s, color, m[t])
        pooled = s.amax((2, 3))
        return self.h2(F.relu(self.h1(pooled)))

    def step(self, state, color, mask):
        s = state.permute(0, 3, 1, 2)
        z = torch.cat([s, self.k1(s), self.k2(s)], 1).permute(0, 2, 3, 1)
        delta = self.fc2(F.relu(self.fc1(z)))
        hidden = state[..., 3:] + delta[..., 3:] * mask
        return torch.cat([color, hidden], 3)

    def forward(self, image, masks):
        color = image.permute(0, 2, 3, 1)
        b, h, w, _ = color.shape
        state = torch.cat([color, color.new_zeros(b, h, w, self.n - 3)], 3)
        for t in range(self.steps):
            state = self.step(state, color, masks[t])
        pooled = state.amax((1, 2))
        return self.h2(F.relu(self.h1(pooled)))


def peak_rss_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "infer", "gemm"])
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--linear", choices=["onednn", "blas"], default="onednn")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = dict(impl="pytorch", version=torch.__version__, mode=a.mode, linear=a.linear, preset=a.preset, batch=a.batch, threads=a.threads)
    if a.mode == "gemm":
        # The fc1 GEMM of the preset's step at batch 16: (16·size², 3n) × (3n, hidden).
        p = PRESETS[a.preset]
        inner, cols, size = 3 * p["n"], p["hidden"], p["size"]
        x = torch.randn(16, inner, size, size).contiguous(memory_format=torch.channels_last)
        w = torch.randn(cols, inner, 1, 1)
        times = []
        for i in range(a.warmup + a.iters):
            t0 = time.perf_counter()
            with torch.no_grad():
                F.conv2d(x, w) if a.linear == "onednn" else torch.mm(x.permute(0, 2, 3, 1).reshape(-1, inner), w.view(cols, inner).t())
            dt = time.perf_counter() - t0
            if i >= a.warmup: times.append(dt)
        times.sort()
        out.update(gflops=2 * 16 * size * size * inner * cols / times[len(times) // 2] / 1e9)
        print(json.dumps(out)); return
    p = PRESETS[a.preset]
    model = Nca(p["n"], p["hidden"], p["steps"])
    fwd = model.forward_onednn if a.linear == "onednn" else model.forward
    with torch.no_grad():   # a trained-like rule (fc2 is zero at init, which would make the step trivial)
        model.fc2.weight.normal_(0, 0.02)
    x = torch.randn(a.batch, 3, p["size"], p["size"])
    y = torch.randint(0, 13, (a.batch,))
    gen = torch.Generator().manual_seed(1)
    masks = (torch.rand(p["steps"], a.batch, p["size"], p["size"], 1, generator=gen) < 0.5).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        if a.mode == "train":
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(fwd(x, masks), y)
            loss.backward()
            opt.step()
        else:
            with torch.no_grad():
                fwd(x, masks[:, :1])
        dt = time.perf_counter() - t0
        if i >= a.warmup: times.append(dt)
    times.sort()
    med = times[len(times) // 2]
    out.update(seconds=med, images_per_s=a.batch / med, peak_rss_gb=peak_rss_gb(), times=times)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

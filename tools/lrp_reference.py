#!/usr/bin/env python3
"""Reference values for epsilon-LRP through a small two-layer ReLU head, computed with PyTorch autograd.

The head is y = W4 . relu(W3 h + b3) + b4 (the shape of WBC-NCA's classifier head) with n = 6 inputs,
5 hidden units and 3 classes; weights and inputs are drawn from torch.manual_seed(SEED) in float64 and
written out with the results, so the C# test rebuilds the same head.

The relevance is computed with the usual "gradient trick" (Montavon et al. 2019, Sec. 10.2.3), not with
explicit sums as the C# code does: for each linear layer, z = layer(a); s = R / (z + eps * sign(z)) with
sign(0) = +1; c = d(z . s.detach())/da; R_in = a * c. The output relevance is the target's logit
(one-hot). The bias shares are b * s summed over the layer's outputs, the epsilon share eps * sign(z) * s.

Usage (Debian's python3 with python3-torch):
    /usr/bin/python3 tools/lrp_reference.py > tests/WbcNca.Tests/Explainability/Resources/lrp_reference.json
"""
import json

import torch

SEED = 20240605
N, HIDDEN, CLASSES = 6, 5, 3
EPSILONS = [0.0, 0.1, 1.0]


def stabilise(z, eps):
    return z + eps * torch.where(z >= 0, torch.ones_like(z), -torch.ones_like(z))


def lrp(w3, b3, w4, b4, h, target, eps):
    """Returns (input relevance, hidden relevance, output bias share, hidden bias share, eps share, logit)."""
    h = h.clone().requires_grad_(True)
    z3 = h @ w3.T + b3
    a = torch.relu(z3).detach().requires_grad_(True)
    z4 = a @ w4.T + b4
    logit = z4[target].item()
    r_out = torch.zeros_like(z4)
    r_out[target] = z4[target].detach()

    d4 = stabilise(z4.detach(), eps)
    s4 = torch.where(d4 != 0, r_out / torch.where(d4 != 0, d4, torch.ones_like(d4)), torch.zeros_like(d4))
    (z4 * s4).sum().backward()
    r_hidden = (a * a.grad).detach()                       # relu passes relevance through unchanged
    out_bias = (b4 * s4).sum().item()
    eps_share = ((d4 - z4.detach()) * s4).sum().item()

    d3 = stabilise(z3.detach(), eps)
    s3 = torch.where(d3 != 0, r_hidden / torch.where(d3 != 0, d3, torch.ones_like(d3)), torch.zeros_like(d3))
    (z3 * s3).sum().backward()
    r_in = (h * h.grad).detach()
    hidden_bias = (b3 * s3).sum().item()
    eps_share += ((d3 - z3.detach()) * s3).sum().item()
    return r_in, r_hidden, out_bias, hidden_bias, eps_share, logit


def main():
    torch.manual_seed(SEED)
    w3 = torch.randn(HIDDEN, N, dtype=torch.float64)
    b3 = 0.5 * torch.randn(HIDDEN, dtype=torch.float64)
    w4 = torch.randn(CLASSES, HIDDEN, dtype=torch.float64)
    b4 = 0.5 * torch.randn(CLASSES, dtype=torch.float64)
    inputs = torch.randn(4, N, dtype=torch.float64).abs() * 2    # pooled maxima are mostly positive
    cases = []
    for k, h in enumerate(inputs):
        z3 = h @ w3.T + b3
        logits = torch.relu(z3) @ w4.T + b4
        for target in range(CLASSES):
            for eps in EPSILONS:
                r_in, r_hidden, ob, hb, es, logit = lrp(w3, b3, w4, b4, h, target, eps)
                cases.append({
                    "input": k, "target": target, "epsilon": eps, "logit": logit,
                    "relevance": r_in.tolist(), "hidden_relevance": r_hidden.tolist(),
                    "output_bias_share": ob, "hidden_bias_share": hb, "epsilon_share": es,
                    "active_hidden_units": int((z3 > 0).sum().item()),
                    "argmax": int(logits.argmax().item()),
                })
    out = {
        "generator": "tools/lrp_reference.py", "torch": torch.__version__, "seed": SEED,
        "w3": w3.tolist(), "b3": b3.tolist(), "w4": w4.tolist(), "b4": b4.tolist(),
        "inputs": inputs.tolist(), "cases": cases,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes a tiny PyTorch state dict that exercises the C# reader (WbcNca.IO.PyTorchStateDictReader).

Run it with an interpreter that has torch (on Debian: /usr/bin/python3 with python3-torch):

    /usr/bin/python3 tools/make_test_state_dict.py tests/WbcNca.Tests/IO/Resources/tiny_state_dict.pt

It saves views that share one storage (a transposed one, a sliced one with a storage offset), float64,
float16 and bfloat16 tensors, a parameter, an int64 scalar (like BatchNorm's num_batches_tracked) and an
empty tensor, then prints the expected contents as JSON: {key: {"shape": [...], "values": [...]}}, with
the values as float32 (row-major), which is what the reader must return.
"""
import json
import sys
from collections import OrderedDict

import torch


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: make_test_state_dict.py OUTPUT.pt")
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5  # exact in float32
    sd = OrderedDict()
    sd["layer.weight"] = torch.nn.Parameter(torch.tensor([[1.5, -2.25, 3.0], [0.125, 4.0, -1.0]]))
    sd["view.transposed"] = base.t()  # shape [4, 3], strides (1, 4): not contiguous
    sd["view.sliced"] = base[1:, 1:3]  # shape [2, 2], storage offset 5, strides (4, 1)
    sd["view.base"] = base  # shares the storage of both views
    sd["double"] = torch.tensor([0.1, -2.5, 1e-3], dtype=torch.float64)
    sd["half"] = torch.tensor([[0.5, -1.0], [65504.0, 0.0999]], dtype=torch.float16)
    sd["bfloat"] = torch.tensor([1.0, -3.140625, 256.0], dtype=torch.bfloat16)
    sd["count"] = torch.tensor(7, dtype=torch.int64)  # a scalar, like num_batches_tracked
    sd["empty"] = torch.zeros(0, 3)
    assert not sd["view.transposed"].is_contiguous() and sd["view.sliced"].storage_offset() == 5
    torch.save(sd, sys.argv[1])

    expected = {k: {"shape": list(v.shape), "values": [float(x) for x in v.detach().float().flatten().tolist()]}
                for k, v in torch.load(sys.argv[1]).items()}
    print(json.dumps(expected))


if __name__ == "__main__":
    main()

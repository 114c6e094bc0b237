#!/usr/bin/python3
"""Writes the PyTorch optimizer fixtures that PyTorchOptimizerParityTest compares simdreg with.

Run with Debian's python3-torch (apt-get install python3-torch), from the repository root:

    /usr/bin/python3 src/test/python/optimizer_fixtures.py

Three steps of torch.optim.AdamW with its defaults (lr 1e-3) and of torch.optim.SGD with momentum 0.9,
dampening 0.1 and weight decay 1e-4, from the same weights and gradients, into
src/test/resources/dev/simdreg/pytorch/optimizers.txt. Each line is a name followed by float32 values
written exactly, as hexadecimal floating-point literals.
"""
import os

import torch

OUT = os.path.join("src", "test", "resources", "dev", "simdreg", "pytorch", "optimizers.txt")
N = 1021
STEPS = 3


def hexes(t):
    return " ".join(float(v).hex() for v in t.detach().to(torch.float32).reshape(-1).tolist())


def main():
    torch.manual_seed(23)
    w0 = torch.randn(N, dtype=torch.float32)
    grads = [torch.randn(N, dtype=torch.float32) * (10.0 ** (k - 1)) for k in range(STEPS)]
    lines = ["# torch %s, float32, %d steps" % (torch.__version__, STEPS), "w0 " + hexes(w0)]
    lines += ["g%d %s" % (k, hexes(g)) for k, g in enumerate(grads)]

    w = w0.clone().requires_grad_(True)
    adamw = torch.optim.AdamW([w], lr=1e-3)
    for g in grads:
        w.grad = g.clone()
        adamw.step()
    state = adamw.state[w]
    lines += ["adamw_w " + hexes(w), "adamw_m " + hexes(state["exp_avg"]), "adamw_v " + hexes(state["exp_avg_sq"])]

    w = w0.clone().requires_grad_(True)
    sgd = torch.optim.SGD([w], lr=0.01, momentum=0.9, dampening=0.1, weight_decay=1e-4)
    for g in grads:
        w.grad = g.clone()
        sgd.step()
    lines += ["sgd_w " + hexes(w), "sgd_buf " + hexes(sgd.state[w]["momentum_buffer"])]

    with open(OUT, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    with torch.no_grad():
        main()

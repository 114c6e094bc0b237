#!/usr/bin/python3
"""Writes the PyTorch batch-norm fixtures that PyTorchParityTest compares simdreg with.

Run with Debian's python3-torch (apt-get install python3-torch), from the repository root:

    /usr/bin/python3 src/test/python/batchnorm_fixtures.py

One file per layout under src/test/resources/dev/simdreg/pytorch/. Each line is a name followed by
float32 values written exactly, as hexadecimal floating-point literals (Java's Double.parseDouble reads
them). Values are listed in the memory order of the layout: [N, C], [N, C, S] or [N, S, C].
"""
import os

import torch

OUT = os.path.join("src", "test", "resources", "dev", "simdreg", "pytorch")
EPS = 1e-5
MOMENTUM = 0.1


def hexes(t):
    return " ".join(float(v).hex() for v in t.detach().to(torch.float32).reshape(-1).tolist())


def to_layout(t, layout):
    """A [N, C, H, W] (or [N, C]) tensor in the layout's memory order, flattened."""
    if layout == "channels_last":
        return t.permute(0, 2, 3, 1).contiguous()
    return t.contiguous()


def case(layout, shape, seed):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(shape, generator=g) * 2 + 3).float()
    dy = torch.randn(shape, generator=g).float()
    c = shape[1]
    gamma = (torch.rand(c, generator=g) + 0.5).float()
    beta = (torch.randn(c, generator=g) * 0.5).float()
    running_mean = (torch.randn(c, generator=g) * 0.1).float()
    running_var = (torch.rand(c, generator=g) + 0.5).float()
    lines = [("shape", torch.tensor([float(v) for v in shape])),
             ("x", to_layout(x, layout)), ("dy", to_layout(dy, layout)),
             ("gamma", gamma), ("beta", beta),
             ("running_mean_before", running_mean), ("running_var_before", running_var)]

    for relu in (False, True):
        suffix = "_relu" if relu else ""
        xt = x.clone().requires_grad_(True)
        gt = gamma.clone().requires_grad_(True)
        bt = beta.clone().requires_grad_(True)
        rm = running_mean.clone()
        rv = running_var.clone()
        y = torch.nn.functional.batch_norm(xt, rm, rv, gt, bt, training=True, momentum=MOMENTUM, eps=EPS)
        # the saved statistics the backward pass uses, from the same ATen kernel
        _, save_mean, save_invstd = torch.native_batch_norm(x, gamma, beta, None, None, True, MOMENTUM, EPS)
        if relu:
            y = torch.relu(y)
        y.backward(dy)
        lines += [("train_y" + suffix, to_layout(y, layout)),
                  ("train_saved_mean" + suffix, save_mean), ("train_saved_invstd" + suffix, save_invstd),
                  ("train_running_mean" + suffix, rm), ("train_running_var" + suffix, rv),
                  ("train_dx" + suffix, to_layout(xt.grad, layout)),
                  ("train_dgamma" + suffix, gt.grad), ("train_dbeta" + suffix, bt.grad)]

        xt = x.clone().requires_grad_(True)
        gt = gamma.clone().requires_grad_(True)
        bt = beta.clone().requires_grad_(True)
        y = torch.nn.functional.batch_norm(xt, running_mean, running_var, gt, bt, training=False, eps=EPS)
        if relu:
            y = torch.relu(y)
        y.backward(dy)
        lines += [("eval_y" + suffix, to_layout(y, layout)), ("eval_dx" + suffix, to_layout(xt.grad, layout)),
                  ("eval_dgamma" + suffix, gt.grad), ("eval_dbeta" + suffix, bt.grad)]

    # momentum=None: the cumulative average over two batches, as num_batches_tracked counts them
    module = torch.nn.BatchNorm2d(c, eps=EPS, momentum=None) if len(shape) == 4 else \
        torch.nn.BatchNorm1d(c, eps=EPS, momentum=None)
    second = (torch.randn(shape, generator=g) * 3 - 1).float()
    module.train()
    module(x)
    module(second)
    lines += [("cumulative_second_x", to_layout(second, layout)),
              ("cumulative_running_mean", module.running_mean), ("cumulative_running_var", module.running_var)]

    with open(os.path.join(OUT, "batchnorm_" + layout + ".txt"), "w") as f:
        f.write("# torch " + torch.__version__ + ", float32, eps " + str(EPS) + ", momentum " + str(MOMENTUM)
                + ", layout " + layout + "\n")
        for name, t in lines:
            f.write(name + " " + hexes(t) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    case("rows", (6, 5), 1)
    case("channels_first", (3, 4, 2, 3), 2)
    case("channels_last", (3, 4, 2, 3), 3)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch's CPU kernels on the work of simdreg's JMH benchmarks, one thread: the peer column of the
benchmark report (`./mvnw -Pbench verify -Dbench.peers=pytorch` runs it right after simdreg's suite). Then the
kernels of the report's scaling table again on every core (their params carry the thread count).

Run with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 bench/peers/pytorch_peers.py [output.json]

Element-wise kernels and optimizers at the benchmarks' sizes (4 KiB to 64 MiB per array) with the same
hyperparameters: softshrink, the proximal step as add_ then softshrink (PyTorch has no fused one), the
L1 and L2 norms, renorm of [rows, 1024], the L2-ball projection as a norm and a conditional mul_,
clip_grad_norm_, torch.optim.SGD without and with momentum, torch.optim.AdamW, the exponential average
as mul_ and add_, the linear one as lerp_. Batch norm through ATen's native_batch_norm and
native_batch_norm_backward on the batch-norm shapes, with γ, β and running statistics, momentum 0.1,
ε 1e-5. Dropout forward and backward, uniform_ and normal_ fills and Gaussian noise (normal_ then add)
at 1M and 16M elements. The image kernels with torchvision on the image issue's batches (see images()). Outputs are preallocated (out=, or in place) wherever PyTorch allows it; 1.13 has no CPU
kernel for native_batch_norm.out, so its batch-norm outputs are allocated per call (the JSON says so),
and torch.optim's steps allocate temporaries of their own, which above glibc's largest mmap threshold
(32 MiB) are fresh pages on every step: that is what a PyTorch user's optimizer costs.
Each figure is the median of 7 timed batches after warm-up. Writes JMH-style JSON (ns/op) and prints a
table.
"""
import json
import os
import statistics
import sys
import time

# PyTorch 1.13 allocates the outputs it has no out= kernel for on every call. With glibc's defaults a
# tensor of 25 MB is a fresh mmap each time, and its page faults cost more than the kernel (measured: 8.5
# against 3.1 ms for the channels-last backward, depending on the allocator's state). Serving such
# blocks from the heap and keeping freed memory makes them reuse warm pages, as simdreg's caller-owned
# outputs do. Set before torch loads; the script re-executes itself once to apply them.
ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 31),
             "MALLOC_TOP_PAD_": str(64 << 20)}
if any(os.environ.get(k) != v for k, v in ALLOCATOR.items()):
    os.environ.update(ALLOCATOR)
    os.execv(sys.executable, [sys.executable] + sys.argv)

OUT_PATH = sys.argv[1] if len(sys.argv) > 1 else "target/bench/peers-pytorch.json"


def write_results(results):
    os.makedirs(os.path.dirname(OUT_PATH) or ".", exist_ok=True)
    with open(OUT_PATH, "w") as f:
        json.dump(results, f, indent=1)


try:
    import torch
except ImportError as missing:
    # Never lose the run: simdreg's results are measured already; the report is written without this peer.
    print(f"PyTorch peer skipped: {missing} (Debian: apt-get install python3-torch)", flush=True)
    write_results([])
    sys.exit(0)

SHAPES = {
    "rows:256x1024": ((256, 1024), None),
    "nchw:32x64x56x56": ((32, 64, 56, 56), torch.contiguous_format),
    "nhwc:32x56x56x64": ((32, 64, 56, 56), torch.channels_last),
    "nhwc:8x32x32x64": ((8, 64, 32, 32), torch.channels_last),
}
EPS = 1e-5
MOMENTUM = 0.1


def median_ns(op, seconds=0.4):
    op()
    start = time.perf_counter()
    op()
    once = max(time.perf_counter() - start, 1e-7)
    reps = max(1, int(seconds / 7 / once))
    for _ in range(reps):
        op()
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(reps):
            op()
        samples.append((time.perf_counter() - start) / reps * 1e9)
    return statistics.median(samples), (max(samples) - min(samples)) / 2


SIZES = [4096, 262144, 4194304, 67108864]
COLS = 1024
THRESHOLD, RATE, L1 = 0.5, 0.01, 1e-3
ALPHA, T = 0.999, 1000


# The scaling table's kernels and sizes, measured again on all cores (see main).
SCALED_KERNELS = {"adamW", "softThreshold", "l2Norm", "dropoutForward", "uniform", "normal", "trainingForward",
                  "trainingBackward"}
SCALED_SIZES = {"4194304", "67108864", "nhwc:32x56x56x64", "nchw:32x64x56x56", "nhwc:8x32x32x64"}
scaling_threads = None


def record(results, kernel, params, op, preallocated=True):
    if scaling_threads is not None:
        if kernel not in SCALED_KERNELS or (params.get("shape") or params["bytes"]) not in SCALED_SIZES:
            return
        params = dict(params, threads=str(scaling_threads))
    score, error = median_ns(op)
    results.append({"benchmark": "pytorch." + kernel, "params": dict(params, impl="pytorch"),
                    "primaryMetric": {"score": score, "scoreError": error, "scoreUnit": "ns/op"},
                    "peer": {"torch": torch.__version__, "threads": torch.get_num_threads(),
                             "preallocatedOutputs": preallocated}})
    size = params.get("shape") or str(int(params["bytes"]) // 1024) + " KiB"
    print(f"{kernel:18s} {size:18s} {score / 1000:10.1f} us ± {error / 1000:.1f}", flush=True)


def element_wise(results):
    for size in SIZES:
        n = size // 4
        g = torch.Generator().manual_seed(1)
        x = torch.randn(n, generator=g)
        out = torch.empty(n)
        w = torch.randn(n, generator=g)
        grad = torch.randn(n, generator=g) * 0.1
        params = {"bytes": str(size)}
        record(results, "softThreshold", params, lambda: torch.ops.aten.softshrink.out(x, THRESHOLD, out=out))

        def proximal():
            w.add_(grad, alpha=-RATE)
            torch.ops.aten.softshrink.out(w, RATE * L1, out=w)
        record(results, "proximalL1Step", params, proximal)
        record(results, "l1Norm", params, lambda: torch.linalg.vector_norm(x, 1))
        record(results, "l2Norm", params, lambda: torch.linalg.vector_norm(x, 2))
        cols = min(COLS, n)
        rows = x.view(n // cols, cols)
        record(results, "maxNormRows", params, lambda: rows.renorm_(2, 0, 1e6))

        def project():
            norm = torch.linalg.vector_norm(x, 2)
            if norm > 1e9:
                x.mul_(1e9 / norm)
        record(results, "projectToL2Ball", params, project)
        p = torch.nn.Parameter(x.clone())
        p.grad = grad.clone()
        record(results, "clipGradNorm", params, lambda: torch.nn.utils.clip_grad_norm_([p], 1e9))
        for kernel, optimizer in (
                ("sgd", torch.optim.SGD([p], lr=1e-3, weight_decay=1e-4)),
                ("sgdMomentum", torch.optim.SGD([p], lr=1e-3, momentum=0.9, dampening=0.1, weight_decay=1e-4)),
                ("adamW", torch.optim.AdamW([p], lr=1e-3))):
            record(results, kernel, params, optimizer.step)
        avg = x.clone()
        theta = w.clone()
        record(results, "exponentialAverage", params, lambda: avg.mul_(ALPHA).add_(theta, alpha=1 - ALPHA))
        record(results, "linearAverage", params, lambda: avg.lerp_(theta, 1.0 / T))


def dropout(results):
    """Dropout at the random-stream issue's sizes (1M and 16M elements), keep probability 0.5: ATen's
    native_dropout draws a Bernoulli mask of a byte per element and scales; its backward applies the
    mask. Both allocate their outputs (no out= overload in 1.13)."""
    for elements in (1 << 20, 1 << 24):
        g = torch.Generator().manual_seed(7)
        x = torch.randn(elements, generator=g)
        dy = torch.randn(elements, generator=g)
        _, mask = torch.ops.aten.native_dropout(x, 0.5, True)
        params = {"bytes": str(4 * elements)}
        record(results, "dropoutForward", params, lambda: torch.ops.aten.native_dropout(x, 0.5, True), False)
        record(results, "dropoutBackward", params, lambda: torch.ops.aten.native_dropout_backward(dy, mask, 2.0),
               False)


def random_fills(results):
    """The random streams' fills at 1M and 16M elements, into preallocated tensors from PyTorch's default
    CPU generator (mt19937): uniform_, normal_, and Gaussian noise x + 0.1·z as normal_ into a scratch
    tensor and add(out=)."""
    for elements in (1 << 20, 1 << 24):
        g = torch.Generator().manual_seed(7)
        x = torch.randn(elements, generator=g)
        y = torch.empty(elements)
        z = torch.empty(elements)
        params = {"bytes": str(4 * elements)}
        record(results, "uniform", params, lambda: y.uniform_())
        record(results, "normal", params, lambda: y.normal_())
        record(results, "gaussianNoise", params, lambda: torch.add(x, z.normal_(0, 0.1), out=y))


IMAGE_SHAPES = ("nchw:64x3x32x32", "nchw:64x3x224x224", "nhwc:64x224x224x3")
IMAGE_MEAN, IMAGE_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def images(results):
    """The image kernels on 64 RGB images with torchvision (Debian's python3-torchvision), batched the way a
    PyTorch user does it on a tensor: conversion as uint8 HWC to float, /255 and Normalize; flips with one
    coin per image through torch.where; random crops with padding 4 by F.pad and a slice per image; PCA
    colour noise as one RGB shift per image broadcast over its pixels; per-image affine warps through
    affine_grid and grid_sample (bilinear, zero padding). Outputs are preallocated where PyTorch has out=
    or a copy_ into them; flips, pad and grid_sample allocate."""
    try:
        import torchvision.transforms.functional as F
    except ImportError as missing:
        print(f"PyTorch peer: image kernels skipped: {missing} (Debian: apt-get install python3-torchvision)",
              flush=True)
        return
    for name in IMAGE_SHAPES:
        layout, dims = name.split(":")
        n, a, b, c = (int(d) for d in dims.split("x"))
        channels_last = layout == "nhwc"
        h, w, ch = (a, b, c) if channels_last else (b, c, a)
        g = torch.Generator().manual_seed(5)
        pixels = torch.randint(0, 256, (n, h, w, ch), dtype=torch.uint8, generator=g)
        mean = torch.tensor(IMAGE_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(IMAGE_STD).view(1, 3, 1, 1)
        x = torch.randn(n, ch, h, w, generator=g)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        out = torch.empty_like(x)
        params = {"shape": name}

        def convert():
            planes = pixels.permute(0, 3, 1, 2)
            torch.div(planes, 255.0, out=out)
            out.sub_(mean).div_(std)
        record(results, "fromBytes", params, convert)
        for kernel, dim in (("flipHorizontal", -1), ("flipVertical", -2)):
            def flip(dim=dim):
                coins = torch.rand(n) < 0.5
                out.copy_(torch.where(coins.view(n, 1, 1, 1), x.flip(dim), x))
            record(results, kernel, params, flip, False)

        def crop():
            padded = F.pad(x, [4, 4, 4, 4])
            corners = torch.randint(0, 9, (n, 2))
            for i in range(n):
                top, left = int(corners[i, 0]), int(corners[i, 1])
                out[i].copy_(padded[i, :, top:top + h, left:left + w])
        record(results, "randomCrop", params, crop, False)
        eigval = torch.tensor([0.2175, 0.0188, 0.0045])
        eigvec = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])

        def pca_noise():
            alpha = torch.randn(n, 3) * 0.1
            shift = (alpha * eigval) @ eigvec.T
            torch.add(x, shift.view(n, 3, 1, 1), out=out)
        record(results, "pcaColourNoise", params, pca_noise)
        angles = torch.deg2rad(torch.rand(n) * 20 - 10)
        scales = 1 + torch.rand(n) * 0.1
        theta = torch.stack([torch.stack([angles.cos() / scales, -angles.sin() / scales, torch.zeros(n)], 1),
                             torch.stack([angles.sin() / scales, angles.cos() / scales, torch.zeros(n)], 1)], 1)
        grid = torch.nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
        record(results, "warpAffine", params,
               lambda: out.copy_(torch.nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="zeros",
                                                                 align_corners=False)), False)


def main():
    global scaling_threads
    torch.set_num_threads(1)
    results = []
    element_wise(results)
    batch_norm(results)
    dropout(results)
    random_fills(results)
    images(results)
    # The scaling table's kernels on every core, PyTorch's default where it detects the cores: in this project's
    # VMs it detects one physical core of two and defaults to one thread, which would not be a comparison.
    scaling_threads = os.cpu_count()
    torch.set_num_threads(scaling_threads)
    element_wise(results)
    batch_norm(results)
    dropout(results)
    random_fills(results)
    write_results(results)


def batch_norm(results):
    for name, (dims, memory_format) in SHAPES.items():
        g = torch.Generator().manual_seed(42)
        x = torch.randn(dims, generator=g) * 2 + 3
        if memory_format is not None:
            x = x.contiguous(memory_format=memory_format)
        dy = torch.randn(dims, generator=g).contiguous(memory_format=memory_format or torch.contiguous_format)
        c = dims[1]
        gamma = torch.rand(c, generator=g) + 0.5
        beta = torch.randn(c, generator=g)
        running_mean = torch.zeros(c)
        running_var = torch.ones(c)
        y = torch.empty_like(x)
        save_mean = torch.empty(c)
        save_invstd = torch.empty(c)
        try:
            torch.ops.aten.native_batch_norm.out(x, gamma, beta, running_mean.clone(), running_var.clone(), True,
                                                 MOMENTUM, EPS, out=y, save_mean=save_mean, save_invstd=save_invstd)
            out_variant = True
        except (NotImplementedError, RuntimeError, AttributeError):
            out_variant = False  # PyTorch 1.13 registers native_batch_norm.out for no CPU kernel

        def forward(training):
            if out_variant:
                torch.ops.aten.native_batch_norm.out(x, gamma, beta, running_mean, running_var, training, MOMENTUM,
                                                     EPS, out=y, save_mean=save_mean, save_invstd=save_invstd)
            else:
                torch.native_batch_norm(x, gamma, beta, running_mean, running_var, training, MOMENTUM, EPS)

        _, sm, si = torch.native_batch_norm(x, gamma, beta, running_mean, running_var, True, MOMENTUM, EPS)

        def training_backward():
            torch.ops.aten.native_batch_norm_backward(dy, x, gamma, running_mean, running_var, sm, si, True, EPS,
                                                      [True, True, True])

        def inference_backward():
            torch.ops.aten.native_batch_norm_backward(dy, x, gamma, running_mean, running_var, None, None, False, EPS,
                                                      [True, True, True])

        for kernel, op in (("trainingForward", lambda: forward(True)), ("inferenceForward", lambda: forward(False)),
                           ("trainingBackward", training_backward), ("inferenceBackward", inference_backward)):
            record(results, kernel, {"shape": name}, op, preallocated=out_variant and kernel.endswith("Forward"))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch's CPU batch norm on the shapes of simdreg's BatchNormBenchmark, one thread.

Run with Debian's python3-torch (apt-get install python3-torch):

    /usr/bin/python3 bench/peers/pytorch_batchnorm.py [output.json]

Times ATen's kernels directly (native_batch_norm and native_batch_norm_backward, the ops behind
torch.nn.functional.batch_norm and its autograd), with γ, β and running statistics, momentum 0.1,
ε 1e-5, on float32 inputs of mean 3 and spread 2 as the Java benchmark uses. Outputs are preallocated
(the out= overload) where this PyTorch has a CPU kernel for it (1.13 has none: its outputs are allocated
per call, which the JSON records), so neither side pays for page faults the other does not.
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

import torch

SHAPES = {
    "rows:256x1024": ((256, 1024), None),
    "nchw:32x64x56x56": ((32, 64, 56, 56), torch.contiguous_format),
    "nhwc:32x56x56x64": ((32, 64, 56, 56), torch.channels_last),
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


def main():
    torch.set_num_threads(1)
    out_path = sys.argv[1] if len(sys.argv) > 1 else "target/bench/peers-pytorch.json"
    results = []
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
            score, error = median_ns(op)
            results.append({"benchmark": "pytorch." + kernel, "params": {"impl": "pytorch", "shape": name},
                            "primaryMetric": {"score": score, "scoreError": error, "scoreUnit": "ns/op"},
                            "peer": {"torch": torch.__version__, "threads": torch.get_num_threads(),
                                     "preallocatedOutputs": out_variant and kernel.endswith("Forward")}})
            print(f"{kernel:18s} {name:18s} {score / 1000:10.1f} us ± {error / 1000:.1f}")
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch peer for Lepton's GEMM benchmark: square fp32 matmul GFLOP/s, median of several runs.

Run it as bench/run does, with the OpenBLAS overrides of these machines removed so that OpenBLAS
picks its best kernel:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_bench.py --out f.json
"""
import argparse
import json
import os
import platform
import statistics
import time

import torch

MIN_SAMPLE_S = 0.1  # each timed sample repeats the product until it lasts this long


def gemm(n, reps):
    g = torch.Generator().manual_seed(n)
    a = torch.rand(n, n, generator=g) * 2 - 1
    b = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    flops = 2.0 * n * n * n
    t0 = time.perf_counter()
    warm = 0
    while warm < 5 or time.perf_counter() - t0 < 0.5:  # warm-up, also sizes the sample
        torch.mm(a, b, out=c)
        warm += 1
    per_call = (time.perf_counter() - t0) / warm
    calls = max(1, int(MIN_SAMPLE_S / per_call + 0.999))
    gflops = []
    for _ in range(reps):
        s = time.perf_counter()
        for _ in range(calls):
            torch.mm(a, b, out=c)
        gflops.append(flops * calls / (time.perf_counter() - s) / 1e9)
    return {"n": n, "medianGflops": statistics.median(gflops), "minGflops": min(gflops),
            "maxGflops": max(gflops), "samples": reps, "callsPerSample": calls}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="256,512,1024,2048")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    sizes = [gemm(int(n), args.reps) for n in args.sizes.split(",")]
    doc = {
        "tool": "pytorch",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "blas": "openblas" if "openblas" in torch.__config__.show().lower() else "other",
        "sections": {"gemm": {"sizes": sizes}},
    }
    print(f"PyTorch {torch.__version__}, {doc['threads']} threads")
    print(f"{'n':>6} {'GFLOP/s':>12} {'min':>10} {'max':>10}")
    for s in sizes:
        print(f"{s['n']:>6} {s['medianGflops']:>12.1f} {s['minGflops']:>10.1f} {s['maxGflops']:>10.1f}")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(doc, f, indent=2)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

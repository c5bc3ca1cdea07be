#!/usr/bin/env python3
"""PyTorch peer for Lepton's training and inference benchmark.

MLP 784-256-128-10 (ReLU), cross-entropy on logits, Adam(lr=1e-3): training samples/s at batch 64
and 256, and single-sample inference latency. Same architecture, batch and threads as the Java side.
Run with Debian's python3-torch and libopenblas0-pthread, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
unset so OpenBLAS picks its best kernel (bench/run does this).
Usage: pytorch_train.py OUT.json [--threads 2] [--repeats 5]
"""
import json
import statistics
import sys
import time

import torch


def step_time(batch, threads, repeats, steps=200):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(batch * 8, 784)
    y = torch.randint(0, 10, (batch * 8,))

    def run(n):
        for i in range(n):
            j = (i % 8) * batch
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[j:j + batch]), y[j:j + batch])
            loss.backward()
            opt.step()

    run(50)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - t0) / steps)
    return statistics.median(times)


def latency(threads, repeats, calls=2000):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10), torch.nn.Softmax(dim=-1)).eval()
    x = torch.rand(1, 784)
    with torch.inference_mode():
        for _ in range(500):
            model(x)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(calls):
                model(x)
            times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


def main():
    out = sys.argv[1]
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 5
    torch.set_num_threads(threads)
    result = {"peer": "pytorch", "version": torch.__version__, "threads": threads,
              "config": torch.__config__.parallel_info().splitlines()[:3]}
    for batch in (64, 256):
        t = step_time(batch, threads, repeats)
        result[f"mlp_train_b{batch}_step_ms"] = t * 1e3
        result[f"mlp_train_b{batch}_samples_per_s"] = batch / t
    result["mlp_infer_1_latency_us"] = latency(threads, repeats) * 1e6
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

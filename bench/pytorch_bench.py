#!/usr/bin/python3
"""PyTorch peer for Lepton's benchmarks: square fp32 matmul GFLOP/s, the MLP 784-256-128-10
(ReLU, cross-entropy on logits, Adam 1e-3) training step at batch 64 and 256 and single-sample
inference latency, the Embedding-LSTM(128) classifier's training step at batch 64 on 100-token
sequences, and the training steps of two CNNs at batch 64 (cnn, conv64): the same shapes, threads
and batches as the Java side. Medians of several runs.

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


def mlp_model(softmax):
    layers = [torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
              torch.nn.ReLU(), torch.nn.Linear(128, 10)]
    if softmax:
        layers.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*layers)


def mlp_step_ms(batch, steps, reps):
    torch.manual_seed(0)
    return train_step_ms(mlp_model(False), (784,), batch, steps, reps)


def cnn_model(image, hidden):
    """Conv2D 32 3x3 (ReLU when hidden), 2x2 max pooling, Flatten, [Dense hidden ReLU,] Dense 10.
    Lepton is channels-last; PyTorch is channels-first, its native layout."""
    h, w, c = image
    flat = 32 * ((h - 2) // 2) * ((w - 2) // 2)
    layers = [torch.nn.Conv2d(c, 32, 3)] + ([torch.nn.ReLU()] if hidden else [])
    layers += [torch.nn.MaxPool2d(2), torch.nn.Flatten()]
    if hidden:
        layers += [torch.nn.Linear(flat, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)]
    else:
        layers += [torch.nn.Linear(flat, 10)]
    return torch.nn.Sequential(*layers)


def cnn_step_ms(image, hidden, steps, reps):
    torch.manual_seed(0)
    h, w, c = image
    return train_step_ms(cnn_model(image, hidden), (c, h, w), 64, steps, reps)


def train_step_ms(model, sample, batch, steps, reps):
    """A classifier's training step on random samples of shape `sample` and 10 classes."""
    x = torch.rand(batch * steps, *sample)
    y = torch.randint(0, 10, (batch * steps,))
    return timed_steps(model, torch.nn.CrossEntropyLoss(), x, y, batch, steps, reps, 3.0)


def timed_steps(model, loss_fn, x, y, batch, steps, reps, warmup_s):
    """Median ms per Adam step over `steps` consecutive batches of (x, y), after `warmup_s`
    seconds of the same steps (as long as the Java side's warm-up)."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        for i in range(steps):
            xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xb), yb).backward()
            opt.step()

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < warmup_s:
        epoch()
    times = []
    for _ in range(reps):
        s = time.perf_counter()
        epoch()
        times.append((time.perf_counter() - s) / steps * 1e3)
    return statistics.median(times)


def mlp_latency_us(calls, reps):
    torch.manual_seed(0)
    model = mlp_model(True).eval()
    x = torch.rand(1, 784)
    with torch.inference_mode():
        for _ in range(5000):
            model(x)
        times = []
        for _ in range(reps):
            s = time.perf_counter()
            for _ in range(calls):
                model(x)
            times.append((time.perf_counter() - s) / calls * 1e6)
    return statistics.median(times)


def lstm_step_ms(batch, time_steps, steps, reps):
    """Embedding(5000, 128) -> LSTM(128) -> last h -> Linear(1) + sigmoid, Adam, binary
    cross-entropy: the "lstm" section of Lepton's bench."""
    torch.manual_seed(0)

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(5000, 128)
            self.lstm = torch.nn.LSTM(128, 128, batch_first=True)
            self.dense = torch.nn.Linear(128, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.embedding(ids))
            return torch.sigmoid(self.dense(h[0]))

    x = torch.randint(0, 5000, (batch * steps, time_steps))
    y = torch.randint(0, 2, (batch * steps, 1)).float()
    return timed_steps(Classifier(), torch.nn.BCELoss(), x, y, batch, steps, reps, 5.0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="256,512,1024,2048")
    p.add_argument("--reps", type=int, default=7)
    # PyTorch's own intra-op pool of 1 thread: OpenBLAS runs its own pool of OPENBLAS_NUM_THREADS
    # (bench/run sets 2). Two pools of 2 threads on 2 cores fight: measured here, 4.6 ms per MLP step
    # at batch 64 against 1.26 ms this way; GEMM is the same either way. This is PyTorch at its best.
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only", default="gemm,mlp,lstm,cnn,conv64")
    p.add_argument("--out")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    only = args.only.split(",")
    sections = {}
    if "gemm" in only:
        sections["gemm"] = {"sizes": [gemm(int(n), args.reps) for n in args.sizes.split(",")]}
    if "mlp" in only:
        sections["mlp"] = {"b64StepMs": mlp_step_ms(64, 400, args.reps),
                           "b256StepMs": mlp_step_ms(256, 100, args.reps),
                           "inferenceUs": mlp_latency_us(2000, args.reps)}
    if "lstm" in only:
        sections["lstm"] = {"stepMs": lstm_step_ms(64, 100, 10, args.reps)}
    if "cnn" in only:
        sections["cnn"] = {"b64StepMs": cnn_step_ms((28, 28, 1), 128, 100, args.reps)}
    if "conv64" in only:
        sections["conv64"] = {"b64StepMs": cnn_step_ms((64, 64, 3), 0, 10, args.reps)}
    doc = {
        "tool": "pytorch",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "blas": "openblas" if "openblas" in torch.__config__.show().lower() else "other",
        "sections": sections,
    }
    print(f"PyTorch {torch.__version__}, {doc['threads']} threads")
    if "gemm" in sections:
        print(f"{'n':>6} {'GFLOP/s':>12} {'min':>10} {'max':>10}")
        for s in sections["gemm"]["sizes"]:
            print(f"{s['n']:>6} {s['medianGflops']:>12.1f} {s['minGflops']:>10.1f} "
                  f"{s['maxGflops']:>10.1f}")
    if "mlp" in sections:
        m = sections["mlp"]
        print(f"MLP train batch 64: {m['b64StepMs']:.3f} ms/step, batch 256: "
              f"{m['b256StepMs']:.3f} ms/step; predict one sample: {m['inferenceUs']:.1f} us")
    if "lstm" in sections:
        print(f"LSTM classifier train batch 64, 100 steps: {sections['lstm']['stepMs']:.1f} ms/step")
    for name in ("cnn", "conv64"):
        if name in sections:
            print(f"{name} train batch 64: {sections[name]['b64StepMs']:.3f} ms/step")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(doc, f, indent=2)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

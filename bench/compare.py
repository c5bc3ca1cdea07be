#!/usr/bin/python3
"""Combines a Lepton and a PyTorch result file into one table and one JSON document.

Usage: compare.py OUT.json PYTORCH.json LEPTON.json... (Lepton's sections, one file per JVM run)
"""
import json
import sys


def mlp_rows(lepton, torch):
    """MLP throughput (samples/s, higher is better) and latency (lower is better) side by side."""
    if not lepton or not torch:
        return []
    rows = []
    for batch in (64, 256):
        key = f"b{batch}StepMs"
        l, t = batch / lepton[key] * 1e3, batch / torch[key] * 1e3
        rows.append({"what": f"train samples/s, batch {batch}", "lepton": l, "pytorch": t,
                     "leptonOverPytorch": l / t})
    l, t = lepton["inferenceUs"], torch["inferenceUs"]
    rows.append({"what": "predict one sample, us", "lepton": l, "pytorch": t,
                 "pytorchOverLepton": t / l})
    print()
    print("MLP 784-256-128-10, Adam, same threads and batches")
    print(f"{'':<30} {'Lepton':>10} {'PyTorch':>10} {'ratio':>8}")
    for r in rows:
        ratio = r.get("leptonOverPytorch") or r.get("pytorchOverLepton")
        print(f"{r['what']:<30} {r['lepton']:>10.1f} {r['pytorch']:>10.1f} {ratio:>7.2f}x")
    return rows


def lstm_rows(lepton, torch):
    """Embedding-LSTM(128) classifier training throughput (samples/s, higher is better)."""
    if not lepton or not torch:
        return []
    l, t = 64 / lepton["stepMs"] * 1e3, 64 / torch["stepMs"] * 1e3
    row = {"what": "train samples/s, batch 64", "lepton": l, "pytorch": t,
           "leptonOverPytorch": l / t}
    print()
    print("Embedding(5000,128)-LSTM(128)-Dense(1), Adam, sequences of 100, same threads")
    print(f"{'':<30} {'Lepton':>10} {'PyTorch':>10} {'ratio':>8}")
    print(f"{row['what']:<30} {l:>10.1f} {t:>10.1f} {row['leptonOverPytorch']:>7.2f}x")
    return [row]


def cnn_rows(lepton, torch):
    """Training throughput (samples/s at batch 64) of the CNN sections, side by side."""
    rows = []
    for name, what in (("cnn", "Fashion-MNIST CNN 28x28x1"), ("conv64", "Conv2D 32 3x3 on 64x64x3")):
        l, t = lepton.get(name), torch.get(name)
        if l and t:
            rows.append({"what": what, "lepton": 64 / l["b64StepMs"] * 1e3,
                         "pytorch": 64 / t["b64StepMs"] * 1e3,
                         "leptonOverPytorch": t["b64StepMs"] / l["b64StepMs"]})
    if rows:
        print()
        print("CNN training samples/s at batch 64, Adam, same threads")
        print(f"{'':<30} {'Lepton':>10} {'PyTorch':>10} {'ratio':>8}")
        for r in rows:
            print(f"{r['what']:<30} {r['lepton']:>10.0f} {r['pytorch']:>10.0f} "
                  f"{r['leptonOverPytorch']:>7.2f}x")
    heap = lepton.get("cnn", {})
    if heap.get("peakHeapMibPerEpoch"):
        print("Lepton heap per Fashion-MNIST-sized epoch (MiB): peak "
              + ", ".join(f"{v:.0f}" for v in heap["peakHeapMibPerEpoch"]) + "; after GC "
              + ", ".join(f"{v:.0f}" for v in heap["heapAfterGcMibPerEpoch"]))
    return rows


def inference_rows(lepton, onnx):
    """MLP inference latency of a loaded model in Lepton and in ONNX Runtime Java, same weights."""
    if not lepton or not onnx:
        return []
    rows = []
    for key, what in (("b1Us", "batch 1, us/call"), ("b64Us", "batch 64, us/call")):
        rows.append({"what": what, "lepton": lepton[key], "onnxruntime": onnx[key],
                     "onnxruntimeOverLepton": onnx[key] / lepton[key]})
    print()
    print(f"MLP 784-256-128-10 inference, loaded model, same weights, {lepton['threads']} threads "
          f"(ratio > 1: Lepton faster)")
    print(f"{'':<30} {'Lepton':>10} {'ORT':>10} {'ratio':>8}")
    for r in rows:
        print(f"{r['what']:<30} {r['lepton']:>10.1f} {r['onnxruntime']:>10.1f} "
              f"{r['onnxruntimeOverLepton']:>7.2f}x")
    return rows


def serve_rows(serve):
    """Predictions per second of one loaded model from 1, 2 and 8 calling threads."""
    if not serve:
        return []
    print()
    print("One loaded model, batch-1 predict calls from several threads at once (Lepton)")
    print(f"{'':<30} {'callers':>8} {'pred/s':>10} {'vs 1':>8}")
    ones = {r["model"]: r["predictionsPerSecond"] for r in serve["rates"] if r["callers"] == 1}
    for r in serve["rates"]:
        print(f"{r['model']:<30} {r['callers']:>8} {r['predictionsPerSecond']:>10.0f} "
              f"{r['predictionsPerSecond'] / ones[r['model']]:>7.2f}x")
    return serve["rates"]


def main():
    out_path, torch_path, lepton_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    lepton = None
    for path in lepton_paths:
        with open(path) as f:
            part = json.load(f)
        if lepton is None:
            lepton = part
        else:
            lepton["sections"].update(part["sections"])
    with open(torch_path) as f:
        torch = json.load(f)
    peak = lepton["sections"].get("peak", {}).get("allCoresGflops")
    peers = {s["n"]: s["medianGflops"]
             for s in torch["sections"].get("gemm", {}).get("sizes", [])}
    rows = []
    for s in lepton["sections"].get("gemm", {}).get("sizes", []):
        n, g = s["n"], s["medianGflops"]
        p = peers.get(n)
        rows.append({"n": n, "leptonGflops": g, "pytorchGflops": p,
                     "leptonOverPeak": g / peak if peak else None,
                     "leptonOverPytorch": g / p if p else None})
    if rows:
        print()
        print(f"GEMM fp32, medians (Java {lepton['java']}, {lepton['backend']}; "
              f"PyTorch {torch['torch']}, {torch['threads']} threads)")
        if peak:
            print(f"FMA peak, all cores: {peak:.1f} GFLOP/s")
        print(f"{'n':>6} {'Lepton':>10} {'PyTorch':>10} {'Lepton/peak':>12} {'Lepton/PyTorch':>15}")
        fmt = lambda v, spec: format(v, spec) if v is not None else "-"
        for r in rows:
            print(f"{r['n']:>6} {r['leptonGflops']:>10.1f} {fmt(r['pytorchGflops'], '>10.1f')} "
                  f"{fmt(r['leptonOverPeak'] and 100 * r['leptonOverPeak'], '>11.0f')}% "
                  f"{fmt(r['leptonOverPytorch'] and 100 * r['leptonOverPytorch'], '>14.0f')}%")
    mlp = mlp_rows(lepton["sections"].get("mlp"), torch["sections"].get("mlp"))
    lstm = lstm_rows(lepton["sections"].get("lstm"), torch["sections"].get("lstm"))
    cnn = cnn_rows(lepton["sections"], torch["sections"])
    inference = inference_rows(lepton["sections"].get("infer"), lepton["sections"].get("onnx"))
    serve = serve_rows(lepton["sections"].get("serve"))
    with open(out_path, "w") as f:
        json.dump({"lepton": lepton, "pytorch": torch, "gemm": rows, "mlp": mlp, "lstm": lstm,
                   "cnn": cnn, "inference": inference, "serve": serve}, f,
                  indent=2)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()

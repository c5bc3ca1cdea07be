#!/usr/bin/python3
"""Combines a Lepton and a PyTorch result file into one table and one JSON document.

Usage: compare.py LEPTON.json PYTORCH.json OUT.json
"""
import json
import sys


def main():
    lepton_path, torch_path, out_path = sys.argv[1:4]
    with open(lepton_path) as f:
        lepton = json.load(f)
    with open(torch_path) as f:
        torch = json.load(f)
    peak = lepton["sections"].get("peak", {}).get("allCoresGflops")
    peers = {s["n"]: s["medianGflops"] for s in torch["sections"]["gemm"]["sizes"]}
    rows = []
    for s in lepton["sections"].get("gemm", {}).get("sizes", []):
        n, g = s["n"], s["medianGflops"]
        p = peers.get(n)
        rows.append({"n": n, "leptonGflops": g, "pytorchGflops": p,
                     "leptonOverPeak": g / peak if peak else None,
                     "leptonOverPytorch": g / p if p else None})
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
    with open(out_path, "w") as f:
        json.dump({"lepton": lepton, "pytorch": torch, "gemm": rows}, f, indent=2)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks a .lepton model file (or a bare .safetensors file) from outside Java.

Parses the safetensors layout with nothing but struct and json, checks the rules Lepton's reader
enforces (F32 only, offsets contiguous from 0 to the end of the data, shape matching the byte
count, header padded to 8 bytes), then loads every tensor with numpy and, when it is installed,
torch.frombuffer, and prints one line per tensor. Exits non-zero on the first broken rule.

    python3 tools/check_model_file.py model.lepton [more files...]
"""
import json
import struct
import sys
import zipfile

import numpy as np

try:
    import torch
except ImportError:
    torch = None

ENTRIES = {"metadata.json", "config.json", "model.safetensors",
           "optimizer.json", "optimizer.safetensors", "preprocessing.json"}
TEXT_FIELDS = {"kind", "tokenizer", "maxlen", "padding", "truncating", "value", "max_chars"}
FEATURE_FIELDS = {"kind", "columns", "imputer", "scaler"}
SCALER_SIZES = {"StandardScaler": ("mean", "scale"), "MinMaxScaler": ("data_min", "data_max")}


def check_safetensors(data, source):
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), f"{source}: header length {n} past the end"
    assert (8 + n) % 8 == 0, f"{source}: data section not 8-byte aligned"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    expected = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        assert info["dtype"] == "F32", f"{source}: {name} has dtype {info['dtype']}"
        assert begin == expected, f"{source}: {name} starts at {begin}, expected {expected}"
        assert end - begin == 4 * int(np.prod(info["shape"], dtype=np.int64)), f"{source}: {name}"
        expected = end
    assert expected == len(body), f"{source}: data is {len(body)} bytes, tensors cover {expected}"
    for name, info in header.items():  # header order, which Lepton keeps equal to data order
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"])
        line = f"  {name}: shape {list(array.shape)}"
        if array.size:
            line += f", mean {np.nanmean(np.where(np.isinf(array), np.nan, array)):.6g}"
        if torch is not None and array.size:
            t = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.float32)
            assert t.reshape(info["shape"]).numpy().tobytes() == array.tobytes()
        print(line)
    return metadata


def check_preprocessing(p, source):
    """The rules Lepton's Preprocessing.fromJson enforces on preprocessing.json, in brief."""
    kind = p.get("kind")
    assert kind in ("text", "features"), f"{source}: unknown kind {kind!r}"
    if kind == "text":
        assert set(p) == TEXT_FIELDS, f"{source}: fields {sorted(p)}, expected {sorted(TEXT_FIELDS)}"
        assert 1 <= p["maxlen"] <= 100_000 and 1 <= p["max_chars"] <= 1 << 20, source
        assert p["padding"] in ("pre", "post") and p["truncating"] in ("pre", "post"), source
        words = p["tokenizer"]["word_counts"]
        assert words and all(isinstance(c, int) and c > 0 for c in words.values()), source
        print(f" preprocessing.json: text, {len(words)} words, maxlen {p['maxlen']}")
    else:
        assert set(p) == FEATURE_FIELDS, \
            f"{source}: fields {sorted(p)}, expected {sorted(FEATURE_FIELDS)}"
        columns = p["columns"]
        assert columns and len(set(columns)) == len(columns) <= 100_000, f"{source}: columns"
        scaler = p["scaler"]
        assert scaler["class_name"] in SCALER_SIZES, f"{source}: scaler {scaler['class_name']!r}"
        for key in SCALER_SIZES[scaler["class_name"]]:
            assert len(scaler["config"][key]) == len(columns), f"{source}: scaler {key}"
        if p["imputer"] is not None:
            assert set(p["imputer"]["numbers"]) <= set(columns), f"{source}: imputer columns"
        print(f" preprocessing.json: features {columns}, {scaler['class_name']}")


def check(path):
    if not zipfile.is_zipfile(path):
        print(path)
        check_safetensors(open(path, "rb").read(), path)
        return
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert len(names) == len(set(names)), f"{path}: duplicate entries"
        assert set(names) <= ENTRIES, f"{path}: unknown entries {set(names) - ENTRIES}"
        metadata = json.loads(z.read("metadata.json"))
        print(f"{path}: format {metadata['format_version']}, {metadata}")
        json.loads(z.read("config.json"))
        if "preprocessing.json" in names:
            check_preprocessing(json.loads(z.read("preprocessing.json")),
                                f"{path}:preprocessing.json")
        for entry in ("model.safetensors", "optimizer.safetensors"):
            if entry in names:
                print(f" {entry}")
                check_safetensors(z.read(entry), f"{path}:{entry}")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        check(p)
    print("ok" + ("" if torch is not None else " (torch not installed: numpy only)"))

#!/usr/bin/env python3
"""The setup a Python user would pick instead of Lepton's serving: a PyTorch model behind FastAPI
and uvicorn, answering the same Open Inference Protocol v2 request as Lepton's
`POST /v2/models/{name}/infer` (one FP32 input, row-major `data`), so one wrk script drives both.

Run it at its best on this machine (the issue's peer configuration): one worker process per core,
`--loop uvloop --http httptools`, one PyTorch thread per worker:

    PEER_MODEL=mlp python3 -m uvicorn bench.peer_fastapi:app --workers 2 --loop uvloop \
        --http httptools --port 8081 --no-access-log

PEER_MODEL picks the architecture, the same as Lepton's templates for Fashion-MNIST: `mlp`
(784-128-10, relu, softmax) or `cnn` (Conv 32 3x3, pool, Conv 64 3x3, pool, Dense 128, 10).
Weights are random: serving speed does not depend on their values.
"""
import os

import torch
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

torch.set_num_threads(1)
torch.manual_seed(0)

KIND = os.environ.get("PEER_MODEL", "mlp")


def build(kind):
    if kind == "mlp":
        return torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 10), torch.nn.Softmax(dim=1))
    if kind == "cnn":
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(64 * 5 * 5, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 10), torch.nn.Softmax(dim=1))
    raise SystemExit(f"PEER_MODEL must be mlp or cnn, not {kind!r}")


MODEL = build(KIND).eval()
SHAPE = (-1, 784) if KIND == "mlp" else (-1, 1, 28, 28)
app = FastAPI()


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: Request):
    body = await request.json()
    try:
        tensor = body["inputs"][0]
        x = torch.tensor(tensor["data"], dtype=torch.float32).reshape(SHAPE)
    except (KeyError, IndexError, TypeError, ValueError, RuntimeError) as e:
        raise HTTPException(status_code=400, detail=str(e))
    with torch.no_grad():
        y = MODEL(x)
    return JSONResponse({
        "model_name": name,
        "outputs": [{"name": "output", "shape": list(y.shape), "datatype": "FP32",
                     "data": y.flatten().tolist()}],
    })


@app.post("/noop")
async def noop(request: Request):
    await request.body()
    return JSONResponse({"ok": True})

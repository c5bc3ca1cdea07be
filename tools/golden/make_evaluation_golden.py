#!/usr/bin/python3
"""Writes the golden values of Lepton's evaluation reports, computed with scikit-learn.

Run from the repository root with Debian's Python (python3-sklearn, 1.2.1 when written):

    /usr/bin/python3 tools/golden/make_evaluation_golden.py

It writes lepton-core/src/test/resources/golden/evaluation.json, read by
ai.lepton.metrics.EvaluationGoldenTest. Every case stores its inputs (float32 values, so Java
sees exactly the numbers used here) and what scikit-learn reports: the confusion matrix,
precision, recall, F1 and support per class (zero_division=0), accuracy, macro and weighted
averages, for binary cases roc_curve (drop_intermediate=True) and roc_auc_score; for regression
MAE, MSE, RMSE, R2 and max error.
"""
import json
import os

import numpy as np
from sklearn import metrics

OUT = os.path.join("lepton-core", "src", "test", "resources", "golden", "evaluation.json")
rng = np.random.default_rng(20261202)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def tensor(a):
    a = f32(a)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def classification(y_true, y_pred, classes):
    """y_true: indices or one-hot rows; y_pred: [n, k] scores, or [n] sigmoid outputs."""
    y_true, y_pred = f32(y_true), f32(y_pred)
    k = max(2, 1 if y_pred.ndim == 1 else y_pred.shape[1])
    labels = y_true.argmax(1) if y_true.ndim == 2 and y_true.shape[1] > 1 else \
        y_true.reshape(-1).astype(int)
    if y_pred.ndim == 1:
        predicted, score = (y_pred >= 0.5).astype(int), y_pred
    else:
        predicted, score = y_pred.argmax(1), (y_pred[:, 1] if k == 2 else None)
    every = list(range(k))
    p, r, f, s = metrics.precision_recall_fscore_support(
        labels, predicted, labels=every, zero_division=0)
    case = {
        "yTrue": tensor(y_true), "yPred": tensor(y_pred), "classes": classes,
        "confusion": metrics.confusion_matrix(labels, predicted, labels=every).tolist(),
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(),
        "support": [int(v) for v in s],
        "accuracy": metrics.accuracy_score(labels, predicted),
    }
    for avg in ("macro", "weighted"):
        ap, ar, af, _ = metrics.precision_recall_fscore_support(
            labels, predicted, labels=every, average=avg, zero_division=0)
        case[avg] = [ap, ar, af]
    if score is not None and len(set(labels.tolist())) == 2:
        fpr, tpr, _ = metrics.roc_curve(labels, score)
        case["fpr"], case["tpr"] = fpr.tolist(), tpr.tolist()
        case["auc"] = metrics.roc_auc_score(labels, score)
    else:
        case["auc"] = None
    return case


def regression(y_true, y_pred):
    y_true, y_pred = f32(y_true), f32(y_pred)
    t, p = y_true.astype(np.float64).reshape(-1), y_pred.astype(np.float64).reshape(-1)
    mse = metrics.mean_squared_error(t, p)
    return {"yTrue": tensor(y_true), "yPred": tensor(y_pred),
            "mae": metrics.mean_absolute_error(t, p), "mse": mse, "rmse": float(np.sqrt(mse)),
            "r2": metrics.r2_score(t, p), "max_error": metrics.max_error(t, p)}


def softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


cases = {}
# three classes, the third never predicted (its scores kept low): precision 0 by convention
z = rng.normal(size=(60, 3))
z[:, 2] -= 10
cases["multiclass_class_never_predicted"] = classification(
    rng.integers(0, 3, 60), softmax(z), ["cat", "dog", "bird"])
# four classes as one-hot labels, class 3 absent from the labels (support 0)
labels = rng.integers(0, 3, 40)
cases["one_hot_labels_class_absent"] = classification(
    np.eye(4)[labels], softmax(rng.normal(size=(40, 4)) + 2 * np.eye(4)[labels]), [])
# binary, one sigmoid output, scores rounded to tenths: many ties
y = rng.integers(0, 2, 50)
cases["binary_sigmoid_ties"] = classification(
    y, np.round(np.clip(0.3 * y + rng.uniform(0, 0.7, 50), 0, 1), 1), ["no", "yes"])
# binary, two softmax columns, continuous scores: a long curve, thinned in the report
y = rng.integers(0, 2, 800)
cases["binary_softmax_long_curve"] = classification(
    y, softmax(np.stack([np.zeros(800), 0.8 * y + rng.normal(size=800)], 1)), [])
# one class only: no ROC curve is defined
cases["one_class_only"] = classification(np.zeros(10), rng.uniform(0, 0.4, 10), [])

cases["regression"] = regression(rng.normal(3, 2, 30), rng.normal(3, 2, 30))
cases["regression_column"] = regression(
    rng.normal(size=(25, 1)) * 100, rng.normal(size=(25, 1)) * 100)
cases["regression_constant_exact"] = regression(np.full(5, 2.5), np.full(5, 2.5))
cases["regression_constant_inexact"] = regression(np.full(5, 2.5), [2.5, 2.5, 3, 2.5, 2.5])

with open(OUT, "w") as out:
    json.dump({"generator": "tools/golden/make_evaluation_golden.py",
               "sklearn": __import__("sklearn").__version__, "cases": cases}, out)
    out.write("\n")
print("wrote", OUT)

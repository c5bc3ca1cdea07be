#!/usr/bin/python3
"""Writes the golden values of Lepton's drift statistics, computed with NumPy and SciPy.

Run from the repository root with Debian's Python (python3-scipy, 1.10.1 when written):

    /usr/bin/python3 tools/golden/make_drift_golden.py

It writes lepton-server/src/test/resources/golden/drift.json, read by
ai.lepton.server.monitoring.DriftGoldenTest. Each case stores its inputs and:
- psi: the population stability index, sum((a - e) * ln(a / e)) over bins, proportions of 0
  replaced by 1e-4; live values binned against the training histogram's edges with the outer
  bins open-ended (numpy.digitize);
- ks_statistic and ks_pvalue from raw training values: scipy.stats.ks_2samp's statistic and the
  asymptotic p-value scipy.stats.kstwobign.sf(sqrt(n m / (n + m)) D) (and, for reference,
  ks_2samp(method="asymp")'s, which uses the finite-n kstwo distribution);
- hist_ks_statistic and hist_ks_pvalue from the training histogram only: the training
  distribution function linear between the edges (numpy.interp), D the largest distance to the
  live empirical function on either side of each live value.
"""
import json
import os

import numpy as np
from scipy import stats

OUT = os.path.join("lepton-server", "src", "test", "resources", "golden", "drift.json")
EPSILON = 1e-4
rng = np.random.default_rng(20261202)


def psi_counts(expected, actual):
    e = np.asarray(expected, float) / np.sum(expected)
    a = np.asarray(actual, float) / np.sum(actual)
    e, a = np.maximum(e, EPSILON), np.maximum(a, EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def bin_live(edges, live):
    live = live[~np.isnan(live)]
    idx = np.digitize(live, edges) - 1  # edges[i] <= v < edges[i + 1] -> i
    return np.bincount(np.clip(idx, 0, len(edges) - 2), minlength=len(edges) - 1)


def hist_ks(edges, counts, live):
    cdf = np.concatenate([[0.0], np.cumsum(counts) / np.sum(counts)])
    y = np.sort(live[~np.isnan(live)])
    f = np.interp(y, edges, cdf)  # 0 below the first edge, 1 above the last
    m = len(y)
    below = np.searchsorted(y, y, side="left") / m
    at = np.searchsorted(y, y, side="right") / m
    return float(max(np.max(np.abs(f - below)), np.max(np.abs(f - at))))


def pvalue(d, n, m):
    return float(stats.kstwobign.sf(np.sqrt(n * m / (n + m)) * d))


def numeric(training, live, bins):
    training = training.astype(np.float64)
    live = live.astype(np.float64)
    counts, edges = np.histogram(training, bins=bins)
    finite = live[~np.isnan(live)]
    exact = stats.ks_2samp(training, finite, method="asymp")
    hd = hist_ks(edges, counts, live)
    return {
        "training": training.tolist(), "live": [None if np.isnan(v) else v for v in live.tolist()],
        "edges": edges.tolist(), "counts": counts.tolist(),
        "live_counts": bin_live(edges, live).tolist(),
        "psi": psi_counts(counts, bin_live(edges, live)),
        "ks_statistic": float(exact.statistic),
        "ks_pvalue": pvalue(exact.statistic, len(training), len(finite)),
        "scipy_asymp_pvalue": float(exact.pvalue),
        "hist_ks_statistic": hd,
        "hist_ks_pvalue": pvalue(hd, int(np.sum(counts)), len(finite)),
        "max_bin_share": float(np.max(counts) / np.sum(counts)),
    }


cases = {}
base = rng.normal(0, 1, 3000)
cases["normal_shifted"] = numeric(base, rng.normal(0.3, 1.1, 800), 20)
cases["normal_same"] = numeric(base, rng.normal(0, 1, 800), 20)
wide = rng.normal(0, 3, 500)
wide[:7] = np.nan  # missing live values are left out
cases["out_of_range_and_missing"] = numeric(base, wide, 20)
ints = rng.integers(0, 8, 1000)
# an integer column: one bin per integer k, [k, k + 1), the last edge the maximum plus one
cases["integers"] = numeric(ints, rng.integers(2, 10, 300), np.arange(0, 9))
cases["small_lambda"] = numeric(rng.normal(0, 1, 40), rng.normal(0.1, 1, 30), 5)

top = [["red", 500], ["green", 300], ["blue", 150]]
live = ["red"] * 200 + ["green"] * 250 + ["blue"] * 20 + ["purple"] * 30 + [None] * 5
cases["categorical"] = {
    "top": top, "count": 1000, "live": live,
    "psi": psi_counts([500, 300, 150, 50], [200, 250, 20, 30]),
}
cases["predictions"] = {
    "training": [400, 350, 250], "live": [90, 110, 0],
    "psi": psi_counts([400, 350, 250], [90, 110, 0]),
}

with open(OUT, "w") as out:
    json.dump({"generator": "tools/golden/make_drift_golden.py",
               "scipy": __import__("scipy").__version__, "cases": cases}, out)
    out.write("\n")
for k, v in cases.items():
    print(k, {x: v[x] for x in v if x in ("psi", "ks_statistic", "ks_pvalue",
          "scipy_asymp_pvalue", "hist_ks_statistic", "max_bin_share")})

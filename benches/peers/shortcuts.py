#!/usr/bin/env python3
"""Checks that the peer's shortcuts are exact in distribution: core_numpy.py (groups
drawn as one, sizes only where used, cycles through a guide table) against
core_numpy_naive.py (every opportunity drawn the long way), on every metric and month.

Both peers run N trials (default 100,000) with seeds S and S + 1. For every metric and
month it compares the means and the variances (z from the per-trial values: the SE of a
difference of means, and of mean squared deviations) and, for the metrics that take
continuous values (ARR, bookings, churned and expansion ARR, pipeline), P10, P50 and P90
(SE as in agree.py). About 1,300 comparisons, correlated; the check fails (exit 1) if
any |z| exceeds 4.5: two-sided, 6.8e-6 each, at most 0.9% for the family (Bonferroni).

  /tmp/peers-venv/bin/python benches/peers/shortcuts.py [--scenario FILE] [--trials N] [--seed S]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import math
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import core_numpy  # noqa: E402
import core_scenario  # noqa: E402
import core_numpy_naive  # noqa: E402

CONTINUOUS = ("arr", "bookings", "churned_arr", "expansion_arr", "pipeline")
D = 0.02


def main(argv=None):
    ap = argparse.ArgumentParser(description="core_numpy.py against core_numpy_naive.py, every metric and month")
    ap.add_argument("--scenario", default=os.path.join(HERE, "core.toml"))
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--threshold", type=float, default=4.5)
    args = ap.parse_args(argv)
    s = core_scenario.load(args.scenario)
    a = core_numpy.simulate(s, args.trials, args.seed)
    b = core_numpy_naive.simulate(s, args.trials, args.seed + 1)
    if set(a) != set(b):
        print(f"different metrics: {sorted(set(a) ^ set(b))}", file=sys.stderr)
        return 1
    rows = []
    for name in sorted(a):
        for t in range(a[name].shape[1]):
            u, v = a[name][:, t], b[name][:, t]
            u, v = u[~np.isnan(u)], v[~np.isnan(v)]
            se = math.sqrt(u.var(ddof=1) / len(u) + v.var(ddof=1) / len(v))
            if se > 0:
                rows.append(((u.mean() - v.mean()) / se, name, t, "mean"))
            du, dv = (u - u.mean()) ** 2, (v - v.mean()) ** 2
            se = math.sqrt(du.var(ddof=1) / len(u) + dv.var(ddof=1) / len(v))
            if se > 0:
                rows.append(((du.mean() - dv.mean()) / se, name, t, "variance"))
            if name not in CONTINUOUS:
                continue
            for p in (0.1, 0.5, 0.9):
                lo, hi = np.quantile(v, [p - D, p + D])
                se = math.sqrt(p * (1 - p) / len(u) + p * (1 - p) / len(v)) * (hi - lo) / (2 * D)
                if se > 0:
                    rows.append(((np.quantile(u, p) - np.quantile(v, p)) / se, name, t, f"P{round(p * 100)}"))
    z = np.array([r[0] for r in rows])
    print(f"{os.path.basename(args.scenario)}: {args.trials:,} trials each, seeds {args.seed} and {args.seed + 1}; "
          f"{len(rows)} comparisons; |z| > 3: {int((abs(z) > 3).sum())}; rms z {math.sqrt((z ** 2).mean()):.3f}")
    print("largest |z|:")
    for zi, name, t, kind in sorted(rows, key=lambda r: -abs(r[0]))[:5]:
        print(f"  {zi:6.2f}  {name}, month {t}, {kind}")
    if abs(z).max() > args.threshold:
        print(f"DISAGREE: some |z| above {args.threshold:g}", file=sys.stderr)
        return 1
    print(f"the shortcuts agree with the long way (all |z| <= {args.threshold:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks that sopsim and the NumPy peer (core_numpy.py) agree within Monte Carlo error.

Runs `sopsim run SCENARIO --trials N --seed S --format csv,json --out DIR --quiet` and
the peer (`--peer naive`: the first peer, core_numpy_naive.py) on N trials of its own
generator, then compares, for each quantity, the two
estimates against the standard error (SE) of their difference:

- a mean: SE = sqrt(sd^2 / n_sopsim + sd^2 / n_numpy), with sd the peer's per-trial
  standard deviation (sopsim writes no per-trial values; if the two models agree,
  their spreads are the same);
- a proportion (P(hit)): SE = sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2), each side's
  own p;
- a quantile Q(p): the asymptotic SE of a sample quantile, sqrt(p (1 - p) / n) / f(Q(p)),
  for each side, with the density's reciprocal 1 / f(Q(p)) estimated from the peer's
  sample by the difference quotient (Q(p + d) - Q(p - d)) / (2 d), d = 0.02. When
  sopsim's run is beyond its exact-quantile budget (128 MiB of values: trials x cells x
  8 bytes, cells = the rows of monthly.csv plus the per-trial scalars; 13,540 trials of
  core.toml) its quantiles are read from a sketch within 2^-8 of the exact ones,
  relative; that error, taken as uniform within the bound (sd = bound / sqrt 3), is
  added to the SE in quadrature, and the row is marked.

z = (sopsim - numpy) / SE. The check fails (exit 1) if any |z| exceeds the threshold,
4 by default: with about 25 comparisons, each a two-sided normal test, the chance
that agreeing models show some |z| > 4 is at most 25 x 6.3e-5 = 0.16% (Bonferroni),
while a real difference of four SEs (for mean bookings at 13,500 trials, 1.3% of the
mean) is still seen. The comparisons are correlated (ARR quantiles at two months,
bookings and ARR), which makes the bound conservative.

Where the two differ by design: none in the core. The peer draws from NumPy's
generator (PCG64) instead of sopsim's keyed Xoshiro256++ streams, and draws exchangeable
groups as one (core_numpy.py says each shortcut and why it is exact): the people of a
start month (or all the fully ramped) as binomials instead of one Bernoulli each, a
month's leads as independent Poissons by segment (Poisson thinning), sizes only where a
size enters a number. The first peer draws every opportunity's outcome, size and gamma
cycle and rounds the cycle to floor(x + 0.5) where sopsim inverts the distribution
function of round(x). All have the same distribution.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import math
import subprocess
import sys
import tempfile
import csv

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import core_numpy  # noqa: E402
import core_scenario  # noqa: E402
import core_numpy_naive  # noqa: E402

SKETCH_BOUND = 2.0 ** -8
EXACT_BUDGET_BYTES = 128 * 1024 * 1024
D = 0.02


def exact_trials(monthly_cells, roles, has_target):
    """The most trials whose values sopsim keeps for exact quantiles. Per-trial scalars
    of a core scenario (no quota carriers): 4 totals, hires and departures per role,
    3 cost and 3 forecast scalars, and whether the target was hit."""
    scalars = 4 + 2 * roles + 3 + 3 + int(has_target)
    return EXACT_BUDGET_BYTES // ((monthly_cells + scalars) * 8)


def quantile_se(sample, p, n_other):
    """SE of the difference of two independent sample quantiles Q(p), one from `sample`
    and one from n_other trials of the same distribution."""
    lo, hi = np.quantile(sample, [max(p - D, 0.0), min(p + D, 1.0)])
    inv_f = (hi - lo) / (min(p + D, 1.0) - max(p - D, 0.0))
    var1 = p * (1.0 - p) / len(sample) * inv_f ** 2
    var2 = p * (1.0 - p) / n_other * inv_f ** 2
    return math.sqrt(var1 + var2)


def read_monthly(path):
    rows = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            rows[(row["metric"], row["month"])] = row
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description="sopsim against the NumPy peer, within Monte Carlo error")
    ap.add_argument("--scenario", default=os.path.join(HERE, "core.toml"))
    ap.add_argument("--trials", type=int, default=13500,
                    help="trials on each side (default 13,500: sopsim's quantiles of core.toml stay exact)")
    ap.add_argument("--seed", type=int, default=7, help="sopsim's seed (the peer uses seed + 1)")
    ap.add_argument("--threshold", type=float, default=4.0)
    ap.add_argument("--sopsim", default=os.path.join(ROOT, "target", "release", "sopsim"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--peer", choices=["careful", "naive"], default="careful",
                    help="core_numpy.py (careful, the default) or the first peer, core_numpy_naive.py")
    args = ap.parse_args(argv)

    n = args.trials
    s = core_scenario.load(args.scenario)
    months = s["months"]
    with tempfile.TemporaryDirectory(prefix="peers-agree-") as tmp:
        out_dir = os.path.join(tmp, "sopsim")
        cmd = [args.sopsim, "run", args.scenario, "--trials", str(n), "--seed", str(args.seed),
               "--threads", str(args.threads), "--format", "csv,json", "--out", out_dir, "--quiet"]
        subprocess.run(cmd, check=True)
        with open(os.path.join(out_dir, "summary.json")) as f:
            sop = json.load(f)
        monthly = read_monthly(os.path.join(out_dir, "monthly.csv"))
    peer = (core_numpy if args.peer == "careful" else core_numpy_naive).simulate(s, n, args.seed + 1)
    sketched = n > exact_trials(len(monthly), len(s["roles"]), s["target"] is not None)

    rows = []

    def compare(label, a, b, se, kind):
        z = (a - b) / se if se > 0 else (0.0 if a == b else math.inf)
        rows.append((label, a, b, se, z, kind))

    def mean_row(label, a, sample):
        sd = float(np.std(sample, ddof=1))
        compare(label, a, float(np.mean(sample)), math.sqrt(sd * sd / n + sd * sd / n), "mean")

    def quantile_rows(label, stats, sample):
        for name, p in (("p10", 0.10), ("p50", 0.50), ("p90", 0.90)):
            b = float(np.quantile(sample, p))
            se = quantile_se(sample, p, n)
            kind = "quantile"
            if sketched:
                se = math.sqrt(se * se + (SKETCH_BOUND * abs(stats[name]) / math.sqrt(3.0)) ** 2)
                kind = "quantile+sketch"
            compare(f"{label} {name.upper()}", stats[name], b, se, kind)

    last = months - 1
    horizon = sop["horizon"]
    tg = s["target"]
    if tg is not None:
        arr_tm = peer["arr"][:, tg["month"]]
        quantile_rows(f"ARR {sop['target']['by']} (target month)", sop["target"]["arr_at_target_month"], arr_tm)
        p1 = sop["target"]["p_hit"]
        p2 = float(np.mean(arr_tm >= tg["arr"]))
        compare("P(hit)", p1, p2, math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n), "proportion")
    arr_h = peer["arr"][:, last]
    if tg is None or tg["month"] != last:
        quantile_rows(f"ARR {horizon['month']} (horizon)", horizon["metrics"]["arr"], arr_h)
    mean_row(f"ARR {horizon['month']} mean", horizon["metrics"]["arr"]["mean"], arr_h)
    totals = horizon["totals"]
    if s["roles"]:
        bookings = peer["bookings"].sum(axis=1)
        mean_row("bookings, horizon total, mean", totals["bookings"]["mean"], bookings)
        quantile_rows("bookings, horizon total", totals["bookings"], bookings)
        mean_row("deals won, horizon total, mean", totals["deals.won"]["mean"], peer["deals.won"].sum(axis=1))
        mean_row("opportunities lost, total, mean", totals["opportunities.lost"]["mean"],
                 peer["opportunities.lost"].sum(axis=1))
        mean_row(f"pipeline {horizon['month']} mean", horizon["metrics"]["pipeline"]["mean"], peer["pipeline"][:, last])
        label = f"leads {horizon['month']} mean"
        mean_row(label, float(monthly[("leads", horizon["month"])]["mean"]), peer["leads"][:, last])
        worked = float(monthly[("opportunities.worked", horizon["month"])]["mean"])
        mean_row(f"opportunities worked {horizon['month']} mean", worked, peer["opportunities.worked"][:, last])
        for role in s["roles"]:
            rid = role["id"]
            mean_row(f"departures.{rid}, total, mean", totals[f"departures.{rid}"]["mean"],
                     peer[f"departures.{rid}"].sum(axis=1))
            mean_row(f"headcount.{rid} {horizon['month']} mean", horizon["metrics"][f"headcount.{rid}"]["mean"],
                     peer[f"headcount.{rid}"][:, last])
            ramped = sum(float(monthly[(f"ramped.{rid}", core_scenario.month_label(s, t))]["mean"]) for t in range(months))
            mean_row(f"ramped.{rid}, sum over months, mean", ramped, peer[f"ramped.{rid}"].sum(axis=1))
        capacity = sum(float(monthly[("opportunities.capacity", core_scenario.month_label(s, t))]["mean"])
                       for t in range(months))
        mean_row("opportunities capacity, sum over months, mean", capacity,
                 peer["opportunities.capacity"].sum(axis=1))

    print(f"{os.path.relpath(args.scenario, ROOT)}: {n:,} trials each; sopsim seed {args.seed}, "
          f"NumPy ({args.peer} peer) seed {args.seed + 1}; quantiles {'sketched' if sketched else 'exact'} in sopsim")
    width = max(len(r[0]) for r in rows)
    print(f"{'quantity':{width}}  {'sopsim':>14}  {'numpy':>14}  {'SE of diff':>12}  {'z':>6}  SE method")
    worst = 0.0
    for label, a, b, se, z, kind in rows:
        worst = max(worst, abs(z))
        flag = "  <-- beyond threshold" if abs(z) > args.threshold else ""
        print(f"{label:{width}}  {a:14.6g}  {b:14.6g}  {se:12.4g}  {z:6.2f}  {kind}{flag}")
    print(f"{len(rows)} comparisons; largest |z| = {worst:.2f}; threshold {args.threshold:g}")
    if worst > args.threshold:
        print("DISAGREE: some difference is beyond Monte Carlo error", file=sys.stderr)
        return 1
    print("agree within Monte Carlo error")
    return 0


if __name__ == "__main__":
    sys.exit(main())

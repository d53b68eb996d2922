#!/usr/bin/env python3
"""Whole-process wall time of the NumPy peers against sopsim, alternating, medians.

Each round runs, in turn, the peer (`core_numpy.py`), the first peer
(`core_numpy_naive.py`, unless `--no-naive`), `sopsim run --threads 1` and
`sopsim run --threads 2` on the same scenario and number of trials; the order rotates
from one round to the next (an order effect of a few percent has been seen on this
machine). Every run is a fresh process timed from start to exit (so the peer's
interpreter start and NumPy import count, as sopsim's start does) and writes the same
two files: monthly.csv and summary.json (sopsim with `--format csv,json`; the peers the
metrics they compute, listed in core_numpy.py). Both sides compute their quantiles and
means across trials and write them; neither writes charts, HTML or XLSX.

For each configuration it prints the median wall and CPU (user + system) time of each
side, the ratio peer / sopsim of the medians, and the median of the per-round ratios
(each round's peer run against the sopsim runs of the same round), with the load
average before and after. For the nothing-sold scenario it also gives microseconds per
trial: whole process, and sopsim's own `run.elapsed_seconds` (simulation and
aggregation, without process start and writing).

Usage (with the venv of README.md):
  /tmp/peers-venv/bin/python benches/peers/timing.py              # 10,000 and 100,000 trials, nothing sold
  /tmp/peers-venv/bin/python benches/peers/timing.py --rounds 3 --only 10000
  /tmp/peers-venv/bin/python benches/peers/timing.py --no-naive      # the peer and sopsim only
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd):
    """Wall and CPU seconds of one process, from fork to exit."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=dict(os.environ, OMP_NUM_THREADS="1",
                                                                   OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1"))
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv=None):
    ap = argparse.ArgumentParser(description="NumPy peer against sopsim, whole process, alternating")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", choices=["10000", "100000", "nothing-sold"], action="append")
    ap.add_argument("--python", default=sys.executable, help="the interpreter with NumPy")
    ap.add_argument("--sopsim", default=os.path.join(ROOT, "target", "release", "sopsim"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-naive", action="store_true", help="leave out the first peer (core_numpy_naive.py)")
    args = ap.parse_args(argv)
    core = os.path.join(HERE, "core.toml")
    nothing = os.path.join(HERE, "nothing-sold.toml")
    configs = [("core", core, 10_000), ("core", core, 100_000), ("nothing-sold", nothing, 200_000)]
    wanted = args.only or ["10000", "100000", "nothing-sold"]
    configs = [c for c in configs if (c[0] == "nothing-sold" and "nothing-sold" in wanted)
               or (c[0] == "core" and str(c[2]) in wanted)]

    print(f"{os.uname().nodename}, {os.cpu_count()} logical CPUs; {args.rounds} rounds; "
          f"load average at start {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    results = []
    with tempfile.TemporaryDirectory(prefix="peers-timing-") as tmp:
        for name, path, trials in configs:
            sides = {}
            for peer, script in PEERS:
                if peer == "numpy-naive" and args.no_naive:
                    continue
                sides[peer] = [args.python, os.path.join(HERE, script), path, "--trials", str(trials),
                               "--seed", str(args.seed), "--out", os.path.join(tmp, peer)]
            for threads in (1, 2):
                sides[f"sopsim-t{threads}"] = [args.sopsim, "run", path, "--trials", str(trials), "--seed",
                                               str(args.seed), "--threads", str(threads), "--format", "csv,json",
                                               "--out", os.path.join(tmp, f"sopsim-t{threads}"), "--force", "--quiet"]
            order = list(sides)
            times = {k: [] for k in sides}
            elapsed = {k: [] for k in sides if k.startswith("sopsim")}
            loads = [os.getloadavg()[0]]
            for r in range(args.rounds):
                for k in order[r % len(order):] + order[: r % len(order)]:
                    times[k].append(run(sides[k]))
                    if k in elapsed:
                        with open(os.path.join(tmp, k, "summary.json")) as f:
                            elapsed[k].append(json.load(f)["run"]["elapsed_seconds"])
                loads.append(os.getloadavg()[0])
            results.append((name, trials, times, elapsed, loads))
            report(name, trials, times, elapsed, loads)
    print()
    print("| scenario | trials | peer | peer wall (s) | sopsim 1 thread | sopsim 2 threads | peer / sopsim 1t | "
          "peer / sopsim 2t | load |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---|")
    for name, trials, times, elapsed, loads in results:
        med = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
        for peer in (p for p, _ in PEERS if p in times):
            r1 = paired(times, peer, "sopsim-t1")
            r2 = paired(times, peer, "sopsim-t2")
            print(f"| {name} | {trials:,} | {peer} | {med[peer]:.2f} | {med['sopsim-t1']:.2f} | {med['sopsim-t2']:.2f} | "
                  f"{med[peer] / med['sopsim-t1']:.2f} ({r1:.2f}) | {med[peer] / med['sopsim-t2']:.2f} ({r2:.2f}) | "
                  f"{min(loads):.1f}-{max(loads):.1f} |")
    print("ratios: of the medians (median of the per-round ratios in brackets)")


# The peer, and the first peer (every opportunity drawn the long way), kept to compare.
PEERS = (("numpy", "core_numpy.py"), ("numpy-naive", "core_numpy_naive.py"))


def paired(times, peer, k):
    return statistics.median(a[0] / b[0] for a, b in zip(times[peer], times[k]))


def report(name, trials, times, elapsed, loads):
    print(f"\n{name}, {trials:,} trials; load average {', '.join(f'{x:.2f}' for x in loads)}")
    for k, v in times.items():
        walls = sorted(w for w, _ in v)
        cpus = sorted(c for _, c in v)
        line = (f"  {k:11s} wall median {statistics.median(walls):7.3f} s (min {walls[0]:.3f}, max {walls[-1]:.3f})"
                f"  CPU median {statistics.median(cpus):7.3f} s")
        if name == "nothing-sold":
            line += f"  {statistics.median(walls) / trials * 1e6:6.2f} µs/trial wall, " \
                    f"{statistics.median(cpus) / trials * 1e6:5.2f} µs/trial CPU"
            if k in elapsed:
                line += f"; simulation+aggregation {statistics.median(elapsed[k]) / trials * 1e6:5.2f} µs/trial"
        print(line)
    for peer in (p for p, _ in PEERS if p in times):
        for k in ("sopsim-t1", "sopsim-t2"):
            print(f"  {peer} / {k}: wall "
                  f"{statistics.median(w for w, _ in times[peer]) / statistics.median(w for w, _ in times[k]):.2f}"
                  f" (median per-round {paired(times, peer, k):.2f}), CPU "
                  f"{statistics.median(c for _, c in times[peer]) / statistics.median(c for _, c in times[k]):.2f}")


if __name__ == "__main__":
    main()

"""What both NumPy peers share: their command line (main), reading a core scenario
(MODEL.md sections 2 and 4 for the core keys; any other key is refused) and writing
monthly.csv and summary.json as sopsim names and formats them (section 5). Each peer simulates, and computes its means
and quantiles, its own way (core_numpy.py, core_numpy_naive.py).
"""

import argparse
import json
import math
import os
import sys
import tomllib

import numpy as np

Z95 = 1.6448536269514722
Z90 = 1.2815515655446004
LEVELS = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
LEVEL_NAMES = ("p05", "p10", "p25", "p50", "p75", "p90", "p95")


class ScenarioError(Exception):
    pass


# ---------------------------------------------------------------- distributions (2.1-2.3)


def beta_reg(a, b, x):
    """Regularised incomplete beta I_x(a, b), by Lentz's continued fraction."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - beta_reg(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 1000):
        num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        f *= d * c
        num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        f *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return math.exp(ln_front) * f / a


def fit_beta(low, high):
    """(alpha, beta) with 5th and 95th percentiles low and high (2.2): Newton's method on
    (logit m, ln k), from the normal approximation, as the engine solves it."""
    lk_min, lk_max = math.log(1e-3), math.log(1e8)

    def to_mk(u, v):
        return 1.0 / (1.0 + math.exp(-u)), math.exp(v)

    def residual(u, v):
        m, k = to_mk(u, v)
        a, b = m * k, (1.0 - m) * k
        return beta_reg(a, b, low) - 0.05, beta_reg(a, b, high) - 0.95

    m0 = 0.5 * (low + high)
    sd = (high - low) / (2.0 * Z95)
    k0 = min(max(m0 * (1.0 - m0) / (sd * sd) - 1.0, 1.0), 1e7)
    u, v = math.log(m0 / (1.0 - m0)), math.log(k0)
    r = residual(u, v)
    for _ in range(60):
        if max(abs(r[0]), abs(r[1])) < 1e-12:
            break
        h = 1e-7
        ru, rv = residual(u + h, v), residual(u, v + h)
        j00, j01 = (ru[0] - r[0]) / h, (rv[0] - r[0]) / h
        j10, j11 = (ru[1] - r[1]) / h, (rv[1] - r[1]) / h
        det = j00 * j11 - j01 * j10
        du = -(j11 * r[0] - j01 * r[1]) / det
        dv = -(-j10 * r[0] + j00 * r[1]) / det
        step = 1.0
        while True:
            nu, nv = u + step * du, min(max(v + step * dv, lk_min), lk_max)
            nr = residual(nu, nv)
            if max(abs(nr[0]), abs(nr[1])) < max(abs(r[0]), abs(r[1])):
                u, v, r = nu, nv, nr
                break
            step *= 0.5
            if step < 1e-6:
                raise ScenarioError(f"no beta distribution fits {{ low = {low}, high = {high} }}")
    if abs(r[0]) > 1e-4 or abs(r[1]) > 1e-4:
        raise ScenarioError(f"no beta distribution fits {{ low = {low}, high = {high} }}")
    m, k = to_mk(u, v)
    return m * k, (1.0 - m) * k


class Dist:
    """A key's value: a constant or a distribution, with draws clamped to its support."""

    def __init__(self, value, support, path):
        self.path = path
        self.lower, self.upper = {"rate": (0.0, 1.0), "amount": (0.0, math.inf), "real": (-math.inf, math.inf)}[support]
        self.const = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.const = float(value)
            return
        if not isinstance(value, dict):
            raise ScenarioError(f"{path}: expected a number or a table")
        if "dist" not in value:
            low, high = float(value["low"]), float(value["high"])
            if support == "rate":
                a, b = fit_beta(low, high)
                self.kind, self.args = "beta", (a, b)
            elif support == "amount":
                mu = 0.5 * (math.log(low) + math.log(high))
                sigma = (math.log(high) - math.log(low)) / (2.0 * Z95)
                self.kind, self.args = "lognormal", (mu, sigma)
            else:
                self.kind, self.args = "normal", (0.5 * (low + high), (high - low) / (2.0 * Z95))
            return
        name = value["dist"]
        if name == "normal":
            self.kind, self.args = "normal", (float(value["mean"]), float(value["sd"]))
        elif name == "lognormal":
            if "median" in value:
                mu = math.log(value["median"])
                self.kind, self.args = "lognormal", (mu, math.log(value["p90"] / value["median"]) / Z90)
            else:
                mean, sd = float(value["mean"]), float(value["sd"])
                s2 = math.log1p((sd / mean) ** 2)
                self.kind, self.args = "lognormal", (math.log(mean) - s2 / 2.0, math.sqrt(s2))
        elif name == "gamma":
            mean, sd = float(value["mean"]), float(value["sd"])
            self.kind, self.args = "gamma", (mean * mean / (sd * sd), sd * sd / mean)
        elif name == "beta":
            if "alpha" in value:
                self.kind, self.args = "beta", (float(value["alpha"]), float(value["beta"]))
            else:
                mean, sd = float(value["mean"]), float(value["sd"])
                nu = mean * (1.0 - mean) / (sd * sd) - 1.0
                self.kind, self.args = "beta", (mean * nu, (1.0 - mean) * nu)
        elif name == "uniform":
            self.kind, self.args = "uniform", (float(value["min"]), float(value["max"]))
        elif name == "triangular":
            self.kind, self.args = "triangular", (float(value["min"]), float(value["mode"]), float(value["max"]))
        elif name == "pert":
            lo, mode, hi = float(value["min"]), float(value["mode"]), float(value["max"])
            a = 1.0 + 4.0 * (mode - lo) / (hi - lo)
            b = 1.0 + 4.0 * (hi - mode) / (hi - lo)
            self.kind, self.args = "pert", (lo, hi, a, b)
        elif name == "poisson":
            self.kind, self.args = "poisson", (float(value["mean"]),)
        else:
            raise ScenarioError(f"{path}: unknown distribution {name!r}")

    def sample(self, rng, n):
        """n draws (an array), or the constant as an array."""
        if self.const is not None:
            return np.full(n, self.const)
        k, a = self.kind, self.args
        if k == "normal":
            x = rng.normal(a[0], a[1], n)
        elif k == "lognormal":
            x = rng.lognormal(a[0], a[1], n)
        elif k == "gamma":
            x = rng.gamma(a[0], a[1], n)
        elif k == "beta":
            x = rng.beta(a[0], a[1], n)
        elif k == "uniform":
            x = rng.uniform(a[0], a[1], n)
        elif k == "triangular":
            x = rng.triangular(a[0], a[1], a[2], n)
        elif k == "pert":
            x = a[0] + (a[1] - a[0]) * rng.beta(a[2], a[3], n)
        else:
            x = rng.poisson(a[0], n).astype(float)
        # Only a normal can leave its key's support (2.1); the others already lie in it.
        return np.clip(x, self.lower, self.upper) if k == "normal" else x


# ---------------------------------------------------------------- the scenario (section 4)

ALLOWED = {
    "scenario": {"name", "start", "months", "trials", "seed"},
    "company": {"arr", "monthly_churn", "monthly_expansion"},
    "target": {"arr", "by", "confidence"},
    "segments": {"name", "deal_size", "win_rate", "cycle_months"},
    "demand": {"leads_per_month", "growth_per_month", "seasonality", "segment_mix", "lead_to_opportunity"},
    "roles": {"id", "kind", "segment", "headcount", "ramp_months", "ramp", "annual_attrition",
              "opportunities_per_month", "hires"},
}


def month_offset(label, start):
    y, m = (int(p) for p in label.split("-"))
    return (y - start[0]) * 12 + (m - start[1])


def load(path):
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    for section, value in doc.items():
        if section not in ALLOWED:
            raise ScenarioError(f"[{section}] is not a core key: this peer models the core only")
        for item in value if isinstance(value, list) else [value]:
            extra = set(item) - ALLOWED[section]
            if extra:
                raise ScenarioError(f"{section}: {sorted(extra)} not core keys")
    sc = doc["scenario"]
    start = tuple(int(p) for p in sc["start"].split("-"))
    months = int(sc["months"])
    s = {
        "name": sc.get("name", os.path.splitext(os.path.basename(path))[0]),
        "start": start,
        "months": months,
        "trials": int(sc.get("trials", 10000)),
        "seed": int(sc.get("seed", 1)),
    }
    co = doc.get("company", {})
    s["arr0"] = float(co.get("arr", 0.0))
    s["churn"] = Dist(co.get("monthly_churn", 0.0), "rate", "company.monthly_churn")
    s["expansion"] = Dist(co.get("monthly_expansion", 0.0), "rate", "company.monthly_expansion")
    tg = doc.get("target")
    s["target"] = None
    if tg is not None:
        by = month_offset(tg["by"], start) if "by" in tg else months - 1
        s["target"] = {"arr": float(tg["arr"]), "month": by, "confidence": float(tg.get("confidence", 0.8))}
    s["segments"] = []
    for seg in doc["segments"]:
        s["segments"].append({
            "name": seg["name"],
            "deal_size": Dist(seg["deal_size"], "amount", f"segments.{seg['name']}.deal_size"),
            "win_rate": Dist(seg["win_rate"], "rate", f"segments.{seg['name']}.win_rate"),
            "cycle": Dist(seg.get("cycle_months", 0.0), "amount", f"segments.{seg['name']}.cycle_months"),
        })
    names = [g["name"] for g in s["segments"]]
    de = doc.get("demand", {})
    s["leads"] = Dist(de.get("leads_per_month", 0.0), "amount", "demand.leads_per_month")
    s["growth"] = Dist(de.get("growth_per_month", 0.0), "real", "demand.growth_per_month")
    s["q"] = Dist(de.get("lead_to_opportunity", 0.0), "rate", "demand.lead_to_opportunity")
    s["season"] = [float(x) for x in de.get("seasonality", [1.0] * 12)]
    if len(names) == 1 and "segment_mix" not in de:
        mix = [1.0]
    else:
        given = de.get("segment_mix", {})
        mix = [float(given.get(n, 0.0)) for n in names]
    total = sum(mix)
    s["mix"] = [x / total for x in mix] if abs(total - 1.0) > 1e-6 else mix
    s["roles"] = []
    for ro in doc.get("roles", []):
        if ro.get("kind") != "closer":
            raise ScenarioError(f"roles.{ro.get('id')}: only closers are core")
        seg = ro.get("segment", names[0] if len(names) == 1 else None)
        if "ramp_months" in ro:
            r_months = int(ro["ramp_months"])
            curve = [k / r_months for k in range(1, r_months)]
        else:
            curve = [float(x) for x in ro.get("ramp", [])]
        hires = {}
        for label, n in ro.get("hires", {}).items():
            off = month_offset(label, start)
            if off < months:
                hires[off] = hires.get(off, 0) + int(n)
        s["roles"].append({
            "id": ro["id"],
            "segment": names.index(seg),
            "headcount": int(ro.get("headcount", 0)),
            "curve": curve,
            "attrition": Dist(ro.get("annual_attrition", 0.0), "rate", f"roles.{ro['id']}.annual_attrition"),
            "opm": Dist(ro["opportunities_per_month"], "amount", f"roles.{ro['id']}.opportunities_per_month"),
            "hires": hires,
        })
    return s


def ramp(curve, tenure):
    """ramp(k): the curve's value at tenure k, 1.0 after its end (3.0)."""
    return curve[tenure] if 0 <= tenure < len(curve) else 1.0


# ---------------------------------------------------------------- outputs (section 5)

ORDER = ["arr", "bookings", "churned_arr", "expansion_arr", "pipeline", "leads", "opportunities.demand",
         "opportunities.capacity", "opportunities.worked", "opportunities.lost", "deals.won", "deals.closed",
         "win_rate"]


def stats_json(x, stats):
    """The mean and quantiles of a 1-D sample as summary.json writes them."""
    mean, qs, count = stats(x)
    d = {"count": int(count), "mean": float(mean)}
    d.update({k: float(v) for k, v in zip(LEVEL_NAMES, qs)})
    return d


def month_label(s, t):
    y, m = s["start"]
    k = (m - 1) + t
    return f"{y + k // 12:04d}-{k % 12 + 1:02d}"


def fmt(v):
    if not math.isfinite(v):
        return ""
    r = repr(float(v))
    if "e" in r or "E" in r:
        r = np.format_float_positional(v, unique=True, trim="-")
    if r.endswith(".0"):
        r = r[:-2]
    return "0" if r == "-0" else r


def write_outputs(s, out, trials, seed, folder, stats):
    """monthly.csv and summary.json of the trials' values `out` (metric: trials x months),
    their means and quantiles by the peer's own `stats`."""
    months = s["months"]
    os.makedirs(folder, exist_ok=True)
    names = ORDER + [f"{k}.{r['id']}" for r in s["roles"] for k in ("headcount", "ramped", "hires", "departures")]
    names = [m for m in names if m in out]
    lines = ["metric,month,mean,p05,p10,p25,p50,p75,p90,p95"]
    for name in names:
        mean, qs, count = stats(out[name])
        for t in range(months):
            if count[t] == 0:
                lines.append(f"{name},{month_label(s, t)},,,,,,,,")
                continue
            lines.append(",".join([name, month_label(s, t), fmt(mean[t])] + [fmt(qs[i, t]) for i in range(7)]))
    with open(os.path.join(folder, "monthly.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")

    last = months - 1
    summary = {"run": {"scenario": s["name"], "months": months, "trials": trials, "seed": seed,
                       "start": month_label(s, 0), "end": month_label(s, last)}}
    tg = s["target"]
    if tg is None:
        summary["target"] = None
    else:
        hit = out["arr"][:, tg["month"]] >= tg["arr"]
        p = float(hit.mean())
        summary["target"] = {
            "arr": tg["arr"], "by": month_label(s, tg["month"]), "confidence": tg["confidence"],
            "p_hit": p, "p_hit_standard_error": math.sqrt(p * (1.0 - p) / trials),
            "meets_confidence": p >= tg["confidence"],
            "arr_at_target_month": stats_json(out["arr"][:, tg["month"]], stats),
        }
    stocks = ["arr", "pipeline"] + [f"{k}.{r['id']}" for r in s["roles"] for k in ("headcount", "ramped")]
    totals = ["bookings", "opportunities.lost", "deals.won"] + \
        [f"{k}.{r['id']}" for r in s["roles"] for k in ("hires", "departures")]
    summary["horizon"] = {
        "month": month_label(s, last),
        "metrics": {m: stats_json(out[m][:, last], stats) for m in sorted(stocks) if m in out},
        "totals": {m: stats_json(out[m].sum(axis=1), stats) for m in sorted(totals) if m in out},
    }
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)


def main(description, simulate, stats, argv=None):
    """A peer's command line: read the scenario, simulate, write monthly.csv and
    summary.json (and with --save-trials the per-trial values); exit code 2 for a
    scenario the peer refuses."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", required=True, help="folder for monthly.csv and summary.json")
    ap.add_argument("--save-trials", metavar="FILE.npz", help="also keep the per-trial values")
    args = ap.parse_args(argv)
    try:
        s = load(args.scenario)
    except (ScenarioError, KeyError, ValueError, OSError) as err:
        print(f"{args.scenario}: {err}", file=sys.stderr)
        return 2
    trials = args.trials or s["trials"]
    seed = s["seed"] if args.seed is None else args.seed
    out = simulate(s, trials, seed)
    write_outputs(s, out, trials, seed, args.out, stats)
    if args.save_trials:
        np.savez(args.save_trials, **out)
    return 0

#!/usr/bin/env python3
"""The NumPy peer as first written (kept to time against; core_numpy.py is the peer).

The same model, scenario reading and outputs as core_numpy.py, written the long way:
every worked opportunity draws its outcome (a uniform below the win rate), a size and
a gamma cycle rounded to whole months; leads are split by sequential binomials and
converted by a binomial per segment; each start month of a role stays a group of its
own; the quantiles are np.quantile's. It agrees with sopsim and with core_numpy.py in
distribution (`agree.py --peer naive`); `timing.py` times it beside the peer.

Vectorised over trials, looping over months, on one core. It reads a scenario file
that uses only the core keys and refuses any other:

  [scenario]  start, months, trials, seed, name
  [company]   arr, monthly_churn, monthly_expansion
  [target]    arr, by, confidence
  [[segments]] name, deal_size, win_rate, cycle_months
  [demand]    leads_per_month, growth_per_month, seasonality, segment_mix,
              lead_to_opportunity
  [[roles]]   closers only: id, kind = "closer", segment, headcount, ramp_months or
              ramp, annual_attrition, opportunities_per_month, hires

What it computes, per trial (MODEL.md section in brackets):

- once per trial (2.4): churn c, expansion e, lead volume L, growth g, conversion q,
  each segment's win rate w[s], each role's annual attrition A[r] (monthly hazard
  h = 1 - (1 - A)^(1/12)) and opportunities a month; intervals fitted as in 2.2
  (beta for rates, lognormal for amounts, normal for growth), draws clamped to the
  key's support (2.1);
- leads (3.3): Poisson(L max(0, 1 + g)^t season[calendar month]), split among segments
  by sequential binomials on segment_mix, each lead an opportunity with probability q
  (a binomial per segment);
- staff (3.0, 3.1, 3.4): people grouped by start month (headcount: fully ramped; a hire
  dated before the start: on staff with that tenure; later hires start in their month
  at ramp(0)). A person works x = ramp(tenure) x opm opportunities, floor(x) plus one
  more with probability frac(x); for the n people of one start month that is
  n floor(x) + Binomial(n, frac(x)), the same distribution. At the end of the month each
  person still on staff (the month's starters too) leaves with probability h: for a
  group, Binomial(n, h);
- work (3.5): worked[s] = min(demand[s], capacity[s]), lost = demand - worked; every
  worked opportunity draws won (U < w[s]), a size and a cycle rounded half up to whole
  months (round half away from zero: floor(x + 0.5) for x >= 0; at most 600), and closes
  in t + cycle (after the horizon: open for ever);
- bookings[t] = value of won deals closing in t; ARR[t] = ARR[t-1] (1 - c + e) +
  bookings[t]; pipeline[t] = value of the opportunities open at the end of t;
- P(hit) = share of trials with ARR[target month] >= target.arr (3.6, 5.1).

Outputs (--out DIR): monthly.csv in sopsim's format (metric,month,mean,p05..p95, type-7
quantiles, 5.1) for the metrics above, and summary.json with the target (p_hit, its
standard error, ARR in the target month), the horizon stocks and the horizon totals,
under sopsim's field names. --save-trials FILE.npz keeps the per-trial values the
agreement check needs (not used when timing).

Not computed (sopsim computes them; they need parts of the model outside the core):
weighted_pipeline and the gathered kpi.* (measured win rates), the forecast, comp and ops
cost, stages, needed.* and capacity_gap.*; meetings, open_reqs and uncovered
opportunities are zero in a core scenario and are not written.

The generator is NumPy's default (PCG64) seeded with the run's seed: the draws are not
sopsim's, so the two agree in distribution only (agree.py checks that).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import math
import sys
import tomllib
import warnings

import numpy as np

Z95 = 1.6448536269514722
Z90 = 1.2815515655446004
LONG_AGO = -1_000_000
MAX_CYCLE = 600
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


# ---------------------------------------------------------------- the simulation (section 3)


def simulate(s, trials, seed):
    rng = np.random.default_rng(seed)
    n, months = trials, s["months"]
    nseg = len(s["segments"])
    out = {}

    # Month-major (months, n): a month's values are contiguous.
    def metric(name):
        out[name] = np.zeros((months, n))
        return out[name]

    # Once-per-trial draws (2.4).
    c = s["churn"].sample(rng, n)
    e = s["expansion"].sample(rng, n)
    L = s["leads"].sample(rng, n)
    g = s["growth"].sample(rng, n)
    q = s["q"].sample(rng, n)
    w = [seg["win_rate"].sample(rng, n) for seg in s["segments"]]
    h = [1.0 - (1.0 - role["attrition"].sample(rng, n)) ** (1.0 / 12.0) for role in s["roles"]]
    opm = [role["opm"].sample(rng, n) for role in s["roles"]]
    has_leads = s["leads"].const != 0.0

    if not has_leads and not s["roles"]:
        # Nothing can be sold: ARR under churn and expansion only, and no other metric.
        arr_m, churned_m, expansion_m = metric("arr"), metric("churned_arr"), metric("expansion_arr")
        metric("bookings")
        arr = np.full(n, s["arr0"])
        for t in range(months):
            churned_m[t] = arr * c
            expansion_m[t] = arr * e
            arr = arr * (1.0 - c + e)
            arr_m[t] = arr
        return {name: x.T for name, x in out.items()}

    # Staff by start month: column 0 the headcount (long ago, fully ramped), then one
    # column per planned start month, those before the start first (on staff at t = 0).
    cohorts = []
    for role in s["roles"]:
        starts = [LONG_AGO] + sorted(role["hires"])
        counts = np.zeros((n, len(starts)), dtype=np.int64)
        counts[:, 0] = role["headcount"]
        for j, o in enumerate(starts[1:], start=1):
            if o < 0:
                counts[:, j] = role["hires"][o]
        cohorts.append((starts, counts))

    arr_m, bookings_m = metric("arr"), metric("bookings")
    churned_m, expansion_m, pipeline_m = metric("churned_arr"), metric("expansion_arr"), metric("pipeline")
    leads_m, demand_m = metric("leads"), metric("opportunities.demand")
    capacity_m, worked_m, lost_m = metric("opportunities.capacity"), metric("opportunities.worked"), metric("opportunities.lost")
    won_m, closed_m = metric("deals.won"), metric("deals.closed")
    role_m = []
    for role in s["roles"]:
        rid = role["id"]
        role_m.append(tuple(metric(f"{k}.{rid}") for k in ("headcount", "ramped", "hires", "departures")))

    # Opportunities by close month: count, value; won count, won value.
    closing_count = np.zeros((months, n))
    closing_value = np.zeros((months, n))
    won_count = np.zeros((months, n))
    won_value = np.zeros((months, n))
    open_value = np.zeros(n)   # value worked so far, less the value closed so far
    arr = np.full(n, s["arr0"])
    grow = np.maximum(0.0, 1.0 + g)
    trial_index = np.arange(n)

    for t in range(months):
        # 3.1: planned hires start.
        for r, role in enumerate(s["roles"]):
            starts, counts = cohorts[r]
            arriving = role["hires"].get(t, 0)
            if arriving:
                counts[:, starts.index(t)] = arriving
            role_m[r][2][t] = arriving

        # 3.3: demand.
        demand = [np.zeros(n, dtype=np.int64) for _ in range(nseg)]
        if has_leads:
            lam = L * grow ** t * s["season"][(s["start"][1] - 1 + t) % 12]
            leads = rng.poisson(lam)
            leads_m[t] = leads
            left, mass = leads, 1.0
            for k, p in enumerate(s["mix"]):
                if k == nseg - 1 or mass <= p:
                    n_k = left
                else:
                    n_k = rng.binomial(left, min(1.0, p / mass))
                left = left - n_k
                mass -= p
                demand[k] = rng.binomial(n_k, q)
        demand_m[t] = sum(demand)

        # 3.4: supply.
        capacity = [np.zeros(n, dtype=np.int64) for _ in range(nseg)]
        for r, role in enumerate(s["roles"]):
            starts, counts = cohorts[r]
            live = sum(1 for st in starts if st <= t)   # columns of people on staff by now
            heads = counts[:, :live]
            ramps = np.array([ramp(role["curve"], t - st) for st in starts[:live]])
            role_m[r][0][t] = heads.sum(axis=1)
            role_m[r][1][t] = heads @ ramps
            x = ramps[None, :] * opm[r][:, None]
            whole = np.floor(x)
            frac = x - whole
            cap = (heads * whole).sum(axis=1)
            # One more opportunity with probability frac(x), for the groups that have one.
            cols = np.flatnonzero((frac > 0.0).any(axis=0))
            if len(cols):
                cap = cap + rng.binomial(heads[:, cols], frac[:, cols]).sum(axis=1)
            capacity[role["segment"]] += cap.astype(np.int64)
        capacity_m[t] = sum(capacity)

        # 3.5: work, deals.
        worked_t = np.zeros(n)
        for k, seg in enumerate(s["segments"]):
            worked = np.minimum(demand[k], capacity[k])
            worked_t += worked
            total = int(worked.sum())
            if total == 0:
                continue
            idx = np.repeat(trial_index, worked)
            won = rng.random(total) < np.repeat(w[k], worked)
            size = seg["deal_size"].sample(rng, total)
            cycle = seg["cycle"].sample(rng, total)
            cycle = np.minimum(np.floor(cycle + 0.5), MAX_CYCLE).astype(np.int64)
            open_value += np.bincount(idx, weights=size, minlength=n)
            # By (close month - t, trial); one more row for closes after the horizon.
            span = months - t
            flat = np.minimum(cycle, span) * n + idx
            won_size = size * won
            cells = n * (span + 1)
            closing_count[t:] += np.bincount(flat, minlength=cells)[: n * span].reshape(span, n)
            closing_value[t:] += np.bincount(flat, weights=size, minlength=cells)[: n * span].reshape(span, n)
            won_count[t:] += np.bincount(flat, weights=won, minlength=cells)[: n * span].reshape(span, n)
            won_value[t:] += np.bincount(flat, weights=won_size, minlength=cells)[: n * span].reshape(span, n)
        worked_m[t] = worked_t
        lost_m[t] = demand_m[t] - worked_t

        bookings = won_value[t]
        bookings_m[t] = bookings
        won_m[t] = won_count[t]
        closed_m[t] = closing_count[t]
        open_value -= closing_value[t]
        pipeline_m[t] = open_value
        churned_m[t] = arr * c
        expansion_m[t] = arr * e
        arr = arr * (1.0 - c + e) + bookings
        arr_m[t] = arr

        # 3.4: exits at the end of the month.
        for r in range(len(s["roles"])):
            starts, counts = cohorts[r]
            live = sum(1 for st in starts if st <= t)
            heads = counts[:, :live]
            leavers = rng.binomial(heads, h[r][:, None])
            counts[:, :live] = heads - leavers
            role_m[r][3][t] = leavers.sum(axis=1)

    with np.errstate(invalid="ignore", divide="ignore"):
        out["win_rate"] = np.where(closed_m > 0, won_m / np.maximum(closed_m, 1), np.nan)
    # Returned trial-major, (n, months), as views.
    return {name: x.T for name, x in out.items()}


# ---------------------------------------------------------------- outputs (section 5)

ORDER = ["arr", "bookings", "churned_arr", "expansion_arr", "pipeline", "leads", "opportunities.demand",
         "opportunities.capacity", "opportunities.worked", "opportunities.lost", "deals.won", "deals.closed",
         "win_rate"]


def stats(x):
    """mean and the seven type-7 quantiles along axis 0, over the values that exist."""
    if np.isnan(x).any():
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(x, axis=0), np.nanquantile(x, LEVELS, axis=0), np.sum(~np.isnan(x), axis=0)
    return x.mean(axis=0), np.quantile(x, LEVELS, axis=0), np.full(x.shape[1:], x.shape[0])


def stats_json(x):
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


def write_outputs(s, out, trials, seed, folder):
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
            "arr_at_target_month": stats_json(out["arr"][:, tg["month"]]),
        }
    stocks = ["arr", "pipeline"] + [f"{k}.{r['id']}" for r in s["roles"] for k in ("headcount", "ramped")]
    totals = ["bookings", "opportunities.lost", "deals.won"] + \
        [f"{k}.{r['id']}" for r in s["roles"] for k in ("hires", "departures")]
    summary["horizon"] = {
        "month": month_label(s, last),
        "metrics": {m: stats_json(out[m][:, last]) for m in sorted(stocks) if m in out},
        "totals": {m: stats_json(out[m].sum(axis=1)) for m in sorted(totals) if m in out},
    }
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", required=True, help="folder for monthly.csv and summary.json")
    ap.add_argument("--save-trials", metavar="FILE.npz", help="also keep the per-trial values")
    args = ap.parse_args(argv)
    try:
        s = load(args.scenario)
    except (ScenarioError, KeyError, ValueError) as err:
        print(f"{args.scenario}: {err}", file=sys.stderr)
        return 2
    trials = args.trials or s["trials"]
    seed = s["seed"] if args.seed is None else args.seed
    out = simulate(s, trials, seed)
    write_outputs(s, out, trials, seed, args.out)
    if args.save_trials:
        np.savez(args.save_trials, **out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

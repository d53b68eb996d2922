#!/usr/bin/env python3
"""The NumPy peer as first written (kept to time against; core_numpy.py is the peer).

The same model, scenario reading and outputs (core_scenario.py) as core_numpy.py,
written the long way: every worked opportunity draws its outcome (a uniform below the
win rate), a size and a gamma cycle rounded to whole months; leads are split by
sequential binomials and converted by a binomial per segment; each start month of a
role stays a group of its own; the quantiles are np.quantile's. It agrees with sopsim
and with core_numpy.py in distribution (`agree.py --peer naive`); `timing.py` times it
beside the peer.

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

import sys
import warnings

import numpy as np

from core_scenario import LEVELS, main, ramp  # noqa: E402

LONG_AGO = -1_000_000
MAX_CYCLE = 600


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

def stats(x):
    """mean and the seven type-7 quantiles along axis 0, over the values that exist."""
    if np.isnan(x).any():
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(x, axis=0), np.nanquantile(x, LEVELS, axis=0), np.sum(~np.isnan(x), axis=0)
    return x.mean(axis=0), np.quantile(x, LEVELS, axis=0), np.full(x.shape[1:], x.shape[0])


if __name__ == "__main__":
    sys.exit(main(__doc__.split("\n\n")[0], simulate, stats))

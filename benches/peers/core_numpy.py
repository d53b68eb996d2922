#!/usr/bin/env python3
"""The core of sopsim's model (docs/MODEL.md, sections 2 and 3) in NumPy, as a peer.

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

What it computes, per trial (MODEL.md section in brackets), drawn the cheapest exact
way: where people or opportunities are exchangeable a group is one draw, and nothing is
drawn whose value is never used (each shortcut is said where it is made, with why it
has the same distribution as the long way; core_numpy_naive.py is the long way):

- once per trial (2.4): churn c, expansion e, lead volume L, growth g, conversion q,
  each segment's win rate w[s], each role's annual attrition A[r] (monthly hazard
  h = 1 - (1 - A)^(1/12)) and opportunities a month; intervals fitted as in 2.2
  (beta for rates, lognormal for amounts, normal for growth), draws clamped to the
  key's support (2.1);
- leads (3.3): Poisson(lambda), lambda = L max(0, 1 + g)^t season[calendar month], split
  among segments on segment_mix, each lead an opportunity with probability q. By Poisson
  thinning a segment's opportunities are Poisson(lambda mix[s] q) and the leads not
  converted Poisson(lambda (1 - q)), independent: S + 1 Poisson draws a month;
- staff (3.0, 3.1, 3.4): people still ramping grouped by start month, the fully ramped
  (headcount, and each start month once its ramp is over) in one pool. A person works
  x = ramp(tenure) x opm opportunities, floor(x) plus one more with probability
  frac(x): for a group of n, n floor(x) + Binomial(n, frac(x)). At the end of the month
  each person on staff (the month's starters too) leaves with probability h: for a
  group, Binomial(n, h);
- work (3.5): worked[s] = min(demand[s], capacity[s]), lost = demand - worked; every
  worked opportunity draws won (U < w[s]) and its cycle, round(X) of the segment's
  cycle_months rounded half away from zero, by inversion of its distribution function
  through a guide table (one uniform), and is counted in its trial's cell
  (won, cycle): one np.bincount a segment and month. Sizes are independent of both,
  so a cell of k deals gets the sum of k fresh draws; they are drawn for the won deals
  and for the lost deals still open at a month end, and not for lost deals closing in
  the month they are worked (in no number). A deal closes in t + cycle (after the
  horizon: open for ever);
- bookings[t] = value of won deals closing in t; ARR[t] = ARR[t-1] (1 - c + e) +
  bookings[t]; pipeline[t] = value of the opportunities open at the end of t;
- P(hit) = share of trials with ARR[target month] >= target.arr (3.6, 5.1).

Trials are simulated in blocks of 8,192 (a month's arrays stay small), on one core
(OMP_NUM_THREADS=1 and the like are set before NumPy loads). Quantiles are np.quantile's
type-7, from np.partition, or from counts where a metric holds small whole numbers.

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

import ctypes
import math
import sys

import numpy as np

# A month of a block allocates and frees arrays of a few MB each; glibc hands such
# memory back to the kernel and faults it in again, which cost up to a third of a run
# in system time. Keep freed memory in the process instead (no effect elsewhere).
try:
    _libc = ctypes.CDLL("libc.so.6")
    _libc.mallopt(-3, 32 << 20)   # M_MMAP_THRESHOLD: blocks up to 32 MiB from the heap
    _libc.mallopt(-1, 1 << 30)    # M_TRIM_THRESHOLD: keep up to 1 GiB of freed heap
except (OSError, AttributeError):
    pass

from core_scenario import LEVELS, beta_reg, main, ramp  # noqa: E402

# ---------------------------------------------------------------- the simulation (section 3)


def gamma_reg(a, x):
    """Regularised lower incomplete gamma P(a, x): its series below a + 1, Lentz's
    continued fraction for Q = 1 - P above."""
    if x <= 0.0:
        return 0.0
    ln_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        k = a
        for _ in range(100_000):
            k += 1.0
            term *= x / k
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return min(1.0, total * math.exp(ln_front))
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    f = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        delta = c * d
        f *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(ln_front) * f)


def normal_cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def below(dist, x):
    """P(X < x) for a draw X of the key (after its clamp to the support, 2.1)."""
    if dist.const is not None:
        return 1.0 if dist.const < x else 0.0
    k, a = dist.kind, dist.args
    if k == "normal":
        return 0.0 if x <= dist.lower else 1.0 if x > dist.upper else normal_cdf((x - a[0]) / a[1])
    if k == "lognormal":
        return 0.0 if x <= 0.0 else normal_cdf((math.log(x) - a[0]) / a[1])
    if k == "gamma":
        return gamma_reg(a[0], x / a[1]) if x > 0.0 else 0.0
    if k == "beta":
        return beta_reg(a[0], a[1], x)
    if k == "pert":
        return beta_reg(a[2], a[3], (x - a[0]) / (a[1] - a[0]))
    if k == "uniform":
        return min(1.0, max(0.0, (x - a[0]) / (a[1] - a[0])))
    if k == "triangular":
        lo, mode, hi = a
        if x <= lo:
            return 0.0
        if x >= hi:
            return 1.0
        if x <= mode:
            return (x - lo) ** 2 / ((hi - lo) * (mode - lo))
        return 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - mode))
    # poisson: integer values, so X < k + 1/2 is X <= k
    lam, kmax = a[0], math.ceil(x) - 1
    if kmax < 0:
        return 0.0
    term = total = math.exp(-lam)
    for j in range(1, kmax + 1):
        term *= lam / j
        total += term
    return min(1.0, total)


GUIDE = 1 << 12


class WholeMonths:
    """The whole-month cycle of a segment (3.5): P(cycle <= k) = P(X < k + 1/2) for
    k = 0 .. months - 1, and a draw by inversion, the least k with V < P(cycle <= k)
    (`months` for a cycle past the horizon), through a guide table: the cycle of each
    of GUIDE equal cells of [0, 1), or -1 where a cell holds a step of the distribution
    function and a binary search decides. Exact: each V gets the cycle inversion gives."""

    def __init__(self, dist, months):
        self.cdf = np.array([below(dist, k + 0.5) for k in range(months)])
        edges = np.arange(GUIDE + 1) / GUIDE
        lo = np.searchsorted(self.cdf, edges[:-1], side="right")
        hi = np.searchsorted(self.cdf, edges[1:], side="left")
        self.table = np.where(lo == hi, lo, -1).astype(np.int16)
        tail = 1.0 - np.concatenate(([0.0], self.cdf))          # P(cycle >= k)
        # Cycles below `near` go on a trial's ledger as a matrix; the rarer longer ones
        # one by one.
        self.near = int(np.argmax(tail < 1e-3)) if (tail < 1e-3).any() else months
        self.near = max(1, self.near)
        self._codes = {}

    def codes(self, span):
        """For deals worked with `span` months left: the guide table of 2 min(cycle,
        near) (a deal's cell is that plus 1 if won) and near, the cycles kept as a
        matrix: 0 .. near - 1, and `span` (past the horizon) too when near = span."""
        if span not in self._codes:
            near = min(self.near, span)
            table = np.where(self.table < 0, -1, 2 * np.minimum(self.table, near)).astype(np.int16)
            self._codes[span] = (table, near)
        return self._codes[span]

    def draw(self, v):
        """The cycle of each uniform in v."""
        return np.searchsorted(self.cdf, v, side="right")

    def draw_codes(self, v, span):
        table, near = self.codes(span)
        code = table[(v * GUIDE).astype(np.intp)]
        step = np.flatnonzero(code < 0)
        if len(step):
            code[step] = 2 * np.minimum(self.draw(v[step]), near)
        return code, near


def sizes(dist, rng, m):
    """m draws of a deal size, and a factor to apply to their sums: a lognormal's
    exp(mu + sigma Z) as exp(sigma Z) in place, and exp(mu) once a cell (the same law as
    rng.lognormal, without its per-draw call)."""
    if dist.const is None and dist.kind == "lognormal":
        x = rng.standard_normal(m)
        x *= dist.args[1]
        return np.exp(x, out=x), math.exp(dist.args[0])
    return dist.sample(rng, m), 1.0


def sums_by_cell(counts, draw):
    """For a matrix of counts, the sum of counts[i, j] independent draws in each cell:
    draw(total) gives them all at once (and a factor for the sums), and a running sum
    read at the cells' ends files them (a cell of count 0 gets exactly 0). The draws are
    independent of the counts, so which draw lands in which cell does not matter."""
    ends = np.cumsum(counts, axis=None)
    total = int(ends[-1]) if len(ends) else 0
    if total == 0:
        return np.zeros(counts.shape)
    running = np.empty(total + 1)
    running[0] = 0.0
    x, factor = draw(total)
    np.cumsum(x, out=running[1:])
    sums = np.diff(running[ends], prepend=0.0).reshape(counts.shape)
    if factor != 1.0:
        sums *= factor
    return sums


BLOCK = 8192


def simulate(s, trials, seed, block=BLOCK):
    """Sections 2 and 3 for the core keys: per-trial values of every metric, as
    (trials, months) arrays. Trials are simulated in blocks of `block` (all of a
    block's trials at once, a month at a time), which keeps a month's arrays small
    enough to stay in cache; blocks draw from one generator in turn and write into
    the whole run's arrays."""
    rng = np.random.default_rng(seed)
    out = {}
    if s["leads"].const == 0.0 and not s["roles"]:
        block = trials   # nothing can be sold: a few arrays a month, no need of blocks
    for lo in range(0, trials, block):
        hi = min(trials, lo + block)

        # Month-major (months, trials): a month's values are contiguous.
        def metric(name, lo=lo, hi=hi):
            if name not in out:
                out[name] = np.zeros((s["months"], trials))
            return out[name][:, lo:hi]

        simulate_block(s, hi - lo, rng, metric)
    # Returned trial-major, (trials, months), as views.
    return {name: x.T for name, x in out.items()}


def simulate_block(s, n, rng, metric):
    """n trials of sections 2 and 3, written into the (months, n) arrays metric(name)
    gives. Where people or opportunities are exchangeable a group is drawn as one
    (each shortcut is exact in distribution; the comments say why), and no number is
    drawn whose value is never used."""
    months = s["months"]

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
        return

    # Staff (3.0, 3.1, 3.4). People of a role who are fully ramped (headcount, and every
    # start month once its ramp is over) are exchangeable: one pool. Those still ramping
    # are grouped by start month. Each group's capacity remainders and exits are
    # binomials: the sum of n Bernoulli(p) draws is Binomial(n, p).
    staff = []
    for role in s["roles"]:
        pool = np.full(n, role["headcount"], dtype=np.int64)
        ramping = {}
        for o, k in role["hires"].items():
            if o < 0:
                ramping[o] = np.full(n, k, dtype=np.int64)
        staff.append((pool, ramping))
    exits = [bool(np.any(hr > 0.0)) for hr in h]

    arr_m, bookings_m = metric("arr"), metric("bookings")
    churned_m, expansion_m, pipeline_m = metric("churned_arr"), metric("expansion_arr"), metric("pipeline")
    leads_m, demand_m = metric("leads"), metric("opportunities.demand")
    capacity_m, worked_m, lost_m = metric("opportunities.capacity"), metric("opportunities.worked"), metric("opportunities.lost")
    won_m, closed_m = metric("deals.won"), metric("deals.closed")
    role_m = []
    for role in s["roles"]:
        rid = role["id"]
        role_m.append(tuple(metric(f"{k}.{rid}") for k in ("headcount", "ramped", "hires", "departures")))

    cycles = [WholeMonths(seg["cycle"], months) for seg in s["segments"]]
    trial_index = np.arange(n)

    # Trial-major (n, months) ledgers by close month.
    won_count = np.zeros((n, months))
    won_value = np.zeros((n, months))
    closed_count = np.zeros((n, months))
    leaving_value = np.zeros((n, months))   # value of deals closing in the month that were open at a month end
    open_value = np.zeros(n)
    arr = np.full(n, s["arr0"])
    grow = np.maximum(0.0, 1.0 + g)
    season = s["season"]
    mix_q = [p * q for p in s["mix"]]

    for t in range(months):
        # 3.1: planned hires start (tenure 0).
        for r, role in enumerate(s["roles"]):
            arriving = role["hires"].get(t, 0)
            if arriving:
                staff[r][1][t] = np.full(n, arriving, dtype=np.int64)
            role_m[r][2][t] = arriving

        # 3.3: demand. Leads ~ Poisson(lambda) split by a multinomial on the mix, each
        # kept with probability q: by Poisson thinning the opportunities of segment k
        # are Poisson(lambda mix[k] q) and the leads not converted Poisson(lambda (1 - q)),
        # all independent; leads is their sum.
        if has_leads:
            lam = L * grow ** t * season[(s["start"][1] - 1 + t) % 12]
            demand = [rng.poisson(lam * mq) for mq in mix_q]
            not_converted = rng.poisson(lam * (1.0 - q))
            leads_m[t] = sum(demand) + not_converted
            demand_m[t] = sum(demand)
        else:
            demand = [np.zeros(n, dtype=np.int64) for _ in s["segments"]]

        # 3.4: supply.
        capacity = [np.zeros(n, dtype=np.int64) for _ in s["segments"]]
        for r, role in enumerate(s["roles"]):
            pool, ramping = staff[r]
            curve = role["curve"]
            for st in [st for st in ramping if t - st >= len(curve)]:
                pool += ramping.pop(st)   # ramp over: into the pool
            groups = [(pool, 1.0)] + [(cnt, ramp(curve, t - st)) for st, cnt in ramping.items()]
            heads = sum(cnt for cnt, _ in groups)
            role_m[r][0][t] = heads
            role_m[r][1][t] = sum(cnt * rp for cnt, rp in groups)
            cap = np.zeros(n, dtype=np.int64)
            for cnt, rp in groups:
                x = rp * opm[r]
                whole = np.floor(x)
                frac = x - whole
                cap += cnt * whole.astype(np.int64)
                if np.any(frac > 0.0):
                    cap += rng.binomial(cnt, frac)
            capacity[role["segment"]] += cap
        capacity_m[t] = sum(capacity)

        # 3.5: work and deals. Every worked opportunity draws its outcome (a uniform
        # below w) and its whole-month cycle (a uniform through the segment's table),
        # and is counted in its trial's cell (outcome, cycle). A size is drawn for
        # every won deal (bookings, and the pipeline until it closes) and for every lost
        # one still open at a month end (the pipeline): a lost deal closing in the month
        # it is worked is in no number, so it draws no size. Sizes are independent of
        # outcome and cycle, so a cell's value is the sum of as many fresh draws as it
        # has deals.
        span = months - t
        worked_t = np.zeros(n, dtype=np.int64)
        for k, seg in enumerate(s["segments"]):
            worked = np.minimum(demand[k], capacity[k])
            worked_t += worked
            total = int(worked.sum())
            if total == 0:
                continue
            uniforms = rng.random(2 * total)
            won = uniforms[:total] < np.repeat(w[k], worked)
            code, near = cycles[k].draw_codes(uniforms[total:], span)
            cols = near + 1 if near == span else near   # with `span`: past the horizon
            # Cell (trial, cycle, won) of each deal: cycles from `near` on in a last
            # pair of cells of their own (unless that is past the horizon).
            width = 2 * (near + 1)
            code += won
            flat = np.repeat(trial_index * width, worked)
            flat += code
            cells = np.bincount(flat, minlength=n * width).reshape(n, width)
            won_by, lost_by = cells[:, 1::2], cells[:, 0::2]
            value = sums_by_cell(np.concatenate((won_by[:, :cols], lost_by[:, 1:cols]), axis=1),
                                 lambda m: sizes(seg["deal_size"], rng, m))
            won_val, staying = value[:, :cols], value[:, cols:]
            staying += won_val[:, 1:]                 # cycles 1 .. cols - 1
            close = min(cols, span)                   # cycles that close within the horizon
            won_count[:, t:t + close] += won_by[:, :close]
            won_value[:, t:t + close] += won_val[:, :close]
            closed_count[:, t:t + close] += won_by[:, :close] + lost_by[:, :close]
            open_value += staying.sum(axis=1)
            leaving_value[:, t + 1:t + close] += staying[:, :close - 1]
            if near < span:
                # The rare long cycles, one by one (past the horizon: never closes).
                far = np.flatnonzero(code >= 2 * near)
                if len(far):
                    who, far_won = flat[far] // width, won[far]
                    long_cycle = cycles[k].draw(uniforms[total:][far])
                    size, factor = sizes(seg["deal_size"], rng, len(far))
                    size *= factor
                    np.add.at(open_value, who, size)
                    inside = long_cycle < span
                    who, month, size, far_won = who[inside], t + long_cycle[inside], size[inside], far_won[inside]
                    np.add.at(won_count, (who, month), far_won)
                    np.add.at(won_value, (who, month), size * far_won)
                    np.add.at(closed_count, (who, month), 1)
                    np.add.at(leaving_value, (who, month), size)
        worked_m[t] = worked_t
        lost_m[t] = demand_m[t] - worked_t

        bookings = won_value[:, t]
        bookings_m[t] = bookings
        won_m[t] = won_count[:, t]
        closed_m[t] = closed_count[:, t]
        open_value -= leaving_value[:, t]
        pipeline_m[t] = open_value
        churned_m[t] = arr * c
        expansion_m[t] = arr * e
        arr = arr * (1.0 - c + e) + bookings
        arr_m[t] = arr

        # 3.4: exits at the end of the month, Binomial(group, h) for each group.
        for r in range(len(s["roles"])):
            if not exits[r]:
                continue
            pool, ramping = staff[r]
            leavers = rng.binomial(pool, h[r])
            pool -= leavers
            for st, cnt in ramping.items():
                gone = rng.binomial(cnt, h[r])
                cnt -= gone
                leavers += gone
            role_m[r][3][t] = leavers

    with np.errstate(invalid="ignore", divide="ignore"):
        metric("win_rate")[:] = np.where(closed_m > 0, won_m / np.maximum(closed_m, 1), np.nan)


# ---------------------------------------------------------------- outputs (section 5)

def order_statistics(v, ks):
    """The values of rank ks (0-based) of the 1-D sample v: by counting where v holds
    small whole numbers (a head count, a count of deals), else by np.partition."""
    if v.dtype.kind == "f" and len(v) > 1000:
        low, high = v.min(), v.max()
        if high - low < 4 * len(v) and np.array_equal(v, np.floor(v)):
            counts = np.cumsum(np.bincount((v - low).astype(np.int64)))
            return np.searchsorted(counts, ks, side="right") + low
    return np.partition(v, ks)[ks]


def quantiles(v):
    """The seven type-7 quantiles of a 1-D sample, as np.quantile computes them."""
    h = (len(v) - 1) * np.asarray(LEVELS)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, len(v) - 1)
    ks = np.unique(np.concatenate((lo, hi)))
    at = dict(zip(ks.tolist(), order_statistics(v, ks).tolist()))
    a, b = np.array([at[k] for k in lo.tolist()]), np.array([at[k] for k in hi.tolist()])
    t, d = h - lo, b - a
    return np.where(t >= 0.5, b - d * (1.0 - t), a + d * t)


def stats(x):
    """mean and the seven type-7 quantiles along axis 0, over the values that exist."""
    if x.ndim == 1:
        mean, qs, count = stats(x[:, None])
        return mean[0], qs[:, 0], count[0]
    rows = np.ascontiguousarray(x.T)   # a (months, trials) array: each month contiguous
    mean, qs, count = np.full(len(rows), np.nan), np.full((7, len(rows)), np.nan), np.zeros(len(rows), np.int64)
    for t, v in enumerate(rows):
        if np.isnan(v).any():
            v = v[~np.isnan(v)]
        count[t] = len(v)
        if len(v):
            mean[t], qs[:, t] = v.mean(), quantiles(v)
    return mean, qs, count


if __name__ == "__main__":
    sys.exit(main(__doc__.split("\n\n")[0], simulate, stats))

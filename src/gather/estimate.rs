//! How `gather` estimates each value of the scenario it writes ([`Fitted`]) from an
//! export's measurements: the company's ARR, churn and close noise, each segment's
//! sizes, win rate, resolution chances and cycles, the demand's level, growth,
//! seasonality and noise, the closers, and the open pipeline.

use super::closers::{self, Headcount};
use super::date::{Date, month_label};
use super::fit::{self, Fit, Trend};
use super::fitted::{
    CloseNoise, ClosedDeals, Closers, Company, CompetingRisks, Demand, Fitted, Growth, Leads, Level,
    MIN_QUARTER_AT_RISK, MIN_QUARTER_LOST, MIN_QUARTER_WON, Old, Pipeline, QUARTER_LEVEL, QuarterCycles, QuarterTiming,
    Rate, Resolution, Sample, Segment, Spread, Timing, Volume, VolumeNoise,
};
use super::measure::{self, Measured};
use super::read::group;
use super::timing;
use super::words::{num, percent, positive_interval, volume_fits};
use super::{ACTIVE_DAYS, resolve};
use crate::scenario::{MAX_ID_CHARS, MAX_MONTHS};

/// Bootstrap resamples for the standard errors of the resolution chances.
const BOOTSTRAP_ROUNDS: usize = 200;

/// How many standard errors from 0 a volume's slope must be to be kept: `sqrt(2)`, where
/// the slope lowers the Akaike information criterion of the fit (its one parameter
/// buys a log-likelihood gain `z^2 / 2` above 1). Kept or dropped for the forecast it
/// makes, not for a test of growth: at 2 standard errors, a business growing 3% a
/// month was forecast flat at most cutoffs of its first year.
const SLOPE_Z: f64 = std::f64::consts::SQRT_2;

/// Fits a scenario of `months` months from the measures `m`, on quarters starting in
/// the month `fiscal_year_start` of the year (0: January; `None`: calendar quarters,
/// not stated in the scenario).
pub fn fit(mut m: Measured, months: u64, fiscal_year_start: Option<u32>) -> Fitted {
    let as_of = m.as_of;
    let start = as_of.month_index() + 1;
    let stem = std::path::Path::new(&m.file).file_stem().map_or("export".into(), |s| s.to_string_lossy().into_owned());
    let mut warnings = std::mem::take(&mut m.warnings);
    let names = names(&m, &mut warnings);
    let fiscal_year_start = fiscal_year_start.map(|f| f % 12);
    let fiscal = quarters_from(fiscal_year_start);
    let company = company(&m, fiscal_year_start);
    let mut summary = vec![format!("as of {as_of}: {}; the scenario starts in {}", m.why, month_label(start))];
    // A deal still open at the as-of date was seen for the share of its last month of
    // age that the as-of date closes (docs/MODEL.md 9.3): the whole of it at a month's
    // end, where the actuarial half would count it at risk for half a month it lived
    // through, and read the incidence high.
    let seen = as_of.month_share();
    let (mut segments, mut pipeline) = (Vec::new(), Vec::new());
    for (k, s) in m.segments.iter_mut().enumerate() {
        let (segment, open, line) = fit_segment(k, s, &names[k], m.observed_from, seen, fiscal);
        segments.push(segment);
        pipeline.extend(open);
        summary.push(line);
    }
    let demand = demand(&m, &names, start, months);
    let closers = closers(&m, &names, &demand, months, &mut warnings);
    summary.extend(volume_summary(&demand));
    summary.extend(closers.iter().map(|c| {
        let (id, staff, most) = (&c.id, c.headcount.count, num(c.capacity().ceil(), 0));
        format!("role {id}: {staff} closers on staff, up to {most} opportunities a month each")
    }));
    Fitted {
        file: m.file,
        rows: m.rows,
        columns: m.columns,
        as_of,
        why: m.why,
        known: m.known,
        name: format!("{stem} (gathered, as of {as_of})"),
        start,
        months,
        company,
        segments,
        demand,
        closers,
        pipeline,
        warnings,
        summary,
    }
}

/// The segments' names in the scenario, with a warning for each name shortened.
fn names(m: &Measured, warnings: &mut Vec<String>) -> Vec<String> {
    let export_names: Vec<String> = m.segments.iter().map(|s| s.name.clone()).collect();
    let (names, shortened) = segment_names(&export_names);
    for (long, short) in &shortened {
        warnings.push(format!(
            "{}: the segment `{long}` is longer than a scenario's names may be ({MAX_ID_CHARS} characters): \
             named `{short}`",
            m.file
        ));
    }
    names
}

/// The summary's line of the volume, if there is one.
fn volume_summary(demand: &Demand) -> Option<String> {
    let Volume::Leads(l) = &demand.volume else { return None };
    Some(format!("volume: {} opportunities a month at the start ({})", num(l.level, 0), demand.history()))
}

/// The month of the year the quarters start in (0: January), for the month the fiscal
/// year starts in, if given (calendar quarters if not).
fn quarters_from(fiscal_year_start: Option<u32>) -> i32 {
    fiscal_year_start.map_or(0, |f| (f % 12) as i32)
}

/// The quarter timing and the close noise, from the won deals by month, on the fiscal
/// quarters of a year starting in month `fiscal_year_start` (0: January; `None`:
/// calendar quarters, not stated).
fn company(m: &Measured, fiscal_year_start: Option<u32>) -> Company {
    let fiscal = quarters_from(fiscal_year_start);
    // Quarter timing from the whole quarters of won deals, leaving out a first month that
    // holds the closes piled up before a mid-stream export starts.
    let closes_from =
        if m.starts_mid_stream || m.first_close.ymd().2 != 1 { m.observed_from + 1 } else { m.observed_from };
    // Nor the months in which the first cohorts are still filling the pipeline: from
    // the first created month plus the age by which 90% of won deals have closed.
    let mut won_ages: Vec<f64> = m.segments.iter().flat_map(|s| s.won_cycles.iter().map(|(_, c)| *c)).collect();
    won_ages.sort_by(f64::total_cmp);
    let filled = if won_ages.is_empty() { 0 } else { crate::stats::quantile_sorted(&won_ages, 0.9).ceil() as i32 };
    let closes_from = closes_from.max(if m.starts_mid_stream { 0 } else { m.window_start + filled });
    let quarter_timing = match timing::quarter_factors(&m.won_by_month, closes_from, m.window_end, fiscal) {
        // A month of the quarter in which no deal was ever won has a factor of 0, which
        // the scenario cannot take: the least factor it takes keeps that month all but
        // empty.
        Some(mut q) if q.significant() => {
            q.factors = q.factors.map(|f| f.max(crate::scenario::MIN_FACTOR));
            QuarterTiming::Pushed(q)
        }
        Some(q) => QuarterTiming::Flat(q),
        None => QuarterTiming::TooFew,
    };
    let pushed = quarter_timing.pushed();
    let won_months: Vec<f64> = (closes_from..=m.window_end)
        .map(|month| {
            let f = pushed.map_or(1.0, |q| q.factors[timing::phase(month, fiscal)]);
            m.won_by_month.get(&month).copied().unwrap_or(0) as f64 / f
        })
        .collect();
    let sd = timing::close_noise(&won_months);
    let close_noise =
        (sd > 0.0).then_some(CloseNoise { sd, months: won_months.len(), after_quarter_timing: pushed.is_some() });
    Company { fiscal_year_start, close_noise, quarter_timing }
}

/// Segment `k` named `name`: its deals, its open pipeline (if it has one) and its line
/// of the summary; `observed_from` is the export's first month with a close, `seen` the
/// share of its last month of age a deal open at the as-of date counts for, `fiscal`
/// the month the quarters start in (0: January).
fn fit_segment(
    k: usize,
    s: &mut measure::Segment,
    name: &str,
    observed_from: i32,
    seen: f64,
    fiscal: i32,
) -> (Segment, Option<Pipeline>, String) {
    let incidence = resolve::aalen_johansen(&s.spans, seen, resolve::MIN_AT_RISK)
        .filter(|f| f.win() + f.loss() > 0.0)
        .map(resolve::Incidence::with_tail);
    let longest = s.cycles.iter().copied().max_by(f64::total_cmp);
    let resolution = match &incidence {
        Some(f) => Resolution::CompetingRisks(competing_risks(f, s, seen, k as u64, observed_from, fiscal)),
        None => Resolution::ClosedDeals(ClosedDeals {
            won: s.won,
            lost: s.lost,
            closes: s.first_close.zip(s.last_close),
            mature_until: s.mature_until,
            interval: fit::win_rate_interval(s.won, s.lost),
            cycle: sample(&mut s.cycles, fit::cycles),
        }),
    };
    let deal_size = sample(&mut s.sizes, fit::sizes);
    let undated_open = s.open.get(&-1).copied().unwrap_or(0);
    let open = pipeline(name, s, &resolution, longest);
    let segment = Segment { name: name.to_string(), export_name: s.name.clone(), resolution, deal_size, undated_open };
    let line = segment_summary(&segment, s);
    (segment, open, line)
}

/// A sample fitted by `f`, with its count; `None` if `f` finds nothing to fit.
fn sample(values: &mut [f64], f: fn(&mut [f64]) -> Option<Fit>) -> Option<Sample> {
    let n = values.len();
    f(values).map(|fit| Sample { fit, n })
}

/// How the deals of `s` resolve, from their competing-risks estimate `f`; `seed` draws
/// the bootstrap, `seen` is the share of its last month of age a deal open at the as-of
/// date counts for, `observed_from` is the export's first month with a close, and
/// `fiscal` the month the quarters start in (0: January).
fn competing_risks(
    f: &resolve::Incidence,
    s: &measure::Segment,
    seen: f64,
    seed: u64,
    observed_from: i32,
    fiscal: i32,
) -> CompetingRisks {
    let spans = &s.spans;
    let (se_win, se_stall) = resolve::bootstrap_se(spans, seen, f, BOOTSTRAP_ROUNDS, seed);
    let cohorts: Vec<(i32, resolve::Span)> = s.span_cohorts.iter().copied().zip(spans.iter().copied()).collect();
    let count = |end: resolve::End| spans.iter().filter(|d| d.end == end).count() as u64;
    let rate = |p: f64, se: f64| {
        let (low, high) = resolve::rate_interval(p, se);
        Rate { p, se, low, high }
    };
    let timing = |won: bool| timing_of(f, won);
    let stall = f.stall();
    let (cycle, loss_cycle) = (timing(true), timing(false));
    let by_quarter = quarter_cycles(&cohorts, seen, f.observed(), fiscal);
    let cohort_noise = match &by_quarter {
        Some(q) => {
            let hazards = quarter_won_hazards(f, q, loss_cycle.as_ref());
            resolve::cohort_noise_against(&cohorts, seen, &hazards, |cohort| timing::phase(cohort, fiscal))
        }
        None => resolve::cohort_noise(&cohorts, seen, f),
    };
    CompetingRisks {
        deals: spans.len() as u64,
        won: count(resolve::End::Won),
        lost: count(resolve::End::Lost),
        open: count(resolve::End::Open),
        horizon: f.horizon(),
        observed: f.observed(),
        mid_stream_from: spans.iter().any(|d| d.entry > 0).then_some(observed_from),
        win: rate(f.win(), se_win),
        loss: f.loss(),
        stall,
        stall_rate: (stall >= 0.0005).then(|| rate(stall, se_stall)),
        cycle,
        loss_cycle,
        cohort_noise,
        by_quarter: by_quarter.map(Box::new),
    }
}

/// The age at which deals of the outcome close under the estimate `f`; `None` if none
/// does.
fn timing_of(f: &resolve::Incidence, won: bool) -> Option<Timing> {
    let p = f.timing(won);
    let total: f64 = p.iter().sum();
    let chances: Vec<f64> = p.iter().map(|x| x / total).collect();
    let mean: f64 = chances.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    (total > 0.0).then_some(Timing { mean, chances })
}

/// The won hazard by age the scenario expects of a cohort created in each month of the
/// quarter where its cycles are written by month of the quarter (`q`): the model
/// (docs/MODEL.md 3.5) takes the win, loss and stall chances of all the deals (`f`) and
/// only the timing from the month of the quarter, the won cycle of `q` and its lost
/// cycle where `q` has one (else `pooled_loss`, the lost timing of all the deals). The
/// cohort noise is the spread around what the scenario simulates: against the pooled
/// timing, a cohort of a month whose deals close early would read as winning more than
/// expected, and quarter-dependent timing as noise. Not each month's own competing-risks
/// estimate (its win chance too): a difference in win chance between the months of the
/// quarter is not simulated but by the cohort noise, and measured against each month's
/// own chance it would be left out of the noise as well as out of the model.
fn quarter_won_hazards(f: &resolve::Incidence, q: &QuarterCycles, pooled_loss: Option<&Timing>) -> Vec<Vec<f64>> {
    let no_loss: &[f64] = &[];
    (0..3)
        .map(|p| {
            let lost = q.loss_cycle.as_ref().map(|l| &l[p]).or(pooled_loss).map_or(no_loss, |t| &t.chances);
            resolve::model_won_hazard(f.win(), f.loss(), &q.cycle[p].chances, lost)
        })
        .collect()
}

/// The won and lost timing of `deals` (each with its created month) by the month of
/// the quarter it was created in, quarters starting in month `fiscal` of the year (0:
/// January): `None` unless each month has at least [`MIN_QUARTER_WON`] won deals and
/// the months' deals resolve differently by age, up to `horizon`, beyond chance
/// ([`resolve::heterogeneity`] below [`QUARTER_LEVEL`]).
fn quarter_cycles(deals: &[(i32, resolve::Span)], seen: f64, horizon: u32, fiscal: i32) -> Option<QuarterCycles> {
    let of = |p: usize| -> Vec<resolve::Span> {
        deals.iter().filter(|(c, _)| timing::phase(*c, fiscal) == p).map(|(_, d)| *d).collect()
    };
    let spans = [of(0), of(1), of(2)];
    let count = |p: usize, end: resolve::End| spans[p].iter().filter(|d| d.end == end).count() as u64;
    let won = [0, 1, 2].map(|p| count(p, resolve::End::Won));
    let lost = [0, 1, 2].map(|p| count(p, resolve::End::Lost));
    if won.iter().any(|&w| w < MIN_QUARTER_WON) {
        return None;
    }
    let test = resolve::heterogeneity(&spans, seen, horizon);
    if !(test.p < QUARTER_LEVEL) {
        return None;
    }
    let all: Vec<resolve::Span> = spans.iter().flatten().copied().collect();
    let f: Vec<resolve::Incidence> = spans
        .iter()
        .map(|d| resolve::stratum(d, &all, seen, horizon, MIN_QUARTER_AT_RISK).map(resolve::Incidence::with_tail))
        .collect::<Option<_>>()?;
    let cycle: Vec<Timing> = f.iter().map(|f| timing_of(f, true)).collect::<Option<_>>()?;
    let loss_cycle: Option<Vec<Timing>> = if lost.iter().all(|&l| l >= MIN_QUARTER_LOST) {
        f.iter().map(|f| timing_of(f, false)).collect()
    } else {
        None
    };
    Some(QuarterCycles {
        test,
        deals: [0, 1, 2].map(|p| spans[p].len() as u64),
        won,
        lost,
        cycle: cycle.try_into().ok()?,
        loss_cycle: loss_cycle.and_then(|c| c.try_into().ok()),
    })
}

/// The open pipeline of the segment `s` named `name`, if it has deals open with a
/// created date: `longest` is its longest won cycle.
fn pipeline(name: &str, s: &measure::Segment, resolution: &Resolution, longest: Option<f64>) -> Option<Pipeline> {
    let ages: Vec<(i32, u64)> = s.open.iter().filter(|(age, _)| **age >= 0).map(|(a, n)| (*a, *n)).collect();
    if ages.is_empty() {
        return None;
    }
    let total: u64 = ages.iter().map(|(_, n)| n).sum();
    let old = match resolution {
        Resolution::CompetingRisks(c) => {
            let h = c.horizon;
            Old::Stalled { horizon: h, count: ages.iter().filter(|(a, _)| *a >= h as i32).map(|(_, n)| n).sum() }
        }
        // A deal open at age a has a cycle of at least a + 1 months.
        Resolution::ClosedDeals(_) => Old::Stale {
            longest,
            count: ages.iter().filter(|(a, _)| longest.is_none_or(|l| f64::from(a + 1) > l)).map(|(_, n)| n).sum(),
        },
    };
    // A scenario's pipeline ages end at its longest horizon: older deals are written
    // at that age (stale either way).
    let oldest = MAX_MONTHS as i32;
    let beyond: u64 = ages.iter().filter(|(a, _)| *a > oldest).map(|(_, n)| n).sum();
    let mut written = ages;
    if beyond > 0 {
        let at_oldest: u64 = beyond + written.iter().filter(|(a, _)| *a == oldest).map(|(_, n)| n).sum::<u64>();
        written.retain(|(a, _)| *a < oldest);
        written.push((oldest, at_oldest));
    }
    Some(Pipeline { segment: name.to_string(), total, old, beyond, ages: written })
}

/// The summary line of `segment`, measured as `s`.
fn segment_summary(segment: &Segment, s: &measure::Segment) -> String {
    let closed = s.won + s.lost;
    let (outcome, cycle) = match &segment.resolution {
        Resolution::CompetingRisks(c) => (
            format!(
                "won {}, lost {}, stalled {} by age {} months",
                percent(c.win.p),
                percent(c.loss),
                percent(c.stall),
                c.horizon
            ),
            c.cycle.as_ref().filter(|_| c.win.p > 0.0).map(|t| t.median().to_string()),
        ),
        Resolution::ClosedDeals(_) => {
            (format!("win rate {} ({} closed)", percent(s.won as f64 / closed.max(1) as f64), group(closed)), None)
        }
    };
    let cycle = cycle.unwrap_or_else(|| {
        let mut cycles = s.cycles.clone();
        cycles.sort_by(f64::total_cmp);
        if cycles.is_empty() { "n/a".into() } else { num(crate::stats::quantile_sorted(&cycles, 0.5), 1) }
    });
    let size = if s.sizes.is_empty() {
        "n/a".into()
    } else {
        crate::format::money(crate::stats::quantile_sorted(&s.sizes, 0.5))
    };
    let open: u64 = s.open.values().sum();
    let cycle = if cycle == "1" { "1 month".to_string() } else { format!("{cycle} months") };
    format!("segment {}: {outcome}, median deal {size}, median cycle {cycle}, {} open", segment.name, group(open))
}

/// The volume of all segments' opportunities, and each one's share, for a scenario
/// starting in month `start` of `months` months; `names` are the segments' names.
fn demand(m: &Measured, names: &[String], start: i32, months: u64) -> Demand {
    let window: Vec<i32> = (m.window_start..=m.window_end).collect();
    let totals: Vec<f64> =
        window.iter().map(|w| m.segments.iter().map(|s| *s.created.get(w).unwrap_or(&0) as f64).sum()).collect();
    // An export that ends mid-stream: its last months' creations fall away.
    let (counts, dropped) = timing::trim_end(&totals);
    let last = m.window_end - dropped.len() as i32;
    let at = f64::from(start - m.window_start);
    let volume = volume(&counts, at, window.len(), m.window_start, months);
    let total: f64 = counts.iter().sum::<f64>().max(1.0);
    let mix = if names.len() > 1 && matches!(volume, Volume::Leads(_)) {
        let share = |s: &measure::Segment| s.created.values().sum::<u64>() as f64 / total;
        names.iter().zip(&m.segments).map(|(name, s)| (name.clone(), share(s))).collect()
    } else {
        Vec::new()
    };
    Demand { counts, first: m.window_start, last, window_months: window.len(), dropped, volume, mix }
}

/// The leads a month from the monthly `counts` (the first in month `first`) at the
/// month `at` after the first, for a scenario of `months` months; `window` is the
/// volume window's length before its last months were left out.
fn volume(counts: &[f64], at: f64, window: usize, first: i32, months: u64) -> Volume {
    // A slope that does not earn its parameter ([`SLOPE_Z`]) is dropped, and the level
    // is then the mean: extending it would move the level as far as the slope's noise.
    let slope = fit::trend(counts, at);
    let Some(t) = slope.clone() else { return Volume::Unmeasured };
    let significant = t.slope_se.is_finite() && (t.growth + 1.0).ln().abs() > SLOPE_Z * t.slope_se;
    let method = if t.months < 3 {
        Level::FewMonths
    } else if significant {
        Level::Trend
    } else {
        Level::Mean
    };
    let t = if method == Level::Mean { fit::flat(counts).unwrap_or(t) } else { t };
    let interval = ((t.level.ln() - 1.645 * t.level_se).exp(), (t.level.ln() + 1.645 * t.level_se).exp());
    if positive_interval(interval.0, interval.1).is_none() {
        return Volume::TooFew;
    }
    let peak = if window < 24 { 1.0 } else { seasonality(counts, first, &t, at).into_iter().fold(0.0, f64::max) };
    let growth = growth(&t, slope.as_ref(), significant, interval, months, peak);
    let residual = timing::log_residual_var(counts, significant);
    let sd = timing::volume_noise(counts, residual);
    let noise = if sd > 0.0 {
        let positive: Vec<f64> = counts.iter().copied().filter(|c| *c > 0.0).collect();
        let poisson = (positive.iter().map(|c| 1.0 / c).sum::<f64>() / positive.len().max(1) as f64).sqrt();
        VolumeNoise::Shock { sd, spread: residual.sqrt(), poisson, around_trend: significant }
    } else if counts.len() >= 4 {
        VolumeNoise::Poisson
    } else {
        VolumeNoise::Unmeasured
    };
    let seasonality = (counts.len() >= 24).then(|| seasonality(counts, first, &t, at));
    Volume::Leads(Leads { level: t.level, interval, method, growth, noise, seasonality })
}

/// The growth of the trend `t` (`slope` the sloped fit, whether kept or not): its 90%
/// interval if `significant` and one a scenario of `months` months can take from the
/// level's `interval` and the seasonal `peak`, else 0 and why.
fn growth(t: &Trend, slope: Option<&Trend>, significant: bool, interval: (f64, f64), months: u64, peak: f64) -> Growth {
    let b = (t.growth + 1.0).ln();
    let (low, high) = ((b - 1.645 * t.slope_se).exp() - 1.0, (b + 1.645 * t.slope_se).exp() - 1.0);
    // A slope a scenario cannot take (a monthly growth at or beyond -100% or
    // +100%, or one compounding past what can be simulated) is left out.
    let holds = -1.0 < low && high < 1.0 && volume_fits(interval.0, interval.1, 0.5 * (low + high), months, peak);
    match slope.filter(|f| f.months >= 3) {
        _ if significant && !holds => Growth::TooSteep { growth: t.growth, low, high },
        _ if significant => Growth::Trend { growth: t.growth, low, high },
        Some(fitted) => Growth::Unproven { growth: fitted.growth, se: fitted.slope_se },
        None => Growth::NoSlope,
    }
}

/// Seasonal factors from at least two years: each calendar month's mean ratio of its
/// count to the trend, scaled to a mean of 1.
fn seasonality(counts: &[f64], first_month: i32, t: &Trend, at: f64) -> [f64; 12] {
    let b = (t.growth + 1.0).ln();
    let mut sum = [0.0; 12];
    let mut n = [0.0; 12];
    for (i, c) in counts.iter().enumerate() {
        let expected = t.level * (b * (i as f64 - at)).exp();
        let m = (first_month + i as i32).rem_euclid(12) as usize;
        sum[m] += c / expected;
        n[m] += 1.0;
    }
    let mut f = [1.0; 12];
    for m in 0..12 {
        if n[m] > 0.0 {
            f[m] = sum[m] / n[m];
        }
    }
    let mean = f.iter().sum::<f64>() / 12.0;
    f.map(|x| x / mean)
}

/// Each segment's closers: the owners active in the last [`ACTIVE_DAYS`], each in the
/// segment of most of their opportunities; `counts` are all segments' opportunities a
/// month, for the share a segment without closers loses. What the headcount had to
/// settle goes to `warnings`.
fn closers(m: &Measured, names: &[String], demand: &Demand, months: u64, warnings: &mut Vec<String>) -> Vec<Closers> {
    let counts = &demand.counts;
    let since = Date(m.as_of.0 - ACTIVE_DAYS);
    let active = m.owners.iter().filter(|w| w.last_active.is_some_and(|d| d > since)).map(|w| &w.by_segment);
    let headcounts = closers::headcounts(active, m.segments.len());
    let mut ids: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (k, (s, headcount)) in m.segments.iter().zip(headcounts).enumerate() {
        let load = (m.window_start..=m.window_end)
            .filter_map(|month| {
                let reps = s.creators.get(&month).map_or(0, std::collections::BTreeSet::len);
                (reps > 0).then(|| *s.created.get(&month).unwrap_or(&0) as f64 / reps as f64)
            })
            .fold(0.0, f64::max);
        let id = role_id(&names[k], m.segments.len(), &ids);
        ids.push(id.clone());
        let created: u64 = s.created.values().sum();
        if let Some(w) = headcount_warning(m, &names[k], &headcount, created, counts) {
            warnings.push(w);
        }
        let (productivity, win_rate) = skill(m, k as u32, s);
        let forecast_load = match &demand.volume {
            Volume::Leads(v) if headcount.count > 0 => {
                let share = demand.mix.get(k).map_or(1.0, |(_, share)| *share);
                let cv = productivity.as_ref().map_or(0.0, |p| p.sd / p.mean.max(f64::MIN_POSITIVE));
                Some(forecast_load(v, months, share, headcount.count, cv))
            }
            _ => None,
        };
        out.push(Closers { id, segment: names[k].clone(), headcount, load, forecast_load, productivity, win_rate });
    }
    out
}

/// The 99th percentile of the standard normal.
const Z99: f64 = 2.326_347_874_040_841;

/// The most opportunities a month the forecast's demand `v` may bring each of `reps`
/// closers of a segment with `share` of it over `months` months: the volume at the high
/// end of its level's interval, grown at the high end of its growth's to the busiest
/// month, times the seasonal peak and its shared shock's 99th percentile, plus a Poisson
/// count's 99th percentile (normal approximation); over the team's mean productivity
/// multiplier at its 99th lower percentile, `1 - z99 cv / sqrt(reps)` (at least a half),
/// for multipliers of sd `cv`. A ceiling on demand, not a forecast of it: the
/// gathered capacity (docs/MODEL.md 9.3) must not turn away demand the history would
/// have let the reps work.
fn forecast_load(v: &Leads, months: u64, share: f64, reps: u64, cv: f64) -> f64 {
    let growth = match v.growth {
        Growth::Trend { high, .. } => high.max(0.0),
        _ => 0.0,
    };
    let grown = (1.0 + growth).powf(months.saturating_sub(1) as f64);
    let peak = v.seasonality.map_or(1.0, |f| f.into_iter().fold(1.0, f64::max));
    let shock = match v.noise {
        VolumeNoise::Shock { sd, .. } => (Z99 * sd).exp(),
        _ => 1.0,
    };
    let mean = v.interval.1 * grown * peak * shock * share;
    let busiest = mean + Z99 * mean.sqrt();
    let reps = reps.max(1) as f64;
    let team = (1.0 - Z99 * cv / reps.sqrt()).max(0.5);
    busiest / reps / team
}

/// What the headcount of the segment `name` had to settle, if anything: it is no
/// active owner's main segment, and gets a share of those who work it, or none works it
/// and its `created` opportunities are lost.
fn headcount_warning(m: &Measured, name: &str, h: &Headcount, created: u64, counts: &[f64]) -> Option<String> {
    let (file, as_of) = (&m.file, m.as_of);
    if h.main > 0 {
        None
    } else if h.count > 0 {
        Some(format!(
            "note: {file}: no active owner has most of their opportunities in the segment `{}`: it gets its share \
             of the owners who work it, {} ({} people's worth of their opportunities)",
            crate::format::visible(name),
            h.count,
            num(h.share, 2)
        ))
    } else {
        (created > 0).then(|| {
            format!(
                "warning: {file}: no owner active in the {ACTIVE_DAYS} days to {as_of} works the segment `{}`: its \
                 {} opportunities over the volume window ({} of them) will find no closer and be lost; \
                 --segment-by a column whose values split the owners, or leave it out",
                crate::format::visible(name),
                group(created),
                percent(created as f64 / counts.iter().sum::<f64>().max(1.0))
            )
        })
    }
}

/// The spreads between the reps of segment `k` (measured as `s`), those whose main
/// segment it is: of their opportunities a month, and of their true win rates.
fn skill(m: &Measured, k: u32, s: &measure::Segment) -> (Option<Spread>, Option<Spread>) {
    let members: Vec<&measure::Owner> = m
        .owners
        .iter()
        .filter(|w| {
            w.by_segment.iter().max_by_key(|(seg, n)| (**n, std::cmp::Reverse(**seg))).map(|(seg, _)| *seg) == Some(k)
        })
        .collect();
    let win: Vec<(u64, u64)> = members.iter().map(|w| (w.won, w.closed)).collect();
    let load_per_rep: Vec<(u64, f64)> =
        members.iter().filter_map(|w| w.months.map(|(a, b)| (w.created, f64::from(b - a + 1)))).collect();
    let productivity = fit::between_rep_sd_poisson(&load_per_rep).map(|(sd, mean, reps)| Spread { sd, mean, reps });
    let pooled = s.won as f64 / (s.won + s.lost).max(1) as f64;
    let win_rate = fit::between_rep_sd(&win, 10).map(|(sd, reps)| Spread { sd, mean: pooled, reps });
    (productivity, win_rate)
}

/// The segments' names as the scenario spells them: the export's, cut to
/// [`MAX_ID_CHARS`] characters where longer (with `~2`, `~3`, ... where two cut names
/// would be the same), and the (export's, scenario's) pairs that were cut.
fn segment_names(export: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let mut names: Vec<String> = Vec::with_capacity(export.len());
    let mut shortened = Vec::new();
    for name in export {
        if name.chars().count() <= MAX_ID_CHARS {
            names.push(name.clone());
            continue;
        }
        let cut = |n: usize| name.chars().take(n).collect::<String>().trim_end().to_string();
        let mut short = cut(MAX_ID_CHARS);
        let mut k = 2;
        while names.contains(&short) || export.contains(&short) {
            let suffix = format!("~{k}");
            short = format!("{}{suffix}", cut(MAX_ID_CHARS - suffix.chars().count()));
            k += 1;
        }
        shortened.push((name.clone(), short.clone()));
        names.push(short);
    }
    (names, shortened)
}

/// A role id (letters, digits, `-`, `_`) for a segment's closers, at most
/// [`MAX_ID_CHARS`] characters.
fn role_id(segment: &str, segments: usize, taken: &[String]) -> String {
    let base = if segments == 1 {
        "closers".to_string()
    } else {
        let slug: String = segment
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        format!("closers-{}", if slug.is_empty() { "segment" } else { &slug })
    };
    // The id is ASCII: a byte is a character.
    let within = |id: &str, room: usize| id[..id.len().min(room)].trim_end_matches('-').to_string();
    let mut id = within(&base, MAX_ID_CHARS);
    let mut k = 2;
    while taken.contains(&id) {
        let suffix = format!("-{k}");
        id = format!("{}{suffix}", within(&base, MAX_ID_CHARS - suffix.len()));
        k += 1;
    }
    id
}

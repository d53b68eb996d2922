//! `sopsim backtest`: whether the forecasts gathered from an export would have held.
//!
//! For each cutoff, the scenario is fitted from what the export knew then (a deal
//! closed after the cutoff is open at it, and enters the starting pipeline), simulated
//! as fitted (its values go to the loader without being written as text) over the
//! months after it, and compared with what the export says happened: monthly
//! bookings, won deals and win rate. Each actual gets its percentile rank among the
//! trials and its CRPS; over all cutoffs and months, the share of actuals inside the
//! P10-P90 and P25-P75 bands says whether the intervals are calibrated. The first
//! quarter's bookings are also set against two naive forecasts: last quarter's run rate
//! and the weighted open pipeline.
//!
//! Each month's bookings are also split into those of the deals open at the cutoff and
//! those of deals created after it. The forecast of the first part is a second run of
//! the same trials with no new demand ([`pipeline_only`]): the open pipeline's deals
//! draw from their own streams, so each trial books them alike in both runs, and the
//! new deals' bookings are the difference.

use super::Error;
use super::date::{Date, month_label};
use super::fit_export;
use super::read::{self, Outcome, ReadOptions};
use crate::engine::metrics::{Layout, Unit, id};
use crate::runner;
use crate::scenario::Scenario;

/// How to back-test.
#[derive(Debug, Clone)]
pub struct Options {
    /// Columns, won and lost stages.
    pub read: ReadOptions,
    /// The cutoffs, each simulated on its own.
    pub cutoffs: Vec<Date>,
    /// Adds a cutoff at every month end of [`rolling`].
    pub rolling: bool,
    /// What the export knows: nothing after it is scored (default: its as-of date,
    /// [`super::asof::as_of`]).
    pub as_of: Option<Date>,
    /// Months simulated after each cutoff, at most (fewer where the export ends sooner).
    pub months: u64,
    /// The month the fiscal year starts in, 0 for January: each cutoff's scenario is
    /// measured and simulated on its quarters ([`super::Options::fiscal_year_start`]).
    pub fiscal_year_start: Option<u32>,
    /// Trials per cutoff.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
}

/// What the back-test scores, month by month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// The amounts of the deals won in the month.
    Bookings,
    /// Of those, the deals open at the cutoff.
    BookingsOpenPipeline,
    /// Of those, the deals created after the cutoff.
    BookingsNewDeals,
    /// Bookings summed from the first month.
    CumulativeBookings,
    /// Deals won in the month.
    WonDeals,
    /// Won over closed in the month.
    WinRate,
}

impl Metric {
    /// Every metric, in the order of each month's rows.
    pub const ALL: [Metric; 6] = [
        Metric::Bookings,
        Metric::BookingsOpenPipeline,
        Metric::BookingsNewDeals,
        Metric::CumulativeBookings,
        Metric::WonDeals,
        Metric::WinRate,
    ];

    /// Its name in `backtest.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Bookings => "bookings",
            Metric::BookingsOpenPipeline => "bookings_open_pipeline",
            Metric::BookingsNewDeals => "bookings_new_deals",
            Metric::CumulativeBookings => "cumulative_bookings",
            Metric::WonDeals => "won_deals",
            Metric::WinRate => "win_rate",
        }
    }

    /// Its words in the terminal's table (the bookings' two parts indented under them);
    /// `None` for one the table leaves out (the cumulative bookings, whose months are
    /// not separate forecasts).
    pub fn label(self) -> Option<&'static str> {
        match self {
            Metric::Bookings => Some("bookings"),
            Metric::BookingsOpenPipeline => Some("  from the open pipeline"),
            Metric::BookingsNewDeals => Some("  from new deals"),
            Metric::CumulativeBookings => None,
            Metric::WonDeals => Some("won deals"),
            Metric::WinRate => Some("win rate"),
        }
    }

    /// What its values are measured in.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Bookings | Metric::BookingsOpenPipeline | Metric::BookingsNewDeals | Metric::CumulativeBookings => {
                Unit::Money
            }
            Metric::WonDeals => Unit::Count,
            Metric::WinRate => Unit::Share,
        }
    }
}

/// One actual against its forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Month index (`year * 12 + month - 1`).
    pub month: i32,
    /// Which metric.
    pub metric: Metric,
    /// What happened.
    pub actual: f64,
    /// The trials' P10, P25, P50, P75 and P90.
    pub quantiles: [f64; 5],
    /// Share of trials below the actual (ties count half).
    pub rank: f64,
    /// Continuous ranked probability score of the trials against the actual.
    pub crps: f64,
}

/// The first quarter after a cutoff: actual bookings, the forecasts of sopsim (P50) and
/// of two naive methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarter {
    /// Months in it (3, or fewer when the horizon is shorter).
    pub months: usize,
    /// Bookings that happened.
    pub actual: f64,
    /// sopsim's P50 of the quarter's bookings.
    pub p50: f64,
    /// Last quarter's monthly bookings, times the months.
    pub run_rate: f64,
    /// The open pipeline at the cutoff: each deal's amount (else the mean won size) times
    /// the win rate measured to the cutoff.
    pub weighted_pipeline: f64,
}

impl Quarter {
    /// The absolute errors of sopsim's P50, the run rate and the weighted pipeline.
    pub fn errors(&self) -> [f64; 3] {
        [self.p50, self.run_rate, self.weighted_pipeline].map(|f| (f - self.actual).abs())
    }
}

/// The first quarters' mean absolute errors, and sopsim's skill against each naive
/// forecast: its error over theirs (below 1, sopsim's P50 was nearer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skill {
    /// Quarters counted: those with an actual and all three forecasts.
    pub n: usize,
    /// Mean absolute error of sopsim's P50.
    pub p50: f64,
    /// Of the run rate.
    pub run_rate: f64,
    /// Of the weighted pipeline.
    pub weighted_pipeline: f64,
}

impl Skill {
    /// sopsim's error over the run rate's.
    pub fn vs_run_rate(&self) -> f64 {
        self.p50 / self.run_rate
    }

    /// sopsim's error over the weighted pipeline's.
    pub fn vs_weighted_pipeline(&self) -> f64 {
        self.p50 / self.weighted_pipeline
    }
}

/// The skill of the first quarters of `quarters`, each counted if its actual and all
/// three forecasts are known, so the three errors are means over the same quarters.
pub fn skill<'a>(quarters: impl IntoIterator<Item = &'a Quarter>) -> Skill {
    let errors: Vec<[f64; 3]> =
        quarters.into_iter().map(Quarter::errors).filter(|e| e.iter().all(|v| v.is_finite())).collect();
    let n = errors.len();
    let mean = |k: usize| if n == 0 { f64::NAN } else { errors.iter().map(|e| e[k]).sum::<f64>() / n as f64 };
    Skill { n, p50: mean(0), run_rate: mean(1), weighted_pipeline: mean(2) }
}

/// How many of the percentile ranks of `metric` over `cutoffs` fall in each of `bins`
/// equal bins of [0, 1]: bin `k` holds `k / bins <= rank < (k + 1) / bins`, the last
/// also a rank of 1. A calibrated forecast's ranks are uniform: the bins about equal.
pub fn pit_histogram<'a>(cutoffs: impl IntoIterator<Item = &'a Cutoff>, metric: Metric, bins: usize) -> Vec<usize> {
    let mut counts = vec![0; bins];
    let ranks = cutoffs.into_iter().flat_map(|c| c.rows.iter()).filter(|r| r.metric == metric && r.actual.is_finite());
    for r in ranks {
        if bins > 0 && r.rank.is_finite() {
            counts[((r.rank * bins as f64).floor().max(0.0) as usize).min(bins - 1)] += 1;
        }
    }
    counts
}

/// One cutoff's back-test.
#[derive(Debug, Clone)]
pub struct Cutoff {
    /// The cutoff date.
    pub date: Date,
    /// The first simulated month's index.
    pub start: i32,
    /// The rows, month by month, every metric.
    pub rows: Vec<Row>,
    /// The first quarter against naive forecasts.
    pub quarter: Quarter,
}

/// A whole back-test.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// Each cutoff's.
    pub cutoffs: Vec<Cutoff>,
    /// Trials per cutoff.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// The date after which nothing is scored, and why it is that date.
    pub as_of: super::asof::AsOf,
}

/// Calibration over a set of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Rows counted.
    pub n: usize,
    /// Share of actuals within P10-P90 (80% if calibrated).
    pub within_80: f64,
    /// Share within P25-P75 (50% if calibrated).
    pub within_50: f64,
    /// Mean percentile rank (0.5 if unbiased).
    pub mean_rank: f64,
    /// Mean CRPS.
    pub crps: f64,
}

/// Calibration of the monthly rows of `metric` over `cutoffs`.
pub fn calibration<'a>(cutoffs: impl IntoIterator<Item = &'a Cutoff>, metric: Metric) -> Calibration {
    let rows: Vec<&Row> = cutoffs
        .into_iter()
        .flat_map(|c| c.rows.iter())
        .filter(|r| r.metric == metric && r.actual.is_finite())
        .collect();
    let n = rows.len();
    let share = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n.max(1) as f64;
    Calibration {
        n,
        within_80: share(&|r| r.quantiles[0] <= r.actual && r.actual <= r.quantiles[4]),
        within_50: share(&|r| r.quantiles[1] <= r.actual && r.actual <= r.quantiles[3]),
        mean_rank: rows.iter().map(|r| r.rank).sum::<f64>() / n.max(1) as f64,
        crps: rows.iter().map(|r| r.crps).sum::<f64>() / n.max(1) as f64,
    }
}

/// The type-7 quantile of sorted `x`.
fn quantile(x: &[f64], q: f64) -> f64 {
    if x.is_empty() { f64::NAN } else { crate::stats::quantile_sorted(x, q) }
}

/// CRPS of the sample `x` (sorted) against `y`: `E|X - y| - E|X - X'| / 2`, the second
/// term from the sorted sample as `sum_i (2i - n - 1) x_(i) / n^2` (1-based `i`).
pub fn crps(x: &[f64], y: f64) -> f64 {
    let n = x.len() as f64;
    if x.is_empty() {
        return f64::NAN;
    }
    let first = x.iter().map(|v| (v - y).abs()).sum::<f64>() / n;
    let spread = x.iter().enumerate().map(|(i, v)| (2.0 * (i as f64 + 1.0) - n - 1.0) * v).sum::<f64>() / (n * n);
    first - spread
}

/// The share of sorted `x` below `y`, ties counting half.
pub fn rank(x: &[f64], y: f64) -> f64 {
    let below = x.partition_point(|&v| v < y);
    let at = x.partition_point(|&v| v <= y) - below;
    (below as f64 + 0.5 * at as f64) / x.len().max(1) as f64
}

fn row(month: i32, metric: Metric, actual: f64, mut values: Vec<f64>) -> Row {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    let quantiles = [0.1, 0.25, 0.5, 0.75, 0.9].map(|q| quantile(&values, q));
    Row { month, metric, actual, quantiles, rank: rank(&values, actual), crps: crps(&values, actual) }
}

/// What the export says happened in each month: won bookings, won and closed deals.
#[derive(Debug, Default, Clone, Copy)]
struct Actual {
    bookings: f64,
    won: u64,
    closed: u64,
}

/// Back-tests the export `bytes` of `file` at each cutoff of `options`.
pub fn backtest(file: &str, bytes: &[u8], options: &Options) -> Result<Backtest, Error> {
    let export = read::read(file, bytes, &options.read)?;
    // The months after the as-of date are unknown, not months of no bookings.
    let Some(as_of) = super::asof::as_of(&export, options.as_of) else {
        return Err(Error::NothingToBacktest { file: file.to_string() });
    };
    let last = as_of.date;
    // The last whole month the export covers.
    let last_month = if last.is_month_end() { last.month_index() } else { last.month_index() - 1 };
    let mut actual = std::collections::BTreeMap::<i32, Actual>::new();
    for o in &export.opps {
        if let (Some(c), Outcome::Won | Outcome::Lost) = (o.closed.filter(|&c| c <= last), o.outcome) {
            let a = actual.entry(c.month_index()).or_default();
            a.closed += 1;
            if o.outcome == Outcome::Won {
                a.won += 1;
                a.bookings += o.amount.unwrap_or(0.0);
            }
        }
    }
    let mut dates = options.cutoffs.clone();
    if options.rolling {
        dates.extend(rolling(file, &export, last_month, options.months)?);
        dates.sort();
        dates.dedup();
    }
    let pool = runner::thread_pool(0).map_err(|e| Error::Threads(e.to_string()))?;
    let mut cutoffs = Vec::new();
    for &date in &dates {
        let start = date.month_index() + 1;
        let months = (i64::from(last_month) - i64::from(start) + 1).min(options.months as i64);
        if months < 1 {
            return Err(Error::CutoffTooLate { cutoff: date, as_of: last, last_month: month_label(last_month) });
        }
        // The fitted scenario as it is, through the loader's checks: no text is written.
        let scenario = fit_export(&export, Some(date), months as u64, options.fiscal_year_start)?
            .scenario()
            .map_err(|e| Error::GatheredDoesNotLoad { cutoff: date, diagnostics: e.render() })?;
        let months = months as usize;
        let split = split(&export, date);
        let rows = simulate(&pool, &scenario, options, start, months, &actual, &split);
        let quarter = quarter(&export, date, start, months, &rows, &actual);
        cutoffs.push(Cutoff { date, start, rows, quarter });
    }
    Ok(Backtest { cutoffs, trials: options.trials, seed: options.seed, as_of })
}

/// Whole months of closed deals a rolling cutoff needs before it: enough to measure a
/// win rate, a cycle and a volume from.
pub const ROLLING_HISTORY: i32 = 3;

/// The cutoffs of `--rolling`: the end of every month from the third whole month with a
/// closed deal to the last month `last_month - months`, so that every cutoff is tested
/// on `months` whole months of the export.
pub fn rolling(file: &str, export: &read::Export, last_month: i32, months: u64) -> Result<Vec<Date>, Error> {
    let first_close = export.opps.iter().filter_map(|o| o.closed).min();
    let first = first_close.map(|c| c.month_index() + i32::from(c.ymd().2 != 1) + ROLLING_HISTORY - 1);
    let last = i64::from(last_month) - months as i64;
    let ends: Vec<Date> = match first {
        Some(first) if i64::from(first) <= last => (first..=last as i32).filter_map(month_end).collect(),
        _ => Vec::new(),
    };
    if ends.is_empty() {
        return Err(Error::NoRollingCutoff {
            file: file.to_string(),
            months,
            first_close,
            last_month: month_label(last_month),
        });
    }
    Ok(ends)
}

/// The last day of the month `index` (`year * 12 + month - 1`).
fn month_end(index: i32) -> Option<Date> {
    let next = Date::from_ymd(
        index.div_euclid(12) + i32::from(index.rem_euclid(12) == 11),
        (index + 1).rem_euclid(12) as u32 + 1,
        1,
    )?;
    Some(Date(next.0 - 1))
}

/// Won bookings by month of close, split by when the deal was created: `[0]` on or
/// before `date` (or with no created date), `[1]` after it. For the months after `date`,
/// the first are the bookings of the deals open at it; each part is summed on its own,
/// in the export's order.
fn split(export: &read::Export, date: Date) -> std::collections::BTreeMap<i32, [f64; 2]> {
    let mut split = std::collections::BTreeMap::<i32, [f64; 2]>::new();
    for o in &export.opps {
        if let (Some(c), Outcome::Won) = (o.closed, o.outcome) {
            let new = usize::from(o.created.is_some_and(|created| created > date));
            split.entry(c.month_index()).or_default()[new] += o.amount.unwrap_or(0.0);
        }
    }
    split
}

/// `scenario` with no new deals: no leads, so that only its open pipeline books. Every
/// other key is drawn as before (a key draws from its own stream, MODEL 2.5), and the
/// pipeline's deals from theirs, so trial `i` of both books the open pipeline alike.
/// (A gathered scenario's only source of new deals is its leads.)
pub fn pipeline_only(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    s.demand.leads_per_month = crate::dist::Dist::constant(0.0);
    s
}

/// The rows of one cutoff: its scenario's trials against the actuals, month by month.
fn simulate(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    options: &Options,
    start: i32,
    months: usize,
    actual: &std::collections::BTreeMap<i32, Actual>,
    split: &std::collections::BTreeMap<i32, [f64; 2]>,
) -> Vec<Row> {
    let m = Layout::new(scenario).months;
    let mut cells = Vec::new();
    for t in 0..months {
        cells.extend([id::BOOKINGS * m + t, id::WON * m + t, id::CLOSED * m + t]);
    }
    let data = runner::per_trial(pool, scenario, options.seed, 0..options.trials, &cells);
    let n = data.values.len() / cells.len().max(1);
    let at = |i: usize, k: usize| data.values[i * cells.len() + k];
    let booked: Vec<usize> = (0..months).map(|t| id::BOOKINGS * m + t).collect();
    let open = runner::per_trial(pool, &pipeline_only(scenario), options.seed, 0..options.trials, &booked);
    let open_at = |i: usize, t: usize| open.values[i * months + t];
    let mut rows = Vec::new();
    let mut cumulative = vec![0.0; n];
    let mut actual_cumulative = 0.0;
    for t in 0..months {
        let month = start + t as i32;
        let a = actual.get(&month).copied().unwrap_or_default();
        let bookings: Vec<f64> = (0..n).map(|i| at(i, 3 * t)).collect();
        let won: Vec<f64> = (0..n).map(|i| at(i, 3 * t + 1)).collect();
        let rate: Vec<f64> = (0..n)
            .map(|i| {
                let closed = at(i, 3 * t + 2);
                if closed > 0.0 { at(i, 3 * t + 1) / closed } else { f64::NAN }
            })
            .collect();
        for (c, b) in cumulative.iter_mut().zip(&bookings) {
            *c += b;
        }
        actual_cumulative += a.bookings;
        let actual_rate = if a.closed > 0 { a.won as f64 / a.closed as f64 } else { f64::NAN };
        let open: Vec<f64> = (0..n).map(|i| open_at(i, t)).collect();
        let new: Vec<f64> = bookings.iter().zip(&open).map(|(b, o)| b - o).collect();
        let [a_open, a_new] = split.get(&month).copied().unwrap_or_default();
        rows.push(row(month, Metric::Bookings, a.bookings, bookings));
        rows.push(row(month, Metric::BookingsOpenPipeline, a_open, open));
        rows.push(row(month, Metric::BookingsNewDeals, a_new, new));
        rows.push(row(month, Metric::CumulativeBookings, actual_cumulative, cumulative.clone()));
        rows.push(row(month, Metric::WonDeals, a.won as f64, won));
        rows.push(row(month, Metric::WinRate, actual_rate, rate));
    }
    rows
}

/// The first quarter (or the whole horizon, if shorter) against the naive forecasts.
fn quarter(
    export: &read::Export,
    date: Date,
    start: i32,
    months: usize,
    rows: &[Row],
    actual: &std::collections::BTreeMap<i32, Actual>,
) -> Quarter {
    let q = months.min(3);
    let last = start + q as i32 - 1;
    let cumulative = rows.iter().find(|r| r.metric == Metric::CumulativeBookings && r.month == last);
    let (actual_q, p50) = cumulative.map_or((f64::NAN, f64::NAN), |r| (r.actual, r.quantiles[2]));
    // Last quarter: the three whole months up to the cutoff's.
    let end = if date.is_month_end() { date.month_index() } else { date.month_index() - 1 };
    let before: f64 = (end - 2..=end).map(|m| actual.get(&m).map_or(0.0, |a| a.bookings)).sum();
    let run_rate = before / 3.0 * q as f64;
    let (mut won, mut closed, mut sizes, mut open_value, mut open_unsized) = (0u64, 0u64, 0.0, 0.0, 0u64);
    for o in &export.opps {
        let closed_by = o.closed.filter(|&c| c <= date);
        let created_by = o.created.is_none_or(|c| c <= date);
        match (closed_by, o.outcome) {
            (Some(_), Outcome::Won) => {
                won += 1;
                closed += 1;
                sizes += o.amount.unwrap_or(0.0);
            }
            (Some(_), Outcome::Lost) => closed += 1,
            _ if created_by && o.created.is_some() => match o.amount {
                Some(a) if o.outcome == Outcome::Open => open_value += a,
                _ => open_unsized += 1,
            },
            _ => {}
        }
    }
    let rate = won as f64 / closed.max(1) as f64;
    let mean_size = sizes / won.max(1) as f64;
    let weighted_pipeline = (open_value + open_unsized as f64 * mean_size) * rate;
    Quarter { months: q, actual: actual_q, p50, run_rate, weighted_pipeline }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_and_rank_have_their_closed_forms() {
        // A sample of one value: CRPS is the absolute error.
        assert_eq!(crps(&[3.0], 5.0), 2.0);
        // Uniform sample 0..=100 against its midpoint: E|X - y| = 25.25, E|X - X'| / 2 = 16.83.
        let x: Vec<f64> = (0..=100).map(f64::from).collect();
        let expected = x.iter().map(|v| (v - 50.0f64).abs()).sum::<f64>() / 101.0
            - x.iter().flat_map(|a| x.iter().map(move |b| (a - b).abs())).sum::<f64>() / (2.0 * 101.0 * 101.0);
        assert!((crps(&x, 50.0) - expected).abs() < 1e-9);
        assert_eq!(rank(&[1.0, 2.0, 3.0, 4.0], 2.5), 0.5);
        assert_eq!(rank(&[1.0, 2.0, 2.0, 4.0], 2.0), 0.5);
        assert_eq!(rank(&[1.0, 2.0], 0.0), 0.0);
    }

    fn cutoff(ranks: &[f64]) -> Cutoff {
        let rows = ranks
            .iter()
            .map(|&rank| Row { month: 0, metric: Metric::Bookings, actual: 1.0, quantiles: [0.0; 5], rank, crps: 0.0 })
            .collect();
        let quarter = Quarter { months: 3, actual: 0.0, p50: 0.0, run_rate: 0.0, weighted_pipeline: 0.0 };
        Cutoff { date: Date::from_ymd(2024, 1, 31).unwrap(), start: 0, rows, quarter }
    }

    #[test]
    fn ranks_fall_in_equal_bins_closed_below_and_a_rank_of_one_in_the_last() {
        let a = cutoff(&[0.0, 0.05, 0.1, 0.15, 0.5, 0.95, 1.0]);
        let mut b = cutoff(&[0.3, 0.7, 0.99999]);
        // Another metric's rows and a missing actual are left out.
        b.rows.push(Row { metric: Metric::WonDeals, ..b.rows[0].clone() });
        b.rows.push(Row { actual: f64::NAN, ..b.rows[0].clone() });
        assert_eq!(pit_histogram([&a, &b], Metric::Bookings, 10), [2, 2, 0, 1, 0, 1, 0, 1, 0, 3]);
        assert_eq!(pit_histogram([&a, &b], Metric::Bookings, 2), [5, 5]);
        assert_eq!(pit_histogram([&a], Metric::WonDeals, 10), [0; 10]);
    }

    #[test]
    fn skill_is_the_ratio_of_mean_absolute_errors_over_the_same_quarters() {
        let q = |actual: f64, p50: f64, run_rate: f64, weighted_pipeline: f64| Quarter {
            months: 3,
            actual,
            p50,
            run_rate,
            weighted_pipeline,
        };
        let quarters = [
            q(100.0, 110.0, 80.0, 100.0),
            q(200.0, 170.0, 240.0, 260.0),
            // No weighted pipeline: left out of all three means.
            q(300.0, 0.0, 0.0, f64::NAN),
        ];
        assert_eq!(quarters[1].errors(), [30.0, 40.0, 60.0]);
        let k = skill(&quarters);
        assert_eq!((k.n, k.p50, k.run_rate, k.weighted_pipeline), (2, 20.0, 30.0, 30.0));
        assert_eq!(k.vs_run_rate(), 20.0 / 30.0);
        assert_eq!(k.vs_weighted_pipeline(), 20.0 / 30.0);
        let none = skill(&quarters[2..]);
        assert_eq!(none.n, 0);
        assert!(none.vs_run_rate().is_nan());
    }

    /// A scenario with an open pipeline and new deals, stalls, a lost deals' cycle, quarter
    /// timing and both noises; `leads` a month.
    fn mixed(leads: &str, pipeline: bool) -> Scenario {
        let pipeline = if pipeline {
            "[[pipeline]]\nage_months = 0\ncount = 40\n\n[[pipeline]]\nage_months = 2\ncount = 25\n"
        } else {
            ""
        };
        let text = format!(
            r#"
[scenario]
start = "2024-02"
months = 6

[company]
quarter_timing = [0.7, 1.0, 1.3]
close_noise = 0.3

[[segments]]
name = "all"
deal_size = {{ dist = "lognormal", median = 1000, p90 = 3000 }}
win_rate = {{ low = 0.3, high = 0.5 }}
stall_rate = 0.1
cycle_months = {{ dist = "gamma", mean = 2, sd = 1 }}
loss_cycle_months = 1

[demand]
leads_per_month = {leads}
lead_to_opportunity = 1
volume_noise = 0.2

[[roles]]
id = "closers"
kind = "closer"
headcount = 3
opportunities_per_month = 10

{pipeline}"#
        );
        crate::scenario::load_str(&text, "mixed.toml", &[]).unwrap_or_else(|e| panic!("{}", e.render())).scenario
    }

    /// Trial by trial, the run with no new demand books exactly what the full run books
    /// from its open pipeline: the full run's bookings are the pipeline-only run's plus
    /// those of the same scenario without its pipeline; with no demand the runs agree.
    #[test]
    fn the_pipeline_only_run_books_what_the_full_run_books_from_the_pipeline() {
        let pool = runner::thread_pool(1).unwrap();
        let full = mixed("{ low = 40, high = 60 }", true);
        let cells: Vec<usize> = (0..6).map(|t| id::BOOKINGS * 6 + t).collect();
        let run = |s: &Scenario| runner::per_trial(&pool, s, 5, 0..300, &cells).values;
        let (all, open, new) = (run(&full), run(&pipeline_only(&full)), run(&mixed("{ low = 40, high = 60 }", false)));
        assert!(open.iter().any(|&v| v > 0.0) && new.iter().any(|&v| v > 0.0));
        for ((a, o), n) in all.iter().zip(&open).zip(&new) {
            assert!((a - (o + n)).abs() <= 1e-9 * a.abs().max(1.0), "{a} against {o} + {n}");
        }
        let idle = mixed("0", true);
        assert_eq!(run(&idle), run(&pipeline_only(&idle)));
    }
}

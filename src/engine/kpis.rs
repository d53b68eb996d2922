//! The KPIs: the first step of each month (the sales-ops cycle's "gather", which the
//! `gather` command, reading a CRM export, is not) measures the months before `t` from
//! what happened, for the later steps to decide from (the weighted pipeline and the
//! forecast use the measured win rate; the capacity policy uses measured demand).
//!
//! Over the last [`WINDOW`] months of closes: win rate `won / closed`, average cycle
//! (months from working to close, of the closed opportunities) and average deal size
//! (won value / won deals). From last month: pipeline coverage `pipeline / (target ARR -
//! ARR)` while the target is ahead, sales velocity `open opportunities x deal size x win
//! rate / cycle in days`, meetings per SDR, selling time (the share of closer capacity
//! worked) and opportunities worked per ramped closer.

use super::metrics::id;
use super::state::{Closing, Trial, Window};
use super::{finite_or_missing, ratio};
use crate::scenario::Scenario;

/// How many months of closes the measured rates look back over.
pub const WINDOW: usize = 12;

/// Average days in a month, for sales velocity per day.
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// What was measured, and last month's figures it measures from.
#[derive(Debug, Clone)]
pub struct Kpis {
    /// Win rate each segment has measured over its window (its expected win rate until
    /// a deal has closed).
    pub win_rate: Vec<f64>,
    /// Last month's open pipeline value.
    pub last_pipeline: f64,
    /// Last month's open opportunities.
    pub last_open: f64,
    /// Last month's meetings.
    pub last_meetings: f64,
    /// Last month's SDR headcount.
    pub last_sdrs: f64,
    /// Last month's opportunities worked.
    pub last_worked: f64,
    /// Last month's closer capacity in opportunities.
    pub last_capacity: f64,
    /// Last month's ramped closers.
    pub last_ramped_closers: f64,
}

impl Kpis {
    /// Before the first month: the expected win rates, nothing measured.
    /// The win rates go in `win_rate`'s buffer.
    pub fn new(scenario: &Scenario, mut win_rate: Vec<f64>) -> Kpis {
        win_rate.clear();
        win_rate.extend(scenario.segments.iter().map(|s| s.win_rate.mean()));
        Kpis {
            win_rate,
            last_pipeline: f64::NAN,
            last_open: f64::NAN,
            last_meetings: f64::NAN,
            last_sdrs: f64::NAN,
            last_worked: f64::NAN,
            last_capacity: f64::NAN,
            last_ramped_closers: f64::NAN,
        }
    }
}

/// Measures the KPIs of the months before `t` and records them as month `t`'s `kpi.*`.
pub fn measure(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    let from = t.saturating_sub(WINDOW);
    let (mut closed_all, mut won_all, mut cycles, mut won_value) = (0u32, 0u32, 0.0, 0.0);
    for (k, seg) in s.segments.iter_mut().enumerate() {
        // The months before `t` no longer change: slide the window by one month. Counts
        // and cycles are whole, so the slid sums equal the window's sums exactly.
        if t > 0 {
            let (added, w) = (seg.closing[t - 1], &mut seg.window);
            (w.closed, w.won, w.cycles) = (w.closed + added.count, w.won + added.won, w.cycles + added.cycles);
            if t > WINDOW {
                let gone = seg.closing[t - 1 - WINDOW];
                (w.closed, w.won, w.cycles) = (w.closed - gone.count, w.won - gone.won, w.cycles - gone.cycles);
            }
        }
        debug_assert_eq!(seg.window, window_sums(&seg.closing[from..t]));
        let Window { closed, won, cycles: window_cycles } = seg.window;
        if closed > 0 {
            s.kpis.win_rate[k] = f64::from(won) / f64::from(closed);
        }
        closed_all += closed;
        won_all += won;
        cycles += window_cycles;
        won_value += seg.closing[from..t].iter().map(|c| c.won_value).sum::<f64>();
    }
    let win_rate = ratio(f64::from(won_all), f64::from(closed_all));
    let cycle = ratio(cycles, f64::from(closed_all));
    let deal_size = ratio(won_value, f64::from(won_all));
    put(id::KPI_WIN_RATE, t, win_rate);
    put(id::KPI_CYCLE, t, cycle);
    put(id::KPI_DEAL_SIZE, t, deal_size);
    put(id::KPI_PIPELINE_COVERAGE, t, pipeline_coverage(s, t));
    let k = &s.kpis;
    // A cycle under a day still takes a day.
    let velocity = finite_or_missing(k.last_open * deal_size * win_rate / (cycle * DAYS_PER_MONTH).max(1.0));
    put(id::KPI_VELOCITY, t, velocity);
    put(id::KPI_MEETINGS_PER_SDR, t, ratio(k.last_meetings, k.last_sdrs));
    put(id::KPI_SELLING_TIME, t, ratio(k.last_worked, k.last_capacity));
    put(id::KPI_OPPS_PER_REP, t, ratio(k.last_worked, k.last_ramped_closers));
}

/// Month `t`'s `kpi.pipeline_coverage`: last month's open pipeline over the ARR still
/// missing to the target, while the target is ahead and not yet reached.
pub fn pipeline_coverage(s: &Trial<'_>, t: usize) -> f64 {
    match (&s.scenario.target, s.arr_history.last()) {
        (Some(target), Some(arr)) if target.arr > *arr && t <= target.month => {
            ratio(s.kpis.last_pipeline, target.arr - arr)
        }
        _ => f64::NAN,
    }
}

/// The window's sums as [`measure`] slides them, summed afresh.
fn window_sums(months: &[Closing]) -> Window {
    Window {
        closed: months.iter().map(|c| c.count).sum(),
        won: months.iter().map(|c| c.won).sum(),
        cycles: months.iter().map(|c| c.cycles).sum(),
    }
}

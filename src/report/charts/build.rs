//! From the aggregated results to chart data: which charts a run has, and what each
//! one says. Only [`RunResults`] and the scenario's labels, start and target are read;
//! a chart whose metrics the run does not have is left out.

use std::ops::Range;

use crate::engine::metrics::{self, id, role};
use crate::format::{money, people, people_parts, percent, whole_count};
use crate::month::YearMonth;
use crate::runner::RunResults;
use crate::scenario::Scenario;
use crate::stats::{LEVELS, Stats};

pub use super::theme::{GREEN, GREY, NAVY, PALETTE, RED, SLATE};

use super::spec::{
    Band, Bars, Bin, Categories, Chart, Distribution, Level, Line, Monthly, Notation, Plot, Rgb, Stroke, TITLE_CHARS,
};
use crate::format::{count, whole};

/// The charts of a run, in reading order; those without data are left out.
pub fn build(scenario: &Scenario, results: &RunResults) -> Vec<Chart> {
    if results.layout.months == 0 {
        return Vec::new();
    }
    let c = Context::new(scenario, results);
    [
        arr_fan(&c),
        bookings(&c),
        bookings_split(&c),
        headcount(&c),
        hires(&c),
        coverage(&c),
        arr_spread(&c),
        attainment(&c),
        capacity(&c),
        stages(&c),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What every chart needs: the results, the month labels and the source line.
struct Context<'a> {
    scenario: &'a Scenario,
    results: &'a RunResults,
    months: Vec<String>,
    ticks: Vec<usize>,
    source: String,
}

impl<'a> Context<'a> {
    fn new(scenario: &'a Scenario, results: &'a RunResults) -> Self {
        let n = results.layout.months;
        Context {
            scenario,
            results,
            months: (0..n).map(|t| month(scenario.start, t)).collect(),
            ticks: month_ticks(scenario.start, n),
            source: format!(
                "sopsim {} · {} · {} trials · seed {}",
                env!("CARGO_PKG_VERSION"),
                scenario.name,
                count(results.trials as f64),
                results.seed
            ),
        }
    }

    fn last(&self) -> usize {
        self.months.len().saturating_sub(1)
    }

    /// A statistic of `metric` for every month (`NaN` where no trial had a value);
    /// `None` when the run has no such metric.
    fn series(&self, metric: &str, f: impl Fn(&Stats) -> f64) -> Option<Vec<f64>> {
        self.results.layout.index(metric)?;
        Some((0..self.months.len()).map(|t| self.results.get(metric, t).map_or(f64::NAN, &f)).collect())
    }

    /// The names after `prefix.` of the monthly metrics that start with it, in order.
    fn suffixes(&self, prefix: &str) -> Vec<String> {
        suffixes(&self.results.layout.names, prefix)
    }

    fn monthly(&self, notation: Notation, y_label: &str) -> Monthly {
        Monthly::new(self.months.clone(), self.ticks.clone(), notation, y_label)
    }

    fn chart(&self, name: &'static str, title: String, subtitle: String, plot: Plot) -> Option<Chart> {
        Some(Chart { name, title, subtitle, source: self.source.clone(), plot })
    }

    /// The month ARR is judged in: the target's, else the last.
    fn judged_month(&self) -> usize {
        self.scenario.target.as_ref().map_or(self.last(), |t| t.month.min(self.last()))
    }
}

/// `Jan 2027` for month `t` of a run starting at `start`.
pub fn month(start: YearMonth, t: usize) -> String {
    start.offset(t as i64).short_label()
}

/// The names after `prefix.` among `names`, in order.
pub fn suffixes(names: &[String], prefix: &str) -> Vec<String> {
    names.iter().filter_map(|n| n.strip_prefix(prefix)?.strip_prefix('.').map(str::to_string)).collect()
}

/// Months that get a tick label: at most nine, on calendar boundaries (every month,
/// every other month, quarters, half-years, years, ...).
pub fn month_ticks(start: YearMonth, months: usize) -> Vec<usize> {
    const STEPS: [usize; 8] = [1, 2, 3, 6, 12, 24, 60, 120];
    let step = STEPS.into_iter().find(|s| months.div_ceil(*s) <= 9).unwrap_or(120);
    let ticks: Vec<usize> = (0..months)
        .filter(|&t| {
            let m = start.offset(t as i64);
            if step <= 12 {
                m.month0().is_multiple_of(step)
            } else {
                m.month0() == 0 && m.year().rem_euclid((step / 12) as i32) == 0
            }
        })
        .collect();
    if ticks.is_empty() && months > 0 { vec![0] } else { ticks }
}

fn band(label: &str, color: Rgb, opacity: f64, low: Vec<f64>, high: Vec<f64>) -> Band {
    Band { label: label.to_string(), color, opacity, low, high }
}

fn line(label: &str, color: Rgb, stroke: Stroke, values: Vec<f64>) -> Line {
    Line { label: label.to_string(), color, stroke, values }
}

fn arr_fan(c: &Context) -> Option<Chart> {
    let q = |level: f64| c.series(name(id::ARR), move |s| s.at(level));
    let mut m = c.monthly(Notation::Money, "ARR at month end");
    m.bands.push(band("P10–P90", NAVY, 0.18, q(0.10)?, q(0.90)?));
    m.bands.push(band("P25–P75", NAVY, 0.30, q(0.25)?, q(0.75)?));
    m.lines.push(line("P50 (median)", NAVY, Stroke::Solid, q(0.50)?));
    let happened = c.scenario.actuals.len().min(c.months.len());
    if let Some(low) = c.series(metrics::PLAN[0], |s| s.at(0.10)) {
        // With actuals: the plan's own P10–P90 of the months that happened, the actual in red.
        m.bands.push(band("Plan P10–P90", GREY, 0.22, low, c.series(metrics::PLAN[0], |s| s.at(0.90))?));
        let actual = q(0.50)?.iter().enumerate().map(|(t, v)| if t < happened { *v } else { f64::NAN }).collect();
        m.lines.push(line("Actual", RED, Stroke::Solid, actual));
    }
    let judged = c.judged_month();
    let at = c.results.get(name(id::ARR), judged)?;
    let spread = format!(
        "P50 {}, P10 {}, P90 {} in {}",
        money(at.p50()),
        money(at.at(0.10)),
        money(at.at(0.90)),
        c.months[judged]
    );
    let (title, subtitle) = match (&c.scenario.target, &c.results.target) {
        (Some(t), Some(r)) => {
            m.levels.push(Level { value: t.arr, label: format!("Target {}", money(t.arr)), color: RED });
            m.mark = Some((judged, c.months[judged].clone()));
            (
                format!("ARR: {} chance of reaching {} by {}", percent(r.p_hit), money(t.arr), c.months[judged]),
                format!("{spread}; shaded: where 80% and 50% of trials land"),
            )
        }
        _ => (
            format!("ARR by month: P50 {} by {}", money(at.p50()), c.months[judged]),
            format!("{spread}; shaded: where 80% and 50% of trials land"),
        ),
    };
    let subtitle = match happened {
        0 => subtitle,
        n => format!("From the actuals to {} (red; grey: the plan's P10–P90); {subtitle}", c.months[n - 1]),
    };
    c.chart("arr_fan", title, subtitle, Plot::Monthly(m))
}

fn bookings(c: &Context) -> Option<Chart> {
    let q = |level: f64| c.series(name(id::BOOKINGS), move |s| s.at(level));
    let mut m = c.monthly(Notation::Money, "new ARR booked in the month");
    m.bars.push(Bars { label: "P50".into(), color: NAVY, values: q(0.50)?, whiskers: Some((q(0.10)?, q(0.90)?)) });
    let n = c.months.len();
    let title = match c.results.total(name(id::BOOKINGS)) {
        Some(t) => format!(
            "New bookings over {n} months: P50 {} (P10 {}, P90 {})",
            money(t.p50()),
            money(t.at(0.10)),
            money(t.at(0.90))
        ),
        None => "New bookings by month".to_string(),
    };
    c.chart("bookings", title, "New ARR booked each month: P50 bar, P10–P90 whisker".into(), Plot::Monthly(m))
}

/// The monthly metric of the bookings from the deals open at the start.
pub const OPEN_BOOKINGS: &str = metrics::OPEN[metrics::open::BOOKINGS].name;

/// The name of the fixed metric `id` (an index of [`metrics::id`]): charts name their
/// metrics through the table, so a chart cannot ask for a metric that does not exist.
fn name(id: usize) -> &'static str {
    metrics::FIXED[id].name
}

/// With deals open at the start: each month's P50 bookings, its lower part the P50 of
/// those from the open pipeline, the rest from new deals (a trial's open-pipeline
/// bookings never exceed its bookings, so neither do their quantiles). The title gives
/// the open pipeline's share of the expected bookings (means add up) in the first three
/// months with a split and over all of them; months of actual bookings have none.
fn bookings_split(c: &Context) -> Option<Chart> {
    let open = c.series(OPEN_BOOKINGS, Stats::p50)?;
    let open_mean = c.series(OPEN_BOOKINGS, |s| s.mean)?;
    let mean = c.series(name(id::BOOKINGS), |s| s.mean)?;
    let n = c.months.len();
    let first = open_mean.iter().rposition(|v| !v.is_finite()).map_or(0, |t| t + 1);
    if first >= n {
        return None;
    }
    let total: Vec<f64> = c
        .series(name(id::BOOKINGS), Stats::p50)?
        .iter()
        .zip(&open)
        .map(|(b, o)| if o.is_finite() { *b } else { f64::NAN })
        .collect();
    let share = |months: Range<usize>| {
        let booked: f64 = mean[months.clone()].iter().sum();
        (booked > 0.0).then(|| open_mean[months].iter().sum::<f64>() / booked)
    };
    let quarter = first..(first + 3).min(n);
    let span = month_span(&c.months[quarter.start], &c.months[quarter.end - 1]);
    let horizon = if first == 0 { format!("over {n} months") } else { format!("to {}", c.months[n - 1]) };
    let title = match (share(quarter.clone()), share(first..n)) {
        (Some(q), Some(all)) if quarter.end < n => {
            format!("The open pipeline brings {} of bookings in {span} and {} {horizon}", percent(q), percent(all))
        }
        (Some(q), _) => format!("The open pipeline brings {} of bookings in {span}", percent(q)),
        _ => format!("No bookings expected in {span}, from the open pipeline or new deals"),
    };
    let mut subtitle =
        format!("Bars: P50 bookings a month; lower part: P50 of those from deals open at the start of {}", c.months[0]);
    subtitle.push_str(if first > 0 { "; actual bookings are not split" } else { "; shares of mean bookings" });
    let mut m = c.monthly(Notation::Money, "new ARR booked in the month");
    m.bars = split_bars(("From new deals", total), ("From the open pipeline", open));
    c.chart("bookings_split", title, subtitle, Plot::Monthly(m))
}

/// `Jan–Mar 2027` for the months labelled `from` and `to` (`Jan 2027`, `Mar 2027`);
/// `Dec 2027–Feb 2028` across a year; `Jan 2027` for one month.
fn month_span(from: &str, to: &str) -> String {
    match (from.split_once(' '), to.split_once(' ')) {
        _ if from == to => from.to_string(),
        (Some((month, year)), Some((_, other))) if year == other => format!("{month}–{to}"),
        _ => format!("{from}–{to}"),
    }
}

/// A whole split in two, as bars drawn from zero can show it: the whole, labelled as
/// its upper part, then the lower part drawn over it. The legend reads top part first.
pub fn split_bars(upper: (&str, Vec<f64>), lower: (&str, Vec<f64>)) -> Vec<Bars> {
    vec![
        Bars { label: upper.0.to_string(), color: PALETTE[1], values: upper.1, whiskers: None },
        Bars { label: lower.0.to_string(), color: NAVY, values: lower.1, whiskers: None },
    ]
}

fn headcount(c: &Context) -> Option<Chart> {
    let roles = c.suffixes(metrics::PER_ROLE[role::HEADCOUNT].name);
    if roles.is_empty() {
        return None;
    }
    let mut m = c.monthly(Notation::Count, "people on staff");
    let mut at_end = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        let metric = format!("headcount.{role}");
        let color = PALETTE[i % PALETTE.len()];
        m.bands.push(band("", color, 0.15, c.series(&metric, |s| s.at(0.10))?, c.series(&metric, |s| s.at(0.90))?));
        let p50 = c.series(&metric, Stats::p50)?;
        let name = c.scenario.role_name(role);
        at_end.push(format!("{name} {}", whole(p50.last().copied().unwrap_or(f64::NAN))));
        m.lines.push(line(name, color, Stroke::Solid, p50));
    }
    // As many roles as the title holds, the others counted.
    let title = |shown: usize| {
        let mut list = at_end[..shown].join(", ");
        if shown < at_end.len() {
            list = format!("{list} and {} more", at_end.len() - shown);
        }
        format!("Headcount by role: {list} in {} (P50)", c.months[c.last()])
    };
    let shown = (1..=at_end.len()).rev().find(|&k| title(k).chars().count() <= TITLE_CHARS).unwrap_or(1);
    let title = title(shown);
    c.chart("headcount", title, "People on staff each month: P50 line, P10–P90 band".into(), Plot::Monthly(m))
}

/// Each role's hires over the horizon in whole people (P50 bar, P10–P90 whisker, drawn
/// at the whole numbers their labels read), titled with the P50 and P10–P90 of each
/// trial's total over every role: people, not a sum of means or of medians.
fn hires(c: &Context) -> Option<Chart> {
    let roles: Vec<(String, Stats)> = c
        .suffixes(metrics::PER_ROLE[role::HIRES].name)
        .into_iter()
        .filter_map(|r| Some((r.clone(), *c.results.total(&format!("hires.{r}"))?)))
        .collect();
    if roles.is_empty() {
        return None;
    }
    let span = format!("{}–{}", c.months[0], c.months[c.last()]);
    let at = |level: f64| roles.iter().map(|(_, s)| whole_count(s.at(level))).collect::<Vec<f64>>();
    let bars = Bars { label: "P50".into(), color: NAVY, values: at(0.50), whiskers: Some((at(0.10), at(0.90))) };
    let plot = Categories {
        names: roles.iter().map(|(r, _)| c.scenario.role_name(r).to_string()).collect(),
        notation: Notation::Count,
        y_label: "hires over the horizon".into(),
        value_labels: roles.iter().map(|(_, s)| people(s.at(0.10), s.p50(), s.at(0.90))).collect(),
        bars,
    };
    let title = match c.results.total("hires").map(|s| people_parts(s.at(0.10), s.p50(), s.at(0.90))) {
        Some((mid, Some(range))) => format!("Hires by role, {span}: {mid} in all (P10–P90 {range})"),
        Some((mid, None)) => format!("Hires by role, {span}: {mid} in all"),
        None => format!("Hires by role, {span}"),
    };
    let subtitle = "Planned starts, backfills and capacity-policy hires: P50 bar, P10–P90 whisker and in brackets; \
                    in all: each trial's total"
        .to_string();
    c.chart("hires", title, subtitle, Plot::Categories(plot))
}

fn coverage(c: &Context) -> Option<Chart> {
    let territories = c.suffixes("coverage");
    if territories.is_empty() {
        return None;
    }
    let mut m = c.monthly(Notation::Percent, "accounts covered");
    let mut full = 0;
    for (i, name) in territories.iter().enumerate() {
        let metric = format!("coverage.{name}");
        let color = PALETTE[i % PALETTE.len()];
        m.bands.push(band("", color, 0.15, c.series(&metric, |s| s.at(0.10))?, c.series(&metric, |s| s.at(0.90))?));
        let p50 = c.series(&metric, Stats::p50)?;
        if p50.last().is_some_and(|v| *v >= 0.995) {
            full += 1;
        }
        m.lines.push(line(name, color, Stroke::Solid, p50));
    }
    m.levels.push(Level { value: 1.0, label: "every account covered".into(), color: GREY });
    m.y_max = Some(1.08);
    let title = format!(
        "Territory coverage: {full} of {} {} fully covered in {} (P50)",
        territories.len(),
        if territories.len() == 1 { "territory" } else { "territories" },
        c.months[c.last()]
    );
    let subtitle = "Share of each territory's accounts with a rep: P50 line, P10–P90 band".to_string();
    c.chart("coverage", title, subtitle, Plot::Monthly(m))
}

/// The spread of ARR in the judged month, as the share of trials between successive
/// quantiles (5%, 15%, 25%, 25%, 15%, 5% between P5, P10, P25, P50, P75, P90, P95),
/// each drawn as a bin of that area: a histogram read from the quantiles alone.
fn arr_spread(c: &Context) -> Option<Chart> {
    let judged = c.judged_month();
    let stats = c.results.get(name(id::ARR), judged)?;
    let target = c.scenario.target.as_ref().map(|t| t.arr);
    let (bins, bin_labels) = quantile_bins(&stats.quantiles, target);
    if bins.is_empty() {
        return None;
    }
    let month = &c.months[judged];
    let (threshold, callout, legend) = match (target, &c.results.target) {
        (Some(t), Some(r)) => (
            Some(Level { value: t, label: format!("Target {}", money(t)), color: RED }),
            Some(format!("P(hit) = {}", percent(r.p_hit))),
            Some((format!("below {}", money(t)), format!("at or above {}", money(t)))),
        ),
        _ => (None, None, None),
    };
    let title = match &callout {
        Some(p) => format!("ARR in {month}: {p}"),
        None => format!("ARR in {month}: P50 {}", money(stats.p50())),
    };
    let subtitle = format!(
        "Share of trials between P5, P10, P25, P50, P75, P90 and P95; 90% land between {} and {}",
        money(stats.at(0.05)),
        money(stats.at(0.95))
    );
    let plot = Distribution {
        x_notation: Notation::Money,
        x_label: format!("ARR at the end of {month}"),
        y_notation: None,
        y_label: String::new(),
        bins,
        bin_labels,
        threshold,
        callout,
        legend,
    };
    c.chart("arr_spread", title, subtitle, Plot::Distribution(plot))
}

/// Bins between successive quantiles, each of area equal to the share of trials in it
/// (height = share per $1M of width), split at `threshold`; and a label of each share.
pub fn quantile_bins(quantiles: &[f64; 7], threshold: Option<f64>) -> (Vec<Bin>, Vec<(f64, f64, String)>) {
    let mut bins = Vec::new();
    let mut labels = Vec::new();
    if quantiles.iter().any(|q| !q.is_finite()) {
        return (bins, labels);
    }
    for i in 0..6 {
        let (from, to) = (quantiles[i], quantiles[i + 1]);
        let share = LEVELS[i + 1] - LEVELS[i];
        if !(to > from) {
            continue;
        }
        let height = share / ((to - from) / 1e6);
        let hit = |x: f64| threshold.is_none_or(|t| x >= t);
        match threshold {
            Some(t) if from < t && t < to => {
                bins.push(Bin { from, to: t, height, hit: false });
                bins.push(Bin { from: t, to, height, hit: true });
            }
            _ => bins.push(Bin { from, to, height, hit: hit(from) }),
        }
        labels.push(((from + to) / 2.0, height, percent(share)));
    }
    if bins.is_empty() {
        // Every trial gave the same value: one bar holding them all.
        let v = quantiles[3];
        let half = (v.abs() * 0.02).max(1.0);
        bins.push(Bin { from: v - half, to: v + half, height: 1.0, hit: threshold.is_none_or(|t| v >= t) });
        labels.push((v, 1.0, percent(1.0)));
    }
    (bins, labels)
}

fn attainment(c: &Context) -> Option<Chart> {
    let h = c.results.histogram("attainment")?;
    let total = h.total();
    if !(total > 0.0) {
        return None;
    }
    let n = h.lower.len();
    let bins: Vec<Bin> = (0..n)
        .map(|k| {
            let from = h.lower[k];
            let to = match h.lower.get(k + 1) {
                Some(next) => *next,
                None if k > 0 => from + (from - h.lower[k - 1]),
                None => from + 0.1,
            };
            Bin { from, to, height: h.counts[k] / total, hit: from >= 1.0 - 1e-9 }
        })
        .collect();
    let at_quota = h.share_at_or_above(1.0);
    let plot = Distribution {
        x_notation: Notation::Percent,
        x_label: "attainment: bookings / quota over the plan year".into(),
        y_notation: Some(Notation::Percent),
        y_label: "share of reps".into(),
        bins,
        bin_labels: Vec::new(),
        threshold: Some(Level { value: 1.0, label: "Quota".into(), color: RED }),
        callout: Some(format!("{} at or above quota", percent(at_quota))),
        legend: Some(("below quota".into(), "at or above quota".into())),
    };
    let title = format!("Quota attainment at plan-year end: {} of reps at or above quota", percent(at_quota));
    let open_from = h.lower.last().copied().unwrap_or(f64::NAN);
    let subtitle =
        format!("Reps by attainment, all trials pooled; the last bar holds all from {} up", percent(open_from));
    c.chart("attainment", title, subtitle, Plot::Distribution(plot))
}

fn capacity(c: &Context) -> Option<Chart> {
    let demand = c.series(name(id::OPP_DEMAND), Stats::p50)?;
    let worked = c.series(name(id::OPP_WORKED), Stats::p50)?;
    let mut m = c.monthly(Notation::Count, "opportunities a month");
    if let Some(lost) = c.series(name(id::OPP_LOST), Stats::p50) {
        m.bars.push(Bars { label: "lost (no capacity)".into(), color: RED, values: lost, whiskers: None });
    }
    m.lines.push(line("demanded", NAVY, Stroke::Solid, demand));
    if let Some(cap) = c.series(name(id::OPP_CAPACITY), Stats::p50) {
        m.lines.push(line("capacity", GREY, Stroke::Dashed, cap));
    }
    m.lines.push(line("worked", GREEN, Stroke::Solid, worked));
    let title = match c.results.total(name(id::OPP_LOST)) {
        Some(lost) => {
            format!("Capacity vs demand: {} opportunities lost over {} months (P50)", whole(lost.p50()), c.months.len())
        }
        None => "Capacity vs demand".to_string(),
    };
    c.chart("capacity", title, "Opportunities each month, P50".into(), Plot::Monthly(m))
}

fn stages(c: &Context) -> Option<Chart> {
    let stages = c.suffixes("reached");
    if stages.is_empty() {
        return None;
    }
    let mut m = c.monthly(Notation::Percent, "chance of having reached it");
    // The title names the highest stage with a real chance by the end.
    let mut headline: Option<(String, f64)> = None;
    // Stages every trial has reached from the first month are said, not drawn: their
    // lines would lie on top of each other along 100%.
    let mut from_start: Vec<&str> = Vec::new();
    for (i, name) in stages.iter().enumerate() {
        let chance = c.series(&format!("reached.{name}"), |s| s.mean)?;
        let by_end = chance.last().copied().unwrap_or(f64::NAN);
        if by_end >= 0.01 && headline.as_ref().is_none_or(|(_, p)| by_end <= *p) {
            headline = Some((name.clone(), by_end));
        }
        if chance.iter().all(|p| *p >= 1.0) {
            from_start.push(name);
            continue;
        }
        m.lines.push(line(name, PALETTE[i % PALETTE.len()], Stroke::Solid, chance));
    }
    if from_start.is_empty() {
        m.levels.push(Level { value: 1.0, label: String::new(), color: GREY });
    } else {
        let all = vec![1.0; c.months.len()];
        m.lines.push(line(&format!("from the start: {}", from_start.join(", ")), GREY, Stroke::Dashed, all));
    }
    m.y_max = Some(1.08);
    let end = &c.months[c.last()];
    let title = match headline {
        Some((name, p)) => format!("ARR stages: {} chance of reaching {name} by {end}", percent(p)),
        None => format!("ARR stages: none likely by {end}"),
    };
    let subtitle = "Share of trials whose ARR has reached the stage by the end of each month".to_string();
    c.chart("stages", title, subtitle, Plot::Monthly(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(text: &str) -> YearMonth {
        YearMonth::parse(text).unwrap()
    }

    #[test]
    fn month_ticks_fall_on_calendar_boundaries() {
        assert_eq!(month_ticks(ym("2027-01"), 6), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(month_ticks(ym("2027-01"), 24), vec![0, 3, 6, 9, 12, 15, 18, 21]);
        assert_eq!(month_ticks(ym("2027-02"), 12), vec![1, 3, 5, 7, 9, 11]);
        assert_eq!(month_ticks(ym("2027-02"), 19), vec![2, 5, 8, 11, 14, 17]);
        assert_eq!(month_ticks(ym("2027-01"), 48), vec![0, 6, 12, 18, 24, 30, 36, 42]);
        assert_eq!(month_ticks(ym("2027-03"), 1), vec![0]);
        assert_eq!(month_ticks(ym("2027-05"), 600), vec![32, 152, 272, 392, 512], "every ten years, from Jan 2030");
    }

    #[test]
    fn quantile_bins_hold_the_share_between_quantiles_and_split_at_the_target() {
        let q = [5.0e6, 6.0e6, 7.0e6, 8.0e6, 9.0e6, 10.0e6, 12.0e6];
        let (bins, labels) = quantile_bins(&q, Some(8.5e6));
        let area: f64 = bins.iter().map(|b| b.height * (b.to - b.from) / 1e6).sum();
        assert!((area - 0.9).abs() < 1e-12, "the bins hold P5 to P95: {area}");
        assert_eq!(bins.len(), 7, "the bin holding the target is cut in two");
        assert!(bins.iter().all(|b| b.hit == (b.from >= 8.5e6)));
        let shares: Vec<&str> = labels.iter().map(|l| l.2.as_str()).collect();
        assert_eq!(shares, ["5%", "15%", "25%", "25%", "15%", "5%"]);
        let (one, _) = quantile_bins(&[3.0; 7], None);
        assert_eq!(one.len(), 1, "a value without spread is one bar");
    }
}

//! What an export says at the as-of date, before anything is estimated: counts and
//! dates. An opportunity created by the as-of date is known at it, and one closed after
//! it is open at it. Per segment: each deal as the competing-risks estimate sees it, the
//! closed deals and won cycles, the won deals' sizes, the opportunities created in each
//! month of the volume window and by whom, and the pipeline open at the as-of date by
//! age; per owner: their deals and when they were last active; and the won deals by
//! month, the volume window and whether the export starts mid-stream. [`super::fitted`]
//! makes the estimates from these.

use std::collections::{BTreeMap, BTreeSet};

use super::Error;
use super::MIN_MATURE;
use super::asof;
use super::date::Date;
use super::read::{Export, Opp, Outcome};
use super::resolve::{End, Span};

/// An export measured as of a date.
#[derive(Debug)]
pub struct Measured {
    /// The export's file name.
    pub file: String,
    /// Its rows.
    pub rows: u64,
    /// Its columns: each role's name and the header of the column that holds it.
    pub columns: Vec<(&'static str, String)>,
    /// Its quirks, one warning a line.
    pub warnings: Vec<String>,
    /// The as-of date.
    pub as_of: Date,
    /// Why the as-of date is that date.
    pub why: String,
    /// Opportunities known at the as-of date.
    pub known: u64,
    /// The first close by the as-of date.
    pub first_close: Date,
    /// The first month with a close (`year * 12 + month - 1`, as every month here).
    pub observed_from: i32,
    /// Whether opportunities run two months or more before any close: the export holds
    /// only the deals still open when it starts, and misses those closed before.
    pub starts_mid_stream: bool,
    /// The volume window's first month: the first whole month of creations, not before
    /// the first close (an export of deals closed since a date lacks those closed before).
    pub window_start: i32,
    /// Its last: the last whole month by the as-of date.
    pub window_end: i32,
    /// Each segment's measures, in the export's order of segments.
    pub segments: Vec<Segment>,
    /// Each owner's, in the export's order of owners.
    pub owners: Vec<Owner>,
    /// Won deals by month of close.
    pub won_by_month: BTreeMap<i32, u64>,
}

/// What one segment's history says.
#[derive(Debug, Default)]
pub struct Segment {
    /// The segment's name in the export.
    pub name: String,
    /// Won deals counted for the win rate: those of the mature cohorts ([`Segment::mature_until`]).
    pub won: u64,
    /// Lost deals counted likewise.
    pub lost: u64,
    /// Won deals' amounts (those of at least [`crate::scenario::MIN_MONEY`]).
    pub sizes: Vec<f64>,
    /// Won cycles in whole months counted for the cycle, likewise.
    pub cycles: Vec<f64>,
    /// Opportunities created per month of the volume window.
    pub created: BTreeMap<i32, u64>,
    /// Owners creating opportunities per month of the window.
    pub creators: BTreeMap<i32, BTreeSet<u32>>,
    /// Open at the as-of date, by age in whole months (-1: created date unknown).
    pub open: BTreeMap<i32, u64>,
    /// The first close by the as-of date.
    pub first_close: Option<Date>,
    /// The last close by the as-of date.
    pub last_close: Option<Date>,
    /// Each deal closed by the as-of date: its created month, if known, and whether won.
    pub closed: Vec<(Option<i32>, bool)>,
    /// Each won deal with both dates: its created month and its cycle in whole months.
    pub won_cycles: Vec<(i32, f64)>,
    /// The last created month of the mature cohorts used for the win rate and the cycle.
    pub mature_until: Option<i32>,
    /// Each deal with a created date, as the competing-risks estimate sees it.
    pub spans: Vec<Span>,
    /// Each span's cohort: the month its deal was created.
    pub span_cohorts: Vec<i32>,
}

/// Per owner: deals won and closed, opportunities created in the window, the first and
/// last month they created one, when they were last active, and their deals by segment.
#[derive(Debug, Default, Clone)]
pub struct Owner {
    /// Deals won.
    pub won: u64,
    /// Deals closed, won or lost.
    pub closed: u64,
    /// Opportunities created in the volume window.
    pub created: u64,
    /// The first and last month of the window in which they created one.
    pub months: Option<(i32, i32)>,
    /// Their last created or close date by the as-of date.
    pub last_active: Option<Date>,
    /// Their opportunities by segment index.
    pub by_segment: BTreeMap<u32, u64>,
}

/// Measures `export` as of `as_of` (default: its last date); an error if it holds no
/// date, or no opportunity created and none closed by the as-of date.
pub fn measure(export: &Export, as_of: Option<Date>) -> Result<Measured, Error> {
    let file = export.file.as_str();
    let Some(known) = asof::as_of(export, None) else {
        return Err(Error::NothingToMeasure { file: file.to_string() });
    };
    let (last, chosen) = (known.date, asof::as_of(export, as_of).unwrap_or(known));
    let as_of = chosen.date;
    let first_created = export.opps.iter().filter_map(|o| o.created).filter(|&c| c <= as_of).min();
    let first_close = export.opps.iter().filter_map(|o| o.closed).filter(|&c| c <= as_of).min();
    let (Some(first_created), Some(first_close)) = (first_created, first_close) else {
        return Err(Error::NothingByAsOf { file: file.to_string(), as_of, last });
    };
    let starts_whole = |d: Date| if d.ymd().2 == 1 { d.month_index() } else { d.month_index() + 1 };
    // Deals created before the first close month entered the export at their age then:
    // those that closed before it are missing (an export that starts mid-stream).
    let observed_from = first_close.month_index();
    let mut m = Measured {
        file: export.file.clone(),
        rows: export.rows,
        columns: export.columns.iter().map(|(r, h)| (r.name(), h.clone())).collect(),
        warnings: export.warnings.clone(),
        as_of,
        why: chosen.why,
        known: 0,
        first_close,
        observed_from,
        starts_mid_stream: first_created.month_index() + 1 < observed_from,
        window_start: starts_whole(first_created).max(observed_from),
        window_end: if as_of.is_month_end() { as_of.month_index() } else { as_of.month_index() - 1 },
        segments: export.segments.iter().map(|name| Segment { name: name.clone(), ..Segment::default() }).collect(),
        owners: vec![Owner::default(); export.owners.len()],
        won_by_month: BTreeMap::new(),
    };
    for o in &export.opps {
        m.count(o, last);
    }
    for s in &mut m.segments {
        s.keep_mature(as_of.month_index());
    }
    Ok(m)
}

/// An opportunity as known at the as-of date.
struct Known<'a> {
    opp: &'a Opp,
    /// Its created date (known by then, since the opportunity is).
    created: Option<Date>,
    /// Its close, if by then.
    closed: Option<Date>,
    /// Won or lost if closed by then, else open.
    outcome: Outcome,
}

impl Measured {
    /// Counts `o` if it is known at the as-of date: created by then, or with no created
    /// date, closed by then (or the as-of date is the export's `last`).
    fn count(&mut self, o: &Opp, last: Date) {
        let as_of = self.as_of;
        let closed = o.closed.filter(|&c| c <= as_of);
        let is_known = match o.created {
            Some(c) => c <= as_of,
            None => closed.is_some() || as_of >= last,
        };
        if !is_known {
            return;
        }
        self.known += 1;
        let outcome = if closed.is_some() { o.outcome } else { Outcome::Open };
        let k = Known { opp: o, created: o.created, closed, outcome };
        if let Some(owner) = o.owner {
            let w = &mut self.owners[owner as usize];
            *w.by_segment.entry(o.segment).or_default() += 1;
            w.last_active = w.last_active.max(k.created.max(k.closed));
        }
        if let Some(c) = k.created
            && let Some(span) = self.span(c.month_index(), &k)
        {
            let s = &mut self.segments[o.segment as usize];
            s.spans.push(span);
            s.span_cohorts.push(c.month_index());
        }
        match (k.outcome, k.closed) {
            (Outcome::Won | Outcome::Lost, Some(close)) => self.closed(&k, close),
            _ => self.open(&k),
        }
        if let Some(c) = k.created {
            self.created(o, c.month_index());
        }
    }

    /// The deal created in month `c` as the competing-risks estimate sees it, if it does.
    fn span(&self, c: i32, k: &Known) -> Option<Span> {
        let (exit, end) = match (k.outcome, k.closed) {
            (Outcome::Won, Some(d)) => (d.month_index() - c, End::Won),
            (Outcome::Lost, Some(d)) => (d.month_index() - c, End::Lost),
            _ => (self.as_of.month_index() - c, End::Open),
        };
        // A deal created before the first close month is in the export only because it
        // was still open then, and that first month holds the closes of everything
        // that piled up before it: such a deal enters the estimate at its age in the
        // month after (left truncation), and one that closed by then is left out.
        let observed_from = self.observed_from;
        let entry = if self.starts_mid_stream && c < observed_from { observed_from + 1 - c } else { 0 };
        (exit >= entry).then_some(Span { entry: entry as u32, exit: exit as u32, end })
    }

    /// Counts a deal won or lost at `close`.
    fn closed(&mut self, k: &Known, close: Date) {
        let won = k.outcome == Outcome::Won;
        if won {
            *self.won_by_month.entry(close.month_index()).or_default() += 1;
        }
        let s = &mut self.segments[k.opp.segment as usize];
        s.closed.push((k.created.map(Date::month_index), won));
        if won {
            if let Some(a) = k.opp.amount.filter(|&a| a >= crate::scenario::MIN_MONEY) {
                s.sizes.push(a);
            }
            if let Some(c) = k.created.filter(|&c| close >= c) {
                s.won_cycles.push((c.month_index(), f64::from(close.month_index() - c.month_index())));
            }
        }
        s.first_close = Some(s.first_close.map_or(close, |d| d.min(close)));
        s.last_close = Some(s.last_close.map_or(close, |d| d.max(close)));
        if let Some(owner) = k.opp.owner {
            self.owners[owner as usize].closed += 1;
            self.owners[owner as usize].won += u64::from(won);
        }
    }

    /// Counts a deal open at the as-of date, by its age.
    fn open(&mut self, k: &Known) {
        let age = k.created.map_or(-1, |c| self.as_of.month_index() - c.month_index());
        *self.segments[k.opp.segment as usize].open.entry(age).or_default() += 1;
    }

    /// Counts an opportunity created in month `m`, if the month is in the volume window.
    fn created(&mut self, o: &Opp, m: i32) {
        if !(self.window_start..=self.window_end).contains(&m) {
            return;
        }
        let s = &mut self.segments[o.segment as usize];
        *s.created.entry(m).or_default() += 1;
        if let Some(owner) = o.owner {
            s.creators.entry(m).or_default().insert(owner);
            let w = &mut self.owners[owner as usize];
            w.created += 1;
            w.months = Some(w.months.map_or((m, m), |(a, b)| (a.min(m), b.max(m))));
        }
    }
}

impl Segment {
    /// Keeps for the win rate and the cycle the mature cohorts: deals created at least
    /// `h` months before the as-of month, `h` the 95th percentile of the won cycles. A
    /// cohort created recently has only closed its quick deals yet, so counting it would
    /// make cycles look short (and win rates lean to the outcome that comes sooner).
    /// With fewer than [`MIN_MATURE`] closed deals or won cycles in them, keeps every one.
    fn keep_mature(&mut self, as_of_month: i32) {
        let mut all: Vec<f64> = self.won_cycles.iter().map(|(_, c)| *c).collect();
        all.sort_by(f64::total_cmp);
        let h = if all.is_empty() { 0.0 } else { crate::stats::quantile_sorted(&all, 0.95).ceil() };
        let until = as_of_month - h as i32;
        let mature = |m: &Option<i32>| m.is_none_or(|m| m <= until);
        let closed = self.closed.iter().filter(|(m, _)| mature(m)).count();
        let cycles = self.won_cycles.iter().filter(|(m, _)| *m <= until).count();
        let use_mature = h > 0.0 && closed >= MIN_MATURE && cycles >= MIN_MATURE;
        self.mature_until = use_mature.then_some(until);
        let keep = |m: &Option<i32>| !use_mature || mature(m);
        self.won = self.closed.iter().filter(|(m, w)| *w && keep(m)).count() as u64;
        self.lost = self.closed.iter().filter(|(m, w)| !*w && keep(m)).count() as u64;
        self.cycles = self.won_cycles.iter().filter(|(m, _)| keep(&Some(*m))).map(|(_, c)| *c).collect();
    }
}

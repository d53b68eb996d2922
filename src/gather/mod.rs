//! `sopsim gather`: a ready-to-run scenario fitted from a CRM opportunity export.
//!
//! [`read`] turns the export into opportunities (outcome, dates, amount, owner,
//! segment) and counts its quirks; this module takes what was known at the as-of date
//! (a deal closed after it is open at it), measures each segment's win rate, deal size
//! and cycle, the monthly volume's level and trend, the closers on staff and their
//! load, the spread between reps and the open pipeline, with [`fit`]; and writes the
//! scenario, each key commented with its evidence (count, window, method). It never
//! writes a number it did not measure without saying so in the comment beside it.

pub mod amount;
pub mod asof;
pub mod backtest;
pub mod closers;
mod columns;
pub mod date;
pub mod fit;
pub mod measure;
pub mod read;
pub mod resolve;
mod rows;
pub mod stages;
pub mod timing;
mod words;
pub mod xlsx;

use std::fmt::Write as _;

use crate::scenario::MAX_ID_CHARS;
use date::{Date, month_label};
use read::{Export, ReadError, ReadOptions, group};
use words::{describe, num, percent, positive_interval, quoted, skill_sd, toml_of, volume_fits};

/// How to gather.
#[derive(Debug, Clone)]
pub struct Options {
    /// Columns, won and lost stages.
    pub read: ReadOptions,
    /// What is known: the export up to this date (default: its last date).
    pub as_of: Option<Date>,
    /// Months the scenario simulates.
    pub months: u64,
}

/// A gathered scenario.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// The scenario's TOML text.
    pub toml: String,
    /// The export's quirks, one line each.
    pub warnings: Vec<String>,
    /// A few lines saying what was measured.
    pub summary: Vec<String>,
    /// The as-of date.
    pub as_of: Date,
}

/// Days before the as-of date in which an owner's activity makes them a closer on staff.
pub const ACTIVE_DAYS: i32 = 90;

/// Fewest closed deals (and won cycles) of mature cohorts to measure from; with fewer,
/// every closed deal is used, and the comment says so.
pub const MIN_MATURE: usize = 30;

/// A segment's index, its deals open at the as-of date by age (count at each), and
/// its longest won cycle.
type OpenBySegment = (usize, Vec<(i32, u64)>, Option<f64>, Option<u32>);

/// Gathers the export `bytes` of `file`.
pub fn gather(file: &str, bytes: &[u8], options: &Options) -> Result<Gathered, ReadError> {
    let export = read::read(file, bytes, &options.read)?;
    from_export(&export, options.as_of, options.months)
}

/// Gathers a read export as of `as_of` (default: its last date) for a scenario of
/// `months` months; the back-test reads its export once and gathers it at each cutoff.
pub fn from_export(export: &Export, as_of: Option<Date>, months: u64) -> Result<Gathered, ReadError> {
    let measure::Measured {
        as_of,
        why,
        known,
        first_close,
        observed_from,
        starts_mid_stream,
        window_start,
        window_end,
        mut segments,
        owners,
        won_by_month,
        ..
    } = measure::measure(export, as_of)?;
    let file = export.file.as_str();
    let window: Vec<i32> = (window_start..=window_end).collect();
    let mut out = String::new();
    let mut summary =
        vec![format!("as of {as_of}: {}; the scenario starts in {}", why, month_label(as_of.month_index() + 1))];
    let stem = std::path::Path::new(file).file_stem().map_or("export".into(), |s| s.to_string_lossy().into_owned());
    let start = as_of.month_index() + 1;
    // User text in a comment is shown with escapes, so that no line break ends the comment.
    let columns: Vec<String> =
        export.columns.iter().map(|(r, h)| format!("{} = `{}`", r.name(), crate::format::visible(h))).collect();
    let _ = writeln!(
        out,
        "# Gathered by `sopsim gather` from {}: {} rows, as of {as_of}.",
        crate::format::visible(file),
        group(export.rows)
    );
    let _ = writeln!(out, "# As of {as_of}: {}.", why);
    let _ = writeln!(out, "# Columns: {}.", columns.join(", "));
    let _ = writeln!(
        out,
        "# What was known at the as-of date: {} opportunities (created by then; a deal closed later is open at it).",
        group(known)
    );
    let _ =
        writeln!(out, "# Every number below says where it comes from; those the export cannot give are marked SET.");
    let _ = writeln!(out);
    let _ = writeln!(out, "[scenario]");
    let _ = writeln!(out, "name = {}", quoted(&format!("{stem} (gathered, as of {as_of})")));
    let _ = writeln!(out, "start = \"{}\"   # the month after the as-of date", month_label(start));
    let _ = writeln!(out, "months = {months}");
    let _ = writeln!(out, "trials = 10000");
    let _ = writeln!(out, "seed = 1");
    let _ = writeln!(out);
    let _ = writeln!(out, "[company]");
    let _ = writeln!(out, "# SET: an opportunity export holds no ARR, churn or expansion; bookings add to this ARR.");
    let _ = writeln!(out, "arr = 0");
    let _ = writeln!(out, "monthly_churn = 0.0");
    let _ = writeln!(out, "monthly_expansion = 0.0");
    // Quarter timing from the whole quarters of won deals, leaving out a first month that
    // holds the closes piled up before a mid-stream export starts.
    let closes_from = if starts_mid_stream || first_close.ymd().2 != 1 { observed_from + 1 } else { observed_from };
    // Nor the months in which the first cohorts are still filling the pipeline: from
    // the first created month plus the age by which 90% of won deals have closed.
    let mut won_ages: Vec<f64> = segments.iter().flat_map(|s| s.won_cycles.iter().map(|(_, c)| *c)).collect();
    won_ages.sort_by(f64::total_cmp);
    let filled = if won_ages.is_empty() { 0 } else { crate::stats::quantile_sorted(&won_ages, 0.9).ceil() as i32 };
    let closes_from = closes_from.max(if starts_mid_stream { 0 } else { window_start + filled });
    let quarter = timing::quarter_factors(&won_by_month, closes_from, window_end, 0).filter(|q| q.significant());
    let won_months: Vec<f64> = (closes_from..=window_end)
        .map(|m| {
            let f = quarter.as_ref().map_or(1.0, |q| q.factors[(m.rem_euclid(12) % 3) as usize]);
            won_by_month.get(&m).copied().unwrap_or(0) as f64 / f
        })
        .collect();
    let noise = timing::close_noise(&won_months);
    if noise > 0.0 {
        let _ = writeln!(
            out,
            "# close noise: won deals a month over {} months vary more than Poisson counts{}; each month pulls in \
             (or pushes out) a shared share of the next month's won deals, normal of sd {} (over-dispersion)",
            won_months.len(),
            if quarter.is_some() { " (after the quarter timing)" } else { "" },
            num(noise, 3)
        );
        let _ = writeln!(out, "close_noise = {}", num(noise.min(10.0), 4));
    }
    match timing::quarter_factors(&won_by_month, closes_from, window_end, 0) {
        Some(q) if q.significant() => {
            let list: Vec<String> = q.factors.iter().map(|f| num(*f, 3)).collect();
            let se: Vec<String> = q.se.iter().map(|f| num(*f, 3)).collect();
            let _ = writeln!(
                out,
                "# quarter timing: won deals by month of the quarter over {} whole quarters ({} deals), 3 x each month's \
                 mean share (standard errors {}); calendar quarters (SET fiscal_year_start if yours differ)",
                q.quarters,
                group(q.deals),
                se.join(", ")
            );
            let _ = writeln!(out, "quarter_timing = [{}]", list.join(", "));
        }
        Some(q) => {
            let list: Vec<String> = q.factors.iter().map(|f| num(*f, 2)).collect();
            let _ = writeln!(
                out,
                "# quarter timing: won deals by month of the quarter over {} whole quarters are {} of the mean, none \
                 more than three standard errors from 1: left flat",
                q.quarters,
                list.join(", ")
            );
        }
        None => {
            let _ = writeln!(out, "# quarter timing: fewer than two whole quarters of won deals: left flat");
        }
    }
    let _ = writeln!(out);

    let (names, shortened) = segment_names(&export.segments);
    let mut warnings = export.warnings.clone();
    for (long, short) in &shortened {
        warnings.push(format!(
            "{}: the segment `{long}` is longer than a scenario's names may be ({MAX_ID_CHARS} characters): \
             named `{short}`",
            export.file
        ));
    }
    let mut pipeline: Vec<OpenBySegment> = Vec::new();
    for (k, s) in segments.iter_mut().enumerate() {
        let _ = writeln!(out, "[[segments]]");
        let _ = writeln!(out, "name = {}", quoted(&names[k]));
        if names[k] != export.segments[k] {
            let _ = writeln!(out, "# shortened from {}", quoted(&export.segments[k]));
        }
        let closed = s.won + s.lost;
        let window_text = match (s.first_close, s.last_close) {
            (Some(a), Some(b)) => format!("closed {a} to {b}"),
            _ => "none closed".into(),
        };
        let cohorts = match s.mature_until {
            Some(m) => format!(
                "of the deals created by {} (cohorts old enough for 95% of won deals to have closed)",
                month_label(m)
            ),
            None => "of every deal closed (too few mature cohorts: recent quick closes may shorten the cycle)".into(),
        };
        let incidence = resolve::aalen_johansen(&s.spans, resolve::MIN_AT_RISK).filter(|f| f.win() + f.loss() > 0.0);
        match &incidence {
            Some(f) => resolution(&mut out, f, &s.spans, k as u64, observed_from),
            None => {
                let _ = writeln!(out, "# measured {cohorts}");
                let (low, high) = fit::win_rate_interval(s.won, s.lost);
                let _ = writeln!(
                    out,
                    "# win rate: {} won of {} closed ({}), {window_text}; the 5th-95th percentiles of its \
                 Beta(1 + won, 1 + lost) posterior",
                    group(s.won),
                    group(closed),
                    percent(s.won as f64 / closed.max(1) as f64)
                );
                let _ = writeln!(out, "win_rate = {{ low = {}, high = {} }}", num(low, 5), num(high, 5));
            }
        }
        let n_sizes = s.sizes.len();
        match fit::sizes(&mut s.sizes) {
            Some(f) => {
                let _ = writeln!(
                    out,
                    "# deal size: the amounts of {} won deals; {}",
                    group(n_sizes as u64),
                    describe(&f, n_sizes)
                );
                let _ = writeln!(out, "deal_size = {}", toml_of(&f, 2));
            }
            None => {
                let _ = writeln!(out, "# SET: no won deal with an amount, so no deal size could be measured");
                let _ = writeln!(out, "deal_size = 0");
            }
        }
        if incidence.is_none() {
            let n_cycles = s.cycles.len();
            match fit::cycles(&mut s.cycles) {
                Some(f) => {
                    let _ = writeln!(
                        out,
                        "# cycle: whole months from the created to the close month of {} won deals; {}",
                        group(n_cycles as u64),
                        describe(&f, n_cycles)
                    );
                    let _ = writeln!(out, "cycle_months = {}", toml_of(&f, 0));
                }
                None => {
                    let _ = writeln!(out, "# SET: no won deal with both dates, so the cycle is left at 0 months");
                }
            }
        }
        let open: u64 = s.open.values().sum();
        let unknown = s.open.get(&-1).copied().unwrap_or(0);
        if open > unknown {
            let ages = s.open.iter().filter(|(age, _)| **age >= 0).map(|(a, n)| (*a, *n)).collect::<Vec<_>>();
            pipeline.push((k, ages, s.cycles.last().copied(), incidence.as_ref().map(resolve::Incidence::horizon)));
        }
        if unknown > 0 {
            let _ = writeln!(
                out,
                "# {} open opportunities have no created date (not yet engaged): left out of the starting pipeline",
                group(unknown)
            );
        }
        let _ = writeln!(out);
        let outcome = match &incidence {
            Some(f) => format!(
                "won {}, lost {}, stalled {} by age {} months",
                percent(f.win()),
                percent(f.loss()),
                percent(f.stall()),
                f.horizon()
            ),
            None => format!("win rate {} ({} closed)", percent(s.won as f64 / closed.max(1) as f64), group(closed)),
        };
        summary.push(format!(
            "segment {}: {outcome}, median deal {}, median cycle {} months, {} open",
            names[k],
            if s.sizes.is_empty() {
                "n/a".into()
            } else {
                crate::format::money(crate::stats::quantile_sorted(&s.sizes, 0.5))
            },
            match &incidence {
                Some(f) if f.win() > 0.0 => num(whole_percentiles(&f.timing(true))[50], 0),
                _ if s.cycles.is_empty() => "n/a".into(),
                _ => num(crate::stats::quantile_sorted(&s.cycles, 0.5), 1),
            },
            group(open)
        ));
    }

    // Demand: all segments' opportunities a month, then their mix.
    let totals: Vec<f64> =
        window.iter().map(|m| segments.iter().map(|s| *s.created.get(m).unwrap_or(&0) as f64).sum()).collect();
    let _ = writeln!(out, "[demand]");
    // An export that ends mid-stream: its last months' creations fall away.
    let (totals, dropped) = timing::trim_end(&totals);
    let window_end = window_end - dropped.len() as i32;
    if !dropped.is_empty() {
        let counts: Vec<String> = dropped.iter().map(|c| group(*c as u64)).collect();
        let _ = writeln!(
            out,
            "# the last {} months' creations ({}) fall below half the other months' median: the export seems to \
             end mid-stream, so they are left out of the level and the trend",
            dropped.len(),
            counts.join(", ")
        );
    }
    let at = f64::from(start - window_start);
    // A slope that cannot be told from 0 is dropped, and the level is then the mean:
    // extending an unproven slope would move the level as far as the slope's noise.
    let slope = fit::trend(&totals, at);
    let trend = slope.as_ref().map(|t| {
        let significant = t.slope_se.is_finite() && (t.growth + 1.0).ln().abs() > 2.0 * t.slope_se;
        if significant || t.months < 3 {
            (t.clone(), significant)
        } else {
            (fit::flat(&totals).unwrap_or_else(|| t.clone()), false)
        }
    });
    let level_interval = |t: &fit::Trend| {
        positive_interval((t.level.ln() - 1.645 * t.level_se).exp(), (t.level.ln() + 1.645 * t.level_se).exp())
    };
    let mut has_leads = false;
    match trend {
        Some((t, _)) if !window.is_empty() && level_interval(&t).is_none() => {
            let _ = writeln!(
                out,
                "# SET: {} opportunities created over {} months are too few to write a volume a scenario can take \
                 (its 90% interval reaches 0): no volume",
                group(totals.iter().sum::<f64>() as u64),
                window.len()
            );
        }
        Some((t, significant)) if !window.is_empty() => {
            has_leads = true;
            let history =
                format!("{} months, {} to {}", totals.len(), month_label(window_start), month_label(window_end));
            let counts: Vec<String> = totals.iter().map(|c| group(*c as u64)).collect();
            let _ = writeln!(out, "# opportunities created a month over {history}: {}", counts.join(", "));
            let (low, high) = ((t.level.ln() - 1.645 * t.level_se).exp(), (t.level.ln() + 1.645 * t.level_se).exp());
            let (low_text, high_text) = level_interval(&t).unwrap_or_default();
            let how = if t.months < 3 {
                "the mean count (fewer than 3 months), with its Poisson error"
            } else if significant {
                "a log-linear trend fitted by least squares, extended to the start"
            } else {
                "the mean count (the trend's slope cannot be told from 0)"
            };
            let _ = writeln!(
                out,
                "# level at {}: {how}; the interval is its 90% interval (the standard error of the log level, \
                 with the months' own spread)",
                month_label(start)
            );
            let _ = writeln!(out, "leads_per_month = {{ low = {low_text}, high = {high_text} }}");
            let _ = writeln!(out, "lead_to_opportunity = 1   # the export counts opportunities, not leads");
            let b = (t.growth + 1.0).ln();
            let peak = if window.len() < 24 {
                1.0
            } else {
                seasonality(&totals, window_start, &t, f64::from(start - window_start)).into_iter().fold(0.0, f64::max)
            };
            let (lo, hi) = ((b - 1.645 * t.slope_se).exp() - 1.0, (b + 1.645 * t.slope_se).exp() - 1.0);
            // A slope a scenario cannot take (a monthly growth at or beyond -100% or
            // +100%, or one compounding past what can be simulated) is left out.
            let holds = -1.0 < lo && hi < 1.0 && volume_fits(low, high, 0.5 * (lo + hi), months, peak);
            if significant && !holds {
                let _ = writeln!(
                    out,
                    "# growth: the trend's slope, {} a month ({} to {}, 90% interval), is beyond what a scenario can \
                     take over {months} months (a date far from the others can bend it): left at 0",
                    percent(t.growth),
                    percent(lo),
                    percent(hi)
                );
                let _ = writeln!(out, "growth_per_month = 0.0");
            } else if significant {
                let _ = writeln!(
                    out,
                    "# growth: the trend's slope, {} a month (90% interval), more than two standard errors from 0",
                    percent(t.growth)
                );
                if num(lo, 5) == num(hi, 5) {
                    let _ = writeln!(out, "growth_per_month = {}", num(lo, 5));
                } else {
                    let _ = writeln!(out, "growth_per_month = {{ low = {}, high = {} }}", num(lo, 5), num(hi, 5));
                }
            } else if let Some(fitted) = slope.as_ref().filter(|f| f.months >= 3) {
                let _ = writeln!(
                    out,
                    "# growth: the trend's slope, {} a month ± {} (one standard error), cannot be told from 0: left at 0",
                    percent(fitted.growth),
                    percent(fitted.slope_se)
                );
                let _ = writeln!(out, "growth_per_month = 0.0");
            }
            let noise = timing::volume_noise(&totals, timing::log_residual_var(&totals, significant));
            if noise > 0.0 {
                let _ = writeln!(
                    out,
                    "# volume noise: the months' log counts vary around the {} with sd {}, of which Poisson noise \
                     explains sd {}: a shared monthly shock of sd {} (over-dispersion)",
                    if significant { "trend" } else { "mean" },
                    num(timing::log_residual_var(&totals, significant).sqrt(), 3),
                    num(
                        (totals.iter().filter(|c| **c > 0.0).map(|c| 1.0 / c).sum::<f64>()
                            / totals.iter().filter(|c| **c > 0.0).count().max(1) as f64)
                            .sqrt(),
                        3
                    ),
                    num(noise, 3)
                );
                let _ = writeln!(out, "volume_noise = {}", num(noise.min(10.0), 4));
            } else if totals.len() >= 4 {
                let _ = writeln!(out, "# volume noise: the months vary no more than Poisson counts: none");
            }
            if totals.len() < 24 {
                let _ = writeln!(
                    out,
                    "# seasonality: {} months of history are fewer than two years, so twelve monthly factors \
                     cannot be told from noise: left flat",
                    totals.len()
                );
            } else {
                let factors = seasonality(&totals, window_start, &t, f64::from(start - window_start));
                let list: Vec<String> = factors.iter().map(|f| num(*f, 3)).collect();
                let _ = writeln!(
                    out,
                    "# seasonality: each calendar month's mean ratio of count to trend over {} years, January first, \
                     scaled to a mean of 1",
                    totals.len() / 12
                );
                let _ = writeln!(out, "seasonality = [{}]", list.join(", "));
            }
            summary.push(format!("volume: {} opportunities a month at the start ({history})", num(t.level, 0)));
        }
        _ => {
            let _ = writeln!(
                out,
                "# SET: no whole month of creations before the as-of date, so no volume could be measured"
            );
        }
    }
    if segments.len() > 1 && has_leads {
        let total: f64 = totals.iter().sum::<f64>().max(1.0);
        let mix: Vec<String> = segments
            .iter()
            .enumerate()
            .map(|(k, s)| format!("{} = {}", quoted(&names[k]), num(s.created.values().sum::<u64>() as f64 / total, 4)))
            .collect();
        let _ = writeln!(out, "# mix: each segment's share of the opportunities created over the window");
        let _ = writeln!(out, "segment_mix = {{ {} }}", mix.join(", "));
    }
    let _ = writeln!(out);

    // Closers: the owners active in the last ACTIVE_DAYS, each in the segment of most of
    // their opportunities.
    let since = Date(as_of.0 - ACTIVE_DAYS);
    let active = owners.iter().filter(|w| w.last_active.is_some_and(|d| d > since)).map(|w| &w.by_segment);
    let headcounts = closers::headcounts(active, segments.len());
    let mut ids: Vec<String> = Vec::new();
    for (k, s) in segments.iter().enumerate() {
        let staff = headcounts[k].count;
        let load = window
            .iter()
            .filter_map(|m| {
                let reps = s.creators.get(m).map_or(0, |c| c.len());
                (reps > 0).then(|| *s.created.get(m).unwrap_or(&0) as f64 / reps as f64)
            })
            .fold(0.0, f64::max);
        let id = role_id(&names[k], segments.len(), &ids);
        ids.push(id.clone());
        let _ = writeln!(out, "[[roles]]");
        let _ = writeln!(out, "id = {}", quoted(&id));
        let _ = writeln!(out, "kind = \"closer\"");
        let _ = writeln!(out, "segment = {}", quoted(&names[k]));
        let h = &headcounts[k];
        let created: u64 = s.created.values().sum();
        if h.main > 0 {
            let _ = writeln!(
                out,
                "# headcount: owners with an opportunity created or closed in the {ACTIVE_DAYS} days to {as_of}, \
                 most of whose opportunities are in this segment"
            );
        } else if staff > 0 {
            let _ = writeln!(
                out,
                "# headcount: no owner active in the {ACTIVE_DAYS} days to {as_of} has most of their opportunities \
                 in this segment; those who work it give it {} of a person's opportunities, so {staff} (rounded, \
                 at least 1)",
                num(h.share, 2)
            );
            warnings.push(format!(
                "note: {}: no active owner has most of their opportunities in the segment `{}`: it gets its share \
                 of the owners who work it, {} ({} people's worth of their opportunities)",
                export.file,
                crate::format::visible(&names[k]),
                staff,
                num(h.share, 2)
            ));
        } else {
            let _ = writeln!(
                out,
                "# headcount: no owner active in the {ACTIVE_DAYS} days to {as_of} works this segment, so its \
                 demand will be lost"
            );
            if created > 0 {
                warnings.push(format!(
                    "warning: {}: no owner active in the {ACTIVE_DAYS} days to {as_of} works the segment `{}`: its \
                     {} opportunities over the volume window ({} of them) will find no closer and be lost; \
                     --segment-by a column whose values split the owners, or leave it out",
                    export.file,
                    crate::format::visible(&names[k]),
                    group(created),
                    percent(created as f64 / totals.iter().sum::<f64>().max(1.0))
                ));
            }
        }
        let _ = writeln!(out, "headcount = {staff}");
        let _ = writeln!(
            out,
            "# capacity: the most opportunities created per active owner in any month of the window, so that the \
             history's demand fits it"
        );
        let limit = crate::scenario::MAX_OPPS_PER_REP;
        if load.ceil() > limit {
            let _ = writeln!(
                out,
                "# the history's busiest month had {} a rep, above the {} a model rep can work: capped, so some \
                 of the demand will be lost",
                num(load.ceil(), 0),
                num(limit, 0)
            );
        }
        let _ = writeln!(out, "opportunities_per_month = {}", num(load.max(1.0).ceil().min(limit), 0));
        let _ = writeln!(out, "# SET: the export has no hire or leave dates, so no attrition, ramp or time to hire");
        let _ = writeln!(out, "annual_attrition = 0.0");
        let members: Vec<&measure::Owner> = owners
            .iter()
            .filter(|w| {
                w.by_segment.iter().max_by_key(|(seg, n)| (**n, std::cmp::Reverse(**seg))).map(|(seg, _)| *seg)
                    == Some(k as u32)
            })
            .collect();
        let win: Vec<(u64, u64)> = members.iter().map(|w| (w.won, w.closed)).collect();
        let load_per_rep: Vec<(u64, f64)> =
            members.iter().filter_map(|w| w.months.map(|(a, b)| (w.created, f64::from(b - a + 1)))).collect();
        // The spreads between reps, as the sd of each person's multiplier (mean 1).
        let mut parts = Vec::new();
        if let Some((sd, mean, n)) = fit::between_rep_sd_poisson(&load_per_rep) {
            let _ = writeln!(
                out,
                "# skill: opportunities a month per rep average {} with a spread of {} (sd, {n} reps, net of \
                 Poisson noise), so each person's productivity multiplier has sd {}",
                num(mean, 1),
                num(sd, 1),
                num(sd / mean.max(f64::MIN_POSITIVE), 3)
            );
            if let Some(sd) = skill_sd(sd / mean) {
                parts.push(format!("productivity = {{ dist = \"gamma\", mean = 1, sd = {sd} }}"));
            }
        }
        let pooled = s.won as f64 / (s.won + s.lost).max(1) as f64;
        if let Some((sd, n)) = fit::between_rep_sd(&win, 10) {
            let _ = writeln!(
                out,
                "# skill: the spread of the reps' true win rates is {} (sd, {n} reps with 10 or more closed \
                 deals, net of each rep's binomial noise: a random-effects estimate), a multiplier of sd {} on {}",
                percent(sd),
                num(sd / pooled.max(f64::MIN_POSITIVE), 3),
                percent(pooled)
            );
            if let Some(sd) = skill_sd(sd / pooled) {
                parts.push(format!("win_rate = {{ dist = \"gamma\", mean = 1, sd = {sd} }}"));
            }
        }
        if !parts.is_empty() {
            let _ = writeln!(out, "skill = {{ {} }}", parts.join(", "));
        }
        let _ = writeln!(out);
        summary
            .push(format!("closers {id}: {staff} on staff, up to {} opportunities a month each", num(load.ceil(), 0)));
    }
    for (k, ages, longest, horizon) in &pipeline {
        let total: u64 = ages.iter().map(|(_, n)| n).sum();
        match horizon {
            Some(h) => {
                let _ = writeln!(
                    out,
                    "# open pipeline of {} at {as_of}: {} opportunities by whole months since their created month; \
                     each resolves by the segment's chances conditioned on being still open at its age",
                    crate::format::visible(&names[*k]),
                    group(total)
                );
                let old: u64 = ages.iter().filter(|(a, _)| *a >= *h as i32).map(|(_, n)| n).sum();
                if old > 0 {
                    let _ = writeln!(
                        out,
                        "# {} of them are open at or past age {h}, where no deal was seen to resolve later: stalled",
                        group(old)
                    );
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "# open pipeline of {} at {as_of}: {} opportunities by whole months since their created month; \
                     each closes over the rest of the segment's cycle",
                    crate::format::visible(&names[*k]),
                    group(total)
                );
                // A deal open at age a has a cycle of at least a + 1 months.
                let stale: u64 =
                    ages.iter().filter(|(a, _)| longest.is_none_or(|l| f64::from(a + 1) > l)).map(|(_, n)| n).sum();
                if stale > 0 {
                    let _ = writeln!(
                        out,
                        "# {} of them are older than the longest won cycle ({} months): stale, they close lost in the \
                         first month",
                        group(stale),
                        longest.map_or("none".into(), |l| num(l, 0))
                    );
                }
            }
        }
        // A scenario's pipeline ages end at its longest horizon: older deals are written
        // at that age (stale either way).
        let oldest = crate::scenario::MAX_MONTHS as i32;
        let beyond: u64 = ages.iter().filter(|(a, _)| *a > oldest).map(|(_, n)| n).sum();
        let mut ages = ages.clone();
        if beyond > 0 {
            let _ =
                writeln!(out, "# {} of them are older than {oldest} months: written at age {oldest}", group(beyond));
            ages.retain(|(a, _)| *a < oldest);
            let at_oldest: u64 = beyond + ages.iter().filter(|(a, _)| *a == oldest).map(|(_, n)| n).sum::<u64>();
            ages.push((oldest, at_oldest));
        }
        for (age, n) in &ages {
            let _ = writeln!(out, "[[pipeline]]");
            if segments.len() > 1 {
                let _ = writeln!(out, "segment = {}", quoted(&names[*k]));
            }
            let _ = writeln!(out, "age_months = {age}");
            let _ = writeln!(out, "count = {n}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "# SET: the plan's target, e.g.");
    let _ = writeln!(out, "# [target]");
    let _ = writeln!(out, "# arr = 1_000_000");
    Ok(Gathered { toml: out, warnings, summary, as_of })
}

/// Bootstrap resamples for the standard errors of the resolution chances.
const BOOTSTRAP_ROUNDS: usize = 200;

/// Writes how a segment's deals resolve (`win_rate`, `stall_rate`, `cycle_months`,
/// `loss_cycle_months`) from the competing-risks estimate `f` of its deals `spans`, each
/// with its evidence; `observed_from` is the first month with a close in the export.
fn resolution(out: &mut String, f: &resolve::Incidence, spans: &[resolve::Span], seed: u64, observed_from: i32) {
    let (se_win, se_stall) = resolve::bootstrap_se(spans, f, BOOTSTRAP_ROUNDS, seed);
    let count = |end: resolve::End| spans.iter().filter(|d| d.end == end).count() as u64;
    let horizon = f.horizon();
    let _ = writeln!(
        out,
        "# resolution: won and lost as competing risks by deal age in whole months (Aalen-Johansen) over {} deals \
         with a created date: {} won, {} lost, {} open at the as-of date (each censored at its age); estimated to \
         age {horizon}, the last with at least {} deals at risk",
        group(spans.len() as u64),
        group(count(resolve::End::Won)),
        group(count(resolve::End::Lost)),
        group(count(resolve::End::Open)),
        resolve::MIN_AT_RISK
    );
    if spans.iter().any(|d| d.entry > 0) {
        let _ = writeln!(
            out,
            "# the export has no close before {}, so it starts mid-stream: deals created earlier enter the estimate \
             at their age in {} (left truncation), since those that closed before are missing and that first month \
             holds the closes that piled up",
            month_label(observed_from),
            month_label(observed_from + 1)
        );
    }
    let (low, high) = resolve::rate_interval(f.win(), se_win);
    let _ = writeln!(
        out,
        "# win rate: {} of deals are won by age {horizon} (bootstrap standard error {}); the 90% interval of a beta \
         of that mean and spread",
        percent(f.win()),
        percent(se_win)
    );
    let _ = writeln!(out, "win_rate = {}", rate_value(f.win(), low, high));
    let stall = f.stall();
    let _ = writeln!(
        out,
        "# lost by age {horizon}: {}; still open at age {horizon} (stalled: taken as never closing): {}",
        percent(f.loss()),
        percent(stall)
    );
    if stall >= 0.0005 {
        let (low, high) = resolve::rate_interval(stall, se_stall);
        let _ = writeln!(out, "stall_rate = {}", rate_value(stall, low, high));
    }
    for (won, key) in [(true, "cycle_months"), (false, "loss_cycle_months")] {
        let p = f.timing(won);
        if p.is_empty() {
            continue;
        }
        let mean: f64 = p.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        let values = whole_percentiles(&p);
        let what = if won { "won" } else { "lost" };
        let _ = writeln!(
            out,
            "# {key}: the age at which {what} deals close, each age's share of the {what} incidence (mean {} \
             months); its percentiles 0%, 1%, ..., 100%",
            num(mean, 2)
        );
        if values.first() == values.last() {
            let _ = writeln!(out, "{key} = {}", num(values[0], 0));
        } else {
            let list: Vec<String> = values.iter().map(|v| num(*v, 0)).collect();
            let _ = writeln!(out, "{key} = {{ dist = \"empirical\", values = [{}] }}", list.join(", "));
        }
    }
}

/// A rate as the scenario takes it: its interval `{ low, high }`, or the estimate `p`
/// itself where the interval is too narrow to write apart in five decimals (a rate
/// estimated at 0 or 1 from deals that all went one way).
fn rate_value(p: f64, low: f64, high: f64) -> String {
    let (low, high) = (num(low, 5), num(high, 5));
    if low == high { num(p.clamp(0.0, 1.0), 5) } else { format!("{{ low = {low}, high = {high} }}") }
}

/// The percentiles 0%, 1%, ..., 100% of a distribution on whole months given by the
/// chance `p[k]` of each month `k`: the least `k` whose cumulative chance reaches each.
fn whole_percentiles(p: &[f64]) -> Vec<f64> {
    let total: f64 = p.iter().sum();
    let first = p.iter().position(|&x| x > 0.0).unwrap_or(0);
    (0..=100)
        .map(|j| {
            if j == 0 {
                return first as f64;
            }
            let target = total * f64::from(j) / 100.0 - 1e-12;
            let mut cum = 0.0;
            for (k, x) in p.iter().enumerate() {
                cum += x;
                if cum >= target {
                    return k as f64;
                }
            }
            (p.len() - 1) as f64
        })
        .collect()
}

/// Seasonal factors from at least two years: each calendar month's mean ratio of its
/// count to the trend, scaled to a mean of 1.
fn seasonality(counts: &[f64], first_month: i32, t: &fit::Trend, at: f64) -> [f64; 12] {
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

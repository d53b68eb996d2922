//! A fitted scenario ([`super::fitted`]) as the lines of its TOML ([`super::doc`]):
//! each key with the evidence it rests on in a comment above it (count, window,
//! method), and the keys the export cannot give marked SET. The same lines give the
//! text `gather` writes and the tree the back-test's scenario is read from.

use super::date::month_label;
use super::doc::{Doc, Key, Value};
use super::fitted::{
    ClosedDeals, Closers, CompetingRisks, Demand, Fitted, Growth, Leads, Level, Old, Pipeline, QuarterCycles,
    QuarterTiming, Resolution, Sample, Segment, Timing, Volume, VolumeNoise,
};
use super::read::group;
use super::words::{describe, num, percent, positive_interval, quoted, skill_sd, value_of};
use super::{ACTIVE_DAYS, resolve};
use crate::format::visible;
use crate::month::MONTH_NAMES;

/// The scenario's lines.
pub fn doc(f: &Fitted) -> Doc {
    let mut d = Doc::default();
    header(&mut d, f);
    company(&mut d, f);
    for s in &f.segments {
        segment(&mut d, s);
    }
    demand(&mut d, &f.demand, f);
    for c in &f.closers {
        closers(&mut d, c, f);
    }
    for p in &f.pipeline {
        pipeline(&mut d, p, f);
    }
    d.comment("SET: the plan's target, e.g.");
    d.comment("[target]");
    d.comment("arr = 1_000_000");
    d
}

/// Where the scenario comes from, and its `[scenario]` table.
fn header(d: &mut Doc, f: &Fitted) {
    let as_of = f.as_of;
    // User text in a comment is shown with escapes, so that no line break ends the comment.
    let columns: Vec<String> = f.columns.iter().map(|(r, h)| format!("{r} = `{}`", visible(h))).collect();
    d.comment(format!("Gathered by `sopsim gather` from {}: {} rows, as of {as_of}.", visible(&f.file), group(f.rows)));
    d.comment(format!("As of {as_of}: {}.", f.why));
    d.comment(format!("Columns: {}.", columns.join(", ")));
    d.comment(format!(
        "What was known at the as-of date: {} opportunities (created by then; a deal closed later is open at it).",
        group(f.known)
    ));
    d.comment("Every number below says where it comes from; those the export cannot give are marked SET.");
    d.blank();
    d.table("scenario");
    d.key("name", Value::Str(f.name.clone()));
    d.key_noted("start", Value::Str(month_label(f.start)), "the month after the as-of date");
    d.key("months", Value::Num(f.months.to_string()));
    d.key("trials", Value::Num("10000".into()));
    d.key("seed", Value::Num("1".into()));
    d.blank();
}

/// The `[company]` table: what the export cannot give, the fiscal year if told, the close
/// noise and the quarter timing.
fn company(d: &mut Doc, f: &Fitted) {
    d.table("company");
    d.comment("SET: an opportunity export holds no ARR, churn or expansion; bookings add to this ARR.");
    d.key("arr", Value::Num("0".into()));
    d.key("monthly_churn", Value::Num("0.0".into()));
    d.key("monthly_expansion", Value::Num("0.0".into()));
    let fiscal = f.company.fiscal_year_start;
    if let Some(first) = fiscal {
        d.comment(format!(
            "the fiscal year starts in {} (--fiscal-year-start {}): its quarters, {}, are those the quarter timing \
             and the cycles by month of the quarter were measured on",
            MONTH_NAMES[first as usize % 12],
            first % 12 + 1,
            fiscal_quarters(first)
        ));
        d.key("fiscal_year_start", Value::Num((first % 12 + 1).to_string()));
    }
    let quarters = if fiscal.is_some() { "fiscal quarters" } else { "quarters" };
    if let Some(n) = &f.company.close_noise {
        d.comment(format!(
            "close noise: won deals a month over {} months vary more than Poisson counts{} (a month ahead, with \
             that estimate's own uncertainty); each month pulls in (or pushes out) a shared share of the next \
             month's won deals, normal of sd {} (over-dispersion)",
            n.months,
            if n.after_quarter_timing { " (after the quarter timing)" } else { "" },
            num(n.sd, 3)
        ));
        d.key("close_noise", Value::num(n.sd.min(10.0), 4));
    }
    match &f.company.quarter_timing {
        QuarterTiming::Pushed(q) => {
            let se: Vec<String> = q.se.iter().map(|f| num(*f, 3)).collect();
            let calendar = if fiscal.is_some() {
                ""
            } else {
                "; calendar quarters (SET: where the fiscal year starts in another month, gather again with \
                 --fiscal-year-start: fiscal_year_start set here alone would move these factors onto other months)"
            };
            d.comment(format!(
                "quarter timing: won deals by month of the quarter over {} whole {quarters} ({} deals), 3 x each \
                 month's mean share (standard errors {}){calendar}",
                q.quarters,
                group(q.deals),
                se.join(", ")
            ));
            d.key("quarter_timing", Value::Array(q.factors.iter().map(|f| Value::num(*f, 3)).collect()));
            d.comment("each trial draws its own factors around them, with those standard errors");
            d.key("quarter_timing_sd", Value::Array(q.se.iter().map(|f| Value::num(*f, 3)).collect()));
        }
        QuarterTiming::Flat(q) => {
            let list: Vec<String> = q.factors.iter().map(|f| num(*f, 2)).collect();
            d.comment(format!(
                "quarter timing: won deals by month of the quarter over {} whole {quarters} are {} of the mean, none \
                 more than three standard errors from 1: left flat",
                q.quarters,
                list.join(", ")
            ));
        }
        QuarterTiming::TooFew => {
            d.comment(format!("quarter timing: fewer than two whole {quarters} of won deals: left flat"));
        }
    }
    d.blank();
}

/// The quarters of a fiscal year starting in month `first` (0: January), in words:
/// `Feb-Apr, May-Jul, Aug-Oct and Nov-Jan`.
fn fiscal_quarters(first: u32) -> String {
    let quarter = |q: u32| {
        let month = |k: u32| MONTH_NAMES[((first + 3 * q + k) % 12) as usize];
        format!("{}-{}", month(0), month(2))
    };
    format!("{}, {}, {} and {}", quarter(0), quarter(1), quarter(2), quarter(3))
}

/// A `[[segments]]` element.
fn segment(d: &mut Doc, s: &Segment) {
    d.element("segments");
    d.key("name", Value::Str(s.name.clone()));
    if s.name != s.export_name {
        d.comment(format!("shortened from {}", quoted(&s.export_name)));
    }
    match &s.resolution {
        Resolution::CompetingRisks(c) => competing_risks(d, c),
        Resolution::ClosedDeals(c) => closed_deals_win_rate(d, c),
    }
    match &s.deal_size {
        Some(size) => sample(d, "deal_size", "deal size: the amounts", size, 2),
        None => {
            d.comment("SET: no won deal with an amount, so no deal size could be measured");
            d.key("deal_size", Value::Num("0".into()));
        }
    }
    if let Resolution::ClosedDeals(c) = &s.resolution {
        closed_deals_cycle(d, c.cycle.as_ref());
    }
    if s.undated_open > 0 {
        d.comment(format!(
            "{} open opportunities have no created date (not yet engaged): left out of the starting pipeline",
            group(s.undated_open)
        ));
    }
    d.blank();
}

/// How a segment's deals resolve (`win_rate`, `stall_rate`, `cycle_months`,
/// `loss_cycle_months`), from their competing-risks estimate `c`, each with its evidence.
fn competing_risks(d: &mut Doc, c: &CompetingRisks) {
    let horizon = c.horizon;
    d.comment(format!(
        "resolution: won and lost as competing risks by deal age in whole months (Aalen-Johansen) over {} deals \
         with a created date: {} won, {} lost, {} open at the as-of date (each censored at its age); estimated to \
         age {}, the last with at least {} deals at risk",
        group(c.deals),
        group(c.won),
        group(c.lost),
        group(c.open),
        c.observed,
        resolve::MIN_AT_RISK
    ));
    if horizon > c.observed {
        d.comment(format!(
            "deals were still resolving at age {}: the hazard of the last ages, falling as it fell there, carries \
             the estimate on to age {horizon}",
            c.observed
        ));
    }
    if let Some(first) = c.mid_stream_from {
        d.comment(format!(
            "the export has no close before {}, so it starts mid-stream: deals created earlier enter the estimate \
             at their age in {} (left truncation), since those that closed before are missing and that first month \
             holds the closes that piled up",
            month_label(first),
            month_label(first + 1)
        ));
    }
    d.comment(format!(
        "win rate: {} of deals are won by age {horizon} (bootstrap standard error {}); the 90% interval of a beta \
         of that mean and spread",
        percent(c.win.p),
        percent(c.win.se)
    ));
    d.key("win_rate", rate_value(c.win.p, c.win.low, c.win.high));
    d.comment(format!(
        "lost by age {horizon}: {}; still open at age {horizon} (stalled: taken as never closing): {}",
        percent(c.loss),
        percent(c.stall)
    ));
    if let Some(r) = &c.stall_rate {
        d.key("stall_rate", rate_value(r.p, r.low, r.high));
    }
    let q = c.by_quarter.as_ref();
    let won_by_quarter = q.map(|q| &q.cycle);
    let lost_by_quarter = q.and_then(|q| q.loss_cycle.as_ref());
    for (timing, by_quarter, key, what) in [
        (&c.cycle, won_by_quarter, "cycle_months", "won"),
        (&c.loss_cycle, lost_by_quarter, "loss_cycle_months", "lost"),
    ] {
        let Some(t) = timing else { continue };
        if let (Some(by), Some(q)) = (by_quarter, q) {
            quarter_cycle(d, key, what, t, by, q);
            continue;
        }
        d.comment(format!(
            "{key}: the age at which {what} deals close, each age's share of the {what} incidence (mean {} \
             months): the ages in months and the chance of each",
            num(t.mean, 2)
        ));
        d.key(key, timing_value(t));
    }
    cohort_noise(d, c.cohort_noise.as_ref());
}

/// `quarter_cycle_months` (or `quarter_loss_cycle_months`): the ages at which deals of
/// the outcome `what` close by the month of the quarter they were created in, `by`, in
/// place of the one timing `all`, with the counts of `q` they rest on.
fn quarter_cycle(d: &mut Doc, key: &'static str, what: &str, all: &Timing, by: &[Timing; 3], q: &QuarterCycles) {
    let counts = if what == "won" { q.won } else { q.lost };
    d.comment(format!(
        "{key} by month of the quarter: deals created in the quarter's first, second and third month resolve \
         differently by age (chi-squared {} on {} degrees of freedom against the pooled chances, p {}), so the age \
         at which {what} deals close is each month's own competing-risks estimate: means {}, {} and {} months ({}, \
         {} and {} {what} deals; {} months over them all): the ages in months and the chance of each",
        num(q.test.chi2, 1),
        q.test.df,
        p_value(q.test.p),
        num(by[0].mean, 2),
        num(by[1].mean, 2),
        num(by[2].mean, 2),
        group(counts[0]),
        group(counts[1]),
        group(counts[2]),
        num(all.mean, 2),
    ));
    let key = if what == "won" { "quarter_cycle_months" } else { "quarter_loss_cycle_months" };
    d.key(key, Value::Array(by.iter().map(timing_value).collect()));
}

/// A timing as the scenario takes it: each age's chance as a discrete distribution
/// (the ages from the first to the last whose chance shows at [`CHANCE_DIGITS`]
/// decimals), or the one age that has them all.
fn timing_value(t: &Timing) -> Value {
    let shown = |p: f64| num(p, CHANCE_DIGITS) != "0";
    let first = t.chances.iter().position(|&p| shown(p));
    let last = t.chances.iter().rposition(|&p| shown(p));
    let (Some(first), Some(last)) = (first, last) else { return Value::num(t.median() as f64, 0) };
    if first == last {
        return Value::num(first as f64, 0);
    }
    let ages = (first..=last).map(|k| Value::num(k as f64, 0)).collect();
    let chances = t.chances[first..=last].iter().map(|&p| Value::num(p, CHANCE_DIGITS)).collect();
    Value::dist("discrete", vec![("values", Value::Array(ages)), ("weights", Value::Array(chances))])
}

/// The decimals a timing's chances are written with: an age of chance below 1 in 2
/// million is left out.
const CHANCE_DIGITS: usize = 6;

/// `cohort_noise`, where the cohorts' win chances vary beyond chance, with its evidence.
fn cohort_noise(d: &mut Doc, n: Option<&resolve::CohortNoise>) {
    let Some(n) = n else {
        d.comment(format!(
            "cohort noise: fewer than {} monthly cohorts seen from their creation and expected to win {} deals or \
             more: none",
            resolve::MIN_COHORTS,
            num(resolve::MIN_EXPECTED, 0)
        ));
        return;
    };
    if n.sd <= 0.0 {
        d.comment(format!(
            "cohort noise: the won deals of {} monthly cohorts ({} deals) vary around what the chances above expect \
             of them no more than chance allows: none",
            n.cohorts,
            group(n.deals)
        ));
        return;
    }
    d.comment(format!(
        "cohort noise: the won deals of {} monthly cohorts ({} deals) vary around what the chances above expect of \
         them more than chance allows: their ratios' between-cohort sd is {} (DerSimonian-Laird), so each month's \
         opportunities share a multiplier of that sd on their win rate",
        n.cohorts,
        group(n.deals),
        num(n.sd, 3)
    ));
    d.key("cohort_noise", Value::num(n.sd.min(10.0), 4));
}

/// A rate as the scenario takes it: its interval `{ low, high }`, or the estimate `p`
/// itself where the interval is too narrow to write apart in five decimals (a rate
/// estimated at 0 or 1 from deals that all went one way).
fn rate_value(p: f64, low: f64, high: f64) -> Value {
    let (low, high) = (num(low, 5), num(high, 5));
    if low == high { Value::num(p.clamp(0.0, 1.0), 5) } else { Value::interval(low, high) }
}

/// The win rate of a segment's closed deals `c`.
fn closed_deals_win_rate(d: &mut Doc, c: &ClosedDeals) {
    let closed = c.won + c.lost;
    let cohorts = match c.mature_until {
        Some(m) => format!(
            "of the deals created by {} (cohorts old enough for 95% of won deals to have closed)",
            month_label(m)
        ),
        None => "of every deal closed (too few mature cohorts: recent quick closes may shorten the cycle)".into(),
    };
    let window = match c.closes {
        Some((a, b)) => format!("closed {a} to {b}"),
        None => "none closed".into(),
    };
    d.comment(format!("measured {cohorts}"));
    d.comment(format!(
        "win rate: {} won of {} closed ({}), {window}; the 5th-95th percentiles of its \
                 Beta(1 + won, 1 + lost) posterior",
        group(c.won),
        group(closed),
        percent(c.won as f64 / closed.max(1) as f64)
    ));
    d.key("win_rate", Value::interval(num(c.interval.0, 5), num(c.interval.1, 5)));
}

/// The won cycle of a segment's closed deals.
fn closed_deals_cycle(d: &mut Doc, cycle: Option<&Sample>) {
    match cycle {
        Some(c) => sample(d, "cycle_months", "cycle: whole months from the created to the close month", c, 0),
        None => d.comment("SET: no won deal with both dates, so the cycle is left at 0 months"),
    }
}

/// `key` fitted from the won deals' `values` (in words) as the sample `s`, numbers with
/// at most `digits` decimals, and the fit's evidence.
fn sample(d: &mut Doc, key: &'static str, values: &str, s: &Sample, digits: usize) {
    d.comment(format!("{values} of {} won deals; {}", group(s.n as u64), describe(&s.fit, s.n)));
    d.key(key, value_of(&s.fit, digits));
}

/// The `[demand]` table: the volume, its growth, noise and seasonality, and the mix.
fn demand(d: &mut Doc, demand: &Demand, f: &Fitted) {
    d.table("demand");
    if !demand.dropped.is_empty() {
        let counts: Vec<String> = demand.dropped.iter().map(|c| group(*c as u64)).collect();
        d.comment(format!(
            "the last {} months' creations ({}) fall below half the other months' median: the export seems to \
             end mid-stream, so they are left out of the level and the trend",
            demand.dropped.len(),
            counts.join(", ")
        ));
    }
    match &demand.volume {
        Volume::TooFew => d.comment(format!(
            "SET: {} opportunities created over {} months are too few to write a volume a scenario can take \
             (its 90% interval reaches 0): no volume",
            group(demand.counts.iter().sum::<f64>() as u64),
            demand.window_months
        )),
        Volume::Leads(l) => leads(d, l, demand, f),
        Volume::Unmeasured => {
            d.comment("SET: no whole month of creations before the as-of date, so no volume could be measured");
        }
    }
    if !demand.mix.is_empty() {
        let mix = demand.mix.iter().map(|(name, share)| (Key::Quoted(name.clone()), Value::num(*share, 4))).collect();
        d.comment("mix: each segment's share of the opportunities created over the window");
        d.key("segment_mix", Value::Table(mix));
    }
    d.blank();
}

/// The leads a month, their growth, noise and seasonality.
fn leads(d: &mut Doc, l: &Leads, demand: &Demand, f: &Fitted) {
    let counts = &demand.counts;
    let history = demand.history();
    let list: Vec<String> = counts.iter().map(|c| group(*c as u64)).collect();
    d.comment(format!("opportunities created a month over {history}: {}", list.join(", ")));
    let how = match l.method {
        Level::FewMonths => "the mean count (fewer than 3 months), with its Poisson error",
        Level::Trend => "a log-linear trend fitted by least squares, extended to the start",
        Level::Mean => "the mean count (the trend's slope cannot be told from 0)",
    };
    d.comment(format!(
        "level at {}: {how}; the interval is its 90% interval (the standard error of the log level, \
         with the months' own spread)",
        month_label(f.start)
    ));
    let (low, high) = positive_interval(l.interval.0, l.interval.1).unwrap_or_default();
    d.key("leads_per_month", Value::interval(low, high));
    d.key_noted("lead_to_opportunity", Value::Num("1".into()), "the export counts opportunities, not leads");
    growth(d, &l.growth, f.months);
    match &l.noise {
        VolumeNoise::Shock { sd, spread, poisson, around_trend } => {
            d.comment(format!(
                "volume noise: the months' log counts vary around the {} with sd {}, of which Poisson noise \
                 explains sd {}: a shared monthly shock of sd {} (over-dispersion)",
                if *around_trend { "trend" } else { "mean" },
                num(*spread, 3),
                num(*poisson, 3),
                num(*sd, 3)
            ));
            d.key("volume_noise", Value::num(sd.min(10.0), 4));
        }
        VolumeNoise::Poisson => d.comment("volume noise: the months vary no more than Poisson counts: none"),
        VolumeNoise::Unmeasured => {}
    }
    match &l.seasonality {
        None => d.comment(format!(
            "seasonality: {} months of history are fewer than two years, so twelve monthly factors \
             cannot be told from noise: left flat",
            counts.len()
        )),
        Some(factors) => {
            d.comment(format!(
                "seasonality: each calendar month's mean ratio of count to trend over {} years, January first, \
                 scaled to a mean of 1",
                counts.len() / 12
            ));
            d.key("seasonality", Value::Array(factors.iter().map(|f| Value::num(*f, 3)).collect()));
        }
    }
}

/// The volume's monthly growth, for a scenario of `months` months.
fn growth(d: &mut Doc, g: &Growth, months: u64) {
    match *g {
        Growth::TooSteep { growth, low, high } => {
            d.comment(format!(
                "growth: the trend's slope, {} a month ({} to {}, 90% interval), is beyond what a scenario can \
                 take over {months} months (a date far from the others can bend it): left at 0",
                percent(growth),
                percent(low),
                percent(high)
            ));
            d.key("growth_per_month", Value::Num("0.0".into()));
        }
        Growth::Trend { growth, low, high } => {
            d.comment(format!(
                "growth: the trend's slope, {} a month (90% interval), more than 1.41 standard errors from 0 (it \
                 lowers the fit's AIC)",
                percent(growth)
            ));
            let (low, high) = (num(low, 5), num(high, 5));
            d.key("growth_per_month", if low == high { Value::Num(low) } else { Value::interval(low, high) });
        }
        Growth::Unproven { growth, se } => {
            d.comment(format!(
                "growth: the trend's slope, {} a month ± {} (one standard error), is within 1.41 standard errors \
                 of 0, where it does not lower the fit's AIC: left at 0",
                percent(growth),
                percent(se)
            ));
            d.key("growth_per_month", Value::Num("0.0".into()));
        }
        Growth::NoSlope => {}
    }
}

/// A `[[roles]]` element: a segment's closers.
fn closers(d: &mut Doc, c: &Closers, f: &Fitted) {
    let as_of = f.as_of;
    let (h, staff) = (&c.headcount, c.headcount.count);
    d.element("roles");
    d.key("id", Value::Str(c.id.clone()));
    d.key("kind", Value::Str("closer".into()));
    d.key("segment", Value::Str(c.segment.clone()));
    if h.main > 0 {
        d.comment(format!(
            "headcount: owners with an opportunity created or closed in the {ACTIVE_DAYS} days to {as_of}, \
             most of whose opportunities are in this segment"
        ));
    } else if staff > 0 {
        d.comment(format!(
            "headcount: no owner active in the {ACTIVE_DAYS} days to {as_of} has most of their opportunities \
             in this segment; those who work it give it {} of a person's opportunities, so {staff} (rounded, \
             at least 1)",
            num(h.share, 2)
        ));
    } else {
        d.comment(format!(
            "headcount: no owner active in the {ACTIVE_DAYS} days to {as_of} works this segment, so its \
             demand will be lost"
        ));
    }
    d.key("headcount", Value::Num(staff.to_string()));
    let capacity = c.capacity();
    match c.forecast_load {
        Some(f) if f > c.load => d.comment(format!(
            "capacity: the export shows no limit to what the reps worked, so enough for the forecast's busiest \
             month ({} opportunities a rep: the volume at the high end of its interval and growth, its seasonal peak \
             and the 99th percentile of its monthly shock, over the team's productivity at its low end), above the \
             history's busiest ({} a rep); SET: what a rep can really work, for a plan that asks when to hire",
            num(f.ceil(), 0),
            num(c.load.ceil(), 0)
        )),
        _ => d.comment(
            "capacity: the most opportunities created per active owner in any month of the window, so that the \
             history's demand fits it",
        ),
    }
    let limit = crate::scenario::MAX_OPPS_PER_REP;
    if capacity.ceil() > limit {
        d.comment(format!(
            "that is {} a rep, above the {} a model rep can work: capped, so some of the demand will be lost",
            num(capacity.ceil(), 0),
            num(limit, 0)
        ));
    }
    d.key("opportunities_per_month", Value::num(capacity.max(1.0).ceil().min(limit), 0));
    d.comment("SET: the export has no hire or leave dates, so no attrition, ramp or time to hire");
    d.key("annual_attrition", Value::Num("0.0".into()));
    skill(d, c);
    d.blank();
}

/// The spreads between a segment's reps, and the skill multipliers they give.
fn skill(d: &mut Doc, c: &Closers) {
    let gamma = |sd: String| Value::dist("gamma", vec![("mean", Value::Num("1".into())), ("sd", Value::Num(sd))]);
    let mut parts = Vec::new();
    if let Some(p) = &c.productivity {
        d.comment(format!(
            "skill: opportunities a month per rep average {} with a spread of {} (sd, {} reps, net of \
             Poisson noise), so each person's productivity multiplier has sd {}",
            num(p.mean, 1),
            num(p.sd, 1),
            p.reps,
            num(p.sd / p.mean.max(f64::MIN_POSITIVE), 3)
        ));
        if let Some(sd) = skill_sd(p.sd / p.mean) {
            parts.push((Key::Bare("productivity"), gamma(sd)));
        }
    }
    if let Some(w) = &c.win_rate {
        d.comment(format!(
            "skill: the spread of the reps' true win rates is {} (sd, {} reps with 10 or more closed \
             deals, net of each rep's binomial noise: a random-effects estimate), a multiplier of sd {} on {}",
            percent(w.sd),
            w.reps,
            num(w.sd / w.mean.max(f64::MIN_POSITIVE), 3),
            percent(w.mean)
        ));
        if let Some(sd) = skill_sd(w.sd / w.mean) {
            parts.push((Key::Bare("win_rate"), gamma(sd)));
        }
    }
    if !parts.is_empty() {
        d.key("skill", Value::Table(parts));
    }
}

/// A segment's open pipeline: its `[[pipeline]]` elements, one an age.
fn pipeline(d: &mut Doc, p: &Pipeline, f: &Fitted) {
    let (as_of, name) = (f.as_of, visible(&p.segment));
    match p.old {
        Old::Stalled { horizon, count } => {
            d.comment(format!(
                "open pipeline of {name} at {as_of}: {} opportunities by whole months since their created month; \
                 each resolves by the segment's chances conditioned on being still open at its age",
                group(p.total)
            ));
            if count > 0 {
                d.comment(format!(
                    "{} of them are open at or past age {horizon}, where no deal was seen to resolve later: stalled",
                    group(count)
                ));
            }
        }
        Old::Stale { longest, count } => {
            d.comment(format!(
                "open pipeline of {name} at {as_of}: {} opportunities by whole months since their created month; \
                 each closes over the rest of the segment's cycle",
                group(p.total)
            ));
            if count > 0 {
                d.comment(format!(
                    "{} of them are older than the longest won cycle ({} months): stale, they close lost in the \
                     first month",
                    group(count),
                    longest.map_or("none".into(), |l| num(l, 0))
                ));
            }
        }
    }
    if p.beyond > 0 {
        let oldest = crate::scenario::MAX_MONTHS;
        d.comment(format!("{} of them are older than {oldest} months: written at age {oldest}", group(p.beyond)));
    }
    for (age, n) in &p.ages {
        d.element("pipeline");
        if f.segments.len() > 1 {
            d.key("segment", Value::Str(p.segment.clone()));
        }
        d.key("age_months", Value::Num(age.to_string()));
        d.key("count", Value::Num(n.to_string()));
    }
    d.blank();
}

/// A p-value in words: `< 0.0001` below it, else to four decimals.
fn p_value(p: f64) -> String {
    if p < 1e-4 { "< 0.0001".into() } else { format!("= {}", num(p, 4)) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_fiscal_years_quarters_are_named_by_their_first_and_last_months() {
        assert_eq!(super::fiscal_quarters(0), "Jan-Mar, Apr-Jun, Jul-Sep and Oct-Dec");
        assert_eq!(super::fiscal_quarters(1), "Feb-Apr, May-Jul, Aug-Oct and Nov-Jan");
        assert_eq!(super::fiscal_quarters(11), "Dec-Feb, Mar-May, Jun-Aug and Sep-Nov");
    }
}

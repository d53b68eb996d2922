//! The scenario `gather` fits from an export's measurements ([`super::measure`]), as
//! typed values: each estimate with what it rests on (counts, windows, standard
//! errors) and, where a key is left flat or out, why. [`super::render`] writes it as the
//! scenario's text with that evidence in comments; [`Fitted::scenario`] gives the
//! [`Scenario`] it describes through the loader's own reading and checks, without
//! writing the text and reading it back.
//!
//! A key is one field here, one line in the render (which both the text and the
//! scenario come from), and its comment; [`super::estimate`] estimates it.

use super::closers::Headcount;
use super::date::{Date, month_label};
use super::fit::Fit;
use super::timing::QuarterFit;
use super::{render, resolve};
use crate::scenario::{LoadError, Scenario};

/// A gathered scenario: every value the export gave, with its evidence.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The export's file name.
    pub file: String,
    /// Its rows.
    pub rows: u64,
    /// Its columns: each role's name and the header of the column that holds it.
    pub columns: Vec<(&'static str, String)>,
    /// The as-of date.
    pub as_of: Date,
    /// Why the as-of date is that date.
    pub why: String,
    /// Opportunities known at the as-of date.
    pub known: u64,
    /// The scenario's name.
    pub name: String,
    /// Its first month (`year * 12 + month - 1`): the month after the as-of date.
    pub start: i32,
    /// Months it simulates.
    pub months: u64,
    /// When in the quarter deals are won, and how much the months' won deals vary.
    pub company: Company,
    /// Each segment's deals, in the export's order.
    pub segments: Vec<Segment>,
    /// The volume of new opportunities.
    pub demand: Demand,
    /// Each segment's closers, in the same order.
    pub closers: Vec<Closers>,
    /// The open pipeline of each segment that has one.
    pub pipeline: Vec<Pipeline>,
    /// The export's quirks and what the fit had to settle, one line each.
    pub warnings: Vec<String>,
    /// A few lines saying what was measured.
    pub summary: Vec<String>,
}

/// The company's calendar timing and close noise.
#[derive(Debug, Clone)]
pub struct Company {
    /// The month its fiscal year starts in (0: January), on whose quarters the quarter
    /// timing and the cycles by month of the quarter were measured; `None`: calendar
    /// quarters, assumed rather than told.
    pub fiscal_year_start: Option<u32>,
    /// How much more the months' won deals vary than Poisson counts; `None` if no more.
    pub close_noise: Option<CloseNoise>,
    /// Won deals by month of the quarter.
    pub quarter_timing: QuarterTiming,
}

/// Each month pulls in (or pushes out) a shared share of the next month's won deals.
#[derive(Debug, Clone)]
pub struct CloseNoise {
    /// The share's sd.
    pub sd: f64,
    /// Months of won deals it was measured over.
    pub months: usize,
    /// Whether the months' counts were taken after the quarter timing.
    pub after_quarter_timing: bool,
}

/// Won deals by month of the quarter.
#[derive(Debug, Clone)]
pub enum QuarterTiming {
    /// Some month's factor more than three standard errors from 1: written.
    Pushed(QuarterFit),
    /// None that far: left flat.
    Flat(QuarterFit),
    /// Fewer than two whole quarters of won deals: left flat.
    TooFew,
}

impl QuarterTiming {
    /// The factors, if they are written.
    pub fn pushed(&self) -> Option<&QuarterFit> {
        match self {
            QuarterTiming::Pushed(q) => Some(q),
            _ => None,
        }
    }
}

/// What a segment's deals do.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Its name in the scenario: the export's, shortened if too long.
    pub name: String,
    /// Its name in the export.
    pub export_name: String,
    /// How its deals resolve.
    pub resolution: Resolution,
    /// The won deals' amounts, fitted; `None` if no won deal has one (the size is SET to 0).
    pub deal_size: Option<Sample>,
    /// Open opportunities with no created date, left out of the starting pipeline.
    pub undated_open: u64,
}

/// A fitted sample and the number of values it rests on.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The fit.
    pub fit: Fit,
    /// Values fitted.
    pub n: usize,
}

/// How a segment's deals resolve.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Won and lost as competing risks by deal age, the rest stalled.
    CompetingRisks(CompetingRisks),
    /// From the closed deals alone, where no age has enough deals at risk.
    ClosedDeals(ClosedDeals),
}

/// The competing-risks (Aalen-Johansen) estimate of a segment's deals.
#[derive(Debug, Clone)]
pub struct CompetingRisks {
    /// Deals with a created date in the estimate.
    pub deals: u64,
    /// Of them, won by the as-of date.
    pub won: u64,
    /// Lost.
    pub lost: u64,
    /// Open at it, each censored at its age.
    pub open: u64,
    /// The last age estimated, a tail past the observed horizon included.
    pub horizon: u32,
    /// The last age with at least [`resolve::MIN_AT_RISK`] deals at risk.
    pub observed: u32,
    /// The export's first month with a close, where it starts mid-stream and deals
    /// created before enter the estimate late.
    pub mid_stream_from: Option<i32>,
    /// The chance of being won by the horizon.
    pub win: Rate,
    /// Of being lost by it.
    pub loss: f64,
    /// Of being still open at it: the deal stalls.
    pub stall: f64,
    /// The stall rate as written: `None` below 0.05%.
    pub stall_rate: Option<Rate>,
    /// The age at which won deals close; `None` if none is won.
    pub cycle: Option<Timing>,
    /// The age at which lost deals close; `None` if none is lost.
    pub loss_cycle: Option<Timing>,
    /// How much the win chance varies between monthly cohorts beyond chance; `None`
    /// with too few cohorts to tell.
    pub cohort_noise: Option<resolve::CohortNoise>,
    /// The won and lost timing by the month of the quarter a deal was created in,
    /// where the closes follow the quarter and each month has deals enough.
    pub by_quarter: Option<Box<QuarterCycles>>,
}

/// The ages at which deals close by the month of the fiscal quarter they were created
/// in (`quarter_cycle_months`, `quarter_loss_cycle_months`): each month's own
/// competing-risks estimate, since how far a deal is from the quarter's end shapes
/// when it closes (the first month of a quarter may close few deals but new ones).
#[derive(Debug, Clone)]
pub struct QuarterCycles {
    /// The test that the months' deals resolve differently by age.
    pub test: resolve::Heterogeneity,
    /// Deals created in each month of the quarter (first month first).
    pub deals: [u64; 3],
    /// Of them, won by the as-of date.
    pub won: [u64; 3],
    /// Of them, lost by it.
    pub lost: [u64; 3],
    /// The won deals' ages at close.
    pub cycle: [Timing; 3],
    /// The lost deals' ages at close; `None` where a month has too few lost deals.
    pub loss_cycle: Option<[Timing; 3]>,
}

/// The fewest won deals created in each month of the quarter for the cycle to be
/// estimated by month of the quarter.
pub const MIN_QUARTER_WON: u64 = 30;

/// The fewest deals of a month of the quarter at risk at an age for that age to be
/// estimated from them alone; at other ages they take the hazards of all deals.
pub const MIN_QUARTER_AT_RISK: f64 = 30.0;

/// The significance level at which deals are taken to resolve differently by the month
/// of the quarter they were created in.
pub const QUARTER_LEVEL: f64 = 0.01;

/// The fewest lost deals created in each month of the quarter for the lost cycle to be
/// estimated by month of the quarter.
pub const MIN_QUARTER_LOST: u64 = 50;

/// A rate with its bootstrap standard error and the 90% interval of a beta of that
/// mean and spread.
#[derive(Debug, Clone)]
pub struct Rate {
    /// The estimate.
    pub p: f64,
    /// Its bootstrap standard error.
    pub se: f64,
    /// The interval's low end.
    pub low: f64,
    /// Its high end.
    pub high: f64,
}

/// The age in whole months at which deals of an outcome close.
#[derive(Debug, Clone)]
pub struct Timing {
    /// The mean age.
    pub mean: f64,
    /// The chance of each age in whole months from 0, summing to 1.
    pub chances: Vec<f64>,
}

impl Timing {
    /// The median age: the least whose cumulative chance reaches one half.
    pub fn median(&self) -> usize {
        let mut cumulative = 0.0;
        self.chances
            .iter()
            .position(|&p| {
                cumulative += p;
                cumulative >= 0.5 - 1e-12
            })
            .unwrap_or(self.chances.len().saturating_sub(1))
    }
}

/// The win rate and cycle of a segment's closed deals.
#[derive(Debug, Clone)]
pub struct ClosedDeals {
    /// Won deals counted.
    pub won: u64,
    /// Lost deals counted.
    pub lost: u64,
    /// The first and last close, if any.
    pub closes: Option<(Date, Date)>,
    /// The last created month of the mature cohorts counted; `None`: every closed deal.
    pub mature_until: Option<i32>,
    /// The 5th and 95th percentiles of the win rate's Beta(1 + won, 1 + lost) posterior.
    pub interval: (f64, f64),
    /// The won cycles in whole months, fitted; `None` if no won deal has both dates.
    pub cycle: Option<Sample>,
}

/// The volume of new opportunities.
#[derive(Debug, Clone)]
pub struct Demand {
    /// All segments' opportunities created a month over the volume window, the last
    /// months of an export that ends mid-stream left out.
    pub counts: Vec<f64>,
    /// The window's first month.
    pub first: i32,
    /// Its last month counted.
    pub last: i32,
    /// The window's months, before any was left out.
    pub window_months: usize,
    /// The counts of the last months left out: each below half the other months' median.
    pub dropped: Vec<f64>,
    /// The level, trend and spread of the volume.
    pub volume: Volume,
    /// Each segment's share of the window's opportunities: empty with one segment or
    /// no volume.
    pub mix: Vec<(String, f64)>,
}

/// What the monthly counts give.
#[derive(Debug, Clone)]
pub enum Volume {
    /// No whole month of creations before the as-of date.
    Unmeasured,
    /// Too few opportunities to write a volume: its 90% interval reaches 0.
    TooFew,
    /// Leads a month, as opportunities.
    Leads(Leads),
}

/// The leads a month, their growth, shared shock and seasonality.
#[derive(Debug, Clone)]
pub struct Leads {
    /// The expected count at the start month.
    pub level: f64,
    /// Its 90% interval, from the standard error of the log level.
    pub interval: (f64, f64),
    /// How the level was read.
    pub method: Level,
    /// The monthly growth.
    pub growth: Growth,
    /// The months' spread beyond Poisson noise.
    pub noise: VolumeNoise,
    /// Each calendar month's factor, January first; `None` with fewer than two years.
    pub seasonality: Option<[f64; 12]>,
}

/// How the level was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    /// The mean count of fewer than three months, with its Poisson error.
    FewMonths,
    /// A log-linear trend, extended to the start.
    Trend,
    /// The mean count: the trend's slope cannot be told from 0.
    Mean,
}

/// The monthly growth of the volume.
#[derive(Debug, Clone)]
pub enum Growth {
    /// The trend's slope, more than 1.41 standard errors from 0, with its 90% interval.
    Trend {
        /// Monthly growth.
        growth: f64,
        /// The interval's low end.
        low: f64,
        /// Its high end.
        high: f64,
    },
    /// A slope beyond what a scenario can take over its months: left at 0.
    TooSteep {
        /// Monthly growth.
        growth: f64,
        /// The interval's low end.
        low: f64,
        /// Its high end.
        high: f64,
    },
    /// A slope that cannot be told from 0: left at 0.
    Unproven {
        /// Monthly growth.
        growth: f64,
        /// Its standard error.
        se: f64,
    },
    /// Fewer than three months: no slope, and nothing written.
    NoSlope,
}

/// The months' spread beyond Poisson noise.
#[derive(Debug, Clone)]
pub enum VolumeNoise {
    /// A shared monthly shock.
    Shock {
        /// Its sd.
        sd: f64,
        /// The sd of the months' log counts around the trend or mean.
        spread: f64,
        /// The part of it Poisson noise explains.
        poisson: f64,
        /// Whether around the trend (else the mean).
        around_trend: bool,
    },
    /// The months vary no more than Poisson counts.
    Poisson,
    /// Fewer than four months: nothing said.
    Unmeasured,
}

/// A segment's closers.
#[derive(Debug, Clone)]
pub struct Closers {
    /// The role's id.
    pub id: String,
    /// The segment's name.
    pub segment: String,
    /// The active owners it takes.
    pub headcount: Headcount,
    /// The most opportunities created per active owner in any month of the window.
    pub load: f64,
    /// The most the forecast's demand may bring each of them (see `estimate::forecast_load`), if
    /// the volume is measured.
    pub forecast_load: Option<f64>,
    /// The spread of opportunities a month between the segment's reps.
    pub productivity: Option<Spread>,
    /// The spread of their true win rates.
    pub win_rate: Option<Spread>,
}

impl Closers {
    /// The opportunities a month each is written to work: the most the forecast's
    /// demand may bring each, or the history's busiest month where that is more.
    pub fn capacity(&self) -> f64 {
        self.forecast_load.map_or(self.load, |f| f.max(self.load))
    }
}

/// The spread of a rate between reps, net of each rep's own noise.
#[derive(Debug, Clone)]
pub struct Spread {
    /// The sd of the reps' true rates.
    pub sd: f64,
    /// The rate it spreads around.
    pub mean: f64,
    /// Reps counted.
    pub reps: usize,
}

/// A segment's pipeline open at the as-of date.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The segment's name.
    pub segment: String,
    /// Open opportunities with a created date.
    pub total: u64,
    /// How the old ones resolve.
    pub old: Old,
    /// Those older than a scenario's longest horizon, [`MAX_MONTHS`](crate::scenario::MAX_MONTHS): written at it.
    pub beyond: u64,
    /// Open deals by age in whole months, as written.
    pub ages: Vec<(i32, u64)>,
}

/// The open deals past what the segment's history says of them.
#[derive(Debug, Clone)]
pub enum Old {
    /// The deals resolve by the competing risks; `count` are open at or past `horizon`,
    /// where no deal was seen to resolve later: stalled.
    Stalled {
        /// The estimate's last age.
        horizon: u32,
        /// Deals open at or past it.
        count: u64,
    },
    /// The deals close over the rest of the won cycle; `count` are older than the
    /// longest (`None`: no won cycle): stale, lost in the first month.
    Stale {
        /// The longest won cycle.
        longest: Option<f64>,
        /// Deals older than it.
        count: u64,
    },
}

impl Demand {
    /// The months counted, in words: `12 months, 2016-11 to 2017-10`.
    pub fn history(&self) -> String {
        format!("{} months, {} to {}", self.counts.len(), month_label(self.first), month_label(self.last))
    }
}

impl Fitted {
    /// The scenario's text, each value with its evidence in a comment.
    pub fn toml(&self) -> String {
        render::doc(self).text()
    }

    /// The scenario, read and checked by the loader as the text would be.
    pub fn scenario(&self) -> Result<Scenario, LoadError> {
        crate::scenario::load_tree(&render::doc(self).tree(), "gathered.toml").map(|l| l.scenario)
    }
}

//! Uncertain values: constants, 90% intervals and named distributions.
//!
//! A scenario number is a [`Dist`]: a plain number is a constant used as is; a
//! `{ low, high }` table is a 90% interval fitted to a lognormal (amounts), a beta
//! (rates in [0, 1]) or a normal (anything else); a `{ dist = "...", ... }` table names
//! a distribution by its parameters. This module builds and samples them. It does not
//! know which keys are drawn once per trial and which per event: the engine decides.
//!
//! This file holds the types; each operation has its own file: `build` (the
//! constructors, interval fitting and named parameters), `fit` (the beta of a rate
//! interval), `sample` (draws), `quantile` (quantiles and distribution functions),
//! `whole` (whole-number draws by inversion) and `fast` (the engine's exact fast draws).

use rand::distr::Uniform;
use rand_distr::{Beta, Gamma, Normal, Pert, Poisson, Triangular};

mod build;
pub mod fast;
mod fit;
mod quantile;
mod sample;
mod whole;
pub use build::{MAX_EMPIRICAL_VALUES, NAMED};
pub use fit::fit_beta;
pub use quantile::{standard_normal_cdf, standard_normal_quantile};
pub use sample::LogNormalDraw;
pub use whole::{TableDraw, WholeDraw};

/// The 95th percentile of the standard normal: a 90% interval spans +-1.645 sd.
pub const Z95: f64 = 1.644_853_626_951_472_2;
/// The largest gamma shape whose distribution function [`Dist::probability_below`]
/// computes (its series takes about `sqrt(70 x shape)` steps near the mean).
pub const MAX_GAMMA_SHAPE: f64 = 1e8;
/// The 90th percentile of the standard normal.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// The values a key may take; it decides how a `{ low, high }` interval is fitted and
/// which distributions are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// A probability or rate in [0, 1]: intervals are fitted to a beta.
    Unit,
    /// A non-negative amount (money, counts, months): intervals are fitted to a
    /// lognormal; a normal draw below zero is taken as zero.
    NonNegative,
    /// Any real number (e.g. a growth rate): intervals are fitted to a normal.
    Real,
}

impl Support {
    fn bounds(self) -> (f64, f64) {
        match self {
            Support::Unit => (0.0, 1.0),
            Support::NonNegative => (0.0, f64::INFINITY),
            Support::Real => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Words for messages: "a rate in [0, 1]".
    pub fn describe(self) -> &'static str {
        match self {
            Support::Unit => "a rate in [0, 1]",
            Support::NonNegative => "a non-negative number",
            Support::Real => "a number",
        }
    }
}

#[derive(Debug, Clone)]
enum Sampler {
    Const(f64),
    Normal(Normal<f64>),
    /// `e^(mu + sigma z)` for a standard normal `z`.
    LogNormal(f64, f64),
    Triangular(Triangular<f64>),
    Pert(Pert<f64>),
    Uniform(Uniform<f64>),
    Beta(Beta<f64>),
    Gamma(Gamma<f64>),
    Poisson(Poisson<f64>),
    /// The sorted values of an empirical distribution.
    Empirical(std::sync::Arc<[f64]>),
    /// The increasing values of a discrete distribution and their cumulative chances,
    /// the last 1.
    Discrete(std::sync::Arc<[f64]>, std::sync::Arc<[f64]>),
}

/// The parameters of a distribution, for its quantile function.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Const(f64),
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// A beta on [min, max].
    ScaledBeta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Poisson {
        mean: f64,
    },
    /// Its values are in the sampler.
    Empirical,
    /// Its values and chances are in the sampler.
    Discrete,
}

/// An uncertain (or constant) number, ready to sample.
#[derive(Debug, Clone)]
pub struct Dist {
    sampler: Sampler,
    shape: Shape,
    lower: f64,
    upper: f64,
    mean: f64,
}

/// Why a distribution could not be built: the parameter at fault (if one) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    /// The parameter to point at, e.g. `sd`; `None` for the table as a whole.
    pub param: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

fn err(param: Option<&'static str>, message: impl Into<String>) -> DistError {
    DistError { param, message: message.into() }
}

impl Dist {
    /// The distribution's mean (of the unclamped distribution for a normal).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The value, if this is a constant.
    pub fn as_constant(&self) -> Option<f64> {
        match self.sampler {
            Sampler::Const(v) => Some(v),
            _ => None,
        }
    }
}

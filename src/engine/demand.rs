//! Demand: this month's opportunities, by segment.
//!
//! Inbound leads are Poisson around `leads_per_month x (1 + growth)^t x seasonality`,
//! split among segments by a multinomial draw on `segment_mix`, and each lead becomes
//! an opportunity with probability `lead_to_opportunity` (a Binomial draw per segment).
//! SDRs add meetings, Poisson around `ramped SDRs x meetings_per_month`, each becoming an
//! opportunity with probability `meeting_to_opportunity`. Each territory's accounts open
//! `Binomial(accounts, opportunity_rate)` opportunities, of which `Binomial(n, coverage)`
//! fall in covered accounts and join the segment's demand; the rest are lost to the
//! coverage gap (`opportunities.uncovered`). With `volume_noise`, each month's lead mean
//! is first scaled by a shared gamma shock of mean 1 (over-dispersion).

use rand::Rng;
use rand_distr::{Distribution, Poisson};

use crate::scenario::RoleKind;

use super::Trial;
use super::metrics::id;
use super::rng::{Process, Stream, trial_stream};

/// Largest Poisson mean drawn; validation keeps scenarios far below it.
const MAX_POISSON_MEAN: f64 = 1e15;

/// A Poisson count with mean `lambda` (0 for a mean of 0).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if !(lambda > 0.0) {
        return 0;
    }
    match Poisson::new(lambda.min(MAX_POISSON_MEAN)) {
        Ok(d) => d.sample(rng) as u64,
        Err(_) => 0,
    }
}

pub use crate::dist::fast::binomial;

/// Splits `n` among shares (summing to 1) by a multinomial draw, added into `out`.
pub fn multinomial_into<R: Rng + ?Sized>(rng: &mut R, n: u64, shares: &[f64], out: &mut [u64]) {
    let mut left = n;
    let mut mass = 1.0;
    for (i, share) in shares.iter().enumerate() {
        if left == 0 {
            break;
        }
        let x = if i + 1 == shares.len() || mass <= *share { left } else { binomial(rng, left, share / mass) };
        out[i] += x;
        left -= x;
        mass -= share;
    }
    if left > 0 {
        out[0] += left;
    }
}

/// A gamma draw of mean 1 and standard deviation `sd` (shape `1 / sd^2`).
pub fn volume_shock(rng: &mut Stream, sd: f64) -> f64 {
    let shape = 1.0 / (sd * sd);
    match rand_distr::Gamma::new(shape, 1.0 / shape) {
        Ok(g) => g.sample(rng),
        Err(_) => 1.0,
    }
}

/// A territory's coverage: `min(1, reps x accounts_per_rep / accounts)`.
pub fn coverage(reps: u32, accounts_per_rep: f64, accounts: u64) -> f64 {
    (f64::from(reps) * accounts_per_rep / accounts as f64).min(1.0)
}

/// Demand for month `t`: sets each segment's `demand` and records leads and meetings.
pub fn generate(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    let (scenario, p, key) = (s.scenario, &s.p, s.key);
    let segments = &mut s.segments;
    let by_segment = &mut s.scratch.by_segment;
    let d = &scenario.demand;
    let season = d.seasonality[scenario.start.offset(t as i64).month0()];
    // A growth draw below -1 (possible from a wide normal) means no leads after t = 0.
    let mut lambda = p.leads_per_month * (1.0 + p.growth_per_month).max(0.0).powi(t as i32) * season;
    // The month's shared shock: a gamma factor of mean 1 and sd `volume_noise`.
    if d.volume_noise > 0.0 && lambda > 0.0 {
        let mut rng = trial_stream(key, Process::VolumeShock, 0, t as u64);
        lambda *= volume_shock(&mut rng, d.volume_noise);
    }
    by_segment.clear();
    by_segment.resize(segments.len(), 0);
    // Without a mean there are no leads, and the split and conversion of none draw
    // nothing: the stream is not even seeded.
    let leads = if lambda > 0.0 {
        let mut rng = trial_stream(key, Process::Leads, 0, t as u64);
        let leads = poisson(&mut rng, lambda);
        multinomial_into(&mut rng, leads, &d.segment_mix, by_segment);
        for (seg, n) in segments.iter_mut().zip(by_segment.iter()) {
            seg.demand = binomial(&mut rng, *n, p.lead_to_opportunity);
        }
        leads
    } else {
        segments.iter_mut().for_each(|seg| seg.demand = 0);
        0
    };

    let mut meetings_total = 0u64;
    for (r, (role, state)) in scenario.roles.iter().zip(&s.roles).enumerate() {
        if role.kind != RoleKind::Sdr {
            continue;
        }
        let ramped: f64 = state.fte_at(role, t as i64);
        let mut rng = trial_stream(key, Process::Meetings, role.stream, t as u64);
        let meetings = poisson(&mut rng, ramped * p.meetings_per_month[r]);
        let opps = binomial(&mut rng, meetings, p.meeting_to_opportunity[r]);
        meetings_total += meetings;
        match role.segment {
            Some(k) => segments[k].demand += opps,
            None => {
                by_segment.clear();
                by_segment.resize(segments.len(), 0);
                multinomial_into(&mut rng, opps, &d.segment_mix, by_segment);
                segments.iter_mut().zip(by_segment.iter()).for_each(|(seg, n)| seg.demand += n);
            }
        }
    }

    let mut uncovered = 0u64;
    for (k, terr) in scenario.territories.iter().enumerate() {
        let mut rng = trial_stream(key, Process::Accounts, terr.stream, t as u64);
        let opened = binomial(&mut rng, terr.accounts, p.opportunity_rate[k]);
        let covered = binomial(&mut rng, opened, coverage(s.territory_reps[k], terr.accounts_per_rep, terr.accounts));
        segments[terr.segment].demand += covered;
        uncovered += opened - covered;
    }
    for seg in segments.iter_mut() {
        seg.demand_history.push(seg.demand as f64);
    }
    s.kpis.last_meetings = meetings_total as f64;
    put(id::LEADS, t, leads as f64);
    put(id::MEETINGS, t, meetings_total as f64);
    put(id::OPP_DEMAND, t, segments.iter().map(|s| s.demand as f64).sum());
    put(id::OPP_UNCOVERED, t, uncovered as f64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn multinomial_keeps_every_lead() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for n in [0u64, 1, 7, 1000, 123_456] {
            let mut out = vec![0u64; 3];
            multinomial_into(&mut rng, n, &[0.5, 0.3, 0.2], &mut out);
            assert_eq!(out.iter().sum::<u64>(), n);
        }
        let mut out = vec![0u64; 2];
        multinomial_into(&mut rng, 10, &[0.0, 0.0], &mut out);
        assert_eq!(out.iter().sum::<u64>(), 10, "no lead is lost even with an empty mix");
    }
}

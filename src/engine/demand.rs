//! Demand: this month's opportunities, by segment.
//!
//! Inbound leads are Poisson around `lambda = leads_per_month x (1 + growth)^t x
//! seasonality`, split among segments on `segment_mix`, and each lead becomes an
//! opportunity with probability `lead_to_opportunity` (`q`). By Poisson thinning a
//! segment's opportunities are then Poisson of mean `lambda x mix x q` and the leads not
//! converted Poisson of mean `lambda x (1 - q)`, all independent: one Poisson draw each,
//! the leads their sum (the same law as a Poisson, a multinomial and a Binomial a
//! segment, in fewer draws).
//! SDRs add meetings, Poisson around `ramped SDRs x meetings_per_month`, each becoming an
//! opportunity with probability `meeting_to_opportunity`. Each territory's accounts open
//! `Binomial(accounts, opportunity_rate)` opportunities, of which `Binomial(n, coverage)`
//! fall in covered accounts and join the segment's demand; the rest are lost to the
//! coverage gap (`opportunities.uncovered`). With `volume_noise`, each month's lead mean
//! is first scaled by a shared gamma shock of mean 1 (over-dispersion).

use rand::Rng;
use rand_distr::Distribution;

use crate::scenario::RoleKind;

use super::Trial;
use super::metrics::id;
use super::rng::{Process, Stream, trial_stream};

/// Largest Poisson mean drawn; validation keeps scenarios far below it.
const MAX_POISSON_MEAN: f64 = 1e15;

/// A Poisson count with mean `lambda` (0 for a mean of 0).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    crate::dist::fast::poisson(rng, lambda.min(MAX_POISSON_MEAN))
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

/// Poisson(`lambda`) leads split on `mix` (a share per segment, summing to 1) with each
/// kept with probability `q`, by thinning: each segment's count (into `out`, one per
/// segment; a segment past the mix's end gets none) is Poisson of mean
/// `lambda x mix x q` and the leads not kept Poisson of mean `lambda x (1 - q)`, drawn
/// in that order. Returns all the leads.
pub fn thin<R: Rng + ?Sized>(rng: &mut R, lambda: f64, mix: &[f64], q: f64, out: &mut [u64]) -> u64 {
    let mut leads = 0;
    for (k, n) in out.iter_mut().enumerate() {
        let share = mix.get(k).copied().unwrap_or(0.0);
        *n = poisson(rng, lambda * share * q);
        leads += *n;
    }
    leads + poisson(rng, lambda * (1.0 - q))
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
    // Without a mean there are no leads, and the split and conversion of none draw
    // nothing: the stream is not even seeded.
    let leads = if lambda > 0.0 {
        let mut rng = trial_stream(key, Process::Leads, 0, t as u64);
        by_segment.resize(segments.len(), 0);
        let leads = thin(&mut rng, lambda, &d.segment_mix, p.lead_to_opportunity, by_segment);
        segments.iter_mut().zip(by_segment.iter()).for_each(|(seg, n)| seg.demand = *n);
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

    /// Counts of the keys `draw` gives, over `draws` draws.
    fn counts(
        draws: usize,
        mut draw: impl FnMut() -> (u64, u64, u64),
    ) -> std::collections::HashMap<(u64, u64, u64), u64> {
        let mut seen = std::collections::HashMap::new();
        for _ in 0..draws {
            *seen.entry(draw()).or_insert(0) += 1;
        }
        seen
    }

    /// Two samples of the same size against each other: the chi-squared statistic of
    /// homogeneity over their cells, cells of fewer than 10 draws in all pooled into
    /// one, and its degrees of freedom.
    fn two_sample(
        a: &std::collections::HashMap<(u64, u64, u64), u64>,
        b: &std::collections::HashMap<(u64, u64, u64), u64>,
    ) -> (f64, f64) {
        let keys: std::collections::BTreeSet<_> = a.keys().chain(b.keys()).collect();
        let (mut chi2, mut cells, mut rest) = (0.0, 0usize, (0.0, 0.0));
        for k in keys {
            let (x, y) = (a.get(k).copied().unwrap_or(0) as f64, b.get(k).copied().unwrap_or(0) as f64);
            if x + y < 10.0 {
                rest = (rest.0 + x, rest.1 + y);
                continue;
            }
            chi2 += (x - y) * (x - y) / (x + y);
            cells += 1;
        }
        if rest.0 + rest.1 > 0.0 {
            chi2 += (rest.0 - rest.1) * (rest.0 - rest.1) / (rest.0 + rest.1);
            cells += 1;
        }
        (chi2, (cells - 1) as f64)
    }

    /// The 1 - 1e-6 quantile of chi-squared with `dof` degrees (Wilson-Hilferty).
    fn limit(dof: f64) -> f64 {
        let z = 4.753_424;
        dof * (1.0 - 2.0 / (9.0 * dof) + z * (2.0 / (9.0 * dof)).sqrt()).powi(3)
    }

    /// The long way of [`thin`]: Poisson leads, a multinomial split, a Binomial a segment.
    fn long_way(rng: &mut Xoshiro256PlusPlus, lambda: f64, mix: &[f64], q: f64, out: &mut [u64]) -> u64 {
        let leads = poisson(rng, lambda);
        let mut split = vec![0u64; mix.len()];
        multinomial_into(rng, leads, mix, &mut split);
        for (o, n) in out.iter_mut().zip(split) {
            *o = binomial(rng, n, q);
        }
        leads
    }

    /// Thinning draws the same joint law of (segment 1's, segment 2's opportunities,
    /// leads) as the long way: a two-sample chi-squared test of 200,000 draws each over
    /// the joint cells, at the 1e-6 level; and a thinning whose leads forget the
    /// opportunities (the right margins, the wrong joint law) fails it.
    #[test]
    fn thinning_draws_the_leads_of_the_long_way() {
        let (lambda, mix, q) = (40.0, [0.6, 0.4], 0.3);
        let key = |d: &[u64], leads: u64| (d[0], d[1], leads / 4);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
        let mut out = [0u64; 2];
        let thinned = counts(200_000, || {
            let leads = thin(&mut rng, lambda, &mix, q, &mut out);
            key(&out, leads)
        });
        let long = counts(200_000, || {
            let leads = long_way(&mut rng, lambda, &mix, q, &mut out);
            key(&out, leads)
        });
        let (chi2, dof) = two_sample(&thinned, &long);
        assert!(chi2 < limit(dof), "chi-squared {chi2:.1} over {dof} degrees (limit {:.1})", limit(dof));
        let forgetful = counts(200_000, || {
            thin(&mut rng, lambda, &mix, q, &mut out);
            key(&out, poisson(&mut rng, lambda))
        });
        let (chi2, dof) = two_sample(&forgetful, &long);
        assert!(chi2 > limit(dof), "independent leads passed: {chi2:.1} over {dof} degrees");
    }

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

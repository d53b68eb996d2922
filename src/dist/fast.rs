//! The draws a trial makes most often, written for their cost: `exp` (every lognormal
//! deal size), the Binomial (capacity, conversions, departures) and the Poisson (leads).
//!
//! [`exp`] is a table of `2^(j/64)` and a degree-5 polynomial: within about one unit in
//! the last place of the exact value, a quarter of the instructions of the C library's
//! `exp`, and the same bits on every machine (no CPU-dependent variant is picked at run
//! time). [`binomial`] inverts the distribution function from zero when `n min(p, 1-p)`
//! is below 10 (one uniform and a few multiplications per unit of the mean) and
//! otherwise uses Hörmann's BTRD (transformed rejection with a decomposition, 1993):
//! a set-up of one square root and a few divisions, and one or two uniforms a draw,
//! where BTPE's set-up alone costs hundreds of instructions at every call. [`poisson`]
//! inverts below a mean of 10 and otherwise uses Hörmann's PTRS. The discrete
//! distributions are exact: the tests compare them to their probability mass.

use rand::Rng;

/// `2^(j/64)` for `j` in `0..64`, each the nearest double to the exact value.
const TWO_POW: [u64; 64] = [
    0x3ff0000000000000,
    0x3ff02c9a3e778061,
    0x3ff059b0d3158574,
    0x3ff0874518759bc8,
    0x3ff0b5586cf9890f,
    0x3ff0e3ec32d3d1a2,
    0x3ff11301d0125b51,
    0x3ff1429aaea92de0,
    0x3ff172b83c7d517b,
    0x3ff1a35beb6fcb75,
    0x3ff1d4873168b9aa,
    0x3ff2063b88628cd6,
    0x3ff2387a6e756238,
    0x3ff26b4565e27cdd,
    0x3ff29e9df51fdee1,
    0x3ff2d285a6e4030b,
    0x3ff306fe0a31b715,
    0x3ff33c08b26416ff,
    0x3ff371a7373aa9cb,
    0x3ff3a7db34e59ff7,
    0x3ff3dea64c123422,
    0x3ff4160a21f72e2a,
    0x3ff44e086061892d,
    0x3ff486a2b5c13cd0,
    0x3ff4bfdad5362a27,
    0x3ff4f9b2769d2ca7,
    0x3ff5342b569d4f82,
    0x3ff56f4736b527da,
    0x3ff5ab07dd485429,
    0x3ff5e76f15ad2148,
    0x3ff6247eb03a5585,
    0x3ff6623882552225,
    0x3ff6a09e667f3bcd,
    0x3ff6dfb23c651a2f,
    0x3ff71f75e8ec5f74,
    0x3ff75feb564267c9,
    0x3ff7a11473eb0187,
    0x3ff7e2f336cf4e62,
    0x3ff82589994cce13,
    0x3ff868d99b4492ed,
    0x3ff8ace5422aa0db,
    0x3ff8f1ae99157736,
    0x3ff93737b0cdc5e5,
    0x3ff97d829fde4e50,
    0x3ff9c49182a3f090,
    0x3ffa0c667b5de565,
    0x3ffa5503b23e255d,
    0x3ffa9e6b5579fdbf,
    0x3ffae89f995ad3ad,
    0x3ffb33a2b84f15fb,
    0x3ffb7f76f2fb5e47,
    0x3ffbcc1e904bc1d2,
    0x3ffc199bdd85529c,
    0x3ffc67f12e57d14b,
    0x3ffcb720dcef9069,
    0x3ffd072d4a07897c,
    0x3ffd5818dcfba487,
    0x3ffda9e603db3285,
    0x3ffdfc97337b9b5f,
    0x3ffe502ee78b3ff6,
    0x3ffea4afa2a490da,
    0x3ffefa1bee615a27,
    0x3fff50765b6e4540,
    0x3fffa7c1819e90d8,
];

/// `64 / ln 2`.
const INV_STEP: f64 = 92.332_482_616_893_66;
/// `ln 2 / 64` in two parts: the high part has 20 trailing zero bits, so that `k x
/// STEP_HI` is exact for every `|k|` below 2^17.
const STEP_HI: f64 = 0.010_830_424_695_086_549;
const STEP_LO: f64 = 1.162_596_423_439_437e-12;
/// 1.5 x 2^52: adding and subtracting it rounds a double below 2^51 to a whole number.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// `e^x`, within about one unit in the last place; outside `|x| < 708` (where the result
/// is near or beyond the limits of a double, or `x` is not a number) the standard
/// library's.
#[inline]
pub fn exp(x: f64) -> f64 {
    if !(x.abs() < 708.0) {
        return x.exp();
    }
    // x = (64 e + j) ln2/64 + r, |r| <= ln2/128: e^x = 2^e 2^(j/64) e^r.
    // The sum's low bits are the whole number k (its unit is 1 at this magnitude).
    let shifted = x * INV_STEP + ROUND;
    let kf = shifted - ROUND;
    let k = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    let r = (x - kf * STEP_HI) - kf * STEP_LO;
    let t = f64::from_bits(TWO_POW[(k & 63) as usize]);
    // e^r - 1 to degree 5: the first term left out, r^6/720, is below 2^-54.
    let p = r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0))));
    let scale = f64::from_bits((((k >> 6) + 1023) as u64) << 52);
    (t + t * p) * scale
}

/// A uniform double in [0, 1) from the top 53 bits of one `u64`.
#[inline]
fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Below this `n min(p, 1-p)`, a Binomial is drawn by inversion.
const INVERSION_BELOW: f64 = 10.0;

/// A Binomial count of `n` trials with probability `p` (0 for `p` of 0 or NaN, `n` for
/// `p` of 1 or more).
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || !(p > 0.0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    // Drawn for the smaller of p and 1 - p; the count of the other is n minus it.
    let (q, flip) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
    let k = if (n as f64) * q < INVERSION_BELOW { inversion(rng, n, q) } else { btrd(rng, n, q) };
    if flip { n - k } else { k }
}

/// Binomial(n, p) for `n p` below [`INVERSION_BELOW`] and `p <= 1/2`: the least `k` with
/// `u < P(X <= k)`, the probabilities by their recurrence
/// `P(k) = P(k-1) ((n+1) s / k - s)`, `s = p / (1-p)`.
fn inversion<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    let s = p / (1.0 - p);
    let a = (n as f64 + 1.0) * s;
    // P(0) = (1-p)^n >= e^-14 here, far from underflow.
    let first = exp(n as f64 * (-p).ln_1p());
    // The mean is below 10: a `u` not placed by `min(n, 110)` (BINV's bound) is left by
    // rounding in the tail; it is drawn again.
    let last = n.min(110);
    loop {
        let mut u = uniform(rng);
        let mut mass = first;
        let mut k = 0u64;
        loop {
            if u < mass {
                return k;
            }
            if k == last {
                break;
            }
            u -= mass;
            k += 1;
            mass *= a / k as f64 - s;
        }
    }
}

/// Below this mean, a Poisson count is drawn by inversion.
const POISSON_INVERSION_BELOW: f64 = 10.0;

/// A Poisson count of mean `lambda` (0 for a mean of 0 or NaN). Below a mean of 10 by
/// inversion from zero (one uniform and a multiplication per unit of the mean), else by
/// Hörmann's PTRS (transformed rejection with squeeze, "The transformed rejection
/// method for generating Poisson random variables", Insurance: Mathematics and
/// Economics 12, 1993): two uniforms a draw, accepted at once in about 89% of draws, no
/// set-up beyond a square root and a logarithm. Exact: the tests compare it with the mass.
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if !(lambda > 0.0) {
        return 0;
    }
    if lambda < POISSON_INVERSION_BELOW { poisson_inversion(rng, lambda) } else { ptrs(rng, lambda) }
}

/// Poisson(lambda) for `lambda` below [`POISSON_INVERSION_BELOW`]: the least `k` with
/// `u < P(X <= k)`, by the recurrence `P(k) = P(k-1) lambda / k`.
fn poisson_inversion<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    // P(0) = e^-lambda >= e^-10, far from underflow.
    let first = exp(-lambda);
    loop {
        let mut u = uniform(rng);
        let mut mass = first;
        let mut k = 0u64;
        // A `u` not placed by 120 (where the mass left is below 1e-60) is left by rounding
        // in the tail; it is drawn again.
        while k < 120 {
            if u < mass {
                return k;
            }
            u -= mass;
            k += 1;
            mass *= lambda / k as f64;
        }
    }
}

/// Poisson(lambda) for `lambda` at least [`POISSON_INVERSION_BELOW`] by PTRS.
fn ptrs<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    let slam = lambda.sqrt();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let v_r = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = uniform(rng) - 0.5;
        let v = uniform(rng);
        let us = 0.5 - u.abs();
        let kf = floor((2.0 * a / us + b) * u + lambda + 0.43);
        if us >= 0.07 && v <= v_r {
            // Inside the box: not negative for a mean of 10 or more; checked all the same.
            if kf >= 0.0 {
                return kf as u64;
            }
            continue;
        }
        if kf < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        // The exact test, in about one draw in ten: the logarithms only here.
        if (v * inv_alpha / (a / (us * us) + b)).ln() <= -lambda + kf * lambda.ln() - ln_factorial(kf) {
            return kf as u64;
        }
    }
}

/// `floor(x)` for `|x| < 2^63` by a cast, without the maths library's call.
#[inline]
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// `ln(k!)` for a whole `k >= 0`: Stirling's series and its error ([`stirling_tail`]).
fn ln_factorial(k: f64) -> f64 {
    const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
    (k + 0.5) * (k + 1.0).ln() - (k + 1.0) + HALF_LN_2PI + stirling_tail(k)
}

/// `ln(k!) - ((k + 1/2) ln(k + 1) - (k + 1) + ln(2 pi)/2)`: the Stirling series' error
/// at `k`, from a table below 10.
fn stirling_tail(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_29,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_19,
        0.013_876_128_823_070_75,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_09,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
    ];
    if k < 10.0 {
        return TABLE[k as usize];
    }
    let r = 1.0 / (k + 1.0);
    let r2 = r * r;
    (1.0 / 12.0 - (1.0 / 360.0 - r2 / 1260.0) * r2) * r
}

/// Binomial(n, p) for `n p` at least [`INVERSION_BELOW`] and `p <= 1/2`, by BTRD
/// (W. Hörmann, "The generation of binomial random variates", Journal of Statistical
/// Computation and Simulation 46, 1993): a transformed-rejection draw whose hat covers
/// the mass, accepted at once in about 86% of draws (the box inside the hat), else
/// checked by the recurrence near the mode, a squeeze, or the exact log mass.
fn btrd<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let q = 1.0 - p;
    let spq = (nf * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 / b;
    let mode = ((nf + 1.0) * p).floor();
    let r = p / q;
    let nr = (nf + 1.0) * r;
    let npq = nf * p * q;
    loop {
        let mut v = uniform(rng);
        let u;
        if v <= 0.86 * v_r {
            // Inside the box: accept at once.
            let u = v / v_r - 0.43;
            let kf = ((2.0 * a / (0.5 - u.abs()) + b) * u + c).floor();
            // Within [0, n] whenever n p >= 10; checked so that rounding cannot break it.
            if kf >= 0.0 && kf <= nf {
                return kf as u64;
            }
            continue;
        }
        if v >= v_r {
            u = uniform(rng) - 0.5;
        } else {
            let w = v / v_r - 0.93;
            u = 0.5f64.copysign(w) - w;
            v = uniform(rng) * v_r;
        }
        let us = 0.5 - u.abs();
        let kf = ((2.0 * a / us + b) * u + c).floor();
        if !(kf >= 0.0 && kf <= nf) {
            continue;
        }
        let alpha = (2.83 + 5.1 / b) * spq;
        v *= alpha / (a / (us * us) + b);
        let km = (kf - mode).abs();
        if km <= 15.0 {
            // The mass at k over the mass at the mode, by the recurrence.
            let mut f = 1.0;
            if mode < kf {
                let mut i = mode + 1.0;
                while i <= kf {
                    f *= nr / i - r;
                    i += 1.0;
                }
            } else if mode > kf {
                let mut i = kf + 1.0;
                while i <= mode {
                    v *= nr / i - r;
                    i += 1.0;
                }
            }
            if v <= f {
                return kf as u64;
            }
            continue;
        }
        // Squeeze on the log scale, then the exact log mass ratio.
        let v = v.ln();
        let rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
        let t = -km * km / (2.0 * npq);
        if v < t - rho {
            return kf as u64;
        }
        if v > t + rho {
            continue;
        }
        let nm = nf - mode + 1.0;
        let h = (mode + 0.5) * ((mode + 1.0) / (r * nm)).ln() + stirling_tail(mode) + stirling_tail(nf - mode);
        let nk = nf - kf + 1.0;
        let bound = h + (nf + 1.0) * (nm / nk).ln() + (kf + 0.5) * (nk * r / (kf + 1.0)).ln()
            - stirling_tail(kf)
            - stirling_tail(nf - kf);
        if v <= bound {
            return kf as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use statrs::function::gamma::ln_gamma;

    /// Units in the last place between `a` and `b` (both positive and finite).
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_library() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut worst = 0;
        for i in 0..2_000_000u32 {
            // Wide values, then the range deal sizes use (ln of $100 to $10M).
            let x = if i % 2 == 0 { (uniform(&mut rng) - 0.5) * 1400.0 } else { 4.0 + uniform(&mut rng) * 13.0 };
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 1, "largest difference {worst} ulps");
        for x in [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 707.9, -707.9, 0.5 * std::f64::consts::LN_2] {
            assert!(ulps(exp(x), x.exp()) <= 1, "exp({x}) = {} against {}", exp(x), x.exp());
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(709.0), 709f64.exp());
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
    }

    fn ln_mass(n: u64, p: f64, k: u64) -> f64 {
        let (n, kf) = (n as f64, k as f64);
        ln_gamma(n + 1.0) - ln_gamma(kf + 1.0) - ln_gamma(n - kf + 1.0) + kf * p.ln() + (n - kf) * (1.0 - p).ln()
    }

    /// Draws of Binomial(n, p) against its mass (see [`chi_squared`]).
    fn check(n: u64, p: f64, draws: usize, seed: u64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        chi_squared(&format!("Binomial({n}, {p})"), n, draws, |k| ln_mass(n, p, k).exp(), || binomial(&mut rng, n, p));
    }

    /// `draws` values of `draw` (each at most `n`) against the mass `mass`: a chi-squared
    /// test over the values holding at least 5 expected draws each (the rest pooled in
    /// two tails), at the 1e-6 level: a correct sampler fails one run in a million.
    fn chi_squared(name: &str, n: u64, draws: usize, mass: impl Fn(u64) -> f64, mut draw: impl FnMut() -> u64) {
        let mut counts = vec![0u64; n as usize + 1];
        for _ in 0..draws {
            let k = draw();
            assert!(k <= n, "{name} drew {k}");
            counts[k as usize] += 1;
        }
        let expected: Vec<f64> = (0..=n).map(|k| draws as f64 * mass(k)).collect();
        let mut bins: Vec<(f64, f64)> = Vec::new();
        let (mut e, mut o) = (0.0, 0.0);
        for k in 0..=n as usize {
            e += expected[k];
            o += counts[k] as f64;
            if e >= 5.0 {
                bins.push((o, e));
                (e, o) = (0.0, 0.0);
            }
        }
        if let Some(last) = bins.last_mut() {
            last.0 += o;
            last.1 += e;
        }
        let chi2: f64 = bins.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
        let dof = (bins.len() - 1) as f64;
        // Wilson-Hilferty: the 1 - 1e-6 quantile of chi-squared with `dof` degrees.
        let z = 4.753_424;
        let limit = dof * (1.0 - 2.0 / (9.0 * dof) + z * (2.0 / (9.0 * dof)).sqrt()).powi(3);
        assert!(chi2 < limit, "{name}: chi-squared {chi2:.1} over {dof} degrees (limit {limit:.1})");
    }

    /// Poisson draws against the mass, on both sides of the switch to PTRS and far into
    /// it; the range checked reaches 12 standard deviations above the mean, where the
    /// mass left is below 1e-30 (a draw beyond it fails the test).
    #[test]
    fn poisson_draws_follow_the_mass() {
        for (i, &lambda) in [0.3f64, 2.5, 9.99, 10.0, 10.5, 31.0, 240.0, 5_000.0].iter().enumerate() {
            let n = (lambda + 12.0 * lambda.sqrt() + 30.0) as u64;
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(41 + i as u64);
            let mass = |k: u64| (k as f64 * f64::ln(lambda) - lambda - ln_gamma(k as f64 + 1.0)).exp();
            chi_squared(&format!("Poisson({lambda})"), n, 200_000, mass, || poisson(&mut rng, lambda));
        }
    }

    /// A sampler with PTRS's offset wrong by a tenth fails the same test: it can fail.
    #[test]
    fn a_shifted_poisson_fails_the_mass_test() {
        let lambda = 240.0;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mass = |k: u64| (k as f64 * f64::ln(lambda) - lambda - ln_gamma(k as f64 + 1.0)).exp();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            chi_squared("shifted", 600, 200_000, mass, || ptrs(&mut rng, lambda + 0.1 * lambda.sqrt()));
        }));
        assert!(caught.is_err(), "a Poisson shifted by a tenth of its sd passed");
    }

    #[test]
    fn poisson_edges_and_large_means() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        assert_eq!(poisson(&mut rng, 0.0), 0);
        assert_eq!(poisson(&mut rng, -1.0), 0);
        assert_eq!(poisson(&mut rng, f64::NAN), 0);
        let (lambda, draws) = (3.0e12, 20_000);
        let xs: Vec<f64> = (0..draws).map(|_| poisson(&mut rng, lambda) as f64).collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (draws - 1) as f64;
        assert!((mean - lambda).abs() < 5.0 * (lambda / draws as f64).sqrt(), "mean {mean}");
        assert!((var - lambda).abs() < 5.0 * lambda * (2.0 / (draws - 1) as f64).sqrt(), "variance {var}");
        for x in [-2.5, -2.0, -0.5, 0.0, 0.5, 1.0, 7.9999, 1e15 + 0.5] {
            assert_eq!(floor(x), x.floor(), "{x}");
        }
    }

    #[test]
    fn binomial_draws_follow_the_mass() {
        // Inversion, both sides of the switch, BTRD near and far from the recurrence's
        // reach, and p above 1/2 (drawn as n minus a draw for 1 - p).
        for (i, &(n, p)) in [
            (1, 0.3),
            (7, 0.5),
            (30, 0.05),
            (19, 0.52),
            (21, 0.48),
            (100, 0.0999),
            (100, 0.1001),
            (600, 0.15),
            (5_000, 0.37),
            (40, 0.9),
            (1_000, 0.993),
        ]
        .iter()
        .enumerate()
        {
            check(n, p, 200_000, 17 + i as u64);
        }
    }

    #[test]
    fn binomial_edges_and_large_counts() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, f64::NAN), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert_eq!(binomial(&mut rng, 10, 1.5), 10);
        // A count far beyond the chi-squared test's reach: the mean and variance, within
        // 5 standard errors of them.
        let (n, p, draws) = (1u64 << 40, 0.3, 20_000);
        let xs: Vec<f64> = (0..draws).map(|_| binomial(&mut rng, n, p) as f64).collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (draws - 1) as f64;
        let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
        assert!((mean - m).abs() < 5.0 * (v / draws as f64).sqrt(), "mean {mean} against {m}");
        // The variance of a sample variance of a near-normal: 2 v^2 / (draws - 1).
        assert!((var - v).abs() < 5.0 * v * (2.0 / (draws - 1) as f64).sqrt(), "variance {var} against {v}");
    }
}

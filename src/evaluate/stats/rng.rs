//! Seeded random numbers for the bootstrap: SplitMix64, binomial and
//! multinomial counts, and standard normals.
//!
//! Every bootstrap replicate gets its own generator, seeded from
//! `(seed, stream, replicate)` by [`SplitMix64::for_replicate`], so a replicate's
//! values do not depend on which thread computed it or in which order.

/// Golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and passes BigCrush.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

/// The SplitMix64 output function (a bijective 64-bit mixer).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// Generator seeded directly with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Generator of replicate `replicate` in stream `stream` (one stream per
    /// statistic) for the user's `seed`.
    pub fn for_replicate(seed: u64, stream: u64, replicate: u64) -> Self {
        let s = mix(seed ^ mix(stream.wrapping_mul(GAMMA) ^ mix(replicate.wrapping_add(1))));
        Self::new(s)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal deviate (Box–Muller; one of the pair is discarded to
    /// keep the generator stateless beyond `state`).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1]: ln is finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Binomial(n, p) count: inversion when `n·min(p, 1-p) <= 30`, otherwise
    /// BTPE (Kachitvichyanukul & Schmeiser 1988, the variant numpy uses).
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p.is_nan() || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        let (r, flipped) = if p <= 0.5 {
            (p, false)
        } else {
            (1.0 - p, true)
        };
        let x = if r * n as f64 <= 30.0 {
            self.binomial_inversion(n, r)
        } else {
            self.binomial_btpe(n, r)
        };
        if flipped {
            n - x
        } else {
            x
        }
    }

    /// Sequential-search inversion, for small means (`p <= 0.5`).
    fn binomial_inversion(&mut self, n: u64, p: f64) -> u64 {
        let q = 1.0 - p;
        let qn = (n as f64 * q.ln()).exp();
        let np = n as f64 * p;
        let bound = n.min((np + 10.0 * (np * q + 1.0).sqrt()) as u64);
        loop {
            let mut x = 0u64;
            let mut px = qn;
            let mut u = self.next_f64();
            while u > px {
                x += 1;
                if x > bound {
                    break;
                }
                u -= px;
                px = ((n - x + 1) as f64 * p * px) / (x as f64 * q);
            }
            if x <= bound {
                return x;
            }
        }
    }

    /// BTPE for `n·p > 30`, `p <= 0.5`: triangle/parallelogram/exponential
    /// hat with squeeze, exact acceptance via Stirling's formula.
    fn binomial_btpe(&mut self, n: u64, p: f64) -> u64 {
        let nf = n as f64;
        let q = 1.0 - p;
        let fm = nf * p + p;
        let m = fm.floor();
        let npq = nf * p * q;
        let p1 = (2.195 * npq.sqrt() - 4.6 * q).floor() + 0.5;
        let xm = m + 0.5;
        let xl = xm - p1;
        let xr = xm + p1;
        let c = 0.134 + 20.5 / (15.3 + m);
        let a = (fm - xl) / (fm - xl * p);
        let laml = a * (1.0 + a / 2.0);
        let a = (xr - fm) / (xr * q);
        let lamr = a * (1.0 + a / 2.0);
        let p2 = p1 * (1.0 + 2.0 * c);
        let p3 = p2 + c / laml;
        let p4 = p3 + c / lamr;
        loop {
            let u = self.next_f64() * p4;
            let mut v = self.next_f64();
            let y: f64;
            if u <= p1 {
                // Triangle: accept at once.
                return (xm - p1 * v + u).floor() as u64;
            } else if u <= p2 {
                let x = xl + (u - p1) / c;
                v = v * c + 1.0 - (m - x + 0.5).abs() / p1;
                if v > 1.0 {
                    continue;
                }
                y = x.floor();
            } else if u <= p3 {
                if v == 0.0 {
                    continue;
                }
                y = (xl + v.ln() / laml).floor();
                if y < 0.0 {
                    continue;
                }
                v *= (u - p2) * laml;
            } else {
                if v == 0.0 {
                    continue;
                }
                y = (xr - v.ln() / lamr).floor();
                if y > nf {
                    continue;
                }
                v *= (u - p3) * lamr;
            }
            if accept_btpe(nf, p, q, m, y, v, npq, xm) {
                return y as u64;
            }
        }
    }

    /// A uniform integer in `0..n` (`n > 0`), without bias (Lemire 2019:
    /// multiply, and redraw the rare low products that would favour some
    /// values).
    pub fn index(&mut self, n: u64) -> u64 {
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let floor = n.wrapping_neg() % n;
            while (m as u64) < floor {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// Multinomial counts of `n` draws over cells with integer weights
    /// (conditional binomials in cell order, exact probabilities); `out`
    /// gets one count per cell.
    pub fn multinomial(&mut self, n: u64, weights: &[u64], out: &mut [u64]) {
        let mut left_n = n;
        let mut left_w: u64 = weights.iter().sum();
        for (slot, &w) in out.iter_mut().zip(weights) {
            let k = if left_n == 0 || w == 0 {
                0
            } else if w >= left_w {
                left_n
            } else {
                self.binomial(left_n, w as f64 / left_w as f64)
            };
            *slot = k;
            left_n -= k;
            left_w -= w;
        }
    }
}

/// BTPE's acceptance test for candidate `y` with uniform `v` (steps 5.x).
#[allow(clippy::too_many_arguments)]
fn accept_btpe(n: f64, p: f64, q: f64, m: f64, y: f64, v: f64, npq: f64, xm: f64) -> bool {
    let k = (y - m).abs();
    if k <= 20.0 || k >= npq / 2.0 - 1.0 {
        // Explicit evaluation of f(y)/f(m) by the recurrence.
        let s = p / q;
        let a = s * (n + 1.0);
        let mut f = 1.0;
        if m < y {
            let mut i = m + 1.0;
            while i <= y {
                f *= a / i - s;
                i += 1.0;
            }
        } else if m > y {
            let mut i = y + 1.0;
            while i <= m {
                f /= a / i - s;
                i += 1.0;
            }
        }
        return v <= f;
    }
    // Squeeze on log(v), then the Stirling-corrected log ratio.
    let rho = (k / npq) * ((k * (k / 3.0 + 0.625) + 1.0 / 6.0) / npq + 0.5);
    let t = -k * k / (2.0 * npq);
    let big_a = v.ln();
    if big_a < t - rho {
        return true;
    }
    if big_a > t + rho {
        return false;
    }
    let x1 = y + 1.0;
    let f1 = m + 1.0;
    let z = n + 1.0 - m;
    let w = n - y + 1.0;
    let stirling = |x: f64| {
        let x2 = x * x;
        (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / x2) / x2) / x2) / x2) / x / 166_320.0
    };
    let bound = xm * (f1 / x1).ln()
        + (n - m + 0.5) * (z / w).ln()
        + (y - m) * (w * p / (x1 * q)).ln()
        + stirling(f1)
        + stirling(z)
        + stirling(x1)
        + stirling(w);
    big_a <= bound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_uniform_and_in_range() {
        let mut r = SplitMix64::new(9);
        let mut counts = [0u64; 7];
        for _ in 0..70_000 {
            counts[r.index(7) as usize] += 1;
        }
        // Each of 7 values: 10,000 expected, sd about 93.
        assert!(
            counts.iter().all(|&c| (9_600..=10_400).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(r.index(1), 0);
    }

    #[test]
    fn splitmix_reference_values() {
        // from scripts/oracles/stats_oracle.py (SplitMix64 seeded 1234567)
        let mut r = SplitMix64::new(1_234_567);
        for want in super::super::oracle::SPLITMIX_1234567 {
            assert_eq!(r.next_u64(), want);
        }
    }

    fn mean_var(f: impl FnMut() -> f64, n: usize) -> (f64, f64) {
        let xs: Vec<f64> = std::iter::repeat_with(f).take(n).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    #[test]
    fn binomial_moments() {
        // Both branches (inversion and BTPE) and the p > 0.5 flip.
        let cases = [
            (20u64, 0.3),
            (1000, 0.01),
            (1000, 0.4),
            (1_000_000, 0.7),
            (50, 0.9),
        ];
        for (i, &(n, p)) in cases.iter().enumerate() {
            let mut rng = SplitMix64::for_replicate(9, 1, i as u64);
            let (m, v) = mean_var(|| rng.binomial(n, p) as f64, 40_000);
            let (em, ev) = (n as f64 * p, n as f64 * p * (1.0 - p));
            let se = (ev / 40_000.0).sqrt();
            assert!((m - em).abs() < 5.0 * se, "n={n} p={p}: mean {m} vs {em}");
            assert!((v / ev - 1.0).abs() < 0.05, "n={n} p={p}: var {v} vs {ev}");
        }
    }

    #[test]
    fn binomial_edges() {
        let mut rng = SplitMix64::new(3);
        assert_eq!(rng.binomial(0, 0.5), 0);
        assert_eq!(rng.binomial(10, 0.0), 0);
        assert_eq!(rng.binomial(10, 1.0), 10);
        assert_eq!(rng.binomial(10, f64::NAN), 0);
        for _ in 0..1000 {
            assert!(rng.binomial(40, 0.8) <= 40);
        }
    }

    #[test]
    fn multinomial_sums_to_n() {
        let mut rng = SplitMix64::new(5);
        let mut out = [0u64; 4];
        for _ in 0..1000 {
            rng.multinomial(1000, &[3, 0, 5, 2], &mut out);
            assert_eq!(out.iter().sum::<u64>(), 1000);
            assert_eq!(out[1], 0);
        }
    }

    #[test]
    fn normal_moments() {
        let mut rng = SplitMix64::new(11);
        let (m, v) = mean_var(|| rng.normal(), 100_000);
        assert!(m.abs() < 0.02 && (v - 1.0).abs() < 0.02, "{m} {v}");
    }
}

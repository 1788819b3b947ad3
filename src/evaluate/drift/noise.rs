//! How large each feature's PSI gets by sampling alone, on few rows.
//!
//! PSI over `k` bins of two samples of one distribution has a mean of
//! about `(k - 1)(1/n + 1/m)`: about 0.1 per feature for 455 reference and
//! 114 current rows, and the drift gate takes the maximum over every
//! feature. On such files an honest random split reads as drift (round 24,
//! F1: 3 of 7 seeds of a 569-row file failed `max_psi = 0.25`).
//!
//! So when that expected noise is not small, the two sides' rows are
//! pooled and split at random again, keeping their sizes, and every
//! feature's PSI is measured on each split, as on the real one (the same
//! bins, the same rules). Each feature gets the PSI that sampling alone
//! reaches for it, family-wise over the features ([`psi_noise`]); the
//! gate fails only on a feature above its own.
//! Splits are seeded: the same rows give the same noise whatever the
//! thread count.
use super::{numeric_psi, psi_categorical, text_codes, Rows, Sample, BINS};
use crate::data::{Column, Values};
use crate::rng::SplitMix64;
use rayon::prelude::*;
use std::collections::HashMap;

/// Random splits measured.
pub const SPLITS: usize = 200;
/// The noise is measured when the expected PSI of one feature on samples
/// of one distribution, `(BINS - 1)(1/n + 1/m)`, reaches this: below it
/// (more than about 1,800 rows on each side) no `max_psi` worth setting is
/// near the noise.
const MEASURED_FROM: f64 = 0.01;
/// At most this much work (splits x features x pooled rows).
const MAX_WORK: usize = 500_000_000;
/// The seed of the splits (fixed: the noise is a property of the rows).
const SEED: u64 = 0x5053_495f_6e6f_6973;

/// One feature's values on both sides, reference rows first.
enum Pooled {
    Num(Vec<f64>),
    /// Codes in one space of `levels` codes.
    Cat(Vec<u32>, usize),
}

fn pooled(r: &Column, rr: Option<&[usize]>, c: &Column, cr: Option<&[usize]>) -> Option<Pooled> {
    let values = |rows: Option<&[usize]>, v: &[f64]| -> Vec<f64> {
        match rows {
            Some(rows) => rows.iter().map(|&i| v[i]).collect(),
            None => v.to_vec(),
        }
    };
    match (&r.values, &c.values) {
        (Values::Num(a), Values::Num(b)) => {
            let mut all = values(rr, a);
            all.extend(values(cr, b));
            Some(Pooled::Num(all))
        }
        (Values::Cat { .. }, Values::Cat { .. }) => {
            let mut dict = HashMap::new();
            let mut all = text_codes(r, rr, &mut dict);
            all.extend(text_codes(c, cr, &mut dict));
            Some(Pooled::Cat(all, dict.len()))
        }
        _ => None,
    }
}

/// PSI of the split that puts rows `order[..n]` on the reference side.
fn psi_of(p: &Pooled, order: &[u32], n: usize) -> Option<f64> {
    let (a, b) = order.split_at(n);
    match p {
        Pooled::Num(v) => {
            let pick = |idx: &[u32]| idx.iter().map(|&i| v[i as usize]).collect::<Vec<f64>>();
            numeric_psi(&Sample::new(&pick(a)), &Sample::new(&pick(b)))
        }
        Pooled::Cat(codes, levels) => {
            let pick = |idx: &[u32]| idx.iter().map(|&i| codes[i as usize]).collect::<Vec<u32>>();
            Some(psi_categorical(&pick(a), &pick(b), *levels))
        }
    }
}

fn side_len(s: &Rows) -> usize {
    s.rows.map_or(s.table.n_rows, <[usize]>::len)
}

/// Per feature of `features` (those the real split measured), the PSI it
/// reaches by sampling alone, family-wise over the features (max-T): on
/// each of [`SPLITS`] random splits every feature's PSI is standardized by
/// its own mean and spread over the splits, and the 95th percentile `q`
/// of the largest standardized PSI per split gives each feature the bound
/// `mean + q * spread`. A noisy feature (a zero-inflated code, a mostly
/// missing column) gets a high bound of its own and leaves the others'
/// alone (round 25, F1). Empty when the sides are large enough for the
/// noise not to matter, or too large to measure.
pub fn psi_noise(
    reference: Rows,
    current: Rows,
    features: &[&String],
) -> std::collections::BTreeMap<String, f64> {
    let (n, m) = (side_len(&reference), side_len(&current));
    if n == 0 || m == 0 || features.is_empty() {
        return Default::default();
    }
    let expected = (BINS - 1) as f64 * (1.0 / n as f64 + 1.0 / m as f64);
    let total = n + m;
    if expected < MEASURED_FROM
        || SPLITS * features.len() * total > MAX_WORK
        || u32::try_from(total).is_err()
    {
        return Default::default();
    }
    let pooled: Vec<(&String, Pooled)> = features
        .iter()
        .filter_map(|f| {
            let r = reference.table.column(f)?;
            let c = current.table.column(f)?;
            Some((*f, pooled(r, reference.rows, c, current.rows)?))
        })
        .collect();
    // psi[s][f]: feature f's PSI on split s (NaN when undefined there).
    let psi: Vec<Vec<f64>> = (0..SPLITS as u64)
        .into_par_iter()
        .map(|s| {
            let mut order: Vec<u32> = (0..total as u32).collect();
            SplitMix64::derive(SEED, s).shuffle(&mut order);
            pooled
                .iter()
                .map(|(_, p)| psi_of(p, &order, n).unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let moments: Vec<(f64, f64)> = (0..pooled.len())
        .map(|f| {
            let v: Vec<f64> = psi
                .iter()
                .map(|row| row[f])
                .filter(|x| x.is_finite())
                .collect();
            let k = v.len().max(1) as f64;
            let mean = v.iter().sum::<f64>() / k;
            let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / k;
            (mean, var.sqrt())
        })
        .collect();
    let mut worst: Vec<f64> = psi
        .iter()
        .map(|row| {
            row.iter()
                .zip(&moments)
                .filter(|(x, (_, sd))| x.is_finite() && *sd > 0.0)
                .map(|(x, (mean, sd))| (x - mean) / sd)
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    worst.sort_unstable_by(f64::total_cmp);
    // The 95th percentile: the 190th of 200 ascending.
    let q = worst[(SPLITS * 95).div_ceil(100) - 1];
    let q = if q.is_finite() { q.max(0.0) } else { 0.0 };
    pooled
        .iter()
        .zip(&moments)
        .map(|((name, _), (mean, sd))| ((*name).clone(), mean + q * sd))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::compute_rows;
    use super::*;
    use crate::data::{DType, Table};

    /// `rows` rows of `features` standard-normal-ish columns (sum of 4
    /// uniforms), column 0 moved by `shift`, plus a 4-level text column.
    fn table(rows: usize, features: usize, shift: f64, seed: u64) -> Table {
        let mut g = SplitMix64::new(seed);
        let mut u = || g.next_u64() as f64 / u64::MAX as f64;
        let mut columns: Vec<Column> = (0..features)
            .map(|j| {
                let v = (0..rows)
                    .map(|_| {
                        let z = (u() + u() + u() + u() - 2.0) * 3f64.sqrt();
                        z + if j == 0 { shift } else { 0.0 }
                    })
                    .collect();
                Column {
                    name: format!("x{j}"),
                    dtype: DType::Float,
                    values: Values::Num(v),
                }
            })
            .collect();
        columns.push(Column {
            name: "city".into(),
            dtype: DType::String,
            values: Values::Cat {
                codes: (0..rows).map(|_| (u() * 4.0) as u32).collect(),
                levels: ["a", "b", "c", "d"].map(String::from).to_vec(),
            },
        });
        Table {
            columns,
            n_rows: rows,
        }
    }

    fn names(t: &Table) -> Vec<String> {
        t.column_names().iter().map(|s| s.to_string()).collect()
    }

    /// Features over `max_psi` and their own noise.
    fn drifted(d: &crate::domain::DriftReport, max_psi: f64) -> Vec<String> {
        d.ranked
            .iter()
            .filter(|f| d.psi[*f] > max_psi && d.psi[*f] > d.noise[*f])
            .cloned()
            .collect()
    }

    #[test]
    fn honest_small_samples_stay_within_the_noise() {
        let mut above_max_psi = 0;
        let mut beyond_noise = 0;
        for seed in 0..10 {
            let (r, c) = (table(455, 30, 0.0, seed), table(114, 30, 0.0, 100 + seed));
            let d = compute_rows(Rows::all(&r), Rows::all(&c), &names(&r), "reference");
            assert_eq!(d.noise.len(), 31, "measured on few rows, every feature");
            above_max_psi += usize::from(d.psi[&d.ranked[0]] > 0.25);
            beyond_noise += usize::from(!drifted(&d, 0.25).is_empty());
        }
        // The plain max_psi would fail most of them; the noise about 1 in 20.
        assert!(above_max_psi >= 3, "{above_max_psi}");
        assert!(beyond_noise <= 1, "{beyond_noise}");
    }

    #[test]
    fn a_real_shift_on_few_rows_stands_out_of_the_noise() {
        for seed in 0..5 {
            let (r, c) = (table(455, 30, 0.0, seed), table(114, 30, 1.0, 100 + seed));
            let d = compute_rows(Rows::all(&r), Rows::all(&c), &names(&r), "reference");
            assert_eq!(drifted(&d, 0.25), ["x0"], "seed {seed}: {:?}", d.noise);
        }
    }

    /// Round 25, F1: zero-inflated codes (0 on 97% of the rows, else 1..8)
    /// have a high PSI noise of their own; it must not excuse a shift of
    /// a continuous feature whose noise is low.
    #[test]
    fn a_noisy_feature_does_not_raise_the_bar_of_the_others() {
        let codes = |rows: usize, seed: u64| -> Vec<Column> {
            let mut g = SplitMix64::new(seed);
            (0..8)
                .map(|j| {
                    let v = (0..rows)
                        .map(|_| {
                            let u = g.next_u64() as f64 / u64::MAX as f64;
                            if u < 0.97 {
                                0.0
                            } else {
                                1.0 + (g.below(8) as f64)
                            }
                        })
                        .collect();
                    Column {
                        name: format!("code{j}"),
                        dtype: DType::Integer,
                        values: Values::Num(v),
                    }
                })
                .collect()
        };
        let (mut r, mut c) = (table(300, 2, 0.0, 7), table(300, 2, 0.7, 8));
        r.columns.extend(codes(300, 9));
        c.columns.extend(codes(300, 10));
        let d = compute_rows(Rows::all(&r), Rows::all(&c), &names(&r), "reference");
        assert!(d.noise["code0"] > d.noise["x0"], "{:?}", d.noise);
        assert_eq!(drifted(&d, 0.2), ["x0"], "{:?} {:?}", d.psi, d.noise);
    }

    #[test]
    fn many_rows_need_no_noise() {
        let (r, c) = (table(3000, 3, 0.0, 1), table(3000, 3, 0.0, 2));
        let d = compute_rows(Rows::all(&r), Rows::all(&c), &names(&r), "reference");
        assert!(d.noise.is_empty());
    }

    #[test]
    fn the_noise_is_the_same_whatever_the_thread_count() {
        let (r, c) = (table(200, 8, 0.0, 3), table(60, 8, 0.0, 4));
        let rows: Vec<usize> = (0..60).rev().collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let cols = names(&r);
                    let f: Vec<&String> = cols.iter().collect();
                    psi_noise(Rows::all(&r), Rows::some(&c, &rows), &f)
                })
        };
        let bits = |m: std::collections::BTreeMap<String, f64>| {
            m.into_values().map(f64::to_bits).collect::<Vec<_>>()
        };
        assert_eq!(bits(run(1)), bits(run(4)));
    }
}

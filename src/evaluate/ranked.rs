//! The test scores split by class and sorted: what ROC AUC and the ROC
//! curve both walk, sorted once per run.
//!
//! Scores are sorted as order-preserving `u64` keys (sign-folded bits, with
//! `-0.0` taken as `0.0` so that the two form one threshold, as `==` and
//! numpy group them), in parallel. Equal keys are equal scores, so an
//! unstable sort gives the same arrays whatever the thread count.
use crate::domain::pick::picked;
use rayon::prelude::*;

/// Positive and negative scores, each ascending by value.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pos: Vec<u64>,
    neg: Vec<u64>,
    /// Each part's walk, from the highest part down ([`Ranked::walk`]):
    /// ROC AUC and the ROC curve's step counts come from one walk of the
    /// keys, made with the ranking.
    walked: Vec<Walked>,
}

/// What one walk of a part's keys counts.
#[derive(Debug, Clone, PartialEq)]
struct Walked {
    part: Part,
    /// Twice the (positive, negative) pairs the positive wins, a tie
    /// counting one ([`Ranked::roc_auc`]).
    twice_wins: u128,
    /// The distinct keys of the part ([`Ranked::distinct_steps`]).
    steps: usize,
}

/// One distinct score, seen from the top: scores `>= threshold` counted
/// positive give `tp` true and `fp` false positives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub threshold: f64,
    pub tp: u64,
    pub fp: u64,
}

/// The order-preserving key of a finite score.
fn key(s: f64) -> u64 {
    let bits = (s + 0.0).to_bits(); // -0.0 + 0.0 == +0.0
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn score(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Up to this many threads, each class's keys are sorted on one thread.
const FEW_THREADS: usize = 4;

/// Rows gathered a block at a time when split by class.
const SPLIT_BLOCK: usize = 1 << 16;

/// The labels `of` takes in each block of `block` labels, counted side by
/// side: where each block's rows begin among those taken.
pub fn block_counts(y: &[u8], block: usize, of: impl Fn(u8) -> bool + Sync) -> Vec<usize> {
    y.par_chunks(block)
        .map(|b| b.iter().filter(|&&y| of(y)).count())
        .collect()
}

/// The keys of the positive rows and of the negative ones, in row order,
/// given the positives per block ([`block_counts`]). Each block of rows writes its keys straight
/// into its own stretch of the two outputs, side by side: a filtered
/// `collect` would gather lists of pieces and copy them again.
fn split_keys(y_true: &[u8], score: &[f64], counts: &[usize]) -> (Vec<u64>, Vec<u64>) {
    let positives: usize = counts.iter().sum();
    let mut pos = vec![0u64; positives];
    let mut neg = vec![0u64; y_true.len() - positives];
    let mut stretches = Vec::with_capacity(counts.len());
    let (mut p, mut q) = (&mut pos[..], &mut neg[..]);
    for (b, &c) in y_true.chunks(SPLIT_BLOCK).zip(counts) {
        let (here_p, rest_p) = std::mem::take(&mut p).split_at_mut(c);
        let (here_q, rest_q) = std::mem::take(&mut q).split_at_mut(b.len() - c);
        stretches.push((here_p, here_q));
        (p, q) = (rest_p, rest_q);
    }
    y_true
        .par_chunks(SPLIT_BLOCK)
        .zip(score.par_chunks(SPLIT_BLOCK))
        .zip(stretches)
        .for_each(|((y, s), (to_pos, to_neg))| {
            let (mut i, mut j) = (0, 0);
            for (&y, &s) in y.iter().zip(s) {
                if y != 0 {
                    to_pos[i] = key(s);
                    i += 1;
                } else {
                    to_neg[j] = key(s);
                    j += 1;
                }
            }
        });
    (pos, neg)
}

impl Ranked {
    /// `None` with a non-finite score or a single class (ROC AUC and the
    /// curve are undefined then, as scikit-learn raises). Only the common
    /// prefix of `y_true` and `score` is used.
    pub fn new(y_true: &[u8], score: &[f64]) -> Option<Ranked> {
        let n = y_true.len().min(score.len());
        let (y_true, score) = (&y_true[..n], &score[..n]);
        if score.par_iter().any(|s| !s.is_finite()) {
            return None;
        }
        let counts = block_counts(y_true, SPLIT_BLOCK, |y| y != 0);
        let positives: usize = counts.iter().sum();
        if positives == 0 || positives == n {
            return None;
        }
        let (mut pos, mut neg) = split_keys(y_true, score, &counts);
        // On a few threads each class is sorted by one: a parallel sort of
        // one array spends half again the work of `sort_unstable`, and the
        // other stages of a run keep the rest of the threads busy.
        if rayon::current_num_threads() > FEW_THREADS {
            rayon::join(|| pos.par_sort_unstable(), || neg.par_sort_unstable());
        } else {
            rayon::join(|| pos.sort_unstable(), || neg.sort_unstable());
        }
        let mut ranked = Ranked {
            pos,
            neg,
            walked: Vec::new(),
        };
        let mut walked: Vec<Walked> = ranked
            .parts()
            .into_par_iter()
            .map(|p| ranked.walk(p))
            .collect();
        walked.reverse();
        ranked.walked = walked;
        Some(ranked)
    }

    pub fn positives(&self) -> u64 {
        self.pos.len() as u64
    }

    pub fn negatives(&self) -> u64 {
        self.neg.len() as u64
    }

    /// The key range cut into parts of about [`PART_KEYS`] keys, in
    /// ascending order; all keys equal to one another fall in one part.
    fn parts(&self) -> Vec<Part> {
        let whole = Part {
            pos: 0..self.pos.len(),
            neg: 0..self.neg.len(),
        };
        let longer = if self.pos.len() >= self.neg.len() {
            &self.pos
        } else {
            &self.neg
        };
        let cuts = (self.pos.len() + self.neg.len()) / PART_KEYS;
        if cuts < 2 {
            return vec![whole];
        }
        // Each part begins at the first key equal to its cut key.
        let mut starts: Vec<(usize, usize)> = (1..cuts)
            .map(|c| {
                let k = longer[c * longer.len() / cuts];
                (
                    self.pos.partition_point(|&x| x < k),
                    self.neg.partition_point(|&x| x < k),
                )
            })
            .collect();
        starts.dedup();
        let mut parts = Vec::with_capacity(starts.len() + 1);
        let mut from = (0, 0);
        for to in starts.into_iter().chain([(self.pos.len(), self.neg.len())]) {
            if to != from {
                parts.push(Part {
                    pos: from.0..to.0,
                    neg: from.1..to.1,
                });
            }
            from = to;
        }
        parts
    }

    /// The Mann-Whitney statistic with mid-ranks, which equals
    /// scikit-learn's trapezoid over distinct thresholds: each (positive,
    /// negative) pair scores 1 if the positive ranks higher and 1/2 on a
    /// tie. Counted in exact integers, part by part side by side; the only
    /// rounding is the division.
    pub fn roc_auc(&self) -> f64 {
        let twice_wins: u128 = self.walked.iter().map(|w| w.twice_wins).sum();
        let pairs = 2 * self.pos.len() as u128 * self.neg.len() as u128;
        twice_wins as f64 / pairs as f64
    }

    /// One part's pairs won and distinct keys, in one walk: each distinct
    /// positive key with the negatives below it and tied with it; the
    /// distinct negative keys are counted apart, and the keys both classes
    /// hold once.
    fn walk(&self, part: Part) -> Walked {
        let p = &part;
        let (mut twice_wins, mut i, mut j) = (0u128, p.pos.start, p.neg.start);
        let (mut pos_keys, mut shared) = (0, 0);
        while i < p.pos.end {
            let k = self.pos[i];
            let first = i;
            while i < p.pos.end && self.pos[i] == k {
                i += 1;
            }
            while j < p.neg.end && self.neg[j] < k {
                j += 1;
            }
            let mut tied = j;
            while tied < p.neg.end && self.neg[tied] == k {
                tied += 1;
            }
            // Each positive at k beats the j negatives below (in this part
            // and the ones before) and ties the rest at k.
            twice_wins += (i - first) as u128 * (2 * j + (tied - j)) as u128;
            pos_keys += 1;
            shared += usize::from(tied > j);
        }
        let neg = &self.neg[p.neg.clone()];
        let neg_keys = match neg.first() {
            None => 0,
            Some(_) => 1 + neg[1..].iter().zip(neg).filter(|(a, b)| a != b).count(),
        };
        Walked {
            twice_wins,
            steps: pos_keys + neg_keys - shared,
            part,
        }
    }

    /// Every distinct score from the highest down, with the counts at it
    /// and above (scikit-learn's `roc_curve(drop_intermediate=False)`
    /// without its `(0, 0)` start).
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        self.steps_in(&Part {
            pos: 0..self.pos.len(),
            neg: 0..self.neg.len(),
        })
    }

    /// [`Ranked::steps`] within one part (the counts are the whole's).
    fn steps_in(&self, p: &Part) -> impl Iterator<Item = Step> + '_ {
        let (low_i, low_j) = (p.pos.start, p.neg.start);
        let (mut i, mut j) = (p.pos.end, p.neg.end);
        std::iter::from_fn(move || {
            let top = match (i > low_i, j > low_j) {
                (false, false) => return None,
                (true, false) => self.pos[i - 1],
                (false, true) => self.neg[j - 1],
                (true, true) => self.pos[i - 1].max(self.neg[j - 1]),
            };
            while i > low_i && self.pos[i - 1] == top {
                i -= 1;
            }
            while j > low_j && self.neg[j - 1] == top {
                j -= 1;
            }
            Some(Step {
                threshold: score(top),
                tp: (self.pos.len() - i) as u64,
                fp: (self.neg.len() - j) as u64,
            })
        })
    }

    /// How many distinct scores there are ([`Ranked::steps`]' length),
    /// from the walk ROC AUC shares.
    pub fn distinct_steps(&self) -> usize {
        self.walked.iter().map(|w| w.steps).sum()
    }

    /// The steps at the given indices of [`Ranked::steps`] (ascending),
    /// found part by part side by side; an index past the end is left out.
    /// Each part's steps are known from the walk: only the parts holding
    /// a wanted index are walked again.
    pub fn steps_at(&self, wanted: &[usize]) -> Vec<Step> {
        let mut jobs = Vec::new();
        let mut first = 0;
        for w in &self.walked {
            let from = wanted.partition_point(|&i| i < first);
            let to = wanted.partition_point(|&i| i < first + w.steps);
            if from < to {
                jobs.push((&w.part, first, &wanted[from..to]));
            }
            first += w.steps;
        }
        jobs.par_iter()
            .map(|(p, first, wanted)| {
                let wanted = wanted.iter().map(|w| w - first);
                picked(self.steps_in(p), wanted).collect::<Vec<Step>>()
            })
            .collect::<Vec<Vec<Step>>>()
            .concat()
    }
}

/// Keys per part of the key range walked side by side.
const PART_KEYS: usize = 1 << 16;

/// One part of the key range: the positions of its keys in each class.
#[derive(Debug, Clone, PartialEq)]
struct Part {
    pos: std::ops::Range<usize>,
    neg: std::ops::Range<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_the_scores_do() {
        let xs = [
            f64::MIN,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            0.0,
            f64::MIN_POSITIVE,
            0.5,
            1.0,
            f64::MAX,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
        }
        for &x in &xs {
            assert_eq!(score(key(x)).to_bits(), x.to_bits());
        }
        assert_eq!(key(-0.0), key(0.0));
    }

    #[test]
    fn steps_group_ties_across_classes() {
        // sklearn.metrics.roc_curve([0,0,1,1,1,0], [.1,.4,.35,.8,.4,.9],
        //                           drop_intermediate=False)[2][1:]
        let r = Ranked::new(&[0, 0, 1, 1, 1, 0], &[0.1, 0.4, 0.35, 0.8, 0.4, 0.9]).unwrap();
        let steps: Vec<(f64, u64, u64)> = r.steps().map(|s| (s.threshold, s.tp, s.fp)).collect();
        assert_eq!(
            steps,
            vec![
                (0.9, 0, 1),
                (0.8, 1, 1),
                (0.4, 2, 2),
                (0.35, 3, 2),
                (0.1, 3, 3)
            ]
        );
        assert_eq!(r.distinct_steps(), 5);
        // roc_auc_score of the same: 0.5.
        assert_eq!(r.roc_auc(), 0.5);
    }

    /// The steps and twice the Mann-Whitney wins of `y`, `s` counted
    /// pair by pair over the sorted distinct scores, without parts.
    fn by_definition(y: &[u8], s: &[f64]) -> (Vec<(f64, u64, u64)>, f64) {
        let mut distinct: Vec<f64> = s.to_vec();
        distinct.sort_by(|a, b| b.total_cmp(a));
        distinct.dedup();
        let count = |at_least: f64, class: u8| {
            y.iter()
                .zip(s)
                .filter(|&(&c, &v)| c == class && v >= at_least)
                .count() as u64
        };
        let steps = distinct
            .iter()
            .map(|&t| (t, count(t, 1), count(t, 0)))
            .collect();
        let (mut below, mut wins) = (vec![0u64; distinct.len()], 0u128);
        // Negatives per distinct score, then each positive's wins.
        let at = |v: f64| distinct.iter().position(|&d| d == v).unwrap();
        for (&c, &v) in y.iter().zip(s) {
            if c == 0 {
                below[at(v)] += 1;
            }
        }
        for (&c, &v) in y.iter().zip(s) {
            if c == 1 {
                let i = at(v);
                let lower: u64 = below[i + 1..].iter().sum();
                wins += 2 * lower as u128 + below[i] as u128;
            }
        }
        let (p, n) = (count(f64::MIN, 1), count(f64::MIN, 0));
        (steps, wins as f64 / (2 * p as u128 * n as u128) as f64)
    }

    #[test]
    fn parts_side_by_side_are_the_whole_walk() {
        // Many parts (about 4 * 2^16 keys each way); scores of few values
        // tie across the cuts, and a long run of one score spans several.
        let n: usize = 1 << 18;
        let y: Vec<u8> = (0..n).map(|i| u8::from((i * 7919) % 11 < 4)).collect();
        let cases: Vec<Vec<f64>> = vec![
            // 193 values, negative ones among them.
            (0..n)
                .map(|i| (((i * 104729) % 193) as f64 - 96.0) / 97.0)
                .collect(),
            (0..n)
                .map(|i| {
                    if i % 3 == 0 {
                        0.5
                    } else {
                        ((i * 31) % 5003) as f64 / 5003.0
                    }
                })
                .collect(),
            // The classes apart (parts of one class only), ties within each.
            (0..n)
                .map(|i| f64::from(y[i]) + ((i * 17) % 400) as f64 / 1e3)
                .collect(),
        ];
        for s in &cases {
            let r = Ranked::new(&y, s).unwrap();
            assert!(r.parts().len() > 1 || s.len() < 2 * PART_KEYS);
            // Each part's one walk counts the steps of its own walk.
            for w in &r.walked {
                assert_eq!(w.steps, r.steps_in(&w.part).count());
            }
            let (steps, auc) = by_definition(&y, s);
            let walked: Vec<(f64, u64, u64)> =
                r.steps().map(|s| (s.threshold, s.tp, s.fp)).collect();
            assert_eq!(walked, steps);
            assert_eq!(r.distinct_steps(), steps.len());
            assert_eq!(r.roc_auc().to_bits(), auc.to_bits());
            // Picked part by part: the same steps as picked from the walk,
            // a repeated index once, an index past the end left out.
            let wanted = [0, 1, 1, 40, 96, steps.len() - 1, steps.len() + 5];
            let picked: Vec<(f64, u64, u64)> = r
                .steps_at(&wanted)
                .iter()
                .map(|s| (s.threshold, s.tp, s.fp))
                .collect();
            let mut expected: Vec<(f64, u64, u64)> = Vec::new();
            for &w in &wanted {
                if let Some(&st) = steps.get(w) {
                    if expected.last() != Some(&st) {
                        expected.push(st);
                    }
                }
            }
            assert_eq!(picked, expected);
        }
        // The classes apart give parts of negatives only.
        let apart = Ranked::new(&y, &cases[2]).unwrap();
        assert!(apart.walked.iter().any(|w| w.part.pos.is_empty()));
        // Parts tile the key range with no equal keys split.
        let s = &cases[1];
        let r = Ranked::new(&y, s).unwrap();
        let parts = r.parts();
        assert!(parts.len() > 2);
        for w in parts.windows(2) {
            assert_eq!(w[0].pos.end, w[1].pos.start);
            assert_eq!(w[0].neg.end, w[1].neg.start);
            let last = [
                w[0].pos.clone().map(|i| r.pos[i]).next_back(),
                w[0].neg.clone().map(|i| r.neg[i]).next_back(),
            ];
            let first = [
                w[1].pos.clone().map(|i| r.pos[i]).next(),
                w[1].neg.clone().map(|i| r.neg[i]).next(),
            ];
            for a in last.iter().flatten() {
                for b in first.iter().flatten() {
                    assert!(a < b);
                }
            }
        }
    }

    #[test]
    fn undefined_without_both_classes_or_with_non_finite_scores() {
        assert!(Ranked::new(&[1, 1], &[0.2, 0.3]).is_none());
        assert!(Ranked::new(&[0, 1], &[0.2, f64::NAN]).is_none());
        assert!(Ranked::new(&[0, 1], &[0.2, f64::INFINITY]).is_none());
        assert!(Ranked::new(&[], &[]).is_none());
    }

    #[test]
    fn signed_zeros_are_one_threshold() {
        let r = Ranked::new(&[0, 1], &[-0.0, 0.0]).unwrap();
        assert_eq!(r.distinct_steps(), 1);
        assert_eq!(r.roc_auc(), 0.5);
    }
}

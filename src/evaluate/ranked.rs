//! The test scores split by class and sorted: what ROC AUC and the ROC
//! curve both walk, sorted once per run.
//!
//! Scores are sorted as order-preserving `u64` keys (sign-folded bits, with
//! `-0.0` taken as `0.0` so that the two form one threshold, as `==` and
//! numpy group them), in parallel. Equal keys are equal scores, so an
//! unstable sort gives the same arrays whatever the thread count.
use rayon::prelude::*;

/// Positive and negative scores, each ascending by value.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pos: Vec<u64>,
    neg: Vec<u64>,
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
        let positives = y_true.iter().filter(|&&y| y != 0).count();
        if positives == 0 || positives == n {
            return None;
        }
        let mut pos = Vec::with_capacity(positives);
        let mut neg = Vec::with_capacity(n - positives);
        for (&y, &s) in y_true.iter().zip(score) {
            if y != 0 {
                pos.push(key(s));
            } else {
                neg.push(key(s));
            }
        }
        rayon::join(|| pos.par_sort_unstable(), || neg.par_sort_unstable());
        Some(Ranked { pos, neg })
    }

    pub fn positives(&self) -> u64 {
        self.pos.len() as u64
    }

    pub fn negatives(&self) -> u64 {
        self.neg.len() as u64
    }

    /// The Mann-Whitney statistic with mid-ranks, which equals
    /// scikit-learn's trapezoid over distinct thresholds: each (positive,
    /// negative) pair scores 1 if the positive ranks higher and 1/2 on a
    /// tie. Counted in exact integers; the only rounding is the division.
    pub fn roc_auc(&self) -> f64 {
        let (mut twice_wins, mut i, mut j) = (0u128, 0usize, 0usize);
        while i < self.pos.len() {
            let k = self.pos[i];
            let first = i;
            while i < self.pos.len() && self.pos[i] == k {
                i += 1;
            }
            while j < self.neg.len() && self.neg[j] < k {
                j += 1;
            }
            let mut tied = j;
            while tied < self.neg.len() && self.neg[tied] == k {
                tied += 1;
            }
            // Each positive at k beats the j negatives below and ties the rest at k.
            twice_wins += (i - first) as u128 * (2 * j + (tied - j)) as u128;
        }
        let pairs = 2 * self.pos.len() as u128 * self.neg.len() as u128;
        twice_wins as f64 / pairs as f64
    }

    /// Every distinct score from the highest down, with the counts at it
    /// and above (scikit-learn's `roc_curve(drop_intermediate=False)`
    /// without its `(0, 0)` start).
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        let (mut i, mut j) = (self.pos.len(), self.neg.len());
        std::iter::from_fn(move || {
            let top = match (i.checked_sub(1), j.checked_sub(1)) {
                (None, None) => return None,
                (Some(a), None) => self.pos[a],
                (None, Some(b)) => self.neg[b],
                (Some(a), Some(b)) => self.pos[a].max(self.neg[b]),
            };
            while i > 0 && self.pos[i - 1] == top {
                i -= 1;
            }
            while j > 0 && self.neg[j - 1] == top {
                j -= 1;
            }
            Some(Step {
                threshold: score(top),
                tp: (self.pos.len() - i) as u64,
                fp: (self.neg.len() - j) as u64,
            })
        })
    }

    /// How many distinct scores there are ([`Ranked::steps`]' length).
    pub fn distinct(&self) -> usize {
        self.steps().count()
    }
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
        assert_eq!(r.distinct(), 5);
        // roc_auc_score of the same: 0.5.
        assert_eq!(r.roc_auc(), 0.5);
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
        assert_eq!(r.distinct(), 1);
        assert_eq!(r.roc_auc(), 0.5);
    }
}

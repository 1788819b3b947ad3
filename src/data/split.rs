//! Reproducible train/test split: stratified by target (or not), by seed.
use crate::rng::SplitMix64;

/// Row positions (into the filtered table) of the train and test sets, each ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Splits `y.len()` rows. Stratified: each class contributes
/// `round(n_class * test_fraction)` rows to the test set, at least one to each
/// side when it has two or more rows, so both sets see both classes.
pub fn split(y: &[u8], test_fraction: f64, seed: u64, stratify: bool) -> Split {
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::with_capacity(y.len());
    let mut test = Vec::new();
    let groups: Vec<Vec<usize>> = if stratify {
        (0..=1u8)
            .map(|c| (0..y.len()).filter(|&i| y[i] == c).collect())
            .collect()
    } else {
        vec![(0..y.len()).collect()]
    };
    for mut rows in groups {
        rng.shuffle(&mut rows);
        let n = rows.len();
        let mut k = (n as f64 * test_fraction).round() as usize;
        if n >= 2 {
            k = k.clamp(1, n - 1);
        }
        test.extend_from_slice(&rows[..k.min(n)]);
        train.extend_from_slice(&rows[k.min(n)..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Split { train, test }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize, pos_every: usize) -> Vec<u8> {
        (0..n).map(|i| u8::from(i % pos_every == 0)).collect()
    }

    #[test]
    fn same_seed_same_split_and_disjoint() {
        let y = labels(1000, 4);
        let a = split(&y, 0.2, 42, true);
        assert_eq!(a, split(&y, 0.2, 42, true));
        assert_ne!(a, split(&y, 0.2, 43, true));
        assert_eq!(a.train.len() + a.test.len(), 1000);
        let mut all: Vec<usize> = a.train.iter().chain(&a.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn stratified_keeps_class_balance() {
        let y = labels(1000, 4); // 250 positives
        let s = split(&y, 0.2, 1, true);
        let pos = s.test.iter().filter(|&&i| y[i] == 1).count();
        assert_eq!(pos, 50);
        assert_eq!(s.test.len(), 200);
    }

    #[test]
    fn tiny_classes_land_on_both_sides() {
        let y = vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
        let s = split(&y, 0.1, 3, true);
        assert!(s.test.iter().any(|&i| y[i] == 1));
        assert!(s.train.iter().any(|&i| y[i] == 1));
    }

    #[test]
    fn empty_input_is_empty_split() {
        let s = split(&[], 0.2, 1, true);
        assert!(s.train.is_empty() && s.test.is_empty());
    }
}

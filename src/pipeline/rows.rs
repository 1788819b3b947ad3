//! What the test rows say by themselves, whatever the model scores: whether
//! they are training rows or repeat one another, whether a feature is the
//! label, how many are distinct per class, and their content digest. None
//! of it waits for the scores, so it runs beside the evaluation.
use super::overlap::{distinct_by_class, label_feature, overlap, repeated};
use super::target::Sides;
use crate::config::Plan;
use crate::gates::{LabelFeature, Overlap, Repeated};
use crate::model::scorer::Scorer;
use rayon::slice::ParallelSliceMut as _;
use sha2::Digest as _;

/// The evidence of the test rows themselves.
pub struct RowEvidence {
    pub overlap: Option<Overlap>,
    pub repeated: Option<Repeated>,
    pub label_feature: Option<LabelFeature>,
    pub distinct: Option<[u64; 2]>,
    /// `report.data.test_set_sha256`.
    pub test_digest: String,
}

/// [`RowEvidence`]: each part independent of the others and deterministic
/// alone, so side by side.
pub fn row_evidence(plan: &Plan, sides: &Sides, scorer: &dyn Scorer) -> RowEvidence {
    let ((overlap, repeated), ((label_feature, distinct), test_digest)) = rayon::join(
        || {
            rayon::join(
                || overlap(plan, sides, scorer),
                || repeated(plan, sides, scorer),
            )
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || label_feature(sides, &scorer.input_columns()),
                        || distinct_by_class(plan, sides, scorer),
                    )
                },
                || test_set_sha256(plan, sides),
            )
        },
    );
    RowEvidence {
        overlap,
        repeated,
        label_feature,
        distinct,
        test_digest,
    }
}

/// The digest of the test rows by content: each row's label and its values
/// in every column but the score columns (by name, whatever their order),
/// as a multiset. Two runs on the same rows agree whichever file or split
/// brought them, and whatever scores the file carries beside them.
fn test_set_sha256(plan: &Plan, sides: &Sides) -> String {
    let scores = plan.model.score_columns();
    let mut columns: Vec<String> = sides
        .test_table
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| !scores.contains(&n.as_str()))
        .collect();
    columns.sort();
    // Few distinct rows (a label and a few attributes beside the scores):
    // each is hashed once, and its count stands for its copies.
    if let Some(runs) = crate::artifact::tally::text_row_tally(
        sides.test_table,
        &sides.test_rows,
        &columns,
        &sides.y_test,
    ) {
        return digest_runs(&columns, &runs);
    }
    let hashes = crate::artifact::row_hashes(
        sides.test_table,
        &sides.test_rows,
        &columns,
        crate::artifact::RowKey::Text,
    );
    digest_rows(&columns, hashes, &sides.y_test)
}

/// SHA-256 of the column names (each followed by 0x1f), then of the
/// (row hash, label) pairs in ascending order, 9 bytes each.
fn digest_rows(columns: &[String], mut hashes: Vec<u64>, y: &[u8]) -> String {
    // The digest is of the (hash, label) pairs in ascending order. The
    // hashes of each label are sorted apart, in place, and merged: no
    // 16-byte pair per row (half a gigabyte at 20M rows).
    let mut y: Vec<u8> = y.to_vec();
    let (mut neg_end, mut end) = (0, hashes.len().min(y.len()));
    while neg_end < end {
        if y[neg_end] == 0 {
            neg_end += 1;
        } else {
            end -= 1;
            hashes.swap(neg_end, end);
            y.swap(neg_end, end);
        }
    }
    drop(y);
    let (neg, pos) = hashes.split_at_mut(neg_end);
    // Equal hashes are indistinguishable: the same order for any thread count.
    rayon::join(|| neg.par_sort_unstable(), || pos.par_sort_unstable());
    let mut out = PairDigest::new(columns);
    let (mut i, mut j) = (0, 0);
    while i < neg.len() || j < pos.len() {
        // On equal hashes the negative, (h, 0), comes first.
        let (h, label) = match (neg.get(i), pos.get(j)) {
            (Some(&a), Some(&b)) if a <= b => (a, 0u8),
            (Some(&a), None) => (a, 0),
            (_, Some(&b)) => (b, 1),
            (None, None) => break,
        };
        if label == 0 {
            i += 1;
        } else {
            j += 1;
        }
        out.push(h, label);
    }
    out.finish()
}

/// [`digest_rows`] of rows given as (hash, label, copies) runs in
/// ascending (hash, label) order.
fn digest_runs(columns: &[String], runs: &[(u64, u8, u64)]) -> String {
    let mut out = PairDigest::new(columns);
    for &(h, label, n) in runs {
        out.push_run(h, label, n);
    }
    out.finish()
}

/// Pairs held before they go to SHA-256 (9 bytes each).
const PAIRS_HELD: usize = 4096;

/// The SHA-256 of the test-set digest, fed pair by pair.
struct PairDigest {
    digest: sha2::Sha256,
    bytes: Vec<u8>,
}

impl PairDigest {
    /// Starts with the column names, each followed by 0x1f.
    fn new(columns: &[String]) -> PairDigest {
        let mut digest = sha2::Sha256::new();
        for name in columns {
            digest.update(name.as_bytes());
            digest.update([0x1f]);
        }
        PairDigest {
            digest,
            bytes: Vec::with_capacity(9 * PAIRS_HELD),
        }
    }

    fn push(&mut self, h: u64, label: u8) {
        self.bytes.extend_from_slice(&h.to_le_bytes());
        self.bytes.push(label);
        if self.bytes.len() >= 9 * PAIRS_HELD {
            self.digest.update(&self.bytes);
            self.bytes.clear();
        }
    }

    /// `n` copies of the pair (SHA-256 reads the same bytes however they
    /// are split).
    fn push_run(&mut self, h: u64, label: u8, n: u64) {
        self.digest.update(&self.bytes);
        self.bytes.clear();
        let mut pair = [0u8; 9];
        pair[..8].copy_from_slice(&h.to_le_bytes());
        pair[8] = label;
        let block: Vec<u8> = pair.repeat(n.min(PAIRS_HELD as u64) as usize);
        let whole = n / PAIRS_HELD as u64;
        for _ in 0..whole {
            self.digest.update(&block);
        }
        let rest = (n % PAIRS_HELD as u64) as usize;
        if rest > 0 {
            self.digest.update(&block[..9 * rest]);
        }
    }

    fn finish(mut self) -> String {
        self.digest.update(&self.bytes);
        crate::config::hex(&self.digest.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::{digest_rows, digest_runs};

    /// The digest as first defined: every (hash, label) pair sorted, then
    /// hashed in one piece.
    fn by_pairs(columns: &[String], hashes: &[u64], y: &[u8]) -> String {
        let mut rows: Vec<(u64, u8)> = hashes.iter().copied().zip(y.iter().copied()).collect();
        rows.sort_unstable();
        let mut bytes = Vec::new();
        for name in columns {
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0x1f);
        }
        for (h, y) in rows {
            bytes.extend_from_slice(&h.to_le_bytes());
            bytes.push(y);
        }
        crate::config::sha256_hex(&bytes)
    }

    #[test]
    fn the_test_set_digest_is_that_of_the_sorted_pairs() {
        let columns = vec!["a".to_string(), "b".to_string()];
        // Equal hashes under both labels, more rows than one 4096-pair
        // buffer, and the edge cases of no row or one class.
        let n = 10_000u64;
        let hashes: Vec<u64> = (0..n).map(|i| (i * 7919) % 3001).collect();
        let y: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
        for (h, y) in [
            (&hashes[..], &y[..]),
            (&[][..], &[][..]),
            (&hashes[..5], &[1, 1, 1, 1, 1][..]),
            (&hashes[..5], &[0, 0, 0, 0, 0][..]),
        ] {
            assert_eq!(
                digest_rows(&columns, h.to_vec(), y),
                by_pairs(&columns, h, y)
            );
        }
    }

    #[test]
    fn the_digest_of_runs_is_that_of_their_pairs() {
        let columns = vec!["a".to_string()];
        // Runs longer than the pairs held at once, shorter, and of one.
        let runs = [
            (3u64, 0u8, 10_000u64),
            (3, 1, 4096),
            (9, 0, 1),
            (u64::MAX, 1, 4097),
        ];
        let (mut hashes, mut y) = (Vec::new(), Vec::new());
        for &(h, l, n) in &runs {
            hashes.extend(std::iter::repeat_n(h, n as usize));
            y.extend(std::iter::repeat_n(l, n as usize));
        }
        assert_eq!(
            digest_runs(&columns, &runs),
            by_pairs(&columns, &hashes, &y)
        );
        assert_eq!(digest_runs(&columns, &[]), by_pairs(&columns, &[], &[]));
    }
}

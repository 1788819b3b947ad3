//! The saved model (`model.json`): fitted preprocessing + trained model +
//! what produced them. Loadable by `promote`, champion re-scoring and a later
//! `predict`; the artifact alone reproduces the scores.
use crate::data::{Column, DType, Table, Values};
use crate::features::{Preprocessor, RawValue};
use crate::model::scorer::{RowScorer, Scorer};
use crate::model::Model;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub mod few;
mod keys;
mod labels;
pub use keys::{fast_keys, CellTerms, RowKeys};
mod near;
pub mod tally;
pub use few::{match_but_few, ButFew, Twins};
pub use labels::{fresh_pairs, label_agreement, pair_agreement, Agreement, Drawn};
pub use near::{match_but_one, match_but_set, ButOne};

/// A map keyed by row or cell keys, with a fast seeded hasher: the keys
/// come from the user's data, so the seed stays random (no crafted file
/// makes the maps quadratic); nothing iterates them in an order that
/// reaches a result.
type KeyMap<V> = foldhash::HashMap<u64, V>;
/// The set of [`KeyMap`].
type KeySet = foldhash::HashSet<u64>;

pub const FORMAT: &str = "release-gate-model";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelArtifact {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    pub target: String,
    pub positive: String,
    pub threshold: f64,
    pub preprocessor: Preprocessor,
    pub model: Model,
    pub training: TrainingInfo,
}

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub data_sha256: String,
    pub config_sha256: String,
    pub seed: u64,
    pub train_rows: u64,
    /// Hashes of the training rows' feature values (sorted), to spot test rows
    /// a later candidate shares with this model's training data.
    #[serde(default)]
    pub row_hashes: Vec<u64>,
    /// How `row_hashes` key a row (absent in models saved before keys
    /// were rounded: `text`).
    #[serde(default)]
    pub row_key: RowKey,
    /// How often a fresh row from the same data would match a training row
    /// by chance (data of few distinct values repeats itself): the share of
    /// training rows whose key another training row shares, over distinct
    /// rows when the rows repeat as copies do ([`training_row_hashes`]).
    #[serde(default)]
    pub row_duplicate_share: f64,
}

/// What a row hash is taken over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKey {
    /// Each value's text (models saved before rounding keys).
    #[default]
    Text,
    /// Numbers rounded to [`KEY_DIGITS`] significant digits, text as text:
    /// a copy of the data re-rounded (a CSV written with `%.10g`, float32
    /// Parquet, a spreadsheet round trip) keys the same as the original.
    Rounded,
}

/// Significant digits a number keeps in a [`RowKey::Rounded`] key: coarse
/// enough that the re-roundings a copy goes through (float32, float16's
/// 3.3 digits, `%.4g`) keep the key, fine enough that rows of several
/// features rarely share one by chance (and when they do, the data's own
/// `row_duplicate_share` says how often).
pub const KEY_DIGITS: i32 = 3;

/// Training rows a model saves the hashes of, and the most rows the
/// estimates of chance read: keeps `model.json` small on big data. Over
/// it, [`spread`] picks rows from the whole file.
pub const MAX_ROW_HASHES: usize = 200_000;

pub use crate::domain::pick::spread;

/// How far `seen` matches among `rows` exceed the rate `chance` gives,
/// when that is clear of sampling noise: four standard errors of a
/// binomial at the chance rate, and at least four rows (a chance rate
/// measured as 0 is itself an estimate: a stray match or two is no sign
/// of a copy).
pub fn excess_over_chance(seen: usize, rows: usize, chance: f64) -> Option<f64> {
    let chance = chance.clamp(0.0, 1.0);
    let n = rows.max(1) as f64;
    let excess = seen as f64 / n - chance;
    let noise = 4.0 * (chance * (1.0 - chance) * n).max(1.0).sqrt() / n;
    (rows > 0 && excess > 0.0 && excess >= noise).then_some(excess)
}

/// A stable 64-bit hash (FNV-1a) of `row`'s values in `columns`: equal rows
/// hash equal across runs, tables and versions.
pub fn row_hash(table: &Table, row: usize, columns: &[String], key: RowKey) -> u64 {
    hash_resolved(&resolve(table, columns), row, &mut String::new(), key)
}

/// `columns` looked up once (a name lookup per cell dominated the hashing).
fn resolve<'a>(table: &'a Table, columns: &[String]) -> Vec<Option<&'a Column>> {
    columns.iter().map(|n| table.column(n)).collect()
}

/// FNV-1a's starting state.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Feeds `bytes` to the FNV-1a state `h`.
fn fnv(h: &mut u64, bytes: &[u8]) {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    for &b in bytes {
        *h = (*h ^ u64::from(b)).wrapping_mul(PRIME);
    }
}

/// [`row_hash`] over resolved columns; `buf` is scratch for number text.
/// Hashes the bytes of `Column::text` (or of a rounded number) without
/// allocating a `String` per cell.
fn hash_resolved(cols: &[Option<&Column>], row: usize, buf: &mut String, key: RowKey) -> u64 {
    let mut h = FNV_OFFSET;
    let mut eat = |bytes: &[u8]| fnv(&mut h, bytes);
    for col in cols {
        match col {
            Some(c) => match (&c.values, c.is_null(row)) {
                (_, true) => eat(b"\x00null"),
                (Values::Cat { codes, levels }, false) => match levels.get(codes[row] as usize) {
                    Some(l) => eat(l.as_bytes()),
                    None => eat(b"\x00null"),
                },
                (Values::Num(v), false) => match key {
                    RowKey::Rounded if c.dtype != DType::Boolean => eat(&rounded(v[row])),
                    _ => {
                        buf.clear();
                        write_number(buf, c.dtype, v[row]);
                        eat(buf.as_bytes());
                    }
                },
            },
            None => eat(b"\x00absent"),
        }
        eat(b"\x1f");
    }
    h
}

/// `x` rounded to [`KEY_DIGITS`] significant digits, as (decimal exponent,
/// integer mantissa) bytes: 29.87, 29.870000458 (float32) and 2.987e1 agree.
fn rounded(x: f64) -> [u8; 12] {
    rounded_to(x, KEY_DIGITS)
}

/// `x` rounded to `digits` significant digits, as [`rounded`] bytes.
fn rounded_to(x: f64, digits: i32) -> [u8; 12] {
    let (exp, mantissa): (i32, i64) = if !x.is_finite() {
        // A present number is finite or infinite (NaN is a null): two keys.
        (i32::MAX, i64::from(x > 0.0))
    } else if x == 0.0 {
        (0, 0) // zero and -0.0
    } else {
        let top = digits - 1;
        let (x, shift) = unsubnormal(x);
        let e = x.abs().log10().floor() as i32;
        let m = (x / 10f64.powi(e - top)).round() as i64;
        let e = e + shift;
        // 9.9996 rounds up to 10.00: renormalize to 1.000e1.
        if m.abs() >= 10i64.pow(digits as u32) {
            (e + 1, m / 10)
        } else {
            (e, m)
        }
    };
    let mut out = [0u8; 12];
    out[..4].copy_from_slice(&exp.to_le_bytes());
    out[4..].copy_from_slice(&mantissa.to_le_bytes());
    out
}

/// `x` scaled up by 10^300 when it is so small that dividing it by a power
/// of ten would underflow, and the decimal exponent to add back: numbers
/// near the smallest doubles keep their own digits rather than all
/// rounding to one key.
fn unsubnormal(x: f64) -> (f64, i32) {
    if x.abs() < 1e-200 {
        (x * 1e300, -300)
    } else {
        (x, 0)
    }
}

/// Whether `x` carries more significant digits than a key keeps.
fn finer_than_key(x: f64) -> bool {
    if !x.is_finite() || x == 0.0 {
        return false;
    }
    let top = KEY_DIGITS - 1;
    let (x, _) = unsubnormal(x);
    let scale = 10f64.powi(x.abs().log10().floor() as i32 - top);
    let kept = (x / scale).round() * scale;
    (kept - x).abs() > 1e-9 * x.abs()
}

/// The text `Column::text` gives a present number (same bytes).
fn write_number(buf: &mut String, dtype: DType, x: f64) {
    if dtype == DType::Boolean {
        buf.push_str(if x != 0.0 { "true" } else { "false" });
    } else {
        crate::data::table::write_number(buf, x);
    }
}

/// [`row_hash`] of each of `rows`, in order (in parallel; the same for any
/// thread count).
pub fn row_hashes(table: &Table, rows: &[usize], columns: &[String], key: RowKey) -> Vec<u64> {
    let cols = resolve(table, columns);
    rows.par_iter()
        .map_init(String::new, |buf, &r| hash_resolved(&cols, r, buf, key))
        .collect()
}

/// Sorted, deduplicated [`RowKey::Rounded`] hashes of (up to
/// `MAX_ROW_HASHES`) training rows' `features`, and how often a fresh row
/// from the same data matches one of them by chance.
///
/// For rows sampled independently, that rate is the share of training rows
/// whose key another training row shares. Rows copied before training (a
/// file repeated, a class oversampled, a join fanned out, ids renumbered or
/// numbers jittered below the key's digits) raise that share without making
/// fresh rows match more often, and would switch the overlap check off.
/// [`repeats_like_copies`] tells the two apart from how often the rows of
/// `whole` (the columns that make a row: features, target, protected
/// attributes; ids left out) repeat; under copies the share is taken over
/// distinct rows.
pub fn training_row_hashes(
    table: &Table,
    rows: &[usize],
    features: &[String],
    whole: &[String],
) -> (Vec<u64>, f64) {
    let rows = &*spread(rows, MAX_ROW_HASHES);
    let keys = row_hashes(table, rows, features, RowKey::Rounded);
    let share = chance_share(&keys, &fast_keys(table, rows, whole));
    let mut v = keys;
    v.sort_unstable();
    v.dedup();
    (v, share)
}

/// [`training_row_hashes`]'s chance rate alone, from keys of one run
/// ([`fast_keys`]): the same equality, hashed faster.
pub fn repeat_chance(table: &Table, rows: &[usize], features: &[String], whole: &[String]) -> f64 {
    let rows = &*spread(rows, MAX_ROW_HASHES);
    let (keys, wholes) = rayon::join(
        || fast_keys(table, rows, features),
        || fast_keys(table, rows, whole),
    );
    chance_share(&keys, &wholes)
}

/// The share of rows whose `keys` another row shares, taken over distinct
/// rows (by `wholes`) when the rows repeat as copies do.
fn chance_share(keys: &[u64], wholes: &[u64]) -> f64 {
    let mut groups: KeyMap<(u64, usize)> =
        KeyMap::with_capacity_and_hasher(wholes.len(), Default::default());
    for (&w, &k) in wholes.iter().zip(keys) {
        groups.entry(w).or_insert((k, 0)).1 += 1;
    }
    let copies = repeats_like_copies(groups.values().map(|&(_, m)| m));
    let counted: Vec<u64> = if copies {
        groups.values().map(|&(k, _)| k).collect()
    } else {
        keys.to_vec()
    };
    shared_share(counted)
}

/// How often a fresh row would match one of `rows`' keys if its features
/// were drawn independently, each from its column's values among `rows`:
/// the sum over distinct keys of the product of their values' shares. A
/// value's share is its count over the rows times the column's coverage
/// (Good-Turing: one minus the share of rows whose value occurs once), the
/// chance a fresh value is one seen at all.
/// Unlike the repeat-based rate it does not depend on how often a row was
/// copied or deduplicated, so it is a floor under chance for data of few
/// distinct values (a training file run through `drop_duplicates`);
/// features that move together make it an underestimate.
pub fn independent_chance(table: &Table, rows: &[usize], features: &[String]) -> f64 {
    let rows = &*spread(rows, MAX_ROW_HASHES);
    if rows.is_empty() || features.is_empty() {
        return 0.0;
    }
    let n = rows.len() as f64;
    // Per feature: each row's value key, and each key's share of the rows.
    let per_column: Vec<(Vec<u64>, KeyMap<f64>)> = features
        .par_iter()
        .map(|f| {
            let cells = fast_keys(table, rows, std::slice::from_ref(f));
            let mut count: KeyMap<usize> = KeyMap::default();
            for &c in &cells {
                *count.entry(c).or_insert(0) += 1;
            }
            let once = count.values().filter(|&&k| k == 1).count() as f64;
            let coverage = 1.0 - once / n;
            let share = count
                .into_iter()
                .map(|(c, k)| (c, coverage * k as f64 / n))
                .collect::<KeyMap<f64>>();
            (cells, share)
        })
        .collect();
    let keys = fast_keys(table, rows, features);
    let mut seen = KeySet::with_capacity_and_hasher(keys.len(), Default::default());
    let mut total = 0.0;
    for (i, k) in keys.iter().enumerate() {
        if seen.insert(*k) {
            total += per_column
                .iter()
                .map(|(cells, share)| share.get(&cells[i]).copied().unwrap_or(0.0))
                .product::<f64>();
        }
    }
    total.min(1.0)
}

/// Significant digits two numbers must share to be copies of each other.
pub const COPY_DIGITS: i32 = 6;

/// Largest share of a continuous column's rows one value may hold (at
/// least 10 rows): copies repeat a value a few times, a point mass (0.00,
/// a default) holds a large share.
const CONTINUOUS_POINT_MASS: f64 = 0.02;

/// Fewest distinct training rows for a column to be judged continuous.
const CONTINUOUS_MIN_ROWS: usize = 50;
/// Share of the distinct rows whose value of a continuous column at most
/// [`CONTINUOUS_ENTITY_ROWS`] distinct rows share.
const CONTINUOUS_SINGLETONS: f64 = 0.9;
/// Distinct rows one value of a continuous column may be on: a value
/// recorded once per entity repeats on that entity's rows (round 12, V6:
/// a customer's income on each of five months).
const CONTINUOUS_ENTITY_ROWS: usize = 10;
/// Share of a continuous column's distinct values that must carry more
/// digits than the key keeps.
const CONTINUOUS_FINER: f64 = 0.5;

/// Hashes of `rows`' values in `columns` with numbers to [`COPY_DIGITS`]
/// significant digits, to tell a copy from a row that only rounds alike:
/// a copy that went through float32 (7 digits) or picked up noise below a
/// millionth keeps its hash, while independent values of a continuous
/// feature almost never agree to 6 digits. Text by its level, a missing
/// value as one value of its own.
fn fine_hashes(table: &Table, rows: &[usize], columns: &[String]) -> Vec<u64> {
    let cols = resolve(table, columns);
    let (absent, null) = (near::mix(0xfe), near::mix(0xff));
    rows.par_iter()
        .map(|&r| {
            let mut h = FNV_OFFSET;
            for col in &cols {
                let word = match col {
                    None => absent,
                    Some(c) if c.is_null(r) => null,
                    Some(c) => match &c.values {
                        Values::Num(v) => keys::number_word(rounded_to(v[r], COPY_DIGITS)),
                        Values::Cat { codes, .. } => near::mix(0x100 + u64::from(codes[r])),
                    },
                };
                h = keys::combine(h, word);
            }
            h
        })
        .collect()
}

/// `rows` with repeats (numbers to [`COPY_DIGITS`] digits) left out,
/// first of each kept, when those repeats are copies; `None` when they may
/// be sampled.
///
/// Rows copied by drawing with replacement (a bootstrap, a class
/// oversampled by `resample`, a join fanning out, every row again with a
/// protected attribute flipped) repeat the way a sample of discrete data
/// does, so their repeats alone cannot tell copying from sampling. A
/// continuous feature can: `None` unless one numeric feature has, on at
/// least 90% of the distinct rows, a value at most 10 distinct rows share
/// (a measurement per row or per entity), with at least 50 distinct values
/// over at least 50 distinct rows, for only then do whole rows that agree to six digits
/// not arise from sampling, and only if the feature is recorded finer than the
/// key (half its distinct values carry more than [`KEY_DIGITS`] significant
/// digits): integers under 1,000 and prices like 12.5 are levels, not
/// measurements. Data of few distinct values gets `None`: its exact
/// repeats are how fresh rows match, and so does a feature with a point
/// mass (one value on more than 2% of the rows). A single feature of many levels
/// recorded to many digits (a ratio of small integers as the only column)
/// would pass as continuous.
pub fn distinct_if_continuous(
    table: &Table,
    rows: &[usize],
    features: &[String],
) -> Option<Vec<usize>> {
    let rows = &*spread(rows, MAX_ROW_HASHES);
    let fine = fine_hashes(table, rows, features);
    let mut seen = KeySet::with_capacity_and_hasher(fine.len(), Default::default());
    // Positions in `rows` of the first of each distinct row.
    let firsts: Vec<usize> = (0..rows.len()).filter(|&i| seen.insert(fine[i])).collect();
    if firsts.len() < CONTINUOUS_MIN_ROWS {
        return None;
    }
    let continuous = |name: &String| {
        let Some(c) = table.column(name) else {
            return false;
        };
        let Values::Num(v) = &c.values else {
            return false;
        };
        if c.dtype == DType::Boolean {
            return false;
        }
        let cells = fine_hashes(table, rows, std::slice::from_ref(name));
        let present = |i: &usize| !c.is_null(rows[*i]);
        // A point mass (0.00 for most rows, a default value) repeats
        // naturally: rows that share it are no sign of copies, and over
        // the distinct rows it would count once.
        let mut counts: KeyMap<usize> = KeyMap::default();
        for i in (0..rows.len()).filter(present) {
            *counts.entry(cells[i]).or_insert(0) += 1;
        }
        let all: usize = counts.values().sum();
        let top = counts.values().copied().max().unwrap_or(0);
        if top as f64 > (CONTINUOUS_POINT_MASS * all as f64).max(10.0) {
            return false;
        }
        // Over the distinct rows: each value's first row and its count.
        let mut values: KeyMap<(usize, usize)> = KeyMap::default();
        let mut distinct_present = 0;
        for &i in firsts.iter().filter(|i| present(i)) {
            values.entry(cells[i]).or_insert((rows[i], 0)).1 += 1;
            distinct_present += 1;
        }
        if distinct_present < CONTINUOUS_MIN_ROWS {
            return false;
        }
        // Rows whose value few distinct rows share: a measurement, once
        // per row or once per entity (a customer's income on each of its
        // months), not a level many rows fall on.
        let few: usize = values
            .values()
            .filter(|&&(_, k)| k <= CONTINUOUS_ENTITY_ROWS)
            .map(|&(_, k)| k)
            .sum();
        if values.len() < CONTINUOUS_MIN_ROWS
            || (few as f64) < CONTINUOUS_SINGLETONS * distinct_present as f64
        {
            return false;
        }
        let finer = values
            .values()
            .filter(|&&(r, _)| finer_than_key(v[r]))
            .count();
        finer as f64 >= CONTINUOUS_FINER * values.len() as f64
    };
    let distinct = firsts.iter().map(|&i| rows[i]).collect();
    features.par_iter().any(continuous).then_some(distinct)
}

/// The share of `rows` whose [`RowKey::Rounded`] key over `features`
/// another of them shares: over distinct rows, how often rows round alike.
pub fn key_share(table: &Table, rows: &[usize], features: &[String]) -> f64 {
    shared_share(fast_keys(table, rows, features))
}

/// The share of `keys` that another of them equals.
fn shared_share(mut keys: Vec<u64>) -> f64 {
    keys.sort_unstable();
    sorted_shared_share(&keys)
}

/// [`shared_share`] of keys already sorted.
fn sorted_shared_share(keys: &[u64]) -> f64 {
    sorted_shared(keys) as f64 / keys.len().max(1) as f64
}

/// How many of the sorted `keys` another of them equals.
pub fn sorted_shared(keys: &[u64]) -> usize {
    keys.chunk_by(|a, b| a == b)
        .filter(|run| run.len() > 1)
        .map(<[u64]>::len)
        .sum()
}

/// Whether rows that repeat `multiplicities` times (one entry per distinct
/// row) were copied rather than sampled.
///
/// Under independent sampling the number of distinct rows seen k times,
/// f(k), is a mixture of Poisson counts, so k!·f(k) is a moment sequence
/// and log-convex: k·f(k)² ≤ (k+1)·f(k-1)·f(k+1). Copies break that: a
/// file repeated twice has f(2) large and f(1) = f(3) = 0; a class
/// oversampled three times has a spike at 3 and none at 2 or 4. A spike of
/// at least 30 rows, 16 times above the bound (with a pseudo-count on
/// each neighbour), is taken as copies; samples of 200 to 100,000 rows of
/// uniform, Dirichlet and Zipf data never come near it. From ten copies
/// on, ten rows make a spike: counts of ten or more spread by their square
/// root, so many rows seen exactly as often with none beside them are
/// copies.
pub fn repeats_like_copies(multiplicities: impl Iterator<Item = usize>) -> bool {
    let mut f: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
    for m in multiplicities {
        *f.entry(m).or_default() += 1.0;
    }
    let at = |k: usize| f.get(&k).copied().unwrap_or(0.0);
    f.iter()
        .any(|(&k, &fk)| is_copy_spike(k, at(k.saturating_sub(1)), fk, at(k + 1), COPY_SPIKE))
}

/// How far above the log-convex bound keys seen k times must be for
/// whole-row copies (16 times in the squared form).
const COPY_SPIKE: f64 = 4.0;

/// Whether `fk` keys seen `k` times, beside `below` seen `k - 1` times and
/// `above` seen `k + 1` times, are a spike of copies: at least 30 of them
/// (10 from ten copies on), and `margin` times the log-convex bound (see
/// [`repeats_like_copies`]).
pub fn is_copy_spike(k: usize, below: f64, fk: f64, above: f64, margin: f64) -> bool {
    k >= 2 && (fk >= 30.0 || (k >= 10 && fk >= 10.0)) && fk > margin * spike_bound(k, below, above)
}

/// The most keys seen `k` times that independent sampling allows beside
/// `below` and `above` (log-convexity, with a pseudo-count on each).
fn spike_bound(k: usize, below: f64, above: f64) -> f64 {
    let k = k as f64;
    ((k + 1.0) * (below + 1.0) * (above + 1.0) / k).sqrt()
}

impl ModelArtifact {
    /// Per row of `rows`: whether its feature values equal a row this model
    /// was trained on (by row hash).
    pub fn trained_on(&self, table: &Table, rows: &[usize]) -> Vec<bool> {
        if self.training.row_hashes.is_empty() {
            return vec![false; rows.len()];
        }
        let names = self.preprocessor.input_names();
        let cols = resolve(table, &names);
        let key = self.training.row_key;
        rows.par_iter()
            .map_init(String::new, |buf, &r| {
                let h = hash_resolved(&cols, r, buf, key);
                self.training.row_hashes.binary_search(&h).is_ok()
            })
            .collect()
    }

    /// Scores `rows` of `table` with the saved preprocessing (batch path).
    pub fn score_table(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
        let x = self.preprocessor.transform(table, rows)?;
        Ok(self.model.score_matrix(&x))
    }

    /// Scores one raw row; `buf` is scratch space of `preprocessor.width()`.
    pub fn score_raw_row(&self, row: &[RawValue], buf: &mut [f64]) -> f64 {
        self.preprocessor.transform_row(row, buf);
        self.model.score_row(buf)
    }

    pub fn to_json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string(self)? + "\n")
    }

    pub fn load(path: &std::path::Path) -> anyhow::Result<ModelArtifact> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read model: {e}", path.display()))?;
        let a: ModelArtifact = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not a release-gate model: {e}", path.display()))?;
        if a.format != FORMAT || a.format_version != FORMAT_VERSION {
            anyhow::bail!(
                "{}: model format {} v{} is not supported (expected {FORMAT} v{FORMAT_VERSION})",
                path.display(),
                a.format,
                a.format_version
            );
        }
        let width = a.preprocessor.width();
        a.model
            .check_width(width)
            .map_err(|e| anyhow::anyhow!("{}: not a valid model: {e}", path.display()))?;
        if !(0.0..=1.0).contains(&a.threshold) {
            anyhow::bail!(
                "{}: not a valid model: threshold {} is outside [0, 1]",
                path.display(),
                a.threshold
            );
        }
        Ok(a)
    }
}

/// Raw rows parsed up front, scored one at a time through the saved
/// preprocessing (the serving path).
struct NativeRows<'a> {
    artifact: &'a ModelArtifact,
    raw: Vec<Vec<RawValue>>,
    buf: Vec<f64>,
}

impl RowScorer for NativeRows<'_> {
    fn len(&self) -> usize {
        self.raw.len()
    }

    fn score(&mut self, i: usize) -> f64 {
        let row = &self.raw[i % self.raw.len()];
        self.artifact.score_raw_row(row, &mut self.buf)
    }
}

impl Scorer for ModelArtifact {
    fn kind(&self) -> &str {
        self.model.kind().name()
    }

    fn input_columns(&self) -> Vec<String> {
        self.preprocessor.input_names()
    }

    fn encoded_columns(&self) -> Vec<String> {
        self.preprocessor.output_names()
    }

    fn threshold(&self) -> f64 {
        self.threshold
    }

    fn labels(&self) -> (&str, &str) {
        (&self.target, &self.positive)
    }

    fn missing_columns(&self, table: &Table) -> Vec<String> {
        self.preprocessor.missing_columns(table)
    }

    fn unfamiliar(&self, table: &Table, rows: &[usize]) -> Option<String> {
        self.preprocessor.unfamiliar(table, rows)
    }

    fn text_levels(&self) -> Vec<(String, Vec<String>)> {
        self.preprocessor.text_levels()
    }

    fn numeric_inputs(&self) -> Vec<String> {
        self.preprocessor.numeric_inputs()
    }

    fn collapsed(&self, table: &Table, rows: &[usize]) -> Vec<(String, String, bool)> {
        self.preprocessor.collapsed(table, rows)
    }

    fn score_table(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
        ModelArtifact::score_table(self, table, rows)
    }

    fn row_scorer<'a>(
        &'a self,
        table: &'a Table,
        rows: &[usize],
    ) -> Result<Option<Box<dyn RowScorer + 'a>>, String> {
        if rows.is_empty() {
            return Err("no row to time single-row scoring on".into());
        }
        let raw = rows
            .iter()
            .map(|&r| self.preprocessor.raw_row(table, r))
            .collect();
        Ok(Some(Box::new(NativeRows {
            artifact: self,
            raw,
            buf: vec![0.0; self.preprocessor.width()],
        })))
    }

    fn trained_on(&self, table: &Table, rows: &[usize]) -> Vec<bool> {
        ModelArtifact::trained_on(self, table, rows)
    }

    fn training_duplicate_share(&self) -> f64 {
        self.training.row_duplicate_share
    }

    fn trained_on_share(&self) -> f64 {
        let rows = self.training.train_rows as f64;
        if self.training.row_hashes.is_empty() || rows <= MAX_ROW_HASHES as f64 {
            return 1.0;
        }
        MAX_ROW_HASHES as f64 / rows
    }

    fn notes(&self) -> Vec<String> {
        self.preprocessor.notes()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn spread_keeps_few_rows_and_samples_many_from_first_to_last() {
        let few: Vec<usize> = (10..20).collect();
        assert_eq!(&*spread(&few, 10), few.as_slice());
        let many: Vec<usize> = (0..1000).collect();
        let s = spread(&many, 10);
        assert_eq!(&*s, &[0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
        assert!(spread(&[], 5).is_empty());
    }

    /// The hash as first defined: FNV-1a over `Column::text` of each value.
    /// Registries keep these hashes, so the fast path must give the same.
    fn text_hash(table: &Table, row: usize, columns: &[String]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        for name in columns {
            match table.column(name) {
                Some(c) => match c.text(row) {
                    Some(t) => eat(t.as_bytes()),
                    None => eat(b"\x00null"),
                },
                None => eat(b"\x00absent"),
            }
            eat(b"\x1f");
        }
        h
    }

    #[test]
    fn row_hashes_equal_the_text_definition() {
        let col = |name: &str, dtype, values| Column {
            name: name.into(),
            dtype,
            values,
        };
        let t = Table {
            n_rows: 4,
            columns: vec![
                col(
                    "i",
                    DType::Integer,
                    Values::Num(vec![1.0, -7.0, f64::NAN, 3e15]),
                ),
                col("f", DType::Float, Values::Num(vec![0.5, 2.0, 1e-9, -0.0])),
                col(
                    "b",
                    DType::Boolean,
                    Values::Num(vec![1.0, 0.0, 1.0, f64::NAN]),
                ),
                col(
                    "s",
                    DType::String,
                    Values::Cat {
                        codes: vec![0, crate::data::NULL_CODE, 1, 7],
                        levels: vec!["a,b".into(), "é".into()],
                    },
                ),
            ],
        };
        let names: Vec<String> = ["i", "f", "b", "s", "absent"].map(String::from).into();
        for row in 0..4 {
            assert_eq!(
                row_hash(&t, row, &names, RowKey::Text),
                text_hash(&t, row, &names),
                "row {row}"
            );
        }
        let mut want: Vec<u64> = (0..4)
            .map(|r| row_hash(&t, r, &names, RowKey::Rounded))
            .collect();
        want.sort_unstable();
        assert_eq!(
            training_row_hashes(&t, &[3, 2, 1, 0], &names, &names),
            (want, 0.0)
        );
    }

    /// One float column and one text column, as a table.
    fn two_columns(x: Vec<f64>, s: Vec<u32>) -> Table {
        x_and_s(x, s, vec!["a".into(), "b".into()])
    }

    /// A number column `x` and a text column `s` of `levels`.
    pub(super) fn x_and_s(x: Vec<f64>, codes: Vec<u32>, levels: Vec<String>) -> Table {
        Table {
            n_rows: x.len(),
            columns: vec![
                Column {
                    name: "x".into(),
                    dtype: DType::Float,
                    values: Values::Num(x),
                },
                Column {
                    name: "s".into(),
                    dtype: DType::String,
                    values: Values::Cat { codes, levels },
                },
            ],
        }
    }

    #[test]
    fn rounded_keys_survive_re_rounding_and_tell_values_apart() {
        let same = [
            29.87,
            f64::from(29.87f32),
            "2.987e1".parse().unwrap(),
            29.870000001,
            29.8700004,
            29.874,
        ];
        let other = [30.87, 28.87, 298.7, -29.87, 2.987, 29.96];
        let all: Vec<f64> = same.iter().chain(&other).copied().collect();
        let n = all.len();
        let t = two_columns(all, vec![0; n]);
        let names: Vec<String> = ["x", "s"].map(String::from).into();
        let key = |r| row_hash(&t, r, &names, RowKey::Rounded);
        for (r, x) in same.iter().enumerate().skip(1) {
            assert_eq!(key(r), key(0), "{x}");
        }
        for r in same.len()..n {
            assert_ne!(key(r), key(0), "row {r}");
        }
        // The text column still counts, and 9.99996 rounds up to 10.00.
        let t2 = two_columns(
            vec![29.87, 9.99996, 10.0, 0.0, -0.0, 1e-320],
            vec![1, 0, 0, 0, 0, 0],
        );
        let key2 = |r| row_hash(&t2, r, &names, RowKey::Rounded);
        assert_ne!(key2(0), key(0));
        assert_eq!(key2(1), key2(2));
        assert_eq!(key2(3), key2(4));
        assert_ne!(key2(3), key2(5));
        // Numbers near the smallest doubles keep their digits: a feature
        // measured in units of 1e-305 is not one value.
        let tiny = two_columns(
            vec![
                1.234e-305,
                1.2341e-305,
                1.334e-305,
                2.5e-310,
                2.50001e-310,
                1e-200,
            ],
            vec![0; 6],
        );
        let kt = |r| row_hash(&tiny, r, &names, RowKey::Rounded);
        assert_eq!(kt(0), kt(1));
        assert_ne!(kt(0), kt(2));
        assert_eq!(kt(3), kt(4));
        assert_ne!(kt(3), kt(0));
        assert_ne!(kt(5), kt(0));
        assert!(finer_than_key(1.2345e-305) && !finer_than_key(1.23e-305));
        let inf = two_columns(vec![f64::INFINITY, f64::NEG_INFINITY, f64::MAX], vec![0; 3]);
        let k = |r| row_hash(&inf, r, &names, RowKey::Rounded);
        assert!(k(0) != k(1) && k(0) != k(2) && k(1) != k(2));
    }

    #[test]
    fn the_duplicate_share_counts_rows_that_repeat() {
        // Keys over x: 1, 1, 2, 3, 3, 3, 4: five of seven rows share theirs.
        let t = two_columns(
            vec![1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0],
            vec![0, 1, 0, 0, 1, 0, 0],
        );
        let x: Vec<String> = vec!["x".into()];
        let xs: Vec<String> = vec!["x".into(), "s".into()];
        let (hashes, share) = training_row_hashes(&t, &[0, 1, 2, 3, 4, 5, 6], &x, &xs);
        assert_eq!(hashes.len(), 4);
        assert_eq!(share, 5.0 / 7.0);
        let (_, none) = training_row_hashes(&t, &[0, 2, 3, 6], &x, &xs);
        assert_eq!(none, 0.0);
    }

    #[test]
    fn exact_repeats_are_copies_only_when_a_feature_is_continuous() {
        // 400 distinct values recorded finer than the key, drawn 1,000
        // times with replacement: the draws repeat like a sample of
        // discrete data.
        let continuous: Vec<f64> = (0..400).map(|i| 1.0 + f64::from(i) * 0.0483).collect();
        let picks = draws(1000, 400);
        let x: Vec<f64> = picks.iter().map(|&p| continuous[p as usize]).collect();
        let t = two_columns(x.clone(), vec![0; 1000]);
        let rows: Vec<usize> = (0..1000).collect();
        let names: Vec<String> = ["x", "s"].map(String::from).into();
        let (_, repeat_share) = training_row_hashes(&t, &rows, &names, &names);
        assert!(repeat_share > 0.5, "{repeat_share}");
        // Chance is the share the distinct values give on their own.
        let mut distinct = x;
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let n = distinct.len();
        let once = two_columns(distinct, vec![0; n]);
        let (_, own) = training_row_hashes(&once, &(0..n).collect::<Vec<_>>(), &names, &names);
        let kept = distinct_if_continuous(&t, &rows, &names).expect("continuous");
        assert_eq!(kept.len(), n);
        assert_eq!(key_share(&t, &kept, &names), own);
        assert!(own > 0.05 && own < repeat_share / 2.0, "{own}");
        assert!(finer_than_key(1.0483) && finer_than_key(52_341.0) && finer_than_key(-0.1234));
        assert!(!finer_than_key(12.5) && !finer_than_key(999.0) && !finer_than_key(0.0));
        // Integers: exact repeats are how the data repeats, whatever the
        // repeat share (no two values round alike).
        let ints = two_columns(draws(1000, 200), vec![0; 1000]);
        assert_eq!(distinct_if_continuous(&ints, &rows, &names), None);
        // Levels of three digits (prices like 12.5) repeat exactly.
        let tenths: Vec<f64> = draws(1000, 300).iter().map(|&d| (d + 1.0) / 10.0).collect();
        let few_levels = two_columns(tenths, vec![0; 1000]);
        assert_eq!(distinct_if_continuous(&few_levels, &rows, &names), None);
        // Round 12, V4: 0.00 on 60% of the rows, cents otherwise; rows of
        // zero repeat naturally by their other columns.
        let money: Vec<f64> = (0..1000)
            .map(|i| {
                if i % 5 < 3 {
                    0.0
                } else {
                    10.0 + f64::from(i) * 0.0731
                }
            })
            .collect();
        let codes: Vec<u32> = (0..1000).map(|i| i % 2).collect();
        let with_zero = two_columns(money, codes);
        assert_eq!(distinct_if_continuous(&with_zero, &rows, &names), None);
        // Too few distinct rows to judge.
        let few = two_columns(
            (0..49).map(|i| f64::from(i) * 0.0101).collect(),
            vec![0; 49],
        );
        let r49: Vec<usize> = (0..49).collect();
        assert_eq!(distinct_if_continuous(&few, &r49, &names), None);
    }

    /// 0, 1, 2, ... scrambled into `levels` values (a fixed LCG).
    fn draws(n: usize, levels: u64) -> Vec<f64> {
        let mut state = 12345u64;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) % levels) as f64
            })
            .collect()
    }

    #[test]
    fn copied_rows_do_not_raise_the_chance_rate_but_sampled_repeats_do() {
        let x: Vec<String> = vec!["x".into()];
        // 200 distinct values, the file repeated: every row twice, the
        // second copy with another id (`s`, left out of the whole row).
        let mut v: Vec<f64> = (0..200).map(f64::from).collect();
        v.extend((0..200).map(f64::from));
        let ids: Vec<u32> = (0..400).map(|i| u32::from(i >= 200)).collect();
        let t = two_columns(v, ids);
        let all: Vec<usize> = (0..400).collect();
        let (_, doubled) = training_row_hashes(&t, &all, &x, &x);
        assert_eq!(doubled, 0.0);
        // Numbers jittered below the key's digits are copies too.
        let mut j: Vec<f64> = (1..=200).map(|i| f64::from(i) * 1.37).collect();
        j.extend((1..=200).map(|i| f64::from(i) * 1.37 * (1.0 + 1e-7)));
        let (_, jittered) = training_row_hashes(&two_columns(j, vec![0; 400]), &all, &x, &x);
        assert_eq!(jittered, 0.0);
        // One class oversampled three times over (rows 0..60 twice more).
        let mut o: Vec<f64> = (0..200).map(f64::from).collect();
        o.extend((0..60).chain(0..60).map(f64::from));
        let rows: Vec<usize> = (0..320).collect();
        let (_, oversampled) = training_row_hashes(&two_columns(o, vec![0; 320]), &rows, &x, &x);
        assert_eq!(oversampled, 0.0);
        // 400 rows sampled from 50 values repeat naturally: a fresh row
        // matches a training row about always, and chance says so.
        let t = two_columns(draws(400, 50), vec![0; 400]);
        let (_, sampled) = training_row_hashes(&t, &all, &x, &x);
        assert!(sampled > 0.99, "{sampled}");
        // From 1,000 values: some repeat by chance, a share of about
        // 1 - e^-0.4 = 0.33 of the rows.
        let t = two_columns(draws(400, 1000), vec![0; 400]);
        let (_, sparse) = training_row_hashes(&t, &all, &x, &x);
        assert!((0.2..0.45).contains(&sparse), "{sparse}");
    }

    #[test]
    fn the_independent_chance_ignores_copies_and_deduplication() {
        let x: Vec<String> = vec!["x".into()];
        let all: Vec<usize> = (0..400).collect();
        // Distinct values, each once or each twice: no fresh value is one
        // seen before (once), and copies do not make them common.
        let distinct: Vec<f64> = (0..400).map(|i| f64::from(i) * 1.37).collect();
        assert_eq!(
            independent_chance(&two_columns(distinct, vec![0; 400]), &all, &x),
            0.0
        );
        // 400 draws of 10 values: a fresh row matches almost surely, and
        // the deduplicated ten rows say so too (coverage 1, shares 1/10).
        let t = two_columns(draws(400, 10), vec![0; 400]);
        assert!(independent_chance(&t, &all, &x) > 0.99);
        let ten: Vec<f64> = (0..10).map(f64::from).collect();
        let mut twice = ten.clone();
        twice.extend(&ten);
        let both: Vec<usize> = (0..20).collect();
        let xs: Vec<String> = vec!["x".into(), "s".into()];
        let t = two_columns(twice, (0..20).map(|i| u32::from(i >= 10)).collect());
        // x and s independent: 20 keys of 1/10 * 1/2 each.
        assert!((independent_chance(&t, &both, &xs) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn multiplicities_of_a_sample_are_not_copies() {
        let of = |pairs: &[(usize, usize)]| {
            repeats_like_copies(pairs.iter().flat_map(|&(m, n)| std::iter::repeat_n(m, n)))
        };
        // Poisson(1) over 1,000 keys: f = 368, 184, 61, 15, 3.
        assert!(!of(&[(1, 368), (2, 184), (3, 61), (4, 15), (5, 3)]));
        // Every row twice; a class three times; 30% of rows duplicated.
        assert!(of(&[(2, 1600)]));
        assert!(of(&[(1, 1100), (3, 500)]));
        assert!(of(&[(1, 1120), (2, 480)]));
        // Too few repeats to tell.
        assert!(!of(&[(1, 500), (2, 29)]));
        assert!(!of(&[]));
        // Twenty rows each exactly 40 times (round 13, F3); but not nine.
        assert!(of(&[(40, 20)]));
        assert!(!of(&[(40, 9)]));
        // Poisson(12) over 100 keys: f spreads over 6 to 18.
        let spread = [
            (6, 3),
            (8, 7),
            (9, 9),
            (10, 10),
            (11, 11),
            (12, 11),
            (13, 10),
        ];
        assert!(!of(&spread));
        assert!(!of(&[(10, 12), (11, 11), (12, 11), (13, 10), (14, 9)]));
    }
}

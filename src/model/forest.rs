//! Random forest of CART trees: parameters (`max_features` rules), bagging,
//! parallel training and scoring.
//!
//! Features are binned once and shared by all trees (see `binning`).
//! Tree `t` draws everything random (its bootstrap sample and its per-node
//! feature subsets) from its own `SplitMix64` seeded from `(seed, t)`, so a
//! tree does not depend on which thread grows it or in what order; rayon's
//! `collect` keeps the trees in index order. A score is the mean of the trees'
//! leaf positive fractions, summed in tree order, so it is a probability
//! rather than a vote and is bit-identical for any thread count.

use crate::features::Matrix;
use crate::model::binning::Binned;
use crate::model::grow::{self, mix64, GrowConfig, SplitMix64};
use crate::model::tree::{self, Tree};
use crate::model::Tick;
use anyhow::Result;
use rayon::prelude::*;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `[model.params]` of `kind = "random_forest"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ForestParams {
    pub n_trees: usize,
    /// Maximum tree depth; absent = unlimited, as scikit-learn. On large data
    /// unlimited trees are big (about one leaf per few rows): set e.g. 8-16.
    pub max_depth: Option<usize>,
    /// Minimum (bootstrap-weighted) rows in each child of a split.
    pub min_samples_leaf: usize,
    /// Candidate features per node.
    pub max_features: MaxFeatures,
    /// Grow each tree on a bootstrap sample (n rows drawn with replacement).
    pub bootstrap: bool,
    /// Histogram bins per feature, 2..=256.
    pub max_bins: usize,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_trees: 100,
            max_depth: None,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            bootstrap: true,
            max_bins: 255,
        }
    }
}

/// Candidate features per node: `"sqrt"`, `"log2"`, `"all"`, an integer count
/// (capped at the feature count) or a fraction in (0, 1] (at least one).
/// In TOML `1` is the count one, `1.0` the fraction "all".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum MaxFeatures {
    #[default]
    Sqrt,
    Log2,
    All,
    Count(usize),
    Fraction(f64),
}

impl MaxFeatures {
    /// Features per node for `d` features (scikit-learn's rounding: down, >= 1).
    pub fn resolve(self, d: usize) -> usize {
        let n = match self {
            MaxFeatures::Sqrt => (d as f64).sqrt() as usize,
            MaxFeatures::Log2 => (d as f64).log2().max(0.0) as usize,
            MaxFeatures::All => d,
            MaxFeatures::Count(k) => k,
            MaxFeatures::Fraction(f) => (f * d as f64) as usize,
        };
        n.clamp(1, d.max(1)).min(d)
    }
}

impl Serialize for MaxFeatures {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            MaxFeatures::Sqrt => s.serialize_str("sqrt"),
            MaxFeatures::Log2 => s.serialize_str("log2"),
            MaxFeatures::All => s.serialize_str("all"),
            MaxFeatures::Count(k) => s.serialize_u64(k as u64),
            MaxFeatures::Fraction(f) => s.serialize_f64(f),
        }
    }
}

// Its serde form is hand-written, so its schema is too: the same three forms.
impl schemars::JsonSchema for MaxFeatures {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MaxFeatures".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Candidate features per node: \"sqrt\", \"log2\", \"all\", a count >= 1 or a fraction in (0, 1].",
            "anyOf": [
                { "enum": ["sqrt", "log2", "all"] },
                { "type": "integer", "minimum": 1 },
                { "type": "number", "exclusiveMinimum": 0, "maximum": 1 }
            ]
        })
    }
}

// Hand-written (not `untagged`) so a bad value gets a message naming the
// accepted forms instead of "did not match any variant".
impl<'de> Deserialize<'de> for MaxFeatures {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaxFeaturesVisitor)
    }
}

struct MaxFeaturesVisitor;

impl Visitor<'_> for MaxFeaturesVisitor {
    type Value = MaxFeatures;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"sqrt\", \"log2\", \"all\", an integer >= 1 or a fraction in (0, 1]")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<MaxFeatures, E> {
        match v {
            "sqrt" => Ok(MaxFeatures::Sqrt),
            "log2" => Ok(MaxFeatures::Log2),
            "all" => Ok(MaxFeatures::All),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<MaxFeatures, E> {
        match usize::try_from(v) {
            Ok(k) if k >= 1 => Ok(MaxFeatures::Count(k)),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<MaxFeatures, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<MaxFeatures, E> {
        if v > 0.0 && v <= 1.0 {
            Ok(MaxFeatures::Fraction(v))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

/// A fitted forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ForestRepr")]
pub struct Forest {
    trees: Vec<Tree>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForestRepr {
    trees: Vec<Tree>,
}

impl TryFrom<ForestRepr> for Forest {
    type Error = &'static str;
    fn try_from(r: ForestRepr) -> Result<Forest, &'static str> {
        if r.trees.is_empty() {
            return Err("forest has no trees");
        }
        Ok(Forest { trees: r.trees })
    }
}

impl Forest {
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Mean leaf value over the trees, summed in tree order; no allocation.
    pub fn score_row(&self, x: &[f64]) -> f64 {
        let mut sum = 0.0;
        for t in &self.trees {
            sum += t.score_row(x);
        }
        sum / self.trees.len() as f64
    }

    /// Same per-row arithmetic as `score_row` (hence identical scores).
    pub fn score_matrix(&self, x: &Matrix) -> Vec<f64> {
        let n = self.trees.len() as f64;
        let mut out = tree::sum_scores(&self.trees, x);
        out.iter_mut().for_each(|s| *s /= n);
        out
    }
}

/// Trains `p.n_trees` trees in parallel; bit-identical for a given seed.
pub fn fit(p: &ForestParams, x: &Matrix, y: &[u8], seed: u64) -> Result<Forest> {
    fit_observed(p, x, y, seed, &|_, _| {})
}

/// [`fit`], calling `tick(trees done, n_trees)` as each tree is finished.
pub fn fit_observed(
    p: &ForestParams,
    x: &Matrix,
    y: &[u8],
    seed: u64,
    tick: Tick,
) -> Result<Forest> {
    tree::check_common(x, y, p.min_samples_leaf, p.max_bins)?;
    super::check_trees(p.n_trees).map_err(|e| anyhow::anyhow!("random_forest: {e}"))?;
    let data = Binned::new(x, p.max_bins);
    let cfg = GrowConfig {
        max_depth: p.max_depth.unwrap_or(usize::MAX),
        min_samples_leaf: p.min_samples_leaf as u64,
        min_samples_split: 2,
        mtry: p.max_features.resolve(x.cols),
    };
    let done = AtomicUsize::new(0);
    let trees = (0..p.n_trees)
        .into_par_iter()
        .map(|t| {
            let mut rng = SplitMix64::new(mix64(seed ^ mix64(t as u64 + 1)));
            let weights = if p.bootstrap {
                bootstrap_counts(x.rows, &mut rng)
            } else {
                vec![1; x.rows]
            };
            let (nodes, cover) = grow::grow(&data, y, &weights, &cfg, &mut rng);
            let tree = Tree { nodes, cover };
            tick(done.fetch_add(1, Ordering::Relaxed) + 1, p.n_trees);
            tree
        })
        .collect();
    Ok(Forest { trees })
}

/// How often each row is drawn in `n` draws with replacement.
fn bootstrap_counts(n: usize, rng: &mut SplitMix64) -> Vec<u32> {
    let mut counts = vec![0u32; n];
    for _ in 0..n {
        counts[rng.below(n)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grow::synthetic;
    use crate::model::tree::TreeParams;
    use crate::model::{train, Model, ModelSpec};

    fn small(n_trees: usize) -> ForestParams {
        ForestParams {
            n_trees,
            max_depth: Some(6),
            ..ForestParams::default()
        }
    }

    fn row(x: &Matrix, i: usize) -> Vec<f64> {
        (0..x.cols).map(|j| x.get(i, j)).collect()
    }

    #[test]
    fn learns_with_probability_scores() -> Result<()> {
        let (x, y) = synthetic(2000, 5, 50, 1);
        let (tx, ty) = synthetic(1000, 5, 50, 2);
        let f = fit(&small(30), &x, &y, 7)?;
        let s = f.score_matrix(&tx);
        let correct = s
            .iter()
            .zip(&ty)
            .filter(|(&s, &y)| (s > 0.5) == (y == 1))
            .count();
        assert!(correct >= 850, "accuracy {correct}/1000 (10% label noise)");
        assert!(s.iter().all(|v| (0.0..=1.0).contains(v)));
        let mut distinct: Vec<u64> = s.iter().map(|v| v.to_bits()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(
            distinct.len() > 20,
            "scores look like votes: {} values",
            distinct.len()
        );
        Ok(())
    }

    #[test]
    fn deterministic_across_runs_seeds_and_thread_counts() -> Result<()> {
        let (x, y) = synthetic(5000, 6, 300, 3);
        let fit_in = |threads: usize, seed: u64| -> Result<Forest> {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            pool.install(|| fit(&small(8), &x, &y, seed))
        };
        let a = fit_in(1, 11)?;
        assert_eq!(a, fit_in(2, 11)?);
        assert_eq!(a, fit(&small(8), &x, &y, 11)?);
        assert_ne!(a, fit_in(2, 12)?);
        let m = a.score_matrix(&x);
        for i in [0, 1, 2, 3, 4, 4999] {
            assert_eq!(a.score_row(&row(&x, i)).to_bits(), m[i].to_bits());
        }
        Ok(())
    }

    #[test]
    fn without_randomness_every_tree_is_the_decision_tree() -> Result<()> {
        let (x, y) = synthetic(600, 4, 30, 4);
        let p = ForestParams {
            bootstrap: false,
            max_features: MaxFeatures::All,
            ..small(3)
        };
        let f = fit(&p, &x, &y, 1)?;
        let t = tree::fit(
            &TreeParams {
                max_depth: Some(6),
                ..TreeParams::default()
            },
            &x,
            &y,
            0,
        )?;
        assert!(f.trees().iter().all(|ft| *ft == t));
        let (a, b) = (f.score_matrix(&x), t.score_matrix(&x));
        assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-15));
        Ok(())
    }

    #[test]
    fn edge_cases() -> Result<()> {
        let (x, y) = synthetic(40, 3, 10, 5);
        assert!(fit(&small(5), &x, &[1; 40], 0)?
            .score_matrix(&x)
            .iter()
            .all(|&s| s == 1.0));
        assert!(fit(&small(5), &x, &[0; 40], 0)?
            .score_matrix(&x)
            .iter()
            .all(|&s| s == 0.0));
        let one = fit(&small(5), &Matrix::from_rows(&[vec![1.0, 2.0]]), &[1], 0)?;
        assert_eq!(one.score_row(&[0.0, 0.0]), 1.0);
        let flat = fit(&small(5), &Matrix::from_rows(&vec![vec![3.0]; 40]), &y, 0)?;
        assert!(flat.trees().iter().all(|t| t.nodes().len() == 1));
        let big_leaf = ForestParams {
            min_samples_leaf: 100,
            ..small(2)
        };
        assert!(fit(&big_leaf, &x, &y, 0)?
            .trees()
            .iter()
            .all(|t| t.nodes().len() == 1));
        assert!(fit(
            &ForestParams {
                max_depth: Some(0),
                ..small(2)
            },
            &x,
            &y,
            0
        )
        .is_ok());
        assert!(fit(&small(0), &x, &y, 0).is_err());
        assert!(fit(
            &ForestParams {
                max_bins: 300,
                ..small(2)
            },
            &x,
            &y,
            0
        )
        .is_err());
        assert!(fit(&small(2), &Matrix::zeros(0, 3), &[], 0).is_err());
        Ok(())
    }

    #[test]
    fn max_features_forms() -> Result<()> {
        let parse = |s: &str| serde_json::from_str::<MaxFeatures>(s);
        assert_eq!(parse(r#""sqrt""#)?, MaxFeatures::Sqrt);
        assert_eq!(parse(r#""log2""#)?, MaxFeatures::Log2);
        assert_eq!(parse(r#""all""#)?, MaxFeatures::All);
        assert_eq!(parse("3")?, MaxFeatures::Count(3));
        assert_eq!(parse("0.5")?, MaxFeatures::Fraction(0.5));
        for bad in [r#""half""#, "0", "-2", "0.0", "1.5", "null"] {
            let e = parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("\"sqrt\", \"log2\", \"all\""), "{bad}: {e}");
        }
        for m in [
            MaxFeatures::Log2,
            MaxFeatures::Count(4),
            MaxFeatures::Fraction(0.25),
        ] {
            assert_eq!(parse(&serde_json::to_string(&m)?)?, m);
        }
        let r = |m: MaxFeatures| [30, 1, 0].map(|d| m.resolve(d));
        assert_eq!(r(MaxFeatures::Sqrt), [5, 1, 0]);
        assert_eq!(r(MaxFeatures::Log2), [4, 1, 0]);
        assert_eq!(r(MaxFeatures::All), [30, 1, 0]);
        assert_eq!(r(MaxFeatures::Count(50)), [30, 1, 0]);
        assert_eq!(r(MaxFeatures::Fraction(0.01)), [1, 1, 0]);
        let p: ForestParams = serde_json::from_str(r#"{"n_trees": 5, "max_features": 0.3}"#)?;
        assert_eq!(
            p,
            ForestParams {
                n_trees: 5,
                max_features: MaxFeatures::Fraction(0.3),
                ..ForestParams::default()
            }
        );
        assert!(serde_json::from_str::<ForestParams>(r#"{"trees": 5}"#).is_err());
        // `[model.params]` reaches us as a TOML table (see `config`).
        let toml = |s: &str| s.parse::<toml::Table>().map(toml::Value::Table);
        let p: ForestParams = toml("max_features = 2\nmax_depth = 8")?.try_into()?;
        assert_eq!(
            (p.max_features, p.max_depth),
            (MaxFeatures::Count(2), Some(8))
        );
        let p: ForestParams = toml("max_features = \"log2\"")?.try_into()?;
        assert_eq!(p.max_features, MaxFeatures::Log2);
        let e = toml("max_features = 2.5")?.try_into::<ForestParams>().err();
        assert!(e.is_some_and(|e| e.to_string().contains("a fraction in (0, 1]")));
        Ok(())
    }

    /// Every kind survives `model.json` (serde_json) with identical scores.
    #[test]
    fn models_round_trip_through_json() -> Result<()> {
        let (x, y) = synthetic(500, 4, 1000, 6);
        let specs = [
            ModelSpec::LogisticRegression(Default::default()),
            ModelSpec::RandomForest(small(4)),
            ModelSpec::DecisionTree(Default::default()),
        ];
        for spec in specs {
            let m = train(&spec, &x, &y, 3)?;
            let back: Model = serde_json::from_str(&serde_json::to_string(&m)?)?;
            assert_eq!(back, m);
            let (a, b) = (m.score_matrix(&x), back.score_matrix(&x));
            assert!(a.iter().zip(&b).all(|(a, b)| a.to_bits() == b.to_bits()));
            let spec_back: ModelSpec = serde_json::from_str(&serde_json::to_string(&spec)?)?;
            assert_eq!(spec_back, spec);
        }
        assert!(serde_json::from_str::<Forest>(r#"{"trees": []}"#).is_err());
        Ok(())
    }
}

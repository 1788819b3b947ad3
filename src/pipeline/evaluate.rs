//! Stage 4, evaluate: metrics, fairness per protected attribute, single-row
//! latency, curves and drift, then the gates over that evidence.
use super::rows::RowEvidence;
use super::run::{timed, Progress, Stage, Timings};
use super::target::Sides;
use crate::config::Plan;
use crate::domain::{DriftReport, Latency};
use crate::error::GateError;
use crate::evaluate::ranked::Ranked;
use crate::evaluate::{curves, drift, fairness, metrics};
use crate::gates::GateSpec;
use crate::model::scorer::Scorer;
use std::collections::BTreeMap;
use std::time::Instant;

/// Timed single-row predictions (after warm-up).
const LATENCY_CALLS: usize = 2_000;
const LATENCY_WARMUP: usize = 200;

/// Everything measured about the candidate on the test rows.
pub struct Evaluation {
    pub scores: Vec<f64>,
    pub y_pred: Vec<u8>,
    pub metrics: metrics::Metrics,
    pub fairness: BTreeMap<String, fairness::AttributeFairness>,
    pub protected: ProtectedValues,
    pub latency: Latency,
    /// Single-row latencies, sorted, in milliseconds.
    pub latencies_ms: Vec<f64>,
    pub curves: curves::Curves,
    /// `[stats]`: intervals of the metrics and fairness values.
    pub intervals: Option<crate::domain::Intervals>,
    /// Drift per drift gate (by gate index).
    pub drift_by_gate: BTreeMap<usize, Result<DriftReport, String>>,
    /// The drift shown in the report: the first drift gate's, else the
    /// training split against the test rows.
    pub drift: Option<DriftReport>,
    /// What the test rows say by themselves (measured beside the rest).
    pub rows: RowEvidence,
}

/// Scores the test rows with `model` and measures everything the gates need.
pub fn evaluate(
    plan: &Plan,
    sides: &Sides,
    model: &dyn Scorer,
    timings: &mut Timings,
    progress: Progress,
) -> Result<Evaluation, GateError> {
    progress.step("scoring the test set");
    let scores = timed(timings, Stage::Score, || {
        model.score_table(sides.test_table, &sides.test_rows)
    })
    .map_err(GateError::Data)?;
    let y_pred = metrics::predicted(&scores, plan.threshold);
    // Single-row latency first, alone: timed beside other work, the calls
    // would be slowed by it. Batch throughput is the test-set scoring
    // already timed as "score".
    let score_secs = timings.get("score").copied().unwrap_or(0.0) / 1e3;
    let (latency, lat_sorted) = timed(timings, Stage::Latency, || {
        measure_latency(model, sides, score_secs, progress)
    })?;
    // The ranking metrics and curves, fairness and intervals, and what
    // the test rows say by themselves: independent, and each
    // deterministic on its own.
    let (mut on_ranks, mut on_groups, mut on_rows) =
        (Timings::new(), Timings::new(), Timings::new());
    let (((m, curves), (fair, protected, intervals)), rows) = rayon::join(
        || {
            rayon::join(
                || {
                    // Sorted once for ROC AUC and the ROC curve, dropped after both.
                    let (m, ranked) = timed(&mut on_ranks, Stage::Metrics, || {
                        let ranked = Ranked::new(&sides.y_test, &scores);
                        let m = metrics::compute_ranked(
                            &sides.y_test,
                            &scores,
                            &y_pred,
                            ranked.as_ref(),
                        );
                        (m, ranked)
                    });
                    let curves = timed(&mut on_ranks, Stage::Curves, || {
                        curves::compute_ranked(ranked.as_ref(), &sides.y_test, &scores, &lat_sorted)
                    });
                    (m, curves)
                },
                || {
                    let (fair, protected, intersections) =
                        timed(&mut on_groups, Stage::Fairness, || {
                            fairness_all(plan, sides, &y_pred)
                        });
                    let intervals = timed(&mut on_groups, Stage::Intervals, || {
                        let keyed: Vec<(&String, &fairness::Groups)> = protected
                            .iter()
                            .chain(&intersections)
                            .map(|(k, g)| (k, g))
                            .collect();
                        super::intervals::compute(plan, &sides.y_test, &scores, &y_pred, &keyed)
                    });
                    (fair, protected, intervals)
                },
            )
        },
        || {
            timed(&mut on_rows, Stage::RowHashes, || {
                super::rows::row_evidence(plan, sides, model)
            })
        },
    );
    for (stage, ms) in on_ranks.into_iter().chain(on_groups).chain(on_rows) {
        *timings.entry(stage).or_insert(0.0) += ms;
    }
    let features = model.drift_columns();
    let drift_by_gate = timed(timings, Stage::Drift, || {
        drift_all(plan, sides, &features, model.training_duplicate_share())
    })?;
    let drift = drift_by_gate
        .values()
        .find_map(|d| d.as_ref().ok().cloned())
        .or_else(|| default_drift(sides, &features));
    Ok(Evaluation {
        scores,
        y_pred,
        metrics: m,
        fairness: fair,
        protected,
        latency,
        latencies_ms: lat_sorted,
        curves,
        intervals,
        drift_by_gate,
        drift,
        rows,
    })
}

/// Each protected attribute's group per test row.
pub type ProtectedValues = Vec<(String, fairness::Groups)>;

/// Fairness per protected attribute, and per intersection a fairness gate
/// names (`attribute = ["a", "b"]`: groups `"1|0"`, only the combinations
/// present; a missing value is its own `<missing>` part). The predictions
/// carry the single attributes' values.
pub fn fairness_all(
    plan: &Plan,
    s: &Sides,
    y_pred: &[u8],
) -> (
    BTreeMap<String, fairness::AttributeFairness>,
    ProtectedValues,
    ProtectedValues,
) {
    let mut out = BTreeMap::new();
    let mut values: ProtectedValues = Vec::new();
    // The groups of the training rows, by key, named as the test rows'.
    let mut trained: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for attr in &plan.data.protected {
        if let Some(col) = s.test_table.column(attr) {
            values.push((attr.clone(), groups_of(col, &s.test_rows)));
            trained.insert(attr.clone(), training_groups(s, &[attr.as_str()]));
        }
    }
    let mut intersections: ProtectedValues = Vec::new();
    for g in &plan.gates {
        let GateSpec::Fairness(f) = &g.spec else {
            continue;
        };
        let key = f.key();
        let known = |v: &ProtectedValues| v.iter().any(|(k, _)| *k == key);
        if f.attributes.len() < 2 || known(&values) || known(&intersections) {
            continue;
        }
        let looked: Option<Vec<std::borrow::Cow<fairness::Groups>>> = f
            .attributes
            .iter()
            .map(|a| match values.iter().find(|(k, _)| k == a) {
                Some((_, g)) => Some(std::borrow::Cow::Borrowed(g)),
                None => s
                    .test_table
                    .column(a)
                    .map(|col| std::borrow::Cow::Owned(groups_of(col, &s.test_rows))),
            })
            .collect();
        let Some(looked) = looked else { continue };
        let parts: Vec<&fairness::Groups> = looked.iter().map(|g| g.as_ref()).collect();
        let own = fairness::Groups::intersect(&parts);
        let attributes: Vec<&str> = f.attributes.iter().map(String::as_str).collect();
        trained.insert(key.clone(), training_groups(s, &attributes));
        intersections.push((key, own));
    }
    for (key, groups) in values.iter().chain(&intersections) {
        let mut f = fairness::compute(&groups.codes, &groups.names, &s.y_test, y_pred);
        // Named as the two files spell them: a boolean column in one and
        // 0/1 in the other are the same groups (round 19, F6).
        let tested: std::collections::BTreeSet<String> =
            f.groups.keys().map(|g| group_value(g)).collect();
        f.absent = trained
            .remove(key)
            .unwrap_or_default()
            .into_iter()
            .filter(|g| !tested.contains(&group_value(g)))
            .collect();
        if !f.absent.is_empty() {
            f.smallest_group = 0;
        }
        out.insert(key.clone(), f);
    }
    (out, values, intersections)
}

/// The groups of `col` over `rows`: equal cells one group, named by
/// their text (numbers by value, so `-0` and `0` are one group).
fn groups_of(col: &crate::data::Column, rows: &[usize]) -> fairness::Groups {
    if let crate::data::Values::Cat { codes, levels } = &col.values {
        if let Some(groups) = fairness::Groups::of_codes(codes, levels, rows) {
            return groups;
        }
    }
    let ids = rows
        .iter()
        .map(|&r| (!col.is_null(r)).then(|| col.cell_id(r)));
    fairness::Groups::of_cells(ids, |i| col.text(rows[i]).unwrap_or_default())
}

/// The distinct groups of `attributes` (one, or an intersection) among
/// the training rows, named as the fairness groups of the test rows are.
fn training_groups(s: &Sides, attributes: &[&str]) -> std::collections::BTreeSet<String> {
    let cols: Option<Vec<&crate::data::Column>> =
        attributes.iter().map(|a| s.train_table.column(a)).collect();
    let Some(cols) = cols else {
        return Default::default();
    };
    let groups: Vec<fairness::Groups> = cols.iter().map(|c| groups_of(c, &s.train_rows)).collect();
    match groups.as_slice() {
        [one] => {
            let missing = one.codes.contains(&fairness::MISSING_CODE);
            let mut names: std::collections::BTreeSet<String> = one.names.iter().cloned().collect();
            if missing {
                names.insert(fairness::MISSING_GROUP.to_string());
            }
            names
        }
        many => {
            let parts: Vec<&fairness::Groups> = many.iter().collect();
            fairness::Groups::intersect(&parts)
                .names
                .into_iter()
                .collect()
        }
    }
}

/// A group name as compared across files: each `|`-separated part
/// trimmed, numbers by value, `true`/`false` (any case) as `1`/`0`.
fn group_value(name: &str) -> String {
    name.split('|')
        .map(|part| {
            let t = part.trim();
            if t.eq_ignore_ascii_case("true") {
                "1".to_string()
            } else if t.eq_ignore_ascii_case("false") {
                "0".to_string()
            } else if let Ok(x) = t.parse::<f64>() {
                format!("{x}")
            } else {
                t.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Single-row latency through the model's own row path (none for a model
/// that runs nothing per row: then all zeros over zero calls).
pub fn measure_latency(
    model: &dyn Scorer,
    s: &Sides,
    score_secs: f64,
    progress: Progress,
) -> Result<(Latency, Vec<f64>), GateError> {
    let n = s.test_rows.len().min(1000);
    let rows_per_sec = s.test_rows.len() as f64 / score_secs.max(1e-9);
    let Some(mut row) = model
        .row_scorer(s.test_table, &s.test_rows[..n])
        .map_err(GateError::Data)?
    else {
        let latency = Latency {
            p50_ms: 0.0,
            p95_ms: 0.0,
            p99_ms: 0.0,
            rows_per_sec,
            calls: 0,
        };
        return Ok((latency, Vec::new()));
    };
    progress.step("measuring single-row latency");
    let mut sink = 0.0;
    for i in 0..LATENCY_WARMUP {
        sink += row.score(i);
    }
    let mut lat = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS {
        let t = Instant::now();
        sink += row.score(std::hint::black_box(i));
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    std::hint::black_box(sink);
    lat.sort_by(f64::total_cmp);
    let pct = |p| crate::evaluate::percentile::percentile(&lat, p).unwrap_or(0.0);
    let latency = Latency {
        p50_ms: pct(50.0),
        p95_ms: pct(95.0),
        p99_ms: pct(99.0),
        rows_per_sec,
        calls: LATENCY_CALLS as u64,
    };
    Ok((latency, lat))
}

/// Drift per drift gate: its `reference` file, or the training split. An
/// unreadable `reference` file is an error (exit 2), as any other input
/// file the config names.
pub fn drift_all(
    plan: &Plan,
    s: &Sides,
    features: &[String],
    chance: f64,
) -> Result<BTreeMap<usize, Result<DriftReport, String>>, GateError> {
    let mut out = BTreeMap::new();
    let current = drift::Rows::some(s.test_table, &s.test_rows);
    // A reference reads as text what the test rows hold as text.
    let as_text = crate::pipeline::prepare::text_columns(
        s.test_table,
        &crate::pipeline::prepare::declared_text(&plan.contract),
    );
    for (i, g) in plan.gates.iter().enumerate() {
        let GateSpec::Drift(crate::gates::drift::DriftGate { reference, .. }) = &g.spec else {
            continue;
        };
        let result = match reference {
            Some(path) => {
                let mut l = crate::data::parts::load_as(path, &as_text).map_err(|e| {
                    GateError::Data(format!("drift gate {:?}: reference: {e}", g.name))
                })?;
                l.table.spell_like(s.test_table);
                // The rows under test against themselves: PSI 0, a gate
                // that cannot fail.
                if l.sha256 == s.test_sha256 {
                    return Err(GateError::Data(format!(
                        "drift gate {:?}: reference {} holds the same data as the test rows' \
                         file (same sha256): the test rows would be compared with themselves \
                         and the gate could never fail; give data the model was built on or \
                         last served, or remove reference to compare with the training split",
                        g.name,
                        path.display()
                    )));
                }
                let label = path.display().to_string();
                // A handful of rows misses the categories and deciles fresh
                // rows bring: PSI would read sampling as drift (round 20,
                // F2). Too few to say the test rows drifted, or did not.
                if l.table.n_rows < DRIFT_MIN_REFERENCE_ROWS {
                    out.insert(
                        i,
                        Err(format!(
                            "reference {label} has {} rows, fewer than {DRIFT_MIN_REFERENCE_ROWS}: \
                             too few to measure drift against",
                            l.table.n_rows
                        )),
                    );
                    continue;
                }
                if let Some(why) = holds_test_rows(&l.table, s, features, chance) {
                    out.insert(i, Err(format!("reference {label} {why}")));
                    continue;
                }
                let mut d =
                    drift::compute_rows(drift::Rows::all(&l.table), current, features, &label);
                d.note = near_test_rows(&l.table, s, features);
                Ok(d)
            }
            None => Ok(drift::compute_rows(
                drift::Rows::some(s.train_table, &s.train_rows),
                current,
                features,
                "training split",
            )),
        };
        out.insert(i, result);
    }
    Ok(out)
}

/// Fewest rows of a drift `reference` file the drift gate judges by.
const DRIFT_MIN_REFERENCE_ROWS: usize = 100;

/// Why a drift reference is no reference: it holds most of the test rows
/// (re-exported: shuffled, as Parquet, ids renumbered, a column added),
/// beyond the rate at which fresh rows of this data match (`chance`), so
/// the test rows would largely be compared with themselves (round 14, F3).
/// Rows are keyed on `features` as the overlap check keys them.
fn holds_test_rows(
    reference: &crate::data::Table,
    s: &Sides,
    features: &[String],
    chance: f64,
) -> Option<String> {
    let all: Vec<usize> = (0..reference.n_rows).collect();
    let mut known = crate::artifact::fast_keys(reference, &all, features);
    known.sort_unstable();
    known.dedup();
    let test = crate::artifact::fast_keys(s.test_table, &s.test_rows, features);
    let seen = test
        .iter()
        .filter(|k| known.binary_search(k).is_ok())
        .count();
    let o = crate::gates::Overlap::new(seen, test.len(), chance);
    if 2 * seen >= test.len() && o.mostly_training() {
        return Some(format!(
            "holds {:.1}% of the test rows: they would largely be compared with themselves \
             (give data the model was built on or last served)",
            100.0 * o.share()
        ));
    }
    None
}

/// A note when a drift reference holds half or more of the test rows with
/// a column or two changed: the test rows nudged (round 18, F8), or the
/// same entities' earlier snapshot (only `tenure` and a balance moved),
/// which is a fair reference. Said, not refused: the two look alike.
fn near_test_rows(
    reference: &crate::data::Table,
    s: &Sides,
    features: &[String],
) -> Option<String> {
    let as_training = Sides {
        train_table: reference,
        train_rows: (0..reference.n_rows).collect(),
        y_train: Vec::new(),
        test_table: s.test_table,
        test_rows: s.test_rows.clone(),
        y_test: Vec::new(),
        test_sha256: s.test_sha256,
        unlabelled: Default::default(),
    };
    let near = super::overlap::near_copy(&as_training, features)?;
    let changed = near
        .but
        .as_deref()
        .map_or_else(|| "one or two features".to_string(), |f| format!("{f:?}"));
    (2 * near.seen >= near.rows).then(|| {
        format!(
            "holds {:.1}% of the test rows with only {changed} changed: unless it is an \
             earlier snapshot of the same entities, the test rows are largely compared with \
             themselves and the drift gate cannot fail",
            100.0 * near.share()
        )
    })
}

/// The training split against the test rows, when no drift gate says more.
pub fn default_drift(s: &Sides, features: &[String]) -> Option<DriftReport> {
    // A model made elsewhere has no training split to compare with.
    if s.train_rows.is_empty() {
        return None;
    }
    Some(drift::compute_rows(
        drift::Rows::some(s.train_table, &s.train_rows),
        drift::Rows::some(s.test_table, &s.test_rows),
        features,
        "training split",
    ))
}

//! Stage 2, target and split: rows labelled 0/1 against `data.positive`,
//! both classes required, then the train and test sides (split or
//! `test_path`) and the input feature columns.
use super::prepare::Prepared;
use crate::config::Plan;
use crate::data::split;
use crate::data::{DType, Table, Values};
use crate::domain::{is_missing_label, is_positive_text, Report};
use crate::error::GateError;
use crate::gates::Unlabelled;
use rayon::prelude::*;
use std::ops::ControlFlow;

/// The labelled rows of one table: kept row indices and 0/1 targets.
pub struct Labelled {
    pub rows: Vec<usize>,
    pub y: Vec<u8>,
    pub dropped: u64,
}

pub fn label(plan: &Plan, t: &Table, path: &std::path::Path) -> Result<Labelled, GateError> {
    let col = t.column(&plan.data.target).ok_or_else(|| {
        GateError::Data(format!(
            "{}: target column {:?} not found",
            path.display(),
            plan.data.target
        ))
    })?;
    let positive = plan.data.positive.as_str();
    // Text: positive or not per level. Numbers (booleans as 0/1): the value.
    let level_is_positive: Vec<bool> = match &col.values {
        Values::Cat { levels, .. } => levels
            .iter()
            .map(|l| is_positive_text(l, positive))
            .collect(),
        Values::Num(_) => Vec::new(),
    };
    let missing = missing_levels(col, positive);
    let number = match col.dtype {
        DType::Boolean if is_positive_text("true", positive) => Some(1.0),
        DType::Boolean if is_positive_text("false", positive) => Some(0.0),
        DType::Boolean => None,
        _ => positive.trim().parse::<f64>().ok(),
    };
    let kept = |r: usize| !(col.is_null(r) || missing.is_missing(col, r));
    let is_pos = |r: usize| match &col.values {
        Values::Cat { codes, .. } => level_is_positive
            .get(codes[r] as usize)
            .copied()
            .unwrap_or(false),
        Values::Num(v) => Some(v[r]) == number,
    };
    // In parallel, in row order (millions of rows of scores).
    let rows: Vec<usize> = if (0..t.n_rows).into_par_iter().all(kept) {
        (0..t.n_rows).into_par_iter().collect()
    } else {
        (0..t.n_rows).into_par_iter().filter(|&r| kept(r)).collect()
    };
    let y: Vec<u8> = rows.par_iter().map(|&r| u8::from(is_pos(r))).collect();
    Ok(Labelled {
        dropped: (t.n_rows - rows.len()) as u64,
        rows,
        y,
    })
}

/// The target's text levels that spell a missing label
/// ([`is_missing_label`]), unless they are the positive value.
struct MissingLevels(Vec<bool>);

fn missing_levels(col: &crate::data::Column, positive: &str) -> MissingLevels {
    MissingLevels(match &col.values {
        Values::Cat { levels, .. } => levels
            .iter()
            .map(|l| is_missing_label(l) && !is_positive_text(l, positive))
            .collect(),
        Values::Num(_) => Vec::new(),
    })
}

impl MissingLevels {
    fn is_missing(&self, col: &crate::data::Column, r: usize) -> bool {
        match &col.values {
            Values::Cat { codes, .. } => self.0.get(codes[r] as usize) == Some(&true),
            Values::Num(_) => false,
        }
    }
}

/// Rows whose target is missing (empty, or a spelling of missing), in the
/// data and the test file: reported even when the contract failed and
/// nothing was labelled.
pub fn null_targets(plan: &Plan, p: &Prepared) -> u64 {
    std::iter::once(&p.main)
        .chain(&p.test)
        .filter_map(|l| l.table.column(&plan.data.target))
        .map(|c| {
            let missing = missing_levels(c, &plan.data.positive);
            (0..c.len())
                .filter(|&r| c.is_null(r) || missing.is_missing(c, r))
                .count() as u64
        })
        .sum()
}

/// Distinct target cells [`target_values`] compares before hashing.
const FIRST_CELLS: usize = 4;

/// Up to `limit + 1` distinct target values of the labelled rows, as text
/// (values differing only by surrounding spaces or invisible characters
/// are one).
pub fn target_values(plan: &Plan, t: &Table, l: &Labelled, limit: usize) -> Vec<String> {
    let Some(col) = t.column(&plan.data.target) else {
        return Vec::new();
    };
    // Each distinct cell is spelled once (a 20M-row file of two values is
    // two texts, not 20M). Blocks of rows find theirs side by side, each
    // keeping at most `keep`; a block cut short that the texts run into
    // is walked again whole.
    let keep = 4 * (limit + 1) + 64;
    let blocks: Vec<(Vec<(u64, usize)>, bool)> = l
        .rows
        .par_chunks(VALUE_BLOCK)
        .map(|rows| first_cells(col, rows, keep))
        .collect();
    let mut seen: Vec<String> = Vec::new();
    let mut cells: foldhash::HashSet<u64> = Default::default();
    for (block, (found, cut)) in blocks.iter().enumerate() {
        let again;
        let found = if *cut {
            let from = block * VALUE_BLOCK;
            let rows = &l.rows[from..l.rows.len().min(from + VALUE_BLOCK)];
            again = first_cells(col, rows, usize::MAX).0;
            &again
        } else {
            found
        };
        for &(id, r) in found {
            if !cells.insert(id) {
                continue;
            }
            if let Some(v) = col.text(r).map(|v| crate::domain::folded(&v).into_owned()) {
                if !seen.contains(&v) {
                    seen.push(v);
                    if seen.len() > limit {
                        return seen;
                    }
                }
            }
        }
    }
    seen
}

/// Rows per block of [`target_values`].
const VALUE_BLOCK: usize = 1 << 16;

/// The distinct cells of `rows` in order of first appearance, each with
/// its first row; at most `keep` (then `true`: cut short).
fn first_cells(
    col: &crate::data::Column,
    rows: &[usize],
    keep: usize,
) -> (Vec<(u64, usize)>, bool) {
    let mut cells: foldhash::HashSet<u64> = Default::default();
    // The first few distinct cells, compared before the set is probed:
    // a two-class target never hashes a cell again, and a batch of rows
    // whose cells are all among them is passed over whole.
    let mut first: Vec<u64> = Vec::with_capacity(FIRST_CELLS);
    let (mut found, mut cut) = (Vec::new(), false);
    for batch in rows.chunks(CELL_BATCH) {
        if !first.is_empty() && col.cells_among(batch, &first) {
            continue;
        }
        col.cell_ids(batch, |r, id| {
            if first.contains(&id) || !cells.insert(id) {
                return ControlFlow::Continue(());
            }
            if first.len() < FIRST_CELLS {
                first.push(id);
            }
            if found.len() == keep {
                cut = true;
                return ControlFlow::Break(());
            }
            found.push((id, r));
            ControlFlow::Continue(())
        });
        if cut {
            break;
        }
    }
    (found, cut)
}

/// Rows [`first_cells`] checks at once against the first cells found.
const CELL_BATCH: usize = 256;

/// `a, b, c` of at most 10 values, `, ...` when there were more.
pub fn values_text(seen: &[String]) -> String {
    match seen.len() {
        0 => "none".to_string(),
        n if n > 10 => format!("{}, ...", seen[..10].join(", ")),
        _ => seen.join(", "),
    }
}

/// A target with more than two values is made binary (positive vs the
/// rest): said in the notes, since `" Yes"` or a third class silently
/// counting as negative is rarely what was meant.
pub fn multiclass_note(plan: &Plan, t: &Table, l: &Labelled) -> Option<String> {
    let seen = target_values(plan, t, l, 10);
    if seen.len() <= 2 {
        return None;
    }
    let count = match seen.len() {
        n if n > 10 => "more than 10".to_string(),
        n => n.to_string(),
    };
    Some(format!(
        "target {:?} has {count} distinct values ({}): rows whose value is not {:?} count as negatives",
        plan.data.target,
        values_text(&seen),
        plan.data.positive
    ))
}

/// Target values of a held-out test file that the training data never has
/// (a third class such as "pending") would silently count as negatives,
/// and could carry the metrics: exit 2, naming them and their rows.
fn unknown_test_values(
    plan: &Plan,
    train: &Table,
    tl: &Labelled,
    test: &Table,
    l: &Labelled,
    path: &std::path::Path,
) -> Result<(), GateError> {
    let (Some(tc), Some(c)) = (
        train.column(&plan.data.target),
        test.column(&plan.data.target),
    ) else {
        return Ok(());
    };
    let known: std::collections::HashSet<String> = tl
        .rows
        .iter()
        .filter_map(|&r| tc.text(r).map(|v| same_value(&v)))
        .collect();
    let mut unknown: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (&r, &y) in l.rows.iter().zip(&l.y) {
        if y == 1 {
            continue;
        }
        if let Some(v) = c.text(r) {
            if !known.contains(&same_value(&v)) {
                *unknown.entry(v.trim().to_string()).or_default() += 1;
            }
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = unknown
        .iter()
        .take(10)
        .map(|(v, n)| format!("{v:?} ({n} rows)"))
        .collect();
    Err(GateError::Data(format!(
        "{}: target {:?} has values the training data never has: {}; they would count as \
         negatives of {:?}. Drop or relabel those rows",
        path.display(),
        plan.data.target,
        listed.join(", "),
        plan.data.positive
    )))
}

/// A target value as compared across files, with the equivalence that
/// labelling uses (`is_positive_text`): trimmed, numbers by value (`1` and
/// `1.0` are one), `true`/`false` in any case. `true` is not `1`: labelling
/// does not count it as the positive `1`, so it is an unknown value here.
fn same_value(v: &str) -> String {
    let t = crate::domain::folded(v);
    let t = t.as_ref();
    if let Ok(x) = t.parse::<f64>() {
        return format!("{x}");
    }
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        return t.to_ascii_lowercase();
    }
    t.to_string()
}

/// A text target that spells the positive value another way too (`yes`
/// and `YES`, two exports joined) would count those rows as negatives:
/// exit 2, naming each spelling and its rows.
fn respelled_positive(
    plan: &Plan,
    t: &Table,
    l: &Labelled,
    path: &std::path::Path,
) -> Result<(), GateError> {
    let Some(crate::data::Values::Cat { codes, levels }) =
        t.column(&plan.data.target).map(|c| &c.values)
    else {
        return Ok(());
    };
    let positive = crate::domain::folded(&plan.data.positive);
    // Yes, Y, true, T and 1 all say "positive": two of them in one file
    // are two exports joined (round 19, F1).
    let truthy = |v: &str| {
        let v = v.trim_matches('"');
        ["yes", "y", "true", "t", "1"]
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w))
    };
    let other: Vec<usize> = (0..levels.len())
        .filter(|&i| {
            let v = crate::domain::folded(&levels[i]);
            !is_positive_text(&v, &positive)
                && (v.eq_ignore_ascii_case(&positive) || (truthy(&v) && truthy(&positive)))
        })
        .collect();
    if other.is_empty() {
        return Ok(());
    }
    let mut rows = vec![0u64; levels.len()];
    for (&r, &y) in l.rows.iter().zip(&l.y) {
        if y == 0 {
            if let Some(n) = rows.get_mut(codes[r] as usize) {
                *n += 1;
            }
        }
    }
    let listed: Vec<String> = other
        .iter()
        .filter(|&&i| rows[i] > 0)
        .map(|&i| format!("{:?} ({} rows)", levels[i], rows[i]))
        .collect();
    if listed.is_empty() {
        return Ok(());
    }
    Err(GateError::Data(format!(
        "{}: target {:?} spells the positive value {:?} also as {}, which would count as \
         negatives; make the spellings one before gating",
        path.display(),
        plan.data.target,
        plan.data.positive,
        listed.join(", ")
    )))
}

/// Both classes must be present in the labelled data, or nothing can be
/// learned (training file) or measured (held-out test file).
pub fn check_classes(
    plan: &Plan,
    t: &Table,
    l: &Labelled,
    path: &std::path::Path,
) -> Result<(), GateError> {
    let pos = l.y.iter().filter(|&&v| v == 1).count();
    if pos > 0 && pos < l.y.len() {
        return Ok(());
    }
    let seen = values_text(&target_values(plan, t, l, 10));
    let what = if l.y.is_empty() {
        "has no labelled row".to_string()
    } else if pos == 0 {
        format!(
            "never has the positive value {:?} (values seen: {seen}); set data.positive to one of them",
            plan.data.positive
        )
    } else {
        format!(
            "has one class: every row is the positive value {:?} (values seen: {seen})",
            plan.data.positive
        )
    };
    Err(GateError::Data(format!(
        "{}: target {:?} {what}",
        path.display(),
        plan.data.target
    )))
}

/// The labelled rows of the data and of the held-out test file, with the
/// target checks both `check` and `validate` make: both classes present, the
/// missing targets counted, a multi-valued target noted.
pub fn labelled(
    plan: &Plan,
    p: &Prepared,
    report: &mut Report,
) -> Result<(Labelled, Option<Labelled>), GateError> {
    let main = label(plan, &p.main.table, &plan.data.path)?;
    check_classes(plan, &p.main.table, &main, &plan.data.path)?;
    respelled_positive(plan, &p.main.table, &main, &plan.data.path)?;
    report.data.dropped_null_target = main.dropped;
    report.notes.extend(unlabelled_note(
        plan,
        &plan.data.path,
        main.dropped,
        p.main.table.n_rows,
    ));
    report
        .notes
        .extend(multiclass_note(plan, &p.main.table, &main));
    let test = match (&p.test, &plan.data.test_path) {
        (Some(test), Some(path)) => {
            test_has_features(plan, &p.main.table, &test.table, path)?;
            let t = label(plan, &test.table, path)?;
            // A held-out file of one class is measured as a split of one
            // class is: the metrics that need both are undefined and the
            // gates on them inconclusive. Only an unlabelled file is an error.
            if t.y.is_empty() {
                check_classes(plan, &test.table, &t, path)?;
            }
            if let Err(GateError::Data(why)) = check_classes(plan, &test.table, &t, path) {
                report.notes.push(format!(
                    "{why}: the metrics that need both classes are undefined on it"
                ));
            }
            respelled_positive(plan, &test.table, &t, path)?;
            unknown_test_values(plan, &p.main.table, &main, &test.table, &t, path)?;
            report.data.dropped_null_target += t.dropped;
            report
                .notes
                .extend(unlabelled_note(plan, path, t.dropped, test.table.n_rows));
            Some(t)
        }
        _ => None,
    };
    Ok((main, test))
}

/// Rows without a target value are left out of training and of every
/// metric: said, since a test file whose hard rows had their labels
/// blanked would be judged on the easy ones (round 17, F1).
fn unlabelled_note(
    plan: &Plan,
    path: &std::path::Path,
    dropped: u64,
    rows: usize,
) -> Option<String> {
    (dropped > 0).then(|| {
        format!(
            "{dropped} of {rows} rows of {} ({:.1}%) have no {:?} value and are left out of \
             training and every metric: if which rows lack a label depends on the outcome or \
             on the model's errors, the metrics misstate it",
            path.display(),
            100.0 * dropped as f64 / rows.max(1) as f64,
            plan.data.target
        )
    })
}

/// The train and test sides: which table, which rows, which labels.
pub struct Sides<'a> {
    pub train_table: &'a Table,
    pub train_rows: Vec<usize>,
    pub y_train: Vec<u8>,
    pub test_table: &'a Table,
    pub test_rows: Vec<usize>,
    pub y_test: Vec<u8>,
    /// The sha256 of the file the test rows come from (`test_path`, or
    /// `path` when they are a split of it or every row of it).
    pub test_sha256: &'a str,
    /// That file's rows without a target value.
    pub unlabelled: Unlabelled,
}

impl Sides<'_> {
    /// Whether the test rows were split from the training file (rather
    /// than given as a file of their own).
    pub fn split(&self) -> bool {
        std::ptr::eq(self.train_table, self.test_table)
    }
}

pub fn make_sides<'a>(
    plan: &Plan,
    p: &'a Prepared,
    report: &mut Report,
) -> Result<Sides<'a>, GateError> {
    let (main, test) = labelled(plan, p, report)?;
    if let (Some(test), Some(t)) = (&p.test, test) {
        return Ok(Sides {
            train_table: &p.main.table,
            train_rows: main.rows,
            y_train: main.y,
            test_table: &test.table,
            test_rows: t.rows,
            y_test: t.y,
            test_sha256: &test.sha256,
            unlabelled: Unlabelled {
                dropped: t.dropped,
                rows: test.table.n_rows as u64,
            },
        });
    }
    let s = split::split(
        &main.y,
        plan.data.test_fraction,
        plan.data.seed,
        plan.data.stratify,
    );
    let pick = |idx: &[usize]| -> (Vec<usize>, Vec<u8>) {
        (
            idx.iter().map(|&i| main.rows[i]).collect(),
            idx.iter().map(|&i| main.y[i]).collect(),
        )
    };
    let (train_rows, y_train) = pick(&s.train);
    let (test_rows, y_test) = pick(&s.test);
    Ok(Sides {
        train_table: &p.main.table,
        train_rows,
        y_train,
        test_table: &p.main.table,
        test_rows,
        y_test,
        test_sha256: &p.main.sha256,
        unlabelled: Unlabelled {
            dropped: main.dropped,
            rows: p.main.table.n_rows as u64,
        },
    })
}

/// Input feature columns: everything but target, drop and (unless allowed) protected.
pub fn feature_names(plan: &Plan, t: &Table) -> Vec<String> {
    t.columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| {
            *n != plan.data.target
                && !plan.data.drop.contains(n)
                && (plan.data.use_protected || !plan.data.protected.contains(n))
        })
        .collect()
}

/// The train and test sides of a run with both non-empty, the report's row
/// counts filled in, and the feature columns (at least one).
pub fn sides_and_features<'a>(
    plan: &Plan,
    p: &'a Prepared,
    report: &mut Report,
) -> Result<(Sides<'a>, Vec<String>), GateError> {
    let sides = make_sides(plan, p, report)?;
    if sides.test_rows.is_empty() || sides.train_rows.is_empty() {
        return Err(GateError::Data(format!(
            "{}: not enough labelled rows to split into train and test sets \
             ({} train, {} test; data.test_fraction = {})",
            plan.data.path.display(),
            sides.train_rows.len(),
            sides.test_rows.len(),
            plan.data.test_fraction
        )));
    }
    let train_pos = sides.y_train.iter().filter(|&&v| v == 1).count();
    if train_pos == 0 || train_pos == sides.y_train.len() {
        return Err(GateError::Data(format!(
            "{}: the training split holds one class only ({train_pos} positive of {} rows): \
             nothing can be learned; set data.stratify = true, lower test_fraction, or add rows \
             of the rare class",
            plan.data.path.display(),
            sides.y_train.len()
        )));
    }
    report.data.train_rows = sides.train_rows.len() as u64;
    report.data.test_rows = sides.test_rows.len() as u64;
    report.data.train_positives = sides.y_train.iter().map(|&v| u64::from(v)).sum();
    report.data.test_positives = sides.y_test.iter().map(|&v| u64::from(v)).sum();
    let features = feature_names(plan, sides.train_table);
    if features.is_empty() {
        // Columns loading left out (a Parquet date column) are often why.
        let left_out = if report.notes.is_empty() {
            String::new()
        } else {
            format!("; {}", report.notes.join("; "))
        };
        return Err(GateError::Data(format!(
            "{}: no feature left to train on: every column is the target, in data.drop, \
             or protected (set data.use_protected = true to train on protected columns){left_out}",
            plan.data.path.display()
        )));
    }
    Ok((sides, features))
}

/// The test file has every feature column of the data file: checked by
/// [`labelled`], so `validate` refuses what `check` would (round 46, F1).
fn test_has_features(
    plan: &Plan,
    main: &Table,
    test: &Table,
    test_path: &std::path::Path,
) -> Result<(), GateError> {
    let missing: Vec<String> = feature_names(plan, main)
        .into_iter()
        .filter(|f| test.column(f).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(GateError::Data(format!(
        "{}: the test file lacks feature column(s) of {}: {}",
        test_path.display(),
        plan.data.path.display(),
        missing.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::{label, target_values};
    use crate::data::{Column, DType, Table, Values};

    /// A plan whose target is `y`, positive when `positive`.
    fn plan(positive: &str) -> crate::config::Plan {
        let toml = format!("[data]\npath = \"d.csv\"\ntarget = \"y\"\npositive = {positive:?}\n");
        crate::config::parse(std::path::Path::new("gates.toml"), &toml).unwrap()
    }

    #[test]
    fn target_values_of_blocks_side_by_side_are_the_row_walk() {
        use super::VALUE_BLOCK;
        let plan = plan("a");
        // 200 spellings of "a" (spaces around it), then "b" and "c".
        let mut levels: Vec<String> = (0..200)
            .map(|i| format!("{}a{}", " ".repeat(i / 2), " ".repeat(i % 2)))
            .collect();
        levels.extend(["b", "c"].map(String::from));
        // Block 0 all "a"; block 1 opens with every spelling of "a" (more
        // than a block keeps), then "b"; block 2 holds "c".
        let n = 3 * VALUE_BLOCK;
        let codes: Vec<u32> = (0..n)
            .map(|i| match i {
                i if i < VALUE_BLOCK => 0,
                i if i < VALUE_BLOCK + 200 => (i - VALUE_BLOCK) as u32,
                i if i < 2 * VALUE_BLOCK => 200,
                _ => 201,
            })
            .collect();
        let t = Table {
            n_rows: n,
            columns: vec![Column {
                name: "y".into(),
                dtype: DType::String,
                values: Values::Cat { codes, levels },
            }],
        };
        let l = label(&plan, &t, std::path::Path::new("d.csv")).unwrap();
        assert_eq!(target_values(&plan, &t, &l, 10), ["a", "b", "c"]);
        assert_eq!(target_values(&plan, &t, &l, 1), ["a", "b"]);
        assert_eq!(target_values(&plan, &t, &l, 0), ["a"]);
    }

    /// A batch of rows whose cells are all known is passed over, but one
    /// that begins with known cells and brings a new one later is walked:
    /// a new value in the middle of a batch, and one in its last row.
    #[test]
    fn target_values_come_from_inside_batches_of_known_cells() {
        use super::CELL_BATCH;
        let plan = plan("1");
        let n = 4 * CELL_BATCH;
        let mut ys: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        ys[2 * CELL_BATCH + CELL_BATCH / 2 + 7] = 2.0;
        ys[n - 1] = 3.0;
        let t = Table {
            n_rows: n,
            columns: vec![Column {
                name: "y".into(),
                dtype: DType::Integer,
                values: Values::Num(ys),
            }],
        };
        let l = label(&plan, &t, std::path::Path::new("d.csv")).unwrap();
        assert_eq!(target_values(&plan, &t, &l, 10), ["0", "1", "2", "3"]);
    }

    #[test]
    fn target_values_are_the_first_distinct_in_row_order() {
        let plan = plan("1");
        // More distinct values than are compared before hashing, repeated
        // out of order, with a missing label left out.
        let ys = [
            1.0,
            0.0,
            1.0,
            5.0,
            f64::NAN,
            0.0,
            7.0,
            2.0,
            9.0,
            5.0,
            3.0,
            1.0,
            4.0,
        ];
        let t = Table {
            n_rows: ys.len(),
            columns: vec![Column {
                name: "y".into(),
                dtype: DType::Integer,
                values: Values::Num(ys.to_vec()),
            }],
        };
        let l = label(&plan, &t, std::path::Path::new("d.csv")).unwrap();
        assert_eq!(l.dropped, 1);
        let all = ["1", "0", "5", "7", "2", "9", "3", "4"];
        assert_eq!(target_values(&plan, &t, &l, 10), all);
        // Stops once past `limit`.
        assert_eq!(target_values(&plan, &t, &l, 5), all[..6]);
    }
}

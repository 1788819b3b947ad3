//! Stage 1, load and contract: the data (and held-out test file) loaded,
//! the columns the config names checked, the data contract applied.
use super::run::{timed, Progress, Stage, Timings};
use crate::config::Plan;
use crate::data::contract;
use crate::data::load::Loaded;
use crate::domain::Violation;
use crate::error::GateError;

/// Loads data and checks the contract; shared by `check` and `validate`.
pub struct Prepared {
    pub main: Loaded,
    pub test: Option<Loaded>,
    pub violations: Vec<Violation>,
}

/// `also_text`: more columns to read as text in every file (an ONNX
/// model's string inputs).
pub fn prepare(
    plan: &Plan,
    also_text: &[String],
    timings: &mut Timings,
    progress: Progress,
) -> Result<Prepared, GateError> {
    progress.step(&format!("loading {}", plan.data.path.display()));
    // Columns the contract declares text are read as text in every file;
    // the test file also reads as text what the main file holds as text
    // (codes `007`, `010` that a file without a letter among them would
    // read as the numbers 7 and 10: round 37, F1).
    let mut declared = declared_text(&plan.contract);
    let forced: Vec<String> = also_text
        .iter()
        .filter(|c| !declared.contains(c))
        .cloned()
        .collect();
    declared.extend(forced.iter().cloned());
    let main = timed(timings, Stage::Load, || {
        crate::data::parts::load_as(&plan.data.path, &declared)
    })?;
    let test = match &plan.data.test_path {
        Some(p) => {
            let as_text = text_columns(&main.table, &declared);
            let mut test = timed(timings, Stage::Load, || {
                crate::data::parts::load_as(p, &as_text)
            })?;
            // Numbers and booleans (a Parquet file) of a column the main
            // file writes as text, spelled as it does (`True`, `3.0`:
            // round 41, F1).
            // Two levels of one number (`10`, `10.0`) cannot be told apart
            // from the numbers: said (round 43, F1's candidate side).
            for twins in test.table.spell_like(&main.table) {
                let note = twins.note(&p.display().to_string(), "the training file writes");
                test.notes.push(note);
            }
            Some(test)
        }
        None => None,
    };
    if let (Some(t), Some(tp)) = (&test, &plan.data.test_path) {
        if t.sha256 == main.sha256 {
            return Err(GateError::Data(format!(
                "{}: test_path holds the same data as path {} (same sha256): the model would \
                 be tested on the rows it trained on; give a held-out test file, or remove \
                 test_path to split {}",
                tp.display(),
                plan.data.path.display(),
                plan.data.path.display()
            )));
        }
    }
    for (loaded, path) in std::iter::once((&main, &plan.data.path))
        .chain(test.as_ref().zip(plan.data.test_path.as_ref()))
    {
        check_columns(plan, loaded, path)?;
    }
    // `allowed`/`pattern` on a CSV column read as numbers also see the
    // cells as written (`48.70`, `007`: round 38, F2).
    let raw_main = timed(timings, Stage::Load, || {
        written_text(plan, &main, &plan.data.path, &declared)
    });
    let raw_test = match (&test, &plan.data.test_path) {
        (Some(t), Some(p)) => timed(timings, Stage::Load, || {
            written_text(plan, t, p, &text_columns(&main.table, &declared))
        }),
        _ => Vec::new(),
    };
    // Columns read as text for the model alone are judged as the data
    // types them (round 47, F1: `True` against `allowed = [true, false]`).
    let (typed_main, raw_main) = timed(timings, Stage::Load, || {
        typed_view(plan, &main, &plan.data.path, &forced, raw_main)
    });
    let (typed_test, raw_test) = match (&test, &plan.data.test_path) {
        (Some(t), Some(p)) => timed(timings, Stage::Load, || {
            typed_view(plan, t, p, &forced, raw_test)
        }),
        _ => (None, raw_test),
    };
    progress.step("checking the data contract");
    let mut violations = timed(timings, Stage::Contract, || {
        let scores = plan.model.score_columns();
        let target = (plan.data.target.as_str(), scores.as_slice());
        let main_table = typed_main.as_ref().unwrap_or(&main.table);
        let mut v = contract::check_raw(&plan.contract, main_table, target, &raw_main);
        let test_table = typed_test.as_ref().or(test.as_ref().map(|t| &t.table));
        if let Some(t) = test_table {
            v.extend(
                contract::check_raw(&plan.contract, t, target, &raw_test)
                    .into_iter()
                    .map(|mut x| {
                        x.message = format!("test file: {}", x.message);
                        x.test_file = true;
                        x
                    }),
            );
        }
        v
    });
    violations.sort_by(|a, b| a.column.cmp(&b.column).then_with(|| a.rule.cmp(&b.rule)));
    Ok(Prepared {
        main,
        test,
        violations,
    })
}

/// The columns the config needs, checked before the contract runs. A column
/// it uses that loading had to leave out (a Parquet date or time column) is
/// a limitation of the tool, not a missing column: exit 2 saying so. The
/// target and protected columns must exist: without them nothing can be
/// decided. Errors name the file at fault (`path` or `test_path`).
pub fn check_columns(
    plan: &Plan,
    loaded: &Loaded,
    path: &std::path::Path,
) -> Result<(), GateError> {
    let used = std::iter::once(&plan.data.target)
        .chain(&plan.data.protected)
        .chain(&plan.contract.unique)
        .chain(plan.contract.columns.keys());
    for name in used {
        if let Some((_, kind)) = loaded.skipped.iter().find(|(s, _)| s == name) {
            return Err(GateError::Data(format!(
                "{}: column {name:?} is a {kind} column, which release-gate cannot read; \
                 store it as text or numbers, or stop naming it in gates.toml",
                path.display()
            )));
        }
    }
    let t = &loaded.table;
    for (what, col) in std::iter::once(("target", &plan.data.target))
        .chain(plan.data.protected.iter().map(|p| ("protected", p)))
    {
        if t.column(col).is_none() {
            return Err(GateError::Data(format!(
                "{}: {what} column {col:?} not found (columns: {})",
                path.display(),
                t.column_names().join(", ")
            )));
        }
    }
    Ok(())
}

/// `data.drop` names absent from the data: harmless (nothing to drop), but
/// usually a typo that lets an id or a leak through as a feature, so said.
pub fn missing_drop_notes(plan: &Plan, loaded: &Loaded) -> Vec<String> {
    let missing: Vec<&str> = plan
        .data
        .drop
        .iter()
        .filter(|d| loaded.table.column(d).is_none())
        .filter(|d| !loaded.skipped.iter().any(|(s, _)| s == *d))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "data.drop names columns the data does not have: {}",
        missing
            .iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )]
}

/// The columns of `loaded` (read from `path`, `as_text` as text) that the
/// contract's `allowed` or `pattern` rules name and that loading read as
/// numbers, read again as text: those rules judge the cell as written too,
/// which re-printing the number loses (`48.70` becomes `48.7`). CSV only: a
/// Parquet number has no other spelling. Empty when no rule needs it, or
/// when the second read fails (the rules then judge the numbers alone).
fn written_text(
    plan: &Plan,
    loaded: &Loaded,
    path: &std::path::Path,
    as_text: &[String],
) -> Vec<crate::data::Column> {
    let wanted = contract::raw_text_wanted(&plan.contract, &loaded.table);
    if wanted.is_empty() || (!path.is_dir() && crate::data::load::is_parquet(path)) {
        return Vec::new();
    }
    let mut text = as_text.to_vec();
    text.extend(wanted.iter().cloned());
    // Only an aid to two rules: if reading again fails, they judge the
    // numbers as before rather than failing the run.
    read_again(path, &text, &wanted, true, loaded.table.n_rows, None).unwrap_or_default()
}

/// Columns `names` of `path` read again, `as_text` as text: those read as
/// text (`text`) or as numbers (not `text`), when the file still has
/// `rows` rows (and the digest `sha256`, when given). `None` when the
/// read fails: a second read only sees a column another way, and the
/// caller decides what doing without it means.
pub(crate) fn read_again(
    path: &std::path::Path,
    as_text: &[String],
    names: &[String],
    text: bool,
    rows: usize,
    sha256: Option<&str>,
) -> Option<Vec<crate::data::Column>> {
    let again = crate::data::parts::load_as(path, as_text).ok()?;
    if again.table.n_rows != rows || sha256.is_some_and(|d| d != again.sha256) {
        return None;
    }
    Some(
        again
            .table
            .columns
            .into_iter()
            .filter(|c| names.contains(&c.name) && c.len() == rows)
            .filter(|c| matches!(c.values, crate::data::Values::Cat { .. }) == text)
            .collect(),
    )
}

/// `loaded` (read from `path`) as the contract is to judge it: the
/// `forced` columns (read as text for the model alone) that a contract
/// rule names (or the duplicate-row rule sees), read again without forcing, the typed column judged and
/// its cells as written added to `raw` (a value passes when either form
/// does). `None` when nothing changes or the read fails.
fn typed_view(
    plan: &Plan,
    loaded: &Loaded,
    path: &std::path::Path,
    forced: &[String],
    mut raw: Vec<crate::data::Column>,
) -> (Option<crate::data::Table>, Vec<crate::data::Column>) {
    // Rules on the column, and the rules that compare whole rows or
    // values (round 48, F1: `000` and `0` are one value to `unique`).
    let judged = |c: &String| {
        plan.contract.columns.contains_key(c)
            || plan.contract.unique.contains(c)
            || plan.contract.max_duplicate_fraction.is_some()
    };
    let wanted: Vec<String> = forced
        .iter()
        .filter(|c| judged(c))
        .filter(|c| {
            loaded
                .table
                .column(c)
                .is_some_and(|col| matches!(col.values, crate::data::Values::Cat { .. }))
        })
        .cloned()
        .collect();
    if wanted.is_empty() {
        return (None, raw);
    }
    let as_text: Vec<String> = text_columns(&loaded.table, &declared_text(&plan.contract))
        .into_iter()
        .filter(|c| !wanted.contains(c))
        .collect();
    let Some(typed) = read_again(path, &as_text, &wanted, false, loaded.table.n_rows, None) else {
        return (None, raw);
    };
    let mut table = loaded.table.clone();
    let written = table.swap_columns(typed);
    raw.retain(|r| !written.iter().any(|w| w.name == r.name));
    raw.extend(written);
    (Some(table), raw)
}

/// The columns `table` holds as text, and the `declared` ones: what
/// another file of the same data is to read as text.
pub(crate) fn text_columns(table: &crate::data::Table, declared: &[String]) -> Vec<String> {
    let mut out: Vec<String> = declared.to_vec();
    for c in &table.columns {
        if matches!(c.values, crate::data::Values::Cat { .. }) && !out.contains(&c.name) {
            out.push(c.name.clone());
        }
    }
    out
}

/// The columns the contract declares `type = "string"`: read as text in
/// every file.
pub(crate) fn declared_text(contract: &crate::data::contract::ContractConfig) -> Vec<String> {
    contract
        .columns
        .iter()
        .filter(|(_, r)| r.dtype == Some(crate::data::DType::String))
        .map(|(name, _)| name.clone())
        .collect()
}

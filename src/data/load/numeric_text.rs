//! Text columns that are numbers in disguise.
use super::super::table::{Column, DType, Values};

/// A CSV text column whose every value is a number polars does not read
/// (`Infinity`, `-Infinity`, `+inf`), or a spelling of missing (a blank
/// cell of spaces, `-`, `?`, `N/A`, `None`: round 18, F4), becomes a float
/// column, so the model and the contract's `finite` rule see numbers. Real
/// text fails on its first level. When cells spelled missing were read as
/// missing, a note says so.
pub(crate) fn numeric_text_to_float(col: &mut Column) -> Option<String> {
    let Values::Cat { codes, levels } = &col.values else {
        return None;
    };
    let missing = |l: &str| crate::domain::is_missing_number(l);
    let nums: Option<Vec<f64>> = levels
        .iter()
        .map(|l| match l.trim().parse() {
            Ok(x) => Some(x),
            Err(_) if missing(l) => Some(f64::NAN),
            Err(_) => None,
        })
        .collect();
    let nums = nums.filter(|n| n.iter().any(|x| !x.is_nan()))?;
    let mut spelled: Vec<String> = levels
        .iter()
        .filter(|l| missing(l))
        .map(|l| format!("{l:?}"))
        .collect();
    spelled.sort();
    let v: Vec<f64> = codes
        .iter()
        .map(|&c| nums.get(c as usize).copied().unwrap_or(f64::NAN))
        .collect();
    let cells = codes
        .iter()
        .filter(|&&c| nums.get(c as usize).is_some_and(|x| x.is_nan()))
        .count();
    col.dtype = DType::Float;
    col.values = Values::Num(v);
    (cells > 0).then(|| {
        format!(
            "column {:?}: {cells} cell(s) spelled {} read as missing numbers",
            col.name,
            spelled.join(", ")
        )
    })
}

//! Stage 4b, importance: mean |contribution| per input feature over (a
//! seeded sample of at most `MAX_IMPORTANCE_ROWS`, and fewer for models
//! whose TreeSHAP is costly) test rows.
use super::target::Sides;
use crate::artifact::ModelArtifact;
use crate::domain::Importance;
use crate::explain::{self, MIN_IMPORTANCE_ROWS};

/// The importance of `artifact` on the test rows, and a note when only a
/// sample was explained or the model cannot explain.
pub fn importance(
    artifact: &ModelArtifact,
    sides: &Sides,
    seed: u64,
) -> (Option<Importance>, Option<String>) {
    let n = sides.test_rows.len();
    if n == 0 {
        return (None, None);
    }
    let k = explain::importance_rows(&artifact.model, n);
    if k < n.min(MIN_IMPORTANCE_ROWS) {
        return (
            None,
            Some(format!(
                "importance not computed: explaining one row of this model takes about \
                 {:.0e} TreeSHAP steps, and {} rows would be too few to rank its inputs",
                explain::steps_per_row(&artifact.model),
                k
            )),
        );
    }
    let picked: Vec<usize> = explain::sample_rows(n, k, seed)
        .into_iter()
        .map(|i| sides.test_rows[i])
        .collect();
    let result = artifact
        .preprocessor
        .transform(sides.test_table, &picked)
        .and_then(|x| explain::importance(artifact, &x));
    match result {
        Ok(imp) => {
            let note = (n > k).then(|| {
                format!(
                    "importance: mean |contribution| over a seeded sample of {k} of the {n} \
                     test rows (explaining every row would dominate the run time)"
                )
            });
            (Some(imp), note)
        }
        Err(e) => (None, Some(format!("importance not computed: {e}"))),
    }
}

//! Stage 4b, importance: mean |contribution| per input feature over (a
//! seeded sample of at most `MAX_IMPORTANCE_ROWS`) test rows.
use super::target::Sides;
use crate::artifact::ModelArtifact;
use crate::domain::Importance;
use crate::explain::{self, MAX_IMPORTANCE_ROWS};

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
    let picked: Vec<usize> = explain::sample_rows(n, seed)
        .into_iter()
        .map(|i| sides.test_rows[i])
        .collect();
    let result = artifact
        .preprocessor
        .transform(sides.test_table, &picked)
        .and_then(|x| explain::importance(artifact, &x));
    match result {
        Ok(imp) => {
            let note = (n > MAX_IMPORTANCE_ROWS).then(|| {
                format!(
                    "importance: mean |contribution| over a seeded sample of \
                     {MAX_IMPORTANCE_ROWS} of the {n} test rows (explaining every row \
                     would dominate the run time)"
                )
            });
            (Some(imp), note)
        }
        Err(e) => (None, Some(format!("importance not computed: {e}"))),
    }
}

//! Stage 3, train: preprocessing fitted on the training rows, the model
//! trained and wrapped with its preprocessing into the saved artifact.
use super::run::{timed, Progress, Stage, Timings, TOOL_VERSION};
use super::target::Sides;
use crate::artifact::{ModelArtifact, TrainingInfo, FORMAT, FORMAT_VERSION};
use crate::config::Plan;
use crate::error::GateError;
use crate::features::Preprocessor;

/// Trains the candidate on the training side of `sides`; also returns the
/// fit's notes for the report.
pub fn train(
    plan: &Plan,
    data_sha256: &str,
    sides: &Sides,
    features: &[String],
    timings: &mut Timings,
    progress: Progress,
) -> Result<(ModelArtifact, Vec<String>), GateError> {
    progress.step(&format!(
        "fitting preprocessing on {} training rows, {} features",
        sides.train_rows.len(),
        features.len()
    ));
    let (pre, x_train) = timed(timings, Stage::Preprocess, || {
        let mut pre = Preprocessor::fit(sides.train_table, features, &sides.train_rows)?;
        if plan.model.kind() == crate::model::ModelKind::GradientBoosting {
            pre = pre.keeping_missing();
        }
        if plan.model.kind() != crate::model::ModelKind::LogisticRegression {
            pre = pre.keeping_numbers_raw();
        }
        let x = pre.transform(sides.train_table, &sides.train_rows)?;
        Ok::<_, String>((pre, x))
    })
    .map_err(GateError::Data)?;
    progress.step(&format!(
        "training {} on {} rows x {} inputs",
        plan.model.kind().name(),
        x_train.rows,
        x_train.cols
    ));
    let (model, notes) = timed(timings, Stage::Train, || {
        crate::model::train_noted(
            &plan.model,
            &x_train,
            &sides.y_train,
            plan.data.seed,
            &|done, total| progress.advance(done, total),
        )
    })
    .map_err(|e| GateError::Data(format!("training failed: {e:#}")))?;
    drop(x_train);
    let whole = whole_row(plan, features);
    let (row_hashes, row_duplicate_share) = timed(timings, Stage::RowHashes, || {
        crate::artifact::training_row_hashes(sides.train_table, &sides.train_rows, features, &whole)
    });
    let artifact = ModelArtifact {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        tool_version: TOOL_VERSION.to_string(),
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
        threshold: plan.threshold,
        preprocessor: pre,
        model,
        training: TrainingInfo {
            data_sha256: data_sha256.to_string(),
            config_sha256: plan.config_sha256.clone(),
            seed: plan.data.seed,
            train_rows: sides.train_rows.len() as u64,
            row_hashes,
            row_key: crate::artifact::RowKey::Rounded,
            row_duplicate_share,
        },
    };
    Ok((artifact, notes))
}

/// The columns that make a row "the same row" for the overlap check's
/// chance rate: the features, the target and the protected attributes (ids
/// and other dropped columns left out).
pub fn whole_row(plan: &Plan, features: &[String]) -> Vec<String> {
    let mut whole: Vec<String> = features.to_vec();
    for c in std::iter::once(&plan.data.target).chain(&plan.data.protected) {
        if !whole.contains(c) {
            whole.push(c.clone());
        }
    }
    whole
}

//! After a run is written: log it to MLflow (`[mlflow]`) and post the
//! verdict to a webhook (`[notify]`). A failing service is a warning on
//! stderr and a note in the report; with `[mlflow] required = true` it is
//! an error (exit 2). Neither ever changes the verdict.
use crate::atomic::write_atomic;
use crate::config::Plan;
use crate::domain::{MlflowLink, Report};
use crate::error::GateError;
use crate::integrations::{self, NotifySummary};
use std::path::Path;

/// The artifacts an MLflow run gets, by their path in the run.
/// The artifacts logged to MLflow (those present): an ONNX run's model is
/// `model.onnx` beside the `model.json` that describes it.
const LOGGED: [(&str, &str); 5] = [
    ("report.json", "report.json"),
    ("report.html", "report.html"),
    ("model_card.md", "model_card.md"),
    ("model/model.json", "model.json"),
    ("model/model.onnx", "model.onnx"),
];

/// Logs and notifies for the run written in `out`; rewrites its
/// `report.json` when the report gained an MLflow link or a note.
pub fn after_check(plan: &Plan, out: &Path, report: &mut Report) -> Result<(), GateError> {
    let mut changed = false;
    if let Some(cfg) = &plan.mlflow {
        let json = serde_json::to_value(&*report)
            .map_err(|e| GateError::Run(format!("cannot serialize the report: {e}")))?;
        let files: Vec<(&str, std::path::PathBuf)> = LOGGED
            .iter()
            .map(|(name, file)| (*name, out.join(file)))
            .filter(|(_, p)| p.is_file())
            .collect();
        let refs: Vec<(&str, &Path)> = files.iter().map(|(n, p)| (*n, p.as_path())).collect();
        match integrations::log_check_run(cfg, &json, &refs) {
            Ok(info) => {
                diag!("mlflow: logged run {} ({})", info.run_id, info.url);
                report.lineage.mlflow = Some(MlflowLink {
                    run_id: info.run_id,
                    experiment_id: info.experiment_id,
                    url: info.url,
                });
                changed = true;
            }
            Err(e) if cfg.required => {
                return Err(GateError::Run(format!("mlflow (required = true): {e}")));
            }
            Err(e) => {
                diag!("warning: mlflow: {e} (the verdict stands)");
                report.notes.push(format!("MLflow logging failed: {e}"));
                changed = true;
            }
        }
    }
    if let Some(cfg) = &plan.notify {
        let json = serde_json::to_value(&*report)
            .map_err(|e| GateError::Run(format!("cannot serialize the report: {e}")))?;
        let champion_verdict = champion_verdict(plan);
        match integrations::notify(
            cfg,
            &NotifySummary::from_report(&json),
            champion_verdict.as_deref(),
        ) {
            Ok(true) => diag!("notify: posted the verdict"),
            Ok(false) => {}
            Err(e) => {
                diag!("warning: notify: {e} (the verdict stands)");
                report.notes.push(format!("notification failed: {e}"));
                changed = true;
            }
        }
    }
    if changed {
        let text = crate::report::json::render(report)
            .map_err(|e| GateError::Run(format!("cannot render report.json: {e}")))?;
        write_atomic(&out.join("report.json"), text.as_bytes())
            .map_err(|e| GateError::Run(format!("{e:#}")))?;
    }
    Ok(())
}

/// The verdict the registry recorded for its champion, if any.
fn champion_verdict(plan: &Plan) -> Option<String> {
    let index = crate::registry::read_index(&plan.registry).ok()?;
    let c = index.champion?;
    index
        .versions
        .into_iter()
        .find(|e| e.version == c)
        .map(|e| e.verdict)
}

/// `promote`: registers the promoted run's MLflow run as a model version
/// with alias `champion`, when `[mlflow] registered_model` is set.
pub fn after_promote(plan: &Plan, report: &Report) -> Result<(), GateError> {
    let Some(cfg) = plan
        .mlflow
        .as_ref()
        .filter(|c| c.registered_model.is_some())
    else {
        return Ok(());
    };
    let Some(link) = &report.lineage.mlflow else {
        diag!("warning: mlflow: the run was not logged to MLflow; nothing to register");
        return Ok(());
    };
    match integrations::register_champion(cfg, &link.run_id, "model") {
        Ok(version) => {
            diag!("mlflow: registered version {version} with alias champion");
            Ok(())
        }
        Err(e) if cfg.required => Err(GateError::Run(format!("mlflow (required = true): {e}"))),
        Err(e) => {
            diag!("warning: mlflow: {e} (the promotion stands)");
            Ok(())
        }
    }
}

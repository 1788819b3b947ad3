//! A saved model of any kind, loaded back as a [`Scorer`]: a model trained
//! here (`model.json` holds it) or an ONNX model (`model.json` describes
//! `model.onnx` beside it, with its sha256).
use crate::artifact::ModelArtifact;
use crate::model::onnx::{scorer::OnnxScorer, OnnxOptions};
use crate::model::scorer::Scorer;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const ONNX_FORMAT: &str = "release-gate-onnx";
pub const ONNX_FILE: &str = "model.onnx";

/// `model.json` of an ONNX run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnnxArtifact {
    pub format: String,
    pub format_version: u32,
    /// The model file beside this one.
    pub file: String,
    pub sha256: String,
    pub inputs: Vec<String>,
    pub output: Option<String>,
    pub positive_index: Option<usize>,
    pub threshold: f64,
    pub target: String,
    pub positive: String,
}

impl OnnxArtifact {
    /// The model file beside `model.json` in `dir`, if its sha256 is the
    /// one `model.json` records.
    fn verified_file(&self, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
        let path = dir.join(&self.file);
        let bytes = std::fs::read(&path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
        let sha = crate::config::sha256_hex(&bytes);
        if sha != self.sha256 {
            anyhow::bail!(
                "{}: sha256 {} is not the {} its model.json records: the file was replaced",
                path.display(),
                crate::domain::num::short_sha(&sha),
                crate::domain::num::short_sha(&self.sha256)
            );
        }
        Ok(path)
    }

    pub fn scorer(&self, dir: &Path) -> anyhow::Result<OnnxScorer> {
        let path = self.verified_file(dir)?;
        let opts = OnnxOptions {
            output: self.output.clone(),
            positive: vec![self.positive.clone()],
            positive_index: self.positive_index,
            batch_rows: 4096,
        };
        OnnxScorer::load(
            &path,
            &opts,
            self.inputs.clone(),
            self.threshold,
            &self.target,
            &self.positive,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// `model.json` at `json_path` as an ONNX artifact, `None` for a model
/// trained here.
fn onnx_artifact(json_path: &Path) -> anyhow::Result<Option<OnnxArtifact>> {
    let text = std::fs::read_to_string(json_path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read model: {e}", json_path.display()))?;
    let format = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(str::to_string));
    if format.as_deref() != Some(ONNX_FORMAT) {
        return Ok(None);
    }
    let a: OnnxArtifact = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a release-gate ONNX model: {e}",
            json_path.display()
        )
    })?;
    Ok(Some(a))
}

/// Checks every file `model.json` names beside it (an ONNX run's
/// `model.onnx`) against the sha256 it records, without loading a runtime.
pub fn verify_companions(json_path: &Path) -> anyhow::Result<()> {
    if let Some(a) = onnx_artifact(json_path)? {
        a.verified_file(json_path.parent().unwrap_or(Path::new(".")))?;
    }
    Ok(())
}

/// Loads the model saved as `json_path` (and any file beside it).
pub fn load_scorer(json_path: &Path) -> anyhow::Result<Box<dyn Scorer>> {
    if let Some(a) = onnx_artifact(json_path)? {
        let dir = json_path.parent().unwrap_or(Path::new("."));
        return Ok(Box::new(a.scorer(dir)?));
    }
    Ok(Box::new(ModelArtifact::load(json_path)?))
}

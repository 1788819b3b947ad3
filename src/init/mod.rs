//! `release-gate init`: writes a starter `gates.toml` (guessing the target,
//! its positive value, protected and id columns from `--data` when given) and
//! `.github/workflows/release-gate.yml` (PR check, promote on GO from main,
//! nightly retrain). Never overwrites: an existing file is kept (and named),
//! the missing one is still written; with both present it is an error.
pub mod guess;
pub mod starter;

use crate::error::GateError;
use guess::Guess;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

/// The example workflow, as written (the action reference substituted).
pub const WORKFLOW: &str = include_str!("release-gate.yml");
/// The action the workflow uses, unless `--action` names another.
pub const DEFAULT_ACTION: &str = "release-gate/release-gate@v1";
pub const CONFIG_FILE: &str = "gates.toml";
pub const WORKFLOW_FILE: &str = ".github/workflows/release-gate.yml";

/// What `init` wrote, kept and guessed.
pub struct Written {
    pub files: Vec<PathBuf>,
    /// Files that already existed and were left as they were.
    pub kept: Vec<PathBuf>,
    pub guess: Option<Guess>,
}

/// Writes the starter files into `dir`.
pub fn init(dir: &Path, data: Option<&Path>, action: &str) -> Result<Written, GateError> {
    let targets = [dir.join(CONFIG_FILE), dir.join(WORKFLOW_FILE)];
    if targets.iter().all(|p| p.exists()) {
        return Err(GateError::Config(format!(
            "{} and {} already exist; init never overwrites a file (move them away or pass --dir)",
            targets[0].display(),
            targets[1].display()
        )));
    }
    // The data only feeds gates.toml: a kept gates.toml needs none of it.
    let data = data.filter(|_| !targets[0].exists());
    let (guess, data_path) = match data {
        Some(path) => {
            let loaded = crate::data::parts::load(path)?;
            let g = guess::guess(&loaded.table).ok_or_else(|| {
                GateError::Data(format!("{}: no columns to guess from", path.display()))
            })?;
            (Some(g), Some(relative_to(path, dir)?))
        }
        None => (None, None),
    };
    let config = starter::gates_toml(&starter::Inputs {
        data_path: data_path.as_deref(),
        guess: guess.as_ref(),
    });
    let workflow = WORKFLOW.replace(DEFAULT_ACTION, action);
    let (mut files, mut kept) = (Vec::new(), Vec::new());
    for (path, text) in targets.iter().zip([config, workflow]) {
        if path.exists() {
            kept.push(path.clone());
        } else {
            write_new(path, &text)?;
            files.push(path.clone());
        }
    }
    Ok(Written { files, kept, guess })
}

/// Writes `path` atomically, failing if it appeared meanwhile.
fn write_new(path: &Path, text: &str) -> Result<(), GateError> {
    let fail = |e: std::io::Error| GateError::Run(format!("{}: cannot write: {e}", path.display()));
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = crate::atomic::shared_builder(".release-gate-", false)
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.persist_noclobber(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// `file` as a `/`-separated path relative to directory `base` (as
/// `data.path` is read: relative to the config's directory).
fn relative_to(file: &Path, base: &Path) -> Result<String, GateError> {
    let abs = |p: &Path| {
        std::path::absolute(p).map_err(|e| GateError::Data(format!("{}: {e}", p.display())))
    };
    let file = normalize(&abs(file)?);
    let base = normalize(&abs(base)?);
    let common = file
        .iter()
        .zip(base.iter())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return Ok(file.iter().collect::<PathBuf>().display().to_string());
    }
    let ups = std::iter::repeat_n("..".to_string(), base.len() - common);
    let rest = file[common..].iter().cloned();
    Ok(ups.chain(rest).collect::<Vec<_>>().join("/"))
}

/// Path components with `.` dropped and `..` applied lexically.
fn normalize(p: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_walk_up_and_down() {
        let r = |f: &str, b: &str| relative_to(Path::new(f), Path::new(b)).unwrap();
        assert_eq!(r("/a/b/data.csv", "/a/b"), "data.csv");
        assert_eq!(r("/a/data/x.csv", "/a/b/c"), "../../data/x.csv");
        assert_eq!(r("/a/./b/../d.csv", "/a"), "d.csv");
    }

    #[test]
    fn the_workflow_uses_the_default_action() {
        assert!(WORKFLOW.contains(DEFAULT_ACTION));
        assert!(WORKFLOW.contains("release-gate promote --run"));
        assert!(WORKFLOW.contains("schedule:"));
    }
}

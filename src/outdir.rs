//! The out dir is never a place where inputs get overwritten: `check` and
//! `validate` refuse, before any work, an out dir that would replace one of
//! their inputs or that holds files release-gate did not write; and a run's
//! artifacts appear together or not at all (written into a staging
//! directory, then swapped into place).
use crate::config::Plan;
use crate::error::GateError;
use crate::gates::GateSpec;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Every file name a run writes into its out dir.
pub const ARTIFACTS: [&str; 9] = [
    "model.onnx",
    "report.json",
    "report.md",
    "report.html",
    "model_card.md",
    "predictions.csv",
    "predictions.parquet",
    "model.json",
    "gates.toml",
];

/// The files a run reads.
fn inputs(plan: &Plan) -> Vec<PathBuf> {
    let mut v = vec![plan.config_path.clone(), plan.data.path.clone()];
    v.extend(plan.data.test_path.clone());
    v.extend(plan.card_template.clone());
    for g in &plan.gates {
        if let GateSpec::Drift(d) = &g.spec {
            v.extend(d.reference.clone());
        }
    }
    v
}

/// The input directory of `plan` (part-file data) that `registry` lies in,
/// if any: promotions would write into the data.
pub fn registry_in_input_dir(registry: &Path, plan: &Plan) -> Option<PathBuf> {
    input_dirs(plan).into_iter().find(|d| within(registry, d))
}

/// Whether `registry` is the run directory `run` or inside it: a promotion
/// would write the registry into the run it promotes (and a later `check`
/// into that out dir would replace it).
pub fn registry_in_run_dir(registry: &Path, run: &Path) -> bool {
    within(registry, run)
}

/// The registry `path` is inside, if any: the nearest directory at or
/// above it (resolved) holding a `registry.json` beside a `versions/`.
pub fn enclosing_registry(path: &Path) -> Option<PathBuf> {
    let resolved = PathBuf::from(crate::registry::identity(path));
    resolved
        .ancestors()
        .find(|d| {
            d.join(crate::registry::INDEX).is_file() && d.join(crate::registry::VERSIONS).is_dir()
        })
        .map(Path::to_path_buf)
}

/// The inputs that are directories (part-file data): nothing is written
/// inside them.
fn input_dirs(plan: &Plan) -> Vec<PathBuf> {
    inputs(plan).into_iter().filter(|p| p.is_dir()).collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// `path` is `dir` or inside it (both resolved as far as they exist).
fn within(path: &Path, dir: &Path) -> bool {
    let resolve = |p: &Path| std::path::PathBuf::from(crate::registry::identity(p));
    resolve(path).starts_with(resolve(dir))
}

/// Refuses a `--junit` file that is an input, a run artifact, or inside the
/// registry: it would be overwritten.
pub fn guard_file(path: &Path, out: &Path, plan: &Plan) -> Result<(), GateError> {
    let refuse = |why: String| {
        Err(GateError::Config(format!(
            "--junit {}: {why}; choose another file (nothing was written)",
            path.display()
        )))
    };
    if path.is_dir() {
        return refuse("is a directory; give a file path".into());
    }
    if let Some(input) = inputs(plan).into_iter().find(|i| same_file(i, path)) {
        return refuse(format!("is the input {}", input.display()));
    }
    if let Some(dir) = input_dirs(plan).into_iter().find(|d| within(path, d)) {
        return refuse(format!("is inside the input directory {}", dir.display()));
    }
    if let Some(registry) = enclosing_registry(path) {
        return refuse(format!("is inside the registry {}", registry.display()));
    }
    // Replace only a previous JUnit report, never an unrelated file.
    if let Ok(text) = std::fs::read(path) {
        let head = String::from_utf8_lossy(&text[..text.len().min(512)]).to_string();
        if !text.is_empty() && !head.contains("<testsuites name=\"release-gate\"") {
            return refuse("exists and is not a JUnit report release-gate wrote".into());
        }
    }
    if within(path, &plan.registry) {
        return refuse(format!(
            "is inside the registry {}",
            plan.registry.display()
        ));
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if ARTIFACTS.contains(&name) && (parent == out || same_file(parent, out)) {
        return refuse(format!("would replace the run's own {name}"));
    }
    Ok(())
}

/// The header every `predict` output starts with.
pub const PREDICT_HEADER: &str = "row,score,y_pred";

/// What `predict` reads: the rows, the model's directory, the registry and
/// the config it took the registry from.
pub struct PredictInputs<'a> {
    pub data: &'a Path,
    pub model_dir: &'a Path,
    pub registry: &'a Path,
    pub config: Option<&'a Path>,
}

/// Refuses a `predict --out` file that would replace something `predict`
/// did not write: an input, anything in the model's run directory or the
/// registry, or an existing file that is not a previous predictions CSV.
pub fn guard_predictions(out: &Path, inputs: &PredictInputs) -> Result<(), GateError> {
    let refuse = |why: String| {
        Err(GateError::Config(format!(
            "--out {}: {why}; choose another file (nothing was written)",
            out.display()
        )))
    };
    if out.is_dir() {
        return refuse("is a directory; give a file path".into());
    }
    if same_file(out, inputs.data) || within(out, inputs.data) {
        return refuse(format!("is the input data {}", inputs.data.display()));
    }
    if let Some(config) = inputs.config.filter(|c| same_file(out, c)) {
        return refuse(format!("is the config {}", config.display()));
    }
    if within(out, inputs.model_dir) {
        return refuse(format!(
            "is inside the model's directory {}",
            inputs.model_dir.display()
        ));
    }
    if within(out, inputs.registry) {
        return refuse(format!(
            "is inside the registry {}",
            inputs.registry.display()
        ));
    }
    if let Some(registry) = enclosing_registry(out) {
        return refuse(format!("is inside the registry {}", registry.display()));
    }
    if let Ok(file) = std::fs::File::open(out) {
        let mut first = String::new();
        let read = std::io::BufRead::read_line(&mut std::io::BufReader::new(file), &mut first);
        let empty = matches!(read, Ok(0));
        if !empty && !first.starts_with(PREDICT_HEADER) {
            return refuse(
                "exists and is not a previous `predict` output (its first line is not \
                 `row,score,y_pred...`)"
                    .into(),
            );
        }
    }
    Ok(())
}

/// `dir/report.json` was written by release-gate: JSON with its
/// `tool_version`, `verdict` and `lineage` keys.
fn ours(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("report.json")) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| {
        ["tool_version", "verdict", "lineage"]
            .iter()
            .all(|k| v.get(k).is_some())
    })
}

/// Refuses an out dir that would overwrite an input, that is a file, that
/// lies inside the registry, or that holds anything but a previous run's
/// artifacts.
pub fn guard(out: &Path, plan: &Plan) -> Result<(), GateError> {
    let refuse = |why: String| {
        Err(GateError::Config(format!(
            "--out {}: {why}; choose another out dir (nothing was written)",
            out.display()
        )))
    };
    if out.exists() && !out.is_dir() {
        return refuse("is a file, not a directory".into());
    }
    // A stored version is a run dir too: never write over one, in the
    // config's registry or in any other (a directory holding an index).
    if within(out, &plan.registry) {
        return refuse(format!(
            "is inside the registry {}",
            plan.registry.display()
        ));
    }
    if let Some(registry) = enclosing_registry(out) {
        return refuse(format!("is inside the registry {}", registry.display()));
    }
    if let Some(dir) = input_dirs(plan).into_iter().find(|d| within(out, d)) {
        return refuse(format!("is inside the input directory {}", dir.display()));
    }
    if let Some(dir) = input_dirs(plan)
        .into_iter()
        .find(|d| within(&plan.registry, d))
    {
        return Err(GateError::Config(format!(
            "[registry] path {} is inside the input directory {}: promotions would write into \
             the data; choose another registry path (nothing was written)",
            plan.registry.display(),
            dir.display()
        )));
    }
    for input in inputs(plan) {
        // An input inside the out dir would be replaced by the swap.
        if let (Ok(i), Ok(o)) = (input.canonicalize(), out.canonicalize()) {
            if i.starts_with(&o) {
                return refuse(format!(
                    "holds the input {} (the run would replace it)",
                    input.display()
                ));
            }
        }
        if let Some(name) = ARTIFACTS.iter().find(|a| same_file(&out.join(a), &input)) {
            return refuse(format!(
                "writing {name} there would overwrite the input {}",
                input.display()
            ));
        }
    }
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    let names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    // A previous run's out dir (marked by its report.json) may also hold
    // files others put there (a JUnit file, a screenshot): they are kept.
    // ... a report.json of release-gate's own (another tool's report.json
    // does not make the directory ours).
    if names.is_empty() || (names.iter().any(|n| n == "report.json") && ours(out)) {
        return Ok(());
    }
    let mut shown = names;
    shown.sort();
    shown.truncate(5);
    refuse(format!(
        "is not empty and not a release-gate out dir (it holds {}, and no report.json)",
        shown.join(", ")
    ))
}

/// An exclusive lock on the directory `dir` (held until dropped), where
/// the platform can open a directory as a file; elsewhere none.
/// A run's artifacts, complete, in a staging directory beside the out dir.
pub struct Staged {
    dir: Option<tempfile::TempDir>,
    out: PathBuf,
    /// The staging directory's own lock, held while this run uses it: a
    /// later run removes only staging directories nobody holds.
    _lock: Option<std::fs::File>,
}

/// The name prefix of a run's staging directory, beside its out dir.
pub const STAGING_PREFIX: &str = ".release-gate-staging-";
/// The file a run writes into its staging directory: what a later run's
/// sweep looks for before removing one.
pub const STAGING_MARK: &str = ".release-gate-stage";

impl Staged {
    /// A fresh staging directory beside `out` (same file system, so each
    /// artifact moves by a rename).
    pub fn new(out: &Path) -> anyhow::Result<Staged> {
        // An out dir that is a symlink stages beside its target, which may
        // be on another file system than the link (round 14, F10).
        let resolved = std::fs::canonicalize(out).ok().filter(|p| p.is_dir());
        let out = resolved.as_deref().unwrap_or(out);
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
        // A run killed before its commit (out of memory in a template)
        // leaves its staging directory behind; the next run clears it.
        crate::atomic::sweep_stale(
            &parent,
            STAGING_PREFIX,
            crate::atomic::STALE_STAGING_AGE,
            Some(STAGING_MARK),
        );
        let dir = crate::atomic::shared_builder(STAGING_PREFIX, true)
            .tempdir_in(&parent)
            .with_context(|| format!("{}: cannot create a staging directory", parent.display()))?;
        let lock = crate::atomic::lock_dir(dir.path())?;
        std::fs::write(dir.path().join(STAGING_MARK), b"")
            .with_context(|| format!("{}: cannot write", dir.path().display()))?;
        Ok(Staged {
            dir: Some(dir),
            out: out.to_path_buf(),
            _lock: lock,
        })
    }

    /// Where to write a file meant for `path`: staged with the artifacts
    /// when it belongs in the out dir, else `path` itself.
    pub fn place(&self, path: &Path) -> PathBuf {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let inside = parent == self.out || same_file(parent, &self.out);
        match (inside, path.file_name()) {
            (true, Some(name)) => self.path().join(name),
            _ => path.to_path_buf(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.as_ref().map_or(self.out.as_path(), |d| d.path())
    }

    /// Moves the staged artifacts into the out dir, one rename each, and
    /// removes the artifacts of an earlier run that this run did not write
    /// (so no file of another run is left beside this run's report). Other
    /// files in the out dir are left alone.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let Some(dir) = self.dir.take() else {
            return Ok(());
        };
        let out = &self.out;
        std::fs::create_dir_all(out)
            .with_context(|| format!("{}: cannot create out dir", out.display()))?;
        // Two runs into one out dir move their artifacts one at a time:
        // without a lock their files interleave (round 14, F2). The lock
        // is on the directory itself, so no lock file is left in it.
        let _lock = crate::atomic::lock_dir(out)?;
        // report.json last: its presence marks a complete run directory.
        let mut order: Vec<&str> = ARTIFACTS
            .iter()
            .copied()
            .filter(|a| *a != "report.json")
            .collect();
        order.push("report.json");
        for name in order {
            let from = dir.path().join(name);
            let to = out.join(name);
            if from.is_file() {
                std::fs::rename(&from, &to)
                    .with_context(|| format!("{}: cannot move into place", to.display()))?;
            } else if to.is_file() {
                std::fs::remove_file(&to)
                    .with_context(|| format!("{}: cannot remove a stale artifact", to.display()))?;
            }
        }
        // Anything else staged (a JUnit file inside the out dir).
        for e in std::fs::read_dir(dir.path())?.flatten() {
            let to = out.join(e.file_name());
            std::fs::rename(e.path(), &to)
                .with_context(|| format!("{}: cannot move into place", to.display()))?;
        }
        Ok(())
    }
}

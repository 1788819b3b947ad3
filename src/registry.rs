//! The model registry: immutable versions, one index that names the champion
//! and keeps the promotion history.
//!
//! Layout (a directory; commit it to git or sync it to object storage):
//! ```text
//! registry/
//!   registry.json        # {"champion": "v0002", "versions": [ {version, promoted_at, ...}, ... ]}
//!   versions/v0001/      # model.json, report.json, model_card.md, predictions.csv, gates.toml
//!   versions/v0002/
//!   .lock                # advisory lock held while promoting
//! ```
//! `registry.json` is the single commit point: a version directory is written
//! under a temporary name and renamed into place, then the index is replaced
//! by rename. Before the directory appears, the index names it as
//! `pending`; the next promotion records a killed one's directory as
//! `abandoned`. A promotion killed at any instant thus leaves the history
//! as before or fully after, and every directory under `versions/` is named
//! by the index: one it does not name means a stale index (an old copy or
//! a hand reset), which is refused rather than read as "fewer versions".
//! Numbers are never reused. Promotions serialize on an OS file lock,
//! which the OS releases if the process dies.
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub const INDEX: &str = "registry.json";
pub const VERSIONS: &str = "versions";
pub const MODEL_FILE: &str = "model.json";
const LOCK: &str = ".lock";
/// Files copied from a run directory into a version.
pub const RUN_FILES: [&str; 7] = [
    "model.json",
    "model.onnx",
    "report.json",
    "model_card.md",
    "predictions.csv",
    "predictions.parquet",
    "gates.toml",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub champion: Option<String>,
    pub versions: Vec<Entry>,
    /// The version a promotion is moving into place: written before its
    /// directory appears, cleared when its entry is recorded. Set only
    /// while a promotion runs, or after one was killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// Directories of promotions killed before their entry was recorded:
    /// on disk but never part of the history (their numbers stay unused).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abandoned: Vec<String>,
}

impl Index {
    /// The champion's entry in the history.
    pub fn champion_entry(&self) -> Option<&Entry> {
        let champion = self.champion.as_ref()?;
        self.versions.iter().find(|e| &e.version == champion)
    }
}

/// One promotion, as recorded in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub version: String,
    pub promoted_at: String,
    pub promoted_by: String,
    pub verdict: String,
    pub git_commit: Option<String>,
    pub data_sha256: String,
    pub model_sha256: String,
    /// The champion gate's metric (or roc_auc) and the candidate's value.
    pub metric: Option<String>,
    pub value: Option<f64>,
    pub forced: bool,
    pub reason: Option<String>,
    /// The sha256 of the version's `report.json` (promotions since round
    /// 22): `compare` reads its metrics, which must be the promoted ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_sha256: Option<String>,
}

/// The `vNNNN` directories under `versions/` (none when it is absent).
fn stored_versions(registry: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(registry.join(VERSIONS))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| is_version_name(n))
        .collect();
    v.sort();
    v
}

/// Reads the index; a missing registry is an empty one. Every version
/// directory on disk must be accounted for by the index: a stale or
/// hand-reset index would otherwise drop the champion and the history.
pub fn read_index(registry: &Path) -> anyhow::Result<Index> {
    not_the_index(registry)?;
    // The directories are listed before the index is read: a promotion
    // records its version as pending before the directory appears, so a
    // directory seen here is named by any index read after. A promotion
    // that records a killed one's directory as abandoned meanwhile can
    // still race once; a second look settles it.
    read_index_once(registry, &stored_versions(registry))
        .or_else(|_| read_index_once(registry, &stored_versions(registry)))
}

fn read_index_once(registry: &Path, stored: &[String]) -> anyhow::Result<Index> {
    let path = registry.join(INDEX);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let index: Index = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a registry index", path.display()))?;
            // Version names become directory names: only `vNNNN`.
            let names = index
                .versions
                .iter()
                .map(|e| &e.version)
                .chain(&index.pending)
                .chain(&index.abandoned);
            if let Some(bad) = names.clone().find(|v| !is_version_name(v)) {
                bail!(
                    "{}: {bad:?} is not a version name (vNNNN); restore registry.json from git",
                    path.display(),
                );
            }
            if let Some(lost) = stored.iter().find(|d| !names.clone().any(|v| v == *d)) {
                bail!(
                    "{}: {} holds {lost}, which the index does not list: the index is \
                     stale (an old copy, a bad merge or a hand reset) and would drop that \
                     version from the champion and the history; restore registry.json from git",
                    path.display(),
                    registry.join(VERSIONS).display(),
                );
            }
            // The converse: a recorded version whose directory is gone (not
            // restored with the index, or an index symlinked from another
            // registry). Promoting past it would bury the loss.
            if let Some(gone) = index.versions.iter().find(|e| !stored.contains(&e.version)) {
                bail!(
                    "{}: version {} is recorded but {} is missing (lost, or never restored \
                     with the index); restore it from git",
                    path.display(),
                    gone.version,
                    version_dir(registry, &gone.version).display(),
                );
            }
            // `v1` and `v0001` are one version number spelled twice (a hand
            // edit): the next promotion's number would be ambiguous.
            let mut numbers = std::collections::HashMap::new();
            for v in names.clone() {
                // A number past u64 (a hand edit) would be skipped when
                // the next version is counted, and the next promotion
                // numbered below it (round 20, F5).
                let digits = v.get(1..).unwrap_or_default();
                if !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && digits.parse::<u64>().is_err()
                {
                    bail!(
                        "{}: version {v} has a number too large to count past; restore \
                         registry.json from git",
                        path.display(),
                    );
                }
                if let Ok(n) = v[1..].parse::<u64>() {
                    if let Some(other) = numbers.insert(n, v) {
                        if other != v {
                            bail!(
                                "{}: {other} and {v} are one version number spelled twice; \
                                 restore registry.json from git",
                                path.display(),
                            );
                        }
                    }
                }
            }
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = names.clone().find(|v| !seen.insert(v.as_str())) {
                bail!(
                    "{}: version {dup} is recorded twice; restore registry.json from git",
                    path.display(),
                );
            }
            // Every promotion makes its version the champion, so recorded
            // versions without one is a damaged index, not "no champion"
            // (a champion gate with on_missing = "pass" would pass).
            if index.champion.is_none() && !index.versions.is_empty() {
                bail!(
                    "{}: records {} version(s) but no champion, which no promotion leaves; \
                     restore registry.json from git",
                    path.display(),
                    index.versions.len()
                );
            }
            // A champion that names no recorded version is a broken index,
            // wherever it is read (list, check, compare, promote).
            if let Some(c) = &index.champion {
                if !index.versions.iter().any(|e| &e.version == c) {
                    bail!(
                        "{}: the champion {c} is not among the recorded versions \
                         (a dangling champion); restore registry.json from git",
                        path.display()
                    );
                }
            }
            Ok(index)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // No index but stored versions: the index was lost, not never
            // written. Reading it as empty would drop the champion (a gate
            // with on_missing = "pass" would pass) and the history.
            if let Some(first) = stored.first() {
                bail!(
                    "{}: missing, but {} holds {} stored version(s) ({first}, ...): the index \
                     was lost; restore registry.json from git",
                    path.display(),
                    registry.join(VERSIONS).display(),
                    stored.len()
                );
            }
            Ok(Index::default())
        }
        Err(e) => Err(e).with_context(|| format!("{}: cannot read registry index", path.display())),
    }
}

/// A registry's identity: its absolute path with symlinks resolved as far
/// as it exists (it may not exist before the first promotion).
pub fn identity(registry: &Path) -> String {
    let abs = std::path::absolute(registry).unwrap_or_else(|_| registry.to_path_buf());
    let mut head = abs.clone();
    let mut tail = Vec::new();
    loop {
        if let Ok(c) = head.canonicalize() {
            let mut out = c;
            out.extend(tail.iter().rev());
            return out.display().to_string();
        }
        match (head.file_name().map(|n| n.to_os_string()), head.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                head = parent.to_path_buf();
            }
            _ => return abs.display().to_string(),
        }
    }
}

/// `v` and at least one digit, nothing else.
pub fn is_version_name(v: &str) -> bool {
    v.strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Directory of `version` in the registry.
pub fn version_dir(registry: &Path, version: &str) -> PathBuf {
    registry.join(VERSIONS).join(version)
}

/// What `champion` or `vNNNN` names in the registry: the version and its
/// directory. Only a version the index records counts (a killed
/// promotion's directory does not). `None`: `op` is neither form.
pub fn named_version(op: &str, registry: &Path) -> anyhow::Result<Option<(String, PathBuf)>> {
    if op != "champion" && !is_version_name(op) {
        return Ok(None);
    }
    let index = read_index(registry)?;
    let version = if op == "champion" {
        index.champion.ok_or_else(|| {
            anyhow::anyhow!("{}: the registry has no champion", registry.display())
        })?
    } else if index.versions.iter().any(|e| e.version == op) {
        op.to_string()
    } else if !registry.join(INDEX).is_file() {
        bail!(
            "{op}: no registry at {} (pass --registry DIR, or --config naming it)",
            registry.display()
        );
    } else {
        let unfinished = if version_dir(registry, op).exists() {
            " (its directory is a promotion that did not complete)"
        } else {
            ""
        };
        bail!(
            "the registry {} has no version {op}{unfinished}",
            registry.display()
        );
    };
    let dir = version_dir(registry, &version);
    if !dir.is_dir() {
        bail!(
            "{}: version {version} is recorded but {} is missing; restore it from git",
            registry.display(),
            dir.display()
        );
    }
    // Its report, as `compare` shows it, must be the one promoted: a
    // hand-edited champion AUC misleads a reviewer (round 22, F10).
    if let Some(entry) = index.versions.iter().find(|e| e.version == version) {
        verify_report(entry, &dir)?;
    }
    Ok(Some((version, dir)))
}

/// The champion's version name and directory, if the registry has one.
pub fn champion_dir(registry: &Path) -> anyhow::Result<Option<(String, PathBuf)>> {
    let index = read_index(registry)?;
    let Some(version) = index.champion else {
        return Ok(None);
    };
    let dir = version_dir(registry, &version);
    if !dir.join(MODEL_FILE).is_file() {
        bail!(
            "{}: champion {version} has no {MODEL_FILE} in {}",
            registry.display(),
            dir.display()
        );
    }
    Ok(Some((version, dir)))
}

/// Loads the champion's model and the sha256 of its file, if any.
pub type Champion = (String, Box<dyn crate::model::scorer::Scorer>, String);

/// Loads the champion (a model trained here or an ONNX model) and the
/// sha256 of its `model.json`, verified against the index.
pub fn load_champion(registry: &Path) -> anyhow::Result<Option<Champion>> {
    let Some((version, dir)) = champion_dir(registry)? else {
        return Ok(None);
    };
    let path = dir.join(MODEL_FILE);
    let sha = verified_sha(registry, &version, &path)?;
    Ok(Some((version, crate::saved::load_scorer(&path)?, sha)))
}

/// Whether a version's `report.json` is the one promoted: its sha256 when
/// the index records one, else (versions promoted before that) its verdict
/// and the recorded metric's value.
fn verify_report(entry: &Entry, dir: &Path) -> anyhow::Result<()> {
    let path = dir.join("report.json");
    let bytes = std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
    let edited = |why: String| {
        anyhow::anyhow!(
            "{}: version {}'s report.json {why} (edited after promotion?); restore it from git",
            path.display(),
            entry.version
        )
    };
    if let Some(recorded) = &entry.report_sha256 {
        let sha = crate::config::sha256_hex(&bytes);
        if &sha != recorded {
            return Err(edited(format!(
                "does not match the sha256 recorded in {INDEX} ({} against {})",
                crate::domain::num::short_sha(&sha),
                crate::domain::num::short_sha(recorded)
            )));
        }
        return Ok(());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| edited(format!("is not JSON ({e})")))?;
    if report["verdict"].as_str() != Some(entry.verdict.as_str()) {
        return Err(edited(format!(
            "says verdict {} where {INDEX} records {}",
            report["verdict"], entry.verdict
        )));
    }
    if let (Some(metric), Some(value)) = (&entry.metric, entry.value) {
        let shown = report["metrics"][metric].as_f64();
        if shown != Some(value) {
            return Err(edited(format!(
                "says {metric} {} where {INDEX} records {value}",
                report["metrics"][metric]
            )));
        }
    }
    Ok(())
}

/// The sha256 of a version's model file, checked against the digest the
/// index recorded when it was promoted: an edited champion is never used.
pub fn verified_sha(registry: &Path, version: &str, path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let sha = crate::config::sha256_hex(&bytes);
    let index = read_index(registry)?;
    let recorded = index.versions.iter().find(|e| e.version == version);
    match recorded {
        Some(e) if e.model_sha256 == sha => Ok(sha),
        Some(e) => bail!(
            "{}: version {version}'s {MODEL_FILE} does not match the sha256 recorded in {INDEX} \
             ({} recorded, {} on disk): it was edited or corrupted; restore it from git",
            registry.display(),
            crate::domain::num::short_sha(&e.model_sha256),
            crate::domain::num::short_sha(&sha)
        ),
        None => bail!(
            "{}: version {version} is not recorded in {INDEX}",
            registry.display()
        ),
    }
}

/// A registry is a directory: given as its `registry.json`, a promotion
/// would make a directory of that name (round 17, C2).
fn not_the_index(registry: &Path) -> anyhow::Result<()> {
    if registry.file_name().is_some_and(|n| n == INDEX) {
        bail!(
            "{}: a registry is the directory holding {INDEX}; give {} instead",
            registry.display(),
            registry
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| ".".to_string(), |p| p.display().to_string())
        );
    }
    Ok(())
}

/// Holds the registry's advisory lock until dropped.
pub struct Lock {
    _file: std::fs::File,
}

/// Takes the registry lock, waiting for a concurrent promotion to finish.
pub fn lock(registry: &Path) -> anyhow::Result<Lock> {
    not_the_index(registry)?;
    std::fs::create_dir_all(registry)
        .with_context(|| format!("{}: cannot create registry", registry.display()))?;
    let path = registry.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("{}: cannot open lock file", path.display()))?;
    file.lock()
        .with_context(|| format!("{}: cannot take the registry lock", path.display()))?;
    Ok(Lock { _file: file })
}

/// `v0001`, `v0002`, ...: one past every version named in the index or on disk.
fn next_version(registry: &Path, index: &Index) -> anyhow::Result<String> {
    let parse = |s: &str| s.strip_prefix('v').and_then(|n| n.parse::<u64>().ok());
    let mut max = index
        .versions
        .iter()
        .filter_map(|e| parse(&e.version))
        .max()
        .unwrap_or(0);
    if let Ok(rd) = std::fs::read_dir(registry.join(VERSIONS)) {
        for e in rd.flatten() {
            if let Some(n) = e.file_name().to_str().and_then(parse) {
                max = max.max(n);
            }
        }
    }
    match max.checked_add(1).filter(|&n| n <= u64::from(u32::MAX)) {
        Some(next) => Ok(format!("v{next:04}")),
        None => anyhow::bail!(
            "{}: the highest version number v{max} leaves no next one; the index or \
             versions/ was edited by hand",
            registry.display()
        ),
    }
}

/// What a promotion did.
#[derive(Debug, Clone, PartialEq)]
pub enum Promotion {
    /// Registered as this new version, now the champion; `over_stale`: forced
    /// past a champion gate that compared with another champion.
    Promoted { version: String, over_stale: bool },
    /// The current champion already is this model (same model and data
    /// digests): nothing written, so re-running a CI job is harmless.
    AlreadyChampion(String),
    /// The run was gated against another champion than the registry's
    /// current one (`None`: no champion), so its champion gate says nothing
    /// about the model it would replace.
    Stale {
        gated_against: Option<String>,
        current: Option<String>,
    },
}

/// The champion a run's champion gate compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct GatedAgainst {
    /// `None`: there was no champion.
    pub version: Option<String>,
    /// The champion model's sha256, when the run recorded it.
    pub sha256: Option<String>,
}

/// Adds the run in `run_dir` as a new version and makes it the champion.
/// The caller has checked the verdict; `entry.version` is filled in here.
/// `gated_against`, when given, is the champion the run's champion gate
/// compared with: under the registry lock, a different current champion
/// refuses the promotion, so two runs gated against the same champion
/// cannot both replace it.
pub fn promote(
    registry: &Path,
    run_dir: &Path,
    mut entry: Entry,
    gated_against: Option<GatedAgainst>,
    force: bool,
    before_commit: impl FnOnce(&str) -> anyhow::Result<()>,
) -> anyhow::Result<Promotion> {
    let _lock = lock(registry)?;
    let mut index = read_index(registry)?;
    // `versions/` linked elsewhere (another registry's) would put this
    // registry's version in it, and leave that one's index stale (round
    // 15, F1): versions live in the registry's own directory.
    let versions = registry.join(VERSIONS);
    if std::fs::symlink_metadata(&versions).is_ok_and(|m| !m.is_dir()) {
        anyhow::bail!(
            "{}: is not a directory of this registry (a symlink or a file); versions are \
             stored only in the registry's own versions/ directory",
            versions.display()
        );
    }
    // A promotion killed before its entry was written: its directory (if
    // the rename happened) stays on disk, accounted for, outside history.
    if let Some(killed) = index.pending.take() {
        if version_dir(registry, &killed).exists() {
            index.abandoned.push(killed);
        }
    }
    if let Some(current) = index
        .champion_entry()
        .filter(|e| e.model_sha256 == entry.model_sha256 && e.data_sha256 == entry.data_sha256)
    {
        return Ok(Promotion::AlreadyChampion(current.version.clone()));
    }
    let mut over_stale = false;
    if let Some(gated) = gated_against {
        // Same version name is not enough: the digest must match too (a
        // registry rebuilt elsewhere can reuse the names).
        let current_sha = index.champion_entry().map(|e| e.model_sha256.clone());
        let digest_differs = gated.sha256.is_some() && gated.sha256 != current_sha;
        let gated_against = gated.version;
        if gated_against != index.champion || digest_differs {
            if !force {
                return Ok(Promotion::Stale {
                    gated_against,
                    current: index.champion.clone(),
                });
            }
            // Forced over a stale champion gate: recorded as forced, and why.
            over_stale = true;
            entry.forced = true;
            let name = |v: &Option<String>| v.clone().unwrap_or_else(|| "no champion".into());
            let stale = format!(
                "gated against {}, champion was {}",
                name(&gated_against),
                name(&index.champion)
            );
            entry.reason = Some(match entry.reason.take() {
                Some(r) => format!("{r} ({stale})"),
                None => stale,
            });
        }
    }
    // A reason says why a promotion was forced: beside nothing forced
    // (`--force` on a GO run whose champion gate is current) it would
    // read as one in the history (round 36).
    if !entry.forced {
        entry.reason = None;
    }
    let version = next_version(registry, &index)?;
    // What must happen before the registry commits (a required MLflow
    // registration): its failure leaves the registry untouched.
    before_commit(&version)?;
    let versions = registry.join(VERSIONS);
    std::fs::create_dir_all(&versions)
        .with_context(|| format!("{}: cannot create", versions.display()))?;
    // The index names the new version as pending before its directory
    // exists: a promotion killed after the rename below leaves a directory
    // the index accounts for (outside the history), so any directory the
    // index does not name is a stale index, refused by `read_index`.
    index.pending = Some(version.clone());
    write_index(registry, &index)?;
    // Under the registry lock no other promotion is staging: any staging
    // directory here was left by a killed promotion.
    crate::atomic::sweep_stale(&versions, ".staging-", std::time::Duration::ZERO, None);
    let staging = crate::atomic::shared_builder(".staging-", true)
        .tempdir_in(&versions)
        .with_context(|| format!("{}: cannot create a staging directory", versions.display()))?;
    for name in RUN_FILES {
        let from = run_dir.join(name);
        if from.is_file() {
            copy_synced(&from, &staging.path().join(name))?;
        }
    }
    let final_dir = version_dir(registry, &version);
    std::fs::rename(staging.keep(), &final_dir).with_context(|| {
        format!(
            "{}: cannot move the new version into place",
            final_dir.display()
        )
    })?;
    entry.version = version.clone();
    let report = final_dir.join("report.json");
    entry.report_sha256 = std::fs::read(&report)
        .ok()
        .map(|b| crate::config::sha256_hex(&b));
    index.versions.push(entry);
    index.champion = Some(version.clone());
    index.pending = None;
    write_index(registry, &index)?;
    Ok(Promotion::Promoted {
        version,
        over_stale,
    })
}

fn copy_synced(from: &Path, to: &Path) -> anyhow::Result<()> {
    // Streamed, not read whole: a run's predictions.parquet may be
    // hundreds of megabytes.
    let mut source =
        std::fs::File::open(from).with_context(|| format!("{}: cannot read", from.display()))?;
    let mut f =
        std::fs::File::create(to).with_context(|| format!("{}: cannot create", to.display()))?;
    std::io::copy(&mut source, &mut f)
        .with_context(|| format!("{}: cannot copy to {}", from.display(), to.display()))?;
    f.sync_all()?;
    Ok(())
}

/// Replaces `registry.json` atomically: the commit point of a promotion.
fn write_index(registry: &Path, index: &Index) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(index)? + "\n";
    let mut tmp = crate::atomic::shared_builder(".registry-", false)
        .tempfile_in(registry)
        .with_context(|| format!("{}: cannot write the index", registry.display()))?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(registry.join(INDEX)).map_err(|e| {
        anyhow::anyhow!(
            "{}: cannot replace the index: {}",
            registry.display(),
            e.error
        )
    })?;
    Ok(())
}

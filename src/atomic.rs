//! Atomic artifact writes: a killed run never leaves a half-written file
//! that looks whole (SPEC section 5). The bytes go to a temporary file in the
//! destination's directory (same filesystem, so the final rename is atomic),
//! are synced to disk, then renamed over the destination.
use anyhow::Context;
use std::io::Write;
use std::path::Path;
use tempfile::NamedTempFile;

/// A hidden temporary file in `dir`, created with the permissions a plain
/// `File::create` would give (tempfile's default is owner-only, which would
/// make every artifact unreadable to the rest of a CI job).
fn temp_file_in(dir: &Path) -> std::io::Result<NamedTempFile> {
    shared_builder(".release-gate-", false)
        .suffix(".tmp")
        .tempfile_in(dir)
}

/// A `tempfile` builder whose file (`0o666`) or directory (`0o777`) gets the
/// permissions the umask allows, like any file a program creates, instead of
/// tempfile's owner-only default: artifacts, registries and starter configs
/// are read by other users and CI steps.
pub fn shared_builder(prefix: &str, dir: bool) -> tempfile::Builder<'_, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if dir { 0o777 } else { 0o666 };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = dir;
    builder
}

/// How old an unlocked staging directory must be before a later run takes
/// it for one left by a killed run: a run locks its staging directory right
/// after creating it, and this covers the moment in between.
pub const STALE_STAGING_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// Takes an OS lock on directory `dir`, held until the returned file is
/// dropped (`None` where directories cannot be opened as files).
pub fn lock_dir(dir: &Path) -> anyhow::Result<Option<std::fs::File>> {
    let Ok(file) = std::fs::File::open(dir) else {
        return Ok(None);
    };
    file.lock()
        .with_context(|| format!("{}: cannot lock", dir.display()))?;
    Ok(Some(file))
}

/// Removes the directories named `prefix*` in `parent` that a killed run left
/// behind (an out-of-memory kill, SIGKILL): those whose lock is free, that
/// have not changed for `min_age` and, where `parent` is the user's (beside
/// an out dir), that hold the file `mark` a run writes into its own: a
/// directory of the user's that happens to share the prefix is not ours
/// (round 32, F7). A directory a live run holds is locked, so it is left
/// alone; so is anything that cannot be examined. Best effort: nothing
/// here fails a run.
pub fn sweep_stale(parent: &Path, prefix: &str, min_age: std::time::Duration, mark: Option<&str>) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let is_ours = name.to_str().is_some_and(|n| n.starts_with(prefix));
        // Not a symlink: only a real directory of ours is removed.
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if !is_ours || !is_dir {
            continue;
        }
        let path = e.path();
        if mark.is_some_and(|m| !path.join(m).is_file()) {
            continue;
        }
        let old = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= min_age);
        if !old {
            continue;
        }
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Writes `contents` to `path` atomically, replacing any existing file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    write_streamed(path, |w| {
        w.write_all(contents)
            .with_context(|| format!("could not write {}", path.display()))
    })
}

/// Streams `write` into a temporary file next to `path`, then renames it
/// over `path`: `path` only ever holds a complete output. When `write`
/// fails, the temporary file is removed and `path` is left as it was.
pub fn write_streamed(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = temp_file_in(dir).with_context(|| {
        format!(
            "could not create a temporary file next to {}",
            path.display()
        )
    })?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w)?;
        w.flush()
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("could not write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("could not replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn sweep_removes_only_unlocked_directories_of_the_prefix() {
        let dir = tempfile::tempdir().unwrap();
        for name in [".stage-dead", ".stage-held", "other"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join(".stage-file"), "x").unwrap();
        let held = lock_dir(&dir.path().join(".stage-held")).unwrap();
        assert!(held.is_some());
        sweep_stale(dir.path(), ".stage-", std::time::Duration::ZERO, None);
        assert_eq!(
            entries(dir.path()),
            [".stage-file", ".stage-held", "other"],
            "only the unlocked staging directory goes"
        );
        drop(held);
        sweep_stale(
            dir.path(),
            ".stage-",
            std::time::Duration::from_secs(3600),
            None,
        );
        assert_eq!(entries(dir.path()).len(), 3, "a young directory stays");
        sweep_stale(dir.path(), ".stage-", std::time::Duration::ZERO, None);
        assert_eq!(entries(dir.path()), [".stage-file", "other"]);
    }

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_atomic(&path, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        assert_eq!(entries(dir.path()), vec!["report.json".to_string()]);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_match_a_plain_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let atomic = dir.path().join("atomic");
        write_atomic(&atomic, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&atomic), mode(&plain));
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir").join("model_card.md");
        let err = format!("{:#}", write_atomic(&path, b"x").unwrap_err());
        assert!(err.contains("model_card.md"), "{err}");
    }
}

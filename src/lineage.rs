//! Lineage: which code (git), which config and data (sha256), which seed,
//! when, and which CI run. Outside a git repository git is recorded as absent.
use crate::domain::{CiInfo, GitInfo};
use std::path::Path;

/// Reads the repository containing `dir`, if any.
pub fn git_info(dir: &Path) -> Option<GitInfo> {
    let repo = git2::Repository::discover(dir).ok()?;
    let head = repo.head().ok()?;
    let commit = head.peel_to_commit().ok()?.id().to_string();
    let branch = ci_branch().or_else(|| {
        if head.is_branch() {
            head.shorthand().ok().map(str::to_string)
        } else {
            None
        }
    });
    Some(GitInfo {
        commit,
        branch,
        dirty: is_dirty(&repo),
    })
}

/// In CI the checkout is usually detached: take the branch from the environment.
fn ci_branch() -> Option<String> {
    ["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
}

/// Tracked changes or untracked files count; ignored files do not.
fn is_dirty(repo: &git2::Repository) -> bool {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(false);
    repo.statuses(Some(&mut opts))
        .map(|s| !s.is_empty())
        .unwrap_or(false)
}

/// The CI provider and run from the environment, if running in CI.
pub fn ci_info() -> Option<CiInfo> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if var("GITHUB_ACTIONS").as_deref() == Some("true") {
        let run_id = var("GITHUB_RUN_ID");
        let run_url = match (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY"), &run_id) {
            (Some(s), Some(r), Some(id)) => Some(format!("{s}/{r}/actions/runs/{id}")),
            _ => None,
        };
        return Some(CiInfo {
            provider: "github".into(),
            run_id,
            run_url,
            sha: var("GITHUB_SHA"),
            git_ref: var("GITHUB_REF"),
        });
    }
    if var("GITLAB_CI").is_some() {
        return Some(CiInfo {
            provider: "gitlab".into(),
            run_id: var("CI_PIPELINE_ID"),
            run_url: var("CI_PIPELINE_URL"),
            sha: var("CI_COMMIT_SHA"),
            git_ref: var("CI_COMMIT_REF_NAME"),
        });
    }
    var("CI").map(|_| CiInfo {
        provider: "unknown".into(),
        run_id: None,
        run_url: None,
        sha: None,
        git_ref: None,
    })
}

/// Current UTC time as RFC 3339 (`2026-11-22T05:32:28Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_325_548), "2026-11-22T05:32:28Z");
    }
}

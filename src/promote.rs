//! `promote`, `compare` and `registry list`: the champion/challenger workflow
//! over saved runs and the registry (rendering stays in `report/`).
use crate::domain::{GateStatus, Report, Verdict};
use crate::error::{GateError, EXIT_GO, EXIT_NO_GO};
use crate::evaluate::metrics;
use crate::output::{CONFIG_COPY, REPORT_JSON};
use crate::registry::{self, Entry, Promotion};
use crate::report;
use std::path::{Path, PathBuf};

/// What `promote` did.
pub struct Promoted {
    pub version: Option<String>,
    pub message: String,
    pub exit_code: u8,
}

pub fn load_run(run: &Path) -> anyhow::Result<Report> {
    let path = run.join(REPORT_JSON);
    if !path.is_file() {
        return Err(GateError::Run(format!(
            "{}: not a run directory (no {REPORT_JSON})",
            run.display()
        ))
        .into());
    }
    report::json::load(&path)
}

/// The registry a run's config names, resolved as `check` resolved it.
pub fn run_registry(run: &Path, r: &Report) -> anyhow::Result<PathBuf> {
    Ok(run_plan(run, r)?.registry)
}

/// The plan of a run, from the config copy in its directory.
pub fn run_plan(run: &Path, r: &Report) -> anyhow::Result<crate::config::Plan> {
    let copy = run.join(CONFIG_COPY);
    let text = std::fs::read_to_string(&copy).map_err(|e| {
        GateError::Run(format!(
            "{}: cannot read the run's config copy: {e}; pass --registry",
            copy.display()
        ))
    })?;
    Ok(crate::config::parse(
        Path::new(&r.lineage.config_path),
        &text,
    )?)
}

/// A `report.json` edited after `check` (a NO-GO turned GO by hand), or
/// beside another run's config copy, is refused: its verdict must follow
/// from its gates, the config copy must have the digest it records, and
/// its gates must be the config's with their configured severities.
fn edited_report(run: &Path, r: &Report, plan: Option<&crate::config::Plan>) -> anyhow::Result<()> {
    let edited = |why: String| -> anyhow::Result<()> {
        Err(GateError::Run(format!(
            "{}: {why}: report.json was changed after check; run check again",
            run.display()
        ))
        .into())
    };
    let derived = crate::gates::verdict(&r.gates);
    if derived != r.verdict {
        return edited(format!(
            "its verdict is {} but its gates give {}",
            r.verdict.label(),
            derived.label()
        ));
    }
    // The config copy must be the config the report was made with: two
    // runs into one out dir could once leave one's gates.toml beside the
    // other's report (round 14, F2).
    if let Ok(text) = std::fs::read(run.join(CONFIG_COPY)) {
        let sha = crate::config::sha256_hex(&text);
        if sha != r.lineage.config_sha256 {
            return edited(format!(
                "its {CONFIG_COPY} (sha256 {}) is not the config its report records ({})",
                crate::domain::num::short_sha(&sha),
                crate::domain::num::short_sha(&r.lineage.config_sha256)
            ));
        }
    }
    let Some(plan) = plan else {
        return Ok(());
    };
    let configured: Vec<(&str, crate::domain::Severity)> = plan
        .gates
        .iter()
        .map(|g| (g.name.as_str(), g.severity))
        .collect();
    let reported: Vec<(&str, crate::domain::Severity)> = r
        .gates
        .iter()
        .map(|g| (g.name.as_str(), g.severity))
        .collect();
    if configured != reported {
        return edited(
            "its gates or their severities are not those of the run's gates.toml".to_string(),
        );
    }
    Ok(())
}

fn failing_gates(r: &Report) -> Vec<String> {
    let mut out: Vec<String> = r
        .gates
        .iter()
        .filter(|g| matches!(g.status, GateStatus::Fail | GateStatus::Inconclusive))
        .map(|g| format!("{} ({})", g.name, g.status.label()))
        .collect();
    if !r.contract.passed {
        out.push(format!(
            "data contract ({} violations)",
            r.contract.violations.len()
        ));
    }
    out
}

/// Who is promoting: the CI actor, else the local user.
fn actor() -> String {
    [
        "GITHUB_ACTOR",
        "GITLAB_USER_LOGIN",
        "USER",
        "USERNAME",
        "LOGNAME",
    ]
    .iter()
    .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    .or_else(uid)
    .unwrap_or_else(|| "unknown".to_string())
}

/// `uid N` of this process (Linux), for containers that set no user name.
fn uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    Some(format!("uid {}", line.split_whitespace().nth(1)?))
}

/// Registers the candidate of a GO run (or a forced NO-GO run) as the champion.
pub fn promote(
    run: &Path,
    registry: Option<&Path>,
    force: bool,
    reason: Option<&str>,
) -> anyhow::Result<Promoted> {
    let r = load_run(run)?;
    if r.command != "check" || r.model.is_none() || !run.join(registry::MODEL_FILE).is_file() {
        return Err(GateError::Run(format!(
            "{}: this run trained no model; nothing to promote",
            run.display()
        ))
        .into());
    }
    // The run's config copy, parsed once for every check below.
    let plan = run_plan(run, &r).ok();
    edited_report(run, &r, plan.as_ref())?;
    if force && reason.is_none_or(|s| s.trim().is_empty()) {
        return Err(GateError::Run(
            "--force needs --reason \"...\" (it is recorded in the history)".into(),
        )
        .into());
    }
    if r.verdict != Verdict::Go && !force {
        let msg = format!(
            "refusing to promote a NO-GO run; failing: {} (use --force --reason \"...\" to override, recorded in the history)",
            failing_gates(&r).join(", ")
        );
        return Ok(Promoted {
            version: None,
            message: msg,
            exit_code: EXIT_NO_GO,
        });
    }
    // The registry the run was gated against (recorded as an absolute
    // path), wherever promote runs from; another registry is stale.
    let registry = match (registry, &r.lineage.registry) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(recorded)) => {
            let path = PathBuf::from(recorded);
            // A run copied from another machine: its registry is not here.
            // A first promotion from where check ran creates it: the run's
            // config resolves to the recorded registry from here.
            let first = || {
                plan.as_ref()
                    .is_some_and(|p| &registry::identity(&p.registry) == recorded)
            };
            if !path.parent().is_some_and(Path::exists) && !first() {
                return Err(GateError::Run(format!(
                    "{}: the run was gated against the registry {recorded}, which does not \
                     exist here; pass --registry",
                    run.display()
                ))
                .into());
            }
            path
        }
        (None, None) => match &plan {
            Some(p) => p.registry.clone(),
            // Parsed again for the reason it fails.
            None => run_registry(run, &r)?,
        },
    };
    // Forced into another registry than the run was gated against: that
    // recorded registry, said in the history.
    let mut other_registry = None;
    if let Some(recorded) = &r.lineage.registry {
        let here = registry::identity(&registry);
        if &here != recorded {
            other_registry = Some(recorded.clone());
        }
        if &here != recorded && !force {
            return Ok(Promoted {
                version: None,
                message: format!(
                    "refusing to promote: {} was gated against the registry {recorded}, not {here}; \
                     run check against this registry (or --force --reason \"...\")",
                    run.display()
                ),
                exit_code: EXIT_NO_GO,
            });
        }
    }
    // Never into the run itself, --force or not.
    if crate::outdir::registry_in_run_dir(&registry, run) {
        return Err(GateError::Run(format!(
            "--registry {} is inside the run directory {}: a promotion would write the \
             registry into the run it promotes; choose another registry",
            registry.display(),
            run.display()
        ))
        .into());
    }
    // Never inside another registry (its versions/ or a version).
    if let Some(other) = crate::outdir::enclosing_registry(&registry)
        .filter(|r| crate::registry::identity(r) != crate::registry::identity(&registry))
    {
        return Err(GateError::Run(format!(
            "--registry {} is inside the registry {}: a promotion would write into its \
             stored versions; choose another registry",
            registry.display(),
            other.display()
        ))
        .into());
    }
    // Never into the run's data (a directory of part files), --force or not.
    if let Some(plan) = &plan {
        if let Some(dir) = crate::outdir::registry_in_input_dir(&registry, plan) {
            return Err(GateError::Run(format!(
                "--registry {} is inside the run's input directory {}: a promotion would \
                 write into the data; choose another registry",
                registry.display(),
                dir.display()
            ))
            .into());
        }
    }
    let model_path = run.join(registry::MODEL_FILE);
    let model_sha = crate::config::sha256_hex(
        &std::fs::read(&model_path)
            .map_err(|e| GateError::Run(format!("{}: cannot read: {e}", model_path.display())))?,
    );
    let recorded = r.model.as_ref().map(|m| m.sha256.as_str()).unwrap_or("");
    if model_sha != recorded {
        return Err(GateError::Run(format!(
            "{}: sha256 {} is not the {} that report.json records: the run directory \
             changed after check; run check again",
            model_path.display(),
            crate::domain::num::short_sha(&model_sha),
            crate::domain::num::short_sha(recorded)
        ))
        .into());
    }
    // An ONNX run's model.onnx must still be the file model.json records.
    crate::saved::verify_companions(&model_path).map_err(|e| {
        GateError::Run(format!(
            "{e:#}; the run directory changed after check; run check again"
        ))
    })?;
    let (metric, value) = gate_metric(&r);
    let entry = Entry {
        version: String::new(),
        promoted_at: crate::lineage::now_rfc3339(),
        promoted_by: actor(),
        verdict: if r.verdict == Verdict::Go {
            "go"
        } else {
            "no-go"
        }
        .to_string(),
        git_commit: r.lineage.git.as_ref().map(|g| g.commit.clone()),
        data_sha256: r.data.sha256.clone(),
        model_sha256: model_sha,
        metric: Some(metric),
        value,
        forced: r.verdict != Verdict::Go || other_registry.is_some(),
        reason: reason.map(|why| match &other_registry {
            Some(other) => format!("{why} (gated against the registry {other})"),
            None => why.to_string(),
        }),
        report_sha256: None,
    };
    let over_no_go = r.verdict != Verdict::Go;
    // Without --force, the champion this run was gated beside (compared
    // with by a champion gate, or only present) must still be the champion
    // (checked under the registry lock): a run never replaces a champion
    // promoted after it was gated.
    // Forced into another registry, the champion it was gated beside is
    // that registry's: no staleness to judge here.
    let gated_against = r
        .champion
        .as_ref()
        .filter(|_| other_registry.is_none())
        .map(|c| registry::GatedAgainst {
            version: c.version.clone().filter(|_| c.present),
            sha256: c.sha256.clone(),
        });
    // MLflow registration (when `[mlflow] registered_model` is set) comes
    // before the registry commits: with `required = true` its failure
    // leaves the registry as it was, so CI never commits half a promotion.
    let register = |_version: &str| match &plan {
        Some(plan) => crate::track::after_promote(plan, &r).map_err(anyhow::Error::from),
        None => Ok(()),
    };
    let (version, over_stale) = match registry::promote(
        &registry,
        run,
        entry,
        gated_against,
        force,
        register,
    )? {
        Promotion::Promoted {
            version,
            over_stale,
        } => (version, over_stale),
        Promotion::AlreadyChampion(v) => {
            return Ok(Promoted {
                message: format!(
                    "{} is already the champion as {v} in {}; nothing to do",
                    run.display(),
                    registry.display()
                ),
                version: Some(v),
                exit_code: EXIT_GO,
            })
        }
        Promotion::Stale {
            gated_against,
            current,
        } => {
            let same_name = gated_against == current;
            let name = |v: Option<String>| v.unwrap_or_else(|| "no champion".to_string());
            let current = if same_name {
                format!("{} holding another model", name(current))
            } else {
                name(current)
            };
            return Ok(Promoted {
                message: format!(
                    "refusing to promote: {} was gated against {} but the registry's champion is now {}; \
                     run check again (or --force --reason \"...\", recorded in the history)",
                    run.display(),
                    name(gated_against),
                    current
                ),
                version: None,
                exit_code: EXIT_NO_GO,
            });
        }
    };
    let mut over: Vec<&str> = Vec::new();
    if over_no_go {
        over.push("a NO-GO verdict");
    }
    if over_stale {
        over.push("a champion gate that compared with an older champion");
    }
    if other_registry.is_some() {
        over.push("a run gated against another registry");
    }
    let how = match over.as_slice() {
        [] if force => " (--force was not needed: the run is GO, gated against this registry \
                        and its current champion; the reason was not recorded)"
            .to_string(),
        [] => String::new(),
        _ => format!(" (FORCED over {})", over.join(" and ")),
    };
    Ok(Promoted {
        message: format!(
            "promoted {} as {version} in {}{how}",
            run.display(),
            registry.display()
        ),
        version: Some(version),
        exit_code: EXIT_GO,
    })
}

/// The champion gate's metric and the run's value of it (roc_auc when no champion gate).
fn gate_metric(r: &Report) -> (String, Option<f64>) {
    let metric = r
        .champion
        .as_ref()
        .filter(|c| c.compared())
        .map_or_else(|| "roc_auc".to_string(), |c| c.metric.clone());
    let value = r.metrics.as_ref().and_then(|m| metrics::named(m, &metric));
    (metric, value)
}

/// Resolves a `compare` operand: a run dir, `champion`, or `vNNNN`.
pub fn resolve_operand(op: &str, registry: &Path) -> anyhow::Result<(String, Report)> {
    let as_dir = Path::new(op);
    if as_dir.join(REPORT_JSON).is_file() {
        return Ok((op.to_string(), load_run(as_dir)?));
    }
    let Some((version, dir)) =
        registry::named_version(op, registry).map_err(|e| GateError::Run(format!("{e:#}")))?
    else {
        return Err(GateError::Run(format!(
            "{op}: not a run directory, `champion` or a version like v0001"
        ))
        .into());
    };
    // The version's model files as promoted: `check` and `predict` refuse
    // a replaced model.json or model.onnx, so comparing with it is refused
    // too (round 51: compare read the report alone and exited 0).
    let model = dir.join(registry::MODEL_FILE);
    if model.is_file() {
        registry::verified_sha(registry, &version, &model)
            .and_then(|_| crate::saved::verify_companions(&model))
            .map_err(|e| GateError::Run(format!("{e:#}")))?;
    }
    let label = if op == "champion" {
        format!("champion {version}")
    } else {
        version
    };
    Ok((label, load_run(&dir)?))
}

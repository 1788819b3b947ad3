//! The verdict in one sentence (`NO-GO: 2 of 5 blocking gates failed (...)`)
//! and the gate tallies behind it, shared by every human-readable renderer
//! so the terminal, the Markdown summary and the model card say the same.
use super::num::plural;
use super::{GateResult, GateStatus, Report, Severity, Verdict};

/// How the gates of a run came out, from the point of view of the verdict.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateTally<'a> {
    /// Blocking gates that were evaluated (not skipped).
    pub blocking: usize,
    /// Blocking gates that failed or were inconclusive, in report order.
    pub failed: Vec<&'a GateResult>,
    /// Gates that warned: `warn` status, or a warn-severity gate that failed.
    pub warnings: usize,
    /// Gates that were not evaluated.
    pub skipped: usize,
}

impl<'a> GateTally<'a> {
    pub fn of(gates: &'a [GateResult]) -> Self {
        let mut t = GateTally::default();
        for g in gates {
            t.add(g);
        }
        t
    }

    fn add(&mut self, g: &'a GateResult) {
        let failing = matches!(g.status, GateStatus::Fail | GateStatus::Inconclusive);
        match (g.status, g.severity) {
            (GateStatus::Skipped, _) => self.skipped += 1,
            (GateStatus::Warn, Severity::Block) => {
                self.blocking += 1;
                self.warnings += 1;
            }
            (_, Severity::Block) => {
                self.blocking += 1;
                if failing {
                    self.failed.push(g);
                }
            }
            (_, Severity::Warn) => {
                if failing || g.status == GateStatus::Warn {
                    self.warnings += 1;
                }
            }
        }
    }
}

/// The name of a failing gate as listed in the verdict line.
fn failed_name(g: &GateResult) -> String {
    if g.status == GateStatus::Inconclusive {
        format!("{} (inconclusive)", g.name)
    } else {
        g.name.clone()
    }
}

/// Why the run is NO-GO; empty when nothing failed.
fn reasons(r: &Report, t: &GateTally) -> Vec<String> {
    let mut out = Vec::new();
    if !t.failed.is_empty() {
        let names: Vec<String> = t.failed.iter().map(|g| failed_name(g)).collect();
        out.push(format!(
            "{} of {} blocking gates failed ({})",
            t.failed.len(),
            t.blocking,
            names.join(", ")
        ));
    }
    if !r.contract.passed || !r.contract.violations.is_empty() {
        let n = r.contract.violations.len();
        out.push(format!(
            "data contract violated ({})",
            plural(n, "violation")
        ));
    }
    out
}

/// What went well, for a run with nothing to complain about.
fn all_clear(r: &Report, t: &GateTally) -> String {
    if r.command == "validate" {
        return "data contract passed".to_string();
    }
    let mut s = match t.blocking {
        0 => "no blocking gates to check".to_string(),
        1 => "the 1 blocking gate passed".to_string(),
        n => format!("all {n} blocking gates passed"),
    };
    let mut notes = Vec::new();
    if t.warnings > 0 {
        notes.push(plural(t.warnings, "warning"));
    }
    if t.skipped > 0 {
        notes.push(format!("{} skipped", t.skipped));
    }
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join(", ")));
    }
    s
}

/// `GO: all 5 blocking gates passed (1 warning)` /
/// `NO-GO: 2 of 5 blocking gates failed (quality floor, fairness female)`.
pub fn verdict_line(r: &Report) -> String {
    let t = GateTally::of(&r.gates);
    let reasons = reasons(r, &t);
    let body = match (r.verdict, reasons.is_empty()) {
        (_, false) => reasons.join("; "),
        (Verdict::Go, true) => all_clear(r, &t),
        (Verdict::NoGo, true) => "the run did not pass (see the gates above)".to_string(),
    };
    format!("{}: {body}", r.verdict.label())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    #[test]
    fn no_go_names_failed_gates_and_contract() {
        let r = sample_report();
        assert_eq!(
            verdict_line(&r),
            "NO-GO: 2 of 3 blocking gates failed (quality floor, fairness female \
             (inconclusive)); data contract violated (1 violation)"
        );
    }

    #[test]
    fn go_counts_warnings_and_skips() {
        let mut r = sample_report();
        r.verdict = Verdict::Go;
        r.contract.passed = true;
        r.contract.violations.clear();
        for g in &mut r.gates {
            if matches!(g.status, GateStatus::Fail | GateStatus::Inconclusive) {
                g.status = GateStatus::Pass;
            }
        }
        assert_eq!(
            verdict_line(&r),
            "GO: all 3 blocking gates passed (1 warning, 1 skipped)"
        );
    }

    #[test]
    fn validate_run_speaks_of_the_contract() {
        let mut r = sample_report();
        r.command = "validate".to_string();
        r.gates.clear();
        r.verdict = Verdict::Go;
        r.contract.passed = true;
        r.contract.violations.clear();
        assert_eq!(verdict_line(&r), "GO: data contract passed");
    }
}

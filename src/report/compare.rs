//! `compare A B`: per-metric values of two runs and their delta, rendered as
//! a table, JSON or Markdown (the Markdown is what a PR comment shows).
use super::num;
use super::Report;
use crate::domain::{Intervals, Metric};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub metrics: Vec<MetricDelta>,
    /// Both runs scored the same test data (same data sha256 and test rows).
    pub same_test_data: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDelta {
    pub metric: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// `b - a`.
    pub delta: Option<f64>,
    /// Whether B is better than A on this metric (direction-aware).
    pub b_better: Option<bool>,
    /// Each run's interval, when both carry `[stats]` intervals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a_interval: Option<(f64, f64)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_interval: Option<(f64, f64)>,
    /// An approximate interval of the delta: the half-widths combined as
    /// for independent estimates (runs on the same rows are correlated, so
    /// it is conservative; the paired champion test is the exact one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_interval: Option<(f64, f64)>,
}

/// Builds the comparison of run `a` (baseline) and run `b`.
pub fn build(a_label: &str, a: &Report, b_label: &str, b: &Report) -> Comparison {
    let rows = Metric::ALL
        .into_iter()
        .map(|m| {
            let va = a.metrics.as_ref().and_then(|x| x.get(m));
            let vb = b.metrics.as_ref().and_then(|x| x.get(m));
            let delta = va.zip(vb).map(|(x, y)| y - x);
            let (ia, ib) = match (
                Intervals::ends(a.intervals.as_ref(), m.name()),
                Intervals::ends(b.intervals.as_ref(), m.name()),
            ) {
                (Some(x), Some(y)) => (Some(x), Some(y)),
                _ => (None, None),
            };
            let delta_interval = delta.zip(ia.zip(ib)).map(|(d, ((al, ah), (bl, bh)))| {
                let hw = (((ah - al) / 2.0).powi(2) + ((bh - bl) / 2.0).powi(2)).sqrt();
                (d - hw, d + hw)
            });
            // A delta that shows as 0.0000 is no difference to call better.
            let b_better = delta
                .filter(|d| d.abs() >= 5e-5)
                .map(|d| (d > 0.0) == m.higher_is_better());
            MetricDelta {
                metric: m.to_string(),
                a: va,
                b: vb,
                delta,
                b_better,
                a_interval: ia,
                b_interval: ib,
                delta_interval,
            }
        })
        .collect();
    let same = match (&a.data.test_set_sha256, &b.data.test_set_sha256) {
        (Some(x), Some(y)) => x == y,
        // Runs saved before the row digest existed.
        _ => {
            a.data.sha256 == b.data.sha256
                && a.data.test_rows == b.data.test_rows
                && a.data.test_sha256 == b.data.test_sha256
                && a.lineage.seed == b.lineage.seed
        }
    };
    let note = if same {
        "both runs were measured on the same test rows".to_string()
    } else {
        "different test rows: the runs were measured on different data or splits, so the deltas are indicative only; the champion gate re-scores both models on the same rows".to_string()
    };
    Comparison {
        a: a_label.to_string(),
        b: b_label.to_string(),
        metrics: rows,
        same_test_data: same,
        note,
    }
}

fn arrow(better: Option<bool>) -> &'static str {
    match better {
        Some(true) => "better",
        Some(false) => "worse",
        None => "",
    }
}

fn delta_text(m: &MetricDelta) -> String {
    let (lo, hi) = m.delta_interval.unzip();
    num::signed_with(m.delta, lo, hi)
}

pub fn render_table(c: &Comparison) -> String {
    let mut t = super::table::plain(&["metric", &c.a, &c.b, "delta (B - A)", ""]);
    for m in &c.metrics {
        t.add_row(vec![
            m.metric.clone(),
            num::metric_with(m.a, m.a_interval),
            num::metric_with(m.b, m.b_interval),
            delta_text(m),
            arrow(m.b_better).to_string(),
        ]);
    }
    format!("{}\n{}\n", super::table::draw(&t), c.note)
}

pub fn render_markdown(c: &Comparison) -> String {
    let mut s = format!(
        "### release-gate compare\n\n| metric | {} | {} | delta (B - A) | |\n| --- | ---: | ---: | ---: | --- |\n",
        super::markdown::cell(&c.a),
        super::markdown::cell(&c.b)
    );
    for m in &c.metrics {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            m.metric,
            num::metric_with(m.a, m.a_interval),
            num::metric_with(m.b, m.b_interval),
            delta_text(m),
            arrow(m.b_better)
        ));
    }
    s.push_str(&format!("\n_{}_\n", c.note));
    s
}

pub fn render_json(c: &Comparison) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(c)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_direction_aware() {
        let a = crate::report::sample::sample_report();
        let mut b = a.clone();
        if let Some(m) = b.metrics.as_mut() {
            m.roc_auc = m.roc_auc.map(|v| v + 0.01);
            m.log_loss = m.log_loss.map(|v| v + 0.05);
        }
        let c = build("run-a", &a, "run-b", &b);
        let auc = c.metrics.iter().find(|m| m.metric == "roc_auc").unwrap();
        assert!((auc.delta.unwrap() - 0.01).abs() < 1e-12);
        assert_eq!(auc.b_better, Some(true));
        let ll = c.metrics.iter().find(|m| m.metric == "log_loss").unwrap();
        assert_eq!(ll.b_better, Some(false), "higher log_loss is worse");
        let acc = c.metrics.iter().find(|m| m.metric == "accuracy").unwrap();
        assert_eq!(acc.delta, Some(0.0));
        assert_eq!(acc.b_better, None);
        // A delta that shows as 0.0000 is neither better nor worse.
        let mut tiny = a.clone();
        if let Some(m) = tiny.metrics.as_mut() {
            m.roc_auc = m.roc_auc.map(|v| v + 1e-7);
        }
        let t = build("run-a", &a, "run-t", &tiny);
        let auc = t.metrics.iter().find(|m| m.metric == "roc_auc").unwrap();
        assert_eq!(auc.b_better, None);
        assert!(c.same_test_data);
        let md = render_markdown(&c);
        assert!(
            md.contains("| roc_auc |") && md.contains("better") && md.contains("worse"),
            "{md}"
        );
        assert!(render_table(&c).contains("+0.0100"), "{}", render_table(&c));
    }
}

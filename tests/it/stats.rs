//! `[stats]`: intervals in report.json, gates on their ends, the paired
//! champion test (the numbers themselves are checked against scipy,
//! statsmodels and fairlearn in `src/evaluate/stats`).
use crate::fixture::{gate, Fixture};

const STATS: &str = "\n[stats]\nconfidence = 0.9\nbootstrap = 400\n";

#[test]
fn every_metric_gets_an_interval_naming_its_method_bit_identically() {
    let f = Fixture::new(STATS);
    let r = f.check(0);
    let iv = &r["intervals"];
    assert_eq!(iv["confidence"], 0.9);
    for (name, method) in [
        ("roc_auc", "delong"),
        ("accuracy", "wilson"),
        ("precision", "wilson"),
        ("recall", "wilson"),
    ] {
        assert_eq!(iv["metrics"][name]["method"], method, "{name}");
    }
    for name in [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "log_loss",
        "brier",
    ] {
        let m = &iv["metrics"][name];
        let (lo, hi) = (m["low"].as_f64().unwrap(), m["high"].as_f64().unwrap());
        let v = r["metrics"][name].as_f64().unwrap();
        assert!(lo <= v && v <= hi, "{name}: {v} not in [{lo}, {hi}]");
        assert!(hi - lo > 0.0, "{name}");
    }
    assert!(iv["fairness"]["group"]["disparate_impact"]["low"].is_f64());
    let di = &r["fairness"]["group"];
    assert_eq!(
        di["disparate_impact_low"],
        iv["fairness"]["group"]["disparate_impact"]["low"]
    );
    assert_eq!(
        di["disparate_impact_high"],
        iv["fairness"]["group"]["disparate_impact"]["high"]
    );
    // Same data, config and seed: the same intervals, bit for bit.
    let first = r["intervals"].to_string();
    let again = f.check(0);
    assert_eq!(again["intervals"].to_string(), first);
    // ... whatever the thread count.
    for threads in ["1", "3"] {
        let o = f
            .cmd(&["check"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            f.report()["intervals"].to_string(),
            first,
            "{threads} threads"
        );
    }
    // The table shows the interval beside the value.
    let out = f
        .cmd(&[
            "report",
            "--run",
            "release-gate-out",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    let auc = &iv["metrics"]["roc_auc"];
    let shown = format!(
        "{:.4} [{:.4}, {:.4}]",
        r["metrics"]["roc_auc"].as_f64().unwrap(),
        auc["low"].as_f64().unwrap(),
        auc["high"].as_f64().unwrap()
    );
    assert!(md.contains(&shown), "{shown} not in\n{md}");
    assert!(f.read("release-gate-out/model_card.md").contains(&shown));
}

#[test]
fn a_floor_the_lower_end_misses_is_inconclusive() {
    let f = Fixture::new(STATS);
    let r = f.check(0);
    let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
    let low = r["intervals"]["metrics"]["roc_auc"]["low"]
        .as_f64()
        .unwrap();
    let floor = (auc + low) / 2.0;
    let gates = format!(
        "{STATS}\n[[gate]]\nname = \"auc lower\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = {floor}\nbound = \"lower\"\n\n\
         [[gate]]\nname = \"auc point\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = {floor}\n"
    );
    f.write(
        "gates.toml",
        &format!("{}{gates}", crate::fixture::BASE_CONFIG),
    );
    let r = f.check(1);
    let g = gate(&r, "auc lower");
    assert_eq!(g["status"], "inconclusive", "{g}");
    let msg = g["message"].as_str().unwrap();
    assert!(
        msg.contains("90% interval") && msg.contains("the lower end is below the floor"),
        "{msg}"
    );
    assert_eq!(gate(&r, "auc point")["status"], "pass");
    // bound without [stats] is a config error.
    f.write(
        "gates.toml",
        &format!(
            "{}{}",
            crate::fixture::BASE_CONFIG,
            gates.replace(STATS, "")
        ),
    );
    let o = f.cmd(&["validate"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[stats]"));
}

/// Checks and promotes `run1` (the fixture's logistic model), then checks a
/// weaker candidate (a one-split tree) into `run2` under the same `gates`;
/// returns run2's report.
fn against_a_promoted_champion(f: &Fixture, gates: &str) -> serde_json::Value {
    let o = f.cmd(&["check", "--out", "run1"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    f.write(
        "gates.toml",
        &format!(
            "{}\n[model]\nkind = \"decision_tree\"\n[model.params]\nmax_depth = 1\n{gates}",
            crate::fixture::BASE_CONFIG
        ),
    );
    let o = f.cmd(&["check", "--out", "run2"]).output().unwrap();
    assert!(o.status.code() == Some(1) || o.status.code() == Some(0));
    serde_json::from_str(&f.read("run2/report.json")).unwrap()
}

#[test]
fn the_paired_champion_test_reports_its_interval_and_scores() {
    let gates = format!(
        "{STATS}\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\ntest = \"paired\"\n"
    );
    let f = Fixture::new(&gates);
    let r = against_a_promoted_champion(&f, &gates);
    let c = &r["champion"];
    assert_eq!(c["method"], "delong_paired");
    let (lo, hi) = (
        c["delta_low"].as_f64().unwrap(),
        c["delta_high"].as_f64().unwrap(),
    );
    let p = c["p_value"].as_f64().unwrap();
    assert!(lo < hi && (0.0..=1.0).contains(&p), "{c}");
    let status = gate(&r, "champ")["status"].as_str().unwrap().to_string();
    let expect = if lo >= 0.0 {
        "pass"
    } else if hi < 0.0 {
        "fail"
    } else {
        "inconclusive"
    };
    assert_eq!(status, expect, "{c}");
    let preds = f.read("run2/predictions.csv");
    assert!(
        preds.lines().next().unwrap().contains("champion_score"),
        "{preds:.200}"
    );
}

#[test]
fn intersectional_groups_and_equalized_odds() {
    let f = Fixture::new("");
    let config = f.read("gates.toml").replace(
        "protected = [\"group\"]",
        "protected = [\"group\", \"plan\"]",
    );
    let gates = "\n[[gate]]\nname = \"inter\"\nkind = \"fairness\"\nattribute = [\"group\", \"plan\"]\nmetric = \"equalized_odds_difference\"\nmax = 0.9\nmin_group_size = 5\n";
    f.write("gates.toml", &format!("{config}{STATS}{gates}"));
    let r = f.check(0);
    let inter = &r["fairness"]["group|plan"];
    let groups = inter["groups"].as_object().unwrap();
    assert_eq!(groups.len(), 6, "{inter}");
    assert!(groups.keys().all(|k| k.contains('|')));
    let total: u64 = groups.values().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(total, r["data"]["test_rows"].as_u64().unwrap());
    // fairlearn's definition: the larger of the TPR and FPR differences.
    let preds = f.read("release-gate-out/predictions.csv");
    let mut lines = preds.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (yt, yp, g, p) = (col("y_true"), col("y_pred"), col("group"), col("plan"));
    let mut cells: std::collections::BTreeMap<String, [f64; 4]> = Default::default();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        let e = cells.entry(format!("{}|{}", c[g], c[p])).or_default();
        let (t, pr) = (c[yt] == "1", c[yp] == "1");
        e[usize::from(t) * 2 + usize::from(pr)] += 1.0;
    }
    let rate = |v: &[f64; 4], pos: bool| {
        let (a, b) = if pos {
            (v[3], v[2] + v[3])
        } else {
            (v[1], v[0] + v[1])
        };
        if b == 0.0 {
            0.0
        } else {
            a / b
        }
    };
    let spread = |pos: bool| {
        let r: Vec<f64> = cells.values().map(|v| rate(v, pos)).collect();
        r.iter().cloned().fold(f64::MIN, f64::max) - r.iter().cloned().fold(f64::MAX, f64::min)
    };
    let want = spread(true).max(spread(false));
    let got = inter["equalized_odds_difference"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    assert!(r["intervals"]["fairness"]["group|plan"]["equalized_odds_difference"]["low"].is_f64());
    assert_eq!(gate(&r, "inter")["status"], "pass");
}

#[test]
fn compare_shows_intervals_when_both_runs_carry_them() {
    let f = Fixture::new(STATS);
    assert_eq!(
        f.cmd(&["check", "--out", "a"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    f.write(
        "gates.toml",
        &format!(
            "{}\n[model]\nkind = \"decision_tree\"\n{STATS}",
            crate::fixture::BASE_CONFIG
        ),
    );
    assert!(
        f.cmd(&["check", "--out", "b"])
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
            <= 1
    );
    let out = f
        .cmd(&["compare", "a", "b", "--format", "json"])
        .output()
        .unwrap();
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let auc = c["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "roc_auc")
        .unwrap();
    let (lo, hi) = (
        auc["delta_interval"][0].as_f64().unwrap(),
        auc["delta_interval"][1].as_f64().unwrap(),
    );
    let d = auc["delta"].as_f64().unwrap();
    assert!(lo < d && d < hi, "{auc}");
    let table = f.cmd(&["compare", "a", "b"]).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(&format!("{:.4} [", auc["a"].as_f64().unwrap())),
        "{text}"
    );
}

// Round 11, U1: with several `test = "paired"` champion gates, every gate
// showed the first gate's test (its metric's interval and verdict), so a
// log_loss gate passed on the accuracy gate's "+0.0100". Each paired gate
// now reads its own metric's test, in either order.
#[test]
fn each_paired_champion_gate_reads_its_own_metrics_test() {
    let paired = |name: &str, metric: &str| {
        format!(
            "\n[[gate]]\nname = \"{name}\"\nkind = \"champion\"\nmetric = \"{metric}\"\ntest = \"paired\"\nmin_delta = -0.5\n"
        )
    };
    let registry = format!("{STATS}\n[registry]\npath = \"reg\"\n");
    for order in [["roc_auc", "log_loss"], ["log_loss", "roc_auc"]] {
        let gates = format!(
            "{registry}{}{}",
            paired("first", order[0]),
            paired("second", order[1])
        );
        let f = Fixture::new(&gates);
        let r = against_a_promoted_champion(&f, &gates);
        for (name, metric) in [("first", order[0]), ("second", order[1])] {
            let msg = gate(&r, name)["message"].as_str().unwrap_or("").to_string();
            assert!(msg.starts_with(&format!("{metric}:")), "{name}: {msg}");
            let method = match metric {
                "roc_auc" => "(delong_paired)",
                "accuracy" => "(mcnemar_exact)",
                _ => "(paired_bootstrap)",
            };
            assert!(msg.contains(method), "{name}: {msg}");
        }
    }
}

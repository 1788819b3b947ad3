//! Round 24 of the adversarial trial: false blocks on honest data.
use crate::fixture::{gate, Fixture, Lcg};

/// `rows` rows of `y`, `score` and 30 normal-ish features (column `x0`
/// moved by `shift`), as CSV.
fn rows(n: usize, shift: f64, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("y,score");
    for j in 0..30 {
        s.push_str(&format!(",x{j}"));
    }
    s.push('\n');
    for _ in 0..n {
        let y = u8::from(r.next_f64() < 0.4);
        let score = 0.4 * f64::from(y) + 0.6 * r.next_f64();
        s.push_str(&format!("{y},{score}"));
        for j in 0..30 {
            let z = (0..4).map(|_| r.next_f64()).sum::<f64>() - 2.0;
            s.push_str(&format!(",{}", z + if j == 0 { shift } else { 0.0 }));
        }
        s.push('\n');
    }
    s
}

fn drift_run(shift: f64) -> serde_json::Value {
    let f = Fixture::new("");
    f.write("reference.csv", &rows(455, 0.0, 1));
    f.write("data.csv", &rows(114, shift, 2));
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntarget = \"y\"\npositive = 1\n\n\
         [model]\nkind = \"scores\"\nscore = \"score\"\n\n\
         [[gate]]\nname = \"drift\"\nkind = \"drift\"\nreference = \"reference.csv\"\nmax_psi = 0.2\n",
    );
    let code = if shift == 0.0 { 0 } else { 1 };
    f.check(code)
}

/// F1: 114 test rows against 455 reference rows of one distribution. PSI's
/// noise is about 0.1 per feature there, and the worst of 30 features
/// passes max_psi = 0.2 by chance alone: no drift to block on.
#[test]
fn an_honest_small_file_is_not_blocked_by_psi_noise() {
    let r = drift_run(0.0);
    let g = gate(&r, "drift");
    assert_eq!(g["status"], "pass", "{g}");
    let worst = g["observed"].as_f64().unwrap();
    let noise = &r["drift"]["noise"];
    let psi = r["drift"]["psi"].as_object().unwrap();
    assert!(worst > 0.2, "{worst}");
    for (f, v) in psi {
        let v = v.as_f64().unwrap();
        assert!(
            v <= 0.2 || v <= noise[f].as_f64().unwrap(),
            "{f}: {v} vs {noise}"
        );
    }
    assert!(
        g["message"].as_str().unwrap().contains("sampling noise"),
        "{g}"
    );
}

/// The same rows with one feature moved by a standard deviation still fail.
#[test]
fn a_real_shift_on_a_small_file_still_fails() {
    let r = drift_run(0.8);
    let g = gate(&r, "drift");
    assert_eq!(g["status"], "fail", "{g}");
    assert!(g["message"].as_str().unwrap().contains("x0"), "{g}");
}

/// F2: a segment model (DSL customers only, `internet_service` dropped as
/// constant) against a champion trained on every customer: the champion
/// reads `DSL` in every test row, a value it knew, and no other column
/// holds its training values. That is the segment, not a renamed column:
/// compared, not inconclusive.
#[test]
fn a_segment_model_is_compared_with_a_champion_of_every_segment() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/churn/telco_churn.csv"
    ))
    .unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let at = header
        .split(',')
        .position(|c| c == "internet_service")
        .unwrap();
    let dsl: String = std::iter::once(header)
        .chain(lines.filter(|l| l.split(',').nth(at) == Some("DSL")))
        .map(|l| format!("{l}\n"))
        .collect();
    let f = Fixture::new("");
    f.write("all.csv", &text);
    f.write("dsl.csv", &dsl);
    let config = |data: &str, drop: &str| {
        format!(
            "[data]\npath = \"{data}\"\ntarget = \"churn\"\npositive = \"Yes\"\n\
             drop = [\"rownames\"{drop}]\nseed = 3\n\n[registry]\npath = \"reg\"\n\n\
             [[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\n\
             min_delta = -0.1\n"
        )
    };
    f.write("gates.toml", &config("all.csv", ""));
    assert_eq!(crate::trust3::run(&f, &["check", "--out", "old"]).0, 0);
    assert_eq!(crate::trust3::run(&f, &["promote", "--run", "old"]).0, 0);
    f.write("gates.toml", &config("dsl.csv", ", \"internet_service\""));
    let (_, out, err) = crate::trust3::run(&f, &["check", "--out", "new"]);
    let v: serde_json::Value = serde_json::from_str(&f.read("new/report.json")).unwrap();
    let g = gate(&v, "champ");
    assert_ne!(g["status"], "inconclusive", "{g}\n{out}{err}");
    assert!(
        v["champion"]["champion_value"].as_f64().is_some(),
        "{}",
        v["champion"]
    );
}

/// Review of round 25: a column listed twice in `data.protected` would be
/// two columns of one name in the predictions (a Parquet file refuses
/// that after all the work): a config error.
#[test]
fn a_protected_column_listed_twice_is_a_config_error() {
    let f = Fixture::new("");
    let text = f.read("gates.toml").replace(
        "protected = [\"group\"]",
        "protected = [\"group\", \"group\"]",
    );
    f.write("gates.toml", &text);
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("listed twice in data.protected"));
}

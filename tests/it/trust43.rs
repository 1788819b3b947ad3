//! Round 43 of the adversarial trial: champions whose text or numbers
//! the new run reads the other way.
use crate::fixture::Fixture;
use crate::trust3::run;
use crate::trust37::{with_zone, CONFIG, GATES};

/// Checks `first` as run1, promotes it, then checks `second` as run2:
/// run1's and run2's reports.
fn champion_then(first: &str, second: &str) -> (serde_json::Value, serde_json::Value, String) {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &format!("{CONFIG}{GATES}{}", crate::trust3::REGISTRY),
    );
    f.write("data.csv", first);
    let (code, out, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    f.write("data.csv", second);
    let (_, out, err) = run(&f, &["check", "--out", "run2"]);
    let read = |p: &str| serde_json::from_str(&f.read(p)).unwrap();
    (
        read("run1/report.json"),
        read("run2/report.json"),
        format!("{out}{err}"),
    )
}

fn champion_gate(r: &serde_json::Value) -> &serde_json::Value {
    r["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "champion")
        .unwrap()
}

// F2. A champion that learned the codes as numbers (no `X` in its
// training file), beside a run whose training file has a few `X` (the
// codes read as text): "numeric in training but is text here",
// inconclusive, NO-GO. The champion now reads such text as numbers.
#[test]
fn a_champion_that_learned_numbers_reads_codes_held_as_text() {
    let (first, second, out) = champion_then(&with_zone(2000, 5, 0), &with_zone(2000, 5, 97));
    let gate = champion_gate(&second);
    assert_ne!(gate["status"], "inconclusive", "{gate}\n{out}");
    let champion = second["champion"]["champion_value"].as_f64().unwrap();
    let own = first["metrics"]["roc_auc"].as_f64().unwrap();
    assert!((champion - own).abs() < 0.02, "{champion} vs {own}");
}

// F1. A champion that learned two codes spelling one number (`10` and
// `10.0`), beside a run reading the codes as numbers, was scored with
// every `10.0` as `10`: ROC AUC 0.77 instead of 0.95, so a worse model
// passed the gate and was promoted. Then the gate was made inconclusive;
// now the codes are read again as written (round 43, F3), and the
// champion's scores are its own `predict` scores of those rows.
#[test]
fn a_champion_whose_codes_share_a_number_reads_them_as_written() {
    let twins = |x_every| {
        with_zone(2000, 5, x_every)
            .lines()
            .enumerate()
            .map(|(i, l)| match l.strip_prefix("010,") {
                Some(rest) if i % 2 == 0 => format!("10.0,{rest}\n"),
                Some(rest) => format!("10,{rest}\n"),
                None => format!("{l}\n"),
            })
            .collect::<String>()
    };
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &format!("{CONFIG}{GATES}{}", crate::trust3::REGISTRY),
    );
    f.write("data.csv", &twins(97));
    let (code, out, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    f.write("data.csv", &twins(0));
    let (_, out, err) = run(&f, &["check", "--out", "run2"]);
    let second: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    let gate = champion_gate(&second);
    assert_ne!(gate["status"], "inconclusive", "{gate}\n{out}{err}");
    let (code, out, err) = run(
        &f,
        &[
            "predict", "--model", "champion", "--data", "data.csv", "--out", "p.csv",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let own: Vec<String> = f
        .read("p.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    let predictions = f.read("run2/predictions.csv");
    let mut lines = predictions.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let j = header.iter().position(|h| *h == "champion_score").unwrap();
    let mut compared = 0;
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        let row: usize = c[0].parse().unwrap();
        assert_eq!(c[j], own[row], "row {row}");
        compared += 1;
    }
    assert!(compared > 100, "{compared}");
}

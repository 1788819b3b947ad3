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
    let noise = r["drift"]["noise"].as_f64().unwrap();
    assert!(worst > 0.2 && worst <= noise, "{worst} vs {noise}");
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

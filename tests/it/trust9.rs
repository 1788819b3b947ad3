//! Round 9 of the adversarial trial: the chance rate of the overlap check
//! against copies that differ only in an id or below the key's digits
//! (R1), against data whose rows repeat naturally (R2), and the check on a
//! split of one file (round 7, B6).
use crate::fixture::Fixture;
use crate::trust3::run;
use crate::trust6::{assert_inconclusive, float_data, overlap_config, AUC_GATE};

/// `data` without its header line.
fn body(data: &str) -> &str {
    data.split_once('\n').map_or("", |(_, rest)| rest)
}

/// `float_data` rows again under ids from `first_id` on, each `x` put
/// through `x_of` (the id is the first field, `x` the second).
fn renumbered(rows: std::ops::Range<usize>, first_id: usize, x_of: fn(f64) -> f64) -> String {
    let data = float_data(rows, |x| format!("{}", x_of(x)));
    body(&data)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let rest = line.split_once(',').map_or("", |(_, r)| r);
            format!("{},{rest}\n", first_id + i)
        })
        .collect()
}

// R1: the training file holds each row twice, the copy under a new id (a
// `reset_index` after concatenating), with its numbers jittered below the
// key's digits, or one class oversampled under new ids. The test file is
// the original rows: they are training rows whatever the ids say.
#[test]
fn copies_under_new_ids_or_jittered_still_count_as_training_rows() {
    let original = float_data(0..500, |x| format!("{x}"));
    let cases: [(&str, String); 3] = [
        ("new ids", renumbered(0..500, 500, |x| x)),
        ("jittered", renumbered(0..500, 500, |x| x * (1.0 + 3e-7))),
        (
            "oversampled",
            [500, 1000]
                .iter()
                .map(|&first| {
                    renumbered(0..500, first, |x| x)
                        .lines()
                        .filter(|l| l.ends_with(",yes"))
                        .map(|l| format!("{l}\n"))
                        .collect::<String>()
                })
                .collect(),
        ),
    ];
    for (case, copies) in cases {
        let f = Fixture::new("");
        f.write("data.csv", &format!("{original}{copies}"));
        f.write("test.csv", &original);
        overlap_config(&f, Some("test.csv"));
        assert_inconclusive(&f, case);
    }
}

/// Rows of three integer features of ten values each (1,000 combinations)
/// and a group, without an id: fresh rows share a training row's values
/// by chance more often than not, and whole rows repeat naturally.
fn integer_data(rows: std::ops::Range<usize>) -> String {
    // One stream for all rows (streams seeded per row correlate).
    let mut r = crate::fixture::Lcg::new(29);
    let mut out = String::from("a,b,c,group,label\n");
    for i in 0..rows.end {
        let mut digit = || (r.next_f64() * 10.0) as i64 % 10;
        let (a, b, c) = (digit(), digit(), digit());
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        let p = 1.0 / (1.0 + (-((a + b - c) as f64 - 4.5) / 2.0).exp());
        let label = if r.next_f64() < p { "yes" } else { "no" };
        if rows.contains(&i) {
            out.push_str(&format!("{a},{b},{c},{group},{label}\n"));
        }
    }
    out
}

// R2: chance taken over distinct whole rows dropped these natural repeats,
// and a genuinely fresh test file of such data was called a copy.
#[test]
fn fresh_rows_of_data_that_repeats_naturally_are_judged() {
    let config = crate::fixture::BASE_CONFIG.replace("drop = [\"id\"]\n", "");
    // Round 10, T4: the training file run through `drop_duplicates` hides
    // how often such rows repeat; fresh rows still match by chance.
    let data = integer_data(0..1600);
    let mut seen = std::collections::HashSet::new();
    let deduplicated: String = data
        .lines()
        .filter(|l| seen.insert(*l))
        .map(|l| format!("{l}\n"))
        .collect();
    // Round 11, U2: with columns that repeat each other (a derived copy of
    // `a`), independence underestimates chance; the test file's own
    // repeats do not.
    let derived = |text: &str| -> String {
        text.lines()
            .map(|l| {
                let a = l.split(',').next().unwrap_or("");
                let a = if a == "a" { "a_again" } else { a };
                format!("{l},{a}\n")
            })
            .collect()
    };
    let fresh = integer_data(1600..2000);
    for (test_path, data, test) in [
        (Some("test.csv"), data.clone(), fresh.clone()),
        (None, data.clone(), fresh.clone()),
        (Some("test.csv"), deduplicated.clone(), fresh.clone()),
        (Some("test.csv"), derived(&deduplicated), derived(&fresh)),
    ] {
        let f = Fixture::new("");
        f.write("data.csv", &data);
        f.write("test.csv", &test);
        let config = match test_path {
            Some(t) => config.replace("seed = 7", &format!("seed = 7\ntest_path = \"{t}\"")),
            None => config.clone(),
        };
        f.write("gates.toml", &format!("{config}{AUC_GATE}"));
        let (code, _, err) = run(&f, &["check"]);
        let r = f.report();
        assert_eq!(code, 0, "{test_path:?}: {err} {}", r["gates"]);
        assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass", "{r}");
        let notes = r["notes"].to_string();
        assert!(!notes.contains("match a training row"), "{notes}");
    }
}

// Round 7, B6: a data file repeated three times (or a class oversampled)
// before the split puts copies of training rows among the test rows.
#[test]
fn a_file_that_repeats_its_rows_cannot_pass_on_its_own_split() {
    let once = float_data(0..600, |x| format!("{x}"));
    for (case, data) in [
        ("repeated", format!("{once}{}{}", body(&once), body(&once))),
        (
            "renumbered",
            format!(
                "{once}{}{}",
                renumbered(0..600, 600, |x| x),
                renumbered(0..600, 1200, |x| x)
            ),
        ),
    ] {
        let f = Fixture::new("");
        f.write("data.csv", &data);
        overlap_config(&f, None);
        let r = assert_inconclusive(&f, case);
        let notes = r["notes"].to_string();
        assert!(notes.contains("repeats rows"), "{case}: {notes}");
    }
    // The same rows once: judged, without a note.
    let f = Fixture::new("");
    f.write("data.csv", &once);
    overlap_config(&f, None);
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    let r = f.report();
    assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass");
    let notes = r["notes"].to_string();
    assert!(!notes.contains("match a training row"), "{notes}");
}

// Round 7, m1: a text feature of ~600 levels (1 to 8 rows each), measured
// against the training split of the same file, read as PSI ~5: every rare
// level was a bin of its own. Rare levels now share one.
#[test]
fn a_many_level_text_feature_does_not_drift_against_its_own_split() {
    let mut r = crate::fixture::Lcg::new(41);
    let mut data = String::from("id,x,city,group,label\n");
    for i in 0..2000 {
        let x = r.next_f64() * 10.0;
        let city = (r.next_f64() * 600.0) as usize;
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        let label = if r.next_f64() < x / 10.0 { "yes" } else { "no" };
        data.push_str(&format!("{i},{x},c{city},{group},{label}\n"));
    }
    let f = Fixture::new("[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.25\n");
    f.write("data.csv", &data);
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    let r = f.report();
    let psi = r["drift"]["psi"]["city"].as_f64().unwrap_or(f64::NAN);
    assert!(psi < 0.1, "{psi}");
    assert_eq!(crate::fixture::gate(&r, "drift")["status"], "pass");
}

//! Round 40 of the adversarial trial: directories mixing CSV and Parquet
//! parts where a column is to be read as text.
use crate::fixture::{Fixture, Lcg};
use crate::trust3::run;

/// Copies `tests/fixtures/mixed_parts/` (one CSV part, one Parquet part
/// with `grade` and `qty` as int64; scripts/make_mixed_parts.py) and
/// `mixed_parts_all.csv` (the same rows as one file) into `f`.
fn with_mixed_parts(f: &Fixture) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["part-00000.csv", "part-00001.parquet"] {
        let to = f.path(&format!("mixed/{name}"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures.join("mixed_parts").join(name), to).unwrap();
    }
    std::fs::copy(fixtures.join("mixed_parts_all.csv"), f.path("all.csv")).unwrap();
}

/// Training rows drawn as the fixture's are, with `X` on every 50th row's
/// `grade`, so the training file holds `grade` as text.
fn training_with_x() -> String {
    let mut r = Lcg::new(4040);
    let mut s = String::from("grade,qty,x,label\n");
    for i in 0..1500 {
        let yes = r.next_f64() < 0.4;
        let grade = if i % 50 == 0 {
            "X".to_string()
        } else if yes == (r.next_f64() < 0.85) {
            "1".to_string()
        } else {
            (2 + (r.next_f64() * 2.0) as usize).to_string()
        };
        let qty = 1 + (r.next_f64() * 3.0) as usize;
        let x = (r.next_f64() - 0.5) * 3.0 + if yes { 1.0 } else { 0.0 };
        let label = if yes { "yes" } else { "no" };
        s.push_str(&format!("{grade},{qty},{x:.3},{label}\n"));
    }
    s
}

const CONFIG: &str = "[data]\npath = \"PATH\"\ntarget = \"label\"\npositive = \"yes\"\nseed = 7\n\
    TEST\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n";

fn judged(f: &Fixture, path: &str, test: &str, extra: &str) -> (i32, Option<f64>, String) {
    let test = if test.is_empty() {
        String::new()
    } else {
        format!("test_path = \"{test}\"")
    };
    let config = CONFIG.replace("PATH", path).replace("TEST", &test);
    f.write("gates.toml", &format!("{config}{extra}"));
    let (code, out, err) = run(f, &["check"]);
    let auc = f.report()["metrics"]["roc_auc"].as_f64();
    (code, auc, format!("{out}{err}"))
}

// F2. The training file holds `grade` as text (a few `X`); a test
// directory of one CSV part and one Parquet part storing the codes as
// int64 stopped with exit 2 ("numbers in one part file and text in
// another"), where either format alone passed. The Parquet part's numbers
// are spelled as text like the CSV part's.
#[test]
fn a_mixed_test_directory_reads_codes_as_text_in_every_part() {
    let f = Fixture::new("");
    with_mixed_parts(&f);
    f.write("data.csv", &training_with_x());
    let one = judged(&f, "data.csv", "all.csv", "");
    let mixed = judged(&f, "data.csv", "mixed", "");
    assert_eq!(one.0, 0, "{}", one.2);
    assert_eq!((mixed.0, mixed.1), (one.0, one.1), "{}", mixed.2);
}

// F1. An `allowed` rule on an integer column of a mixed directory read
// the column again as text for the rule (round 38, F2) and stopped with
// exit 2 on the Parquet part's numbers. The rule passes, and reading
// again can never fail the run.
#[test]
fn allowed_on_a_mixed_directory_decides() {
    let f = Fixture::new("");
    with_mixed_parts(&f);
    let rule = "\n[contract.columns.qty]\nallowed = [1, 2, 3]\n[contract.columns.grade]\npattern = \"[123]\"\n";
    let plain = judged(&f, "mixed", "", "");
    let ruled = judged(&f, "mixed", "", rule);
    assert_eq!(plain.0, 0, "{}", plain.2);
    assert_eq!((ruled.0, ruled.1), (plain.0, plain.1), "{}", ruled.2);
    // A value the rule forbids is still caught in the Parquet part.
    let strict = rule.replace("[1, 2, 3]", "[1, 2]");
    let (code, _, out) = judged(&f, "mixed", "", &strict);
    assert_eq!(code, 1, "{out}");
    let v = &f.report()["contract"]["violations"][0];
    assert_eq!(
        (v["column"].as_str(), v["rule"].as_str()),
        (Some("qty"), Some("allowed"))
    );
}

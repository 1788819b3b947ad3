//! Round 13 of the adversarial trial: a first promotion refused, stale
//! promotes of runs without a champion gate, a drift reference that is the
//! test data, copies inside a test file, a champion re-scored on data it
//! cannot read, a header repeated inside a CSV, and `predict` on empty
//! feature columns.
use crate::fixture::{dataset, Fixture};
use crate::trust13::changed;
use crate::trust3::run;
use crate::trust6::AUC_GATE;

/// `data`'s header and its rows `rows` (0-based, after the header).
fn rows_of(data: &str, rows: std::ops::Range<usize>) -> String {
    let mut lines = data.lines();
    let header = lines.next().unwrap_or("");
    let body: Vec<&str> = lines.collect();
    let mut out = format!("{header}\n");
    for line in &body[rows] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

// F4. A drift reference holding the test rows' own file compares the rows
// with themselves: PSI 0, a gate that cannot fail.
#[test]
fn a_drift_reference_that_is_the_test_data_is_an_error() {
    let data = dataset(900, 3, 0.0);
    for (test_path, reference) in [
        (Some("test.csv"), "test.csv"),
        (Some("test.csv"), "copy.csv"),
        (None, "data.csv"),
    ] {
        let f = Fixture::new("");
        f.write("data.csv", &rows_of(&data, 0..600));
        f.write("test.csv", &rows_of(&data, 600..900));
        f.write("copy.csv", &rows_of(&data, 600..900));
        let mut config = crate::fixture::BASE_CONFIG.to_string();
        if let Some(t) = test_path {
            config = config.replace("seed = 7", &format!("seed = 7\ntest_path = \"{t}\""));
        }
        f.write(
            "gates.toml",
            &format!(
                "{config}\n[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.2\nreference = \"{reference}\"\n"
            ),
        );
        let (code, _, err) = run(&f, &["check"]);
        assert_eq!(code, 2, "{reference}: {err}");
        assert!(
            err.contains("compared with themselves"),
            "{reference}: {err}"
        );
    }
    // Another file is a reference.
    let f = Fixture::new("");
    f.write("data.csv", &rows_of(&data, 0..600));
    f.write("test.csv", &rows_of(&data, 600..900));
    f.write("ref.csv", &dataset(300, 9, 0.0));
    let config =
        crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 7\ntest_path = \"test.csv\"");
    f.write(
        "gates.toml",
        &format!("{config}\n[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.2\nreference = \"ref.csv\"\n"),
    );
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
}

// F6. Two exports joined with `cat` keep the second header as a data row,
// which turns every numeric column into text: exit 2 naming the row.
#[test]
fn a_header_repeated_inside_a_csv_is_an_error_naming_the_row() {
    let data = dataset(600, 1, 0.0);
    let joined = format!("{}{}", rows_of(&data, 0..300), rows_of(&data, 300..600));
    let f = Fixture::new(AUC_GATE);
    f.write("data.csv", &joined);
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("data row 301") && err.contains("repeats the header"),
        "{err}"
    );
    // Spaces around the names do not hide it.
    let spaced = joined.replacen("\nid,age,income", "\n id , age ,income", 1);
    f.write("data.csv", &spaced);
    let (code, _, err) = run(&f, &["validate"]);
    assert_eq!(code, 2, "{err}");
    // A row that holds some of the names is data.
    let partly = joined.replacen(
        "\nid,age,income,plan,group,label",
        "\n999,40,50,plan,group,yes",
        1,
    );
    f.write("data.csv", &partly);
    let (code, _, err) = run(&f, &["validate"]);
    assert_eq!(code, 0, "{err}");
}

// F8. `predict` on a file whose feature column is empty in every row
// scores it as missing, and says so on stderr.
#[test]
fn predict_warns_of_feature_columns_empty_in_every_row() {
    let f = Fixture::new("");
    assert_eq!(run(&f, &["check"]).0, 0);
    let blank = changed(&dataset(50, 5, 0.0), "income", |_| String::new());
    f.write("new.csv", &blank);
    let (code, out, err) = run(
        &f,
        &[
            "predict",
            "--model",
            "release-gate-out",
            "--data",
            "new.csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 51, "{out}");
    assert!(
        err.contains("warning") && err.contains("\"income\""),
        "{err}"
    );
    let (code, _, err) = run(
        &f,
        &[
            "predict",
            "--model",
            "release-gate-out",
            "--data",
            "data.csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
}

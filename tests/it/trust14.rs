//! Round 13 of the adversarial trial: a first promotion refused, stale
//! promotes of runs without a champion gate, a drift reference that is the
//! test data, copies inside a test file, a champion re-scored on data it
//! cannot read, a header repeated inside a CSV, and `predict` on empty
//! feature columns.
use crate::fixture::{dataset, Fixture};
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

//! Round 38 of the adversarial trial: part files typed one by one.
use crate::fixture::{dataset, Fixture};
use crate::trust3::run;

const CONFIG: &str = "[data]\npath = \"DATA\"\ntarget = \"label\"\npositive = \"yes\"\n\
    drop = [\"id\"]\nseed = 7\n\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n";

/// `check` of `data` as one CSV file and as three CSV part files (split
/// at a third and two thirds of its rows): both exit codes and ROC AUCs.
fn one_file_and_parts(data: &str) -> [(i32, Option<f64>, String); 2] {
    let lines: Vec<&str> = data.lines().collect();
    let (header, rows) = (lines[0], &lines[1..]);
    let third = rows.len() / 3;
    let judged = |files: &[(String, String)], path: &str| {
        let f = Fixture::new("");
        for (name, text) in files {
            f.write(name, text);
        }
        f.write("gates.toml", &CONFIG.replace("DATA", path));
        let (code, out, err) = run(&f, &["check"]);
        let auc = f.report()["metrics"]["roc_auc"].as_f64();
        (code, auc, format!("{out}{err}"))
    };
    let part = |i: usize, r: &[&str]| {
        (
            format!("parts/part-{i:05}.csv"),
            format!("{header}\n{}\n", r.join("\n")),
        )
    };
    let parts = [
        part(0, &rows[..third]),
        part(1, &rows[third..2 * third]),
        part(2, &rows[2 * third..]),
    ];
    [
        judged(&[("data.csv".to_string(), data.to_string())], "data.csv"),
        judged(&parts, "parts"),
    ]
}

// F1. A feature empty in one whole part file (a promotion not recorded
// for one export window) read as text in that part, and the run stopped
// with exit 2 ("float in the first part file but string in
// part-00001.csv"), where the same rows as one file passed. A column
// empty in a whole part now takes the other parts' type.
#[test]
fn a_column_empty_in_one_part_takes_the_other_parts_type() {
    let data = dataset(900, 5, 0.0);
    let third = 300;
    let with_promo: String = data
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("promo,{line}\n"),
            i if (third + 1..=2 * third).contains(&i) => format!(",{line}\n"),
            i => format!("{}.5,{line}\n", i % 7),
        })
        .collect();
    let [one, parts] = one_file_and_parts(&with_promo);
    assert_eq!(one.0, 0, "{}", one.2);
    assert_eq!((parts.0, parts.1), (one.0, one.1), "{}", parts.2);
}

// F1. Codes (`007`, `010`, `3`) with an `X` in one part only read as text
// there and as integers in the others: exit 2. A column of numbers in one
// part and text in another is read again as text in every part, as one
// file reads it, so `007` stays `007`.
#[test]
fn codes_with_a_letter_in_one_part_only_are_text_in_every_part() {
    let data = dataset(900, 5, 0.0);
    let zoned: String = data
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let zone = match i {
                0 => "zone",
                i if i > 850 && i % 10 == 0 => "X",
                _ if line.ends_with(",yes") => "007",
                _ if i % 2 == 0 => "3",
                _ => "010",
            };
            format!("{zone},{line}\n")
        })
        .collect();
    let [one, parts] = one_file_and_parts(&zoned);
    assert_eq!(one.0, 1, "{}", one.2);
    assert_eq!((parts.0, parts.1), (one.0, one.1), "{}", parts.2);
}

//! Round 38 of the adversarial trial: part files typed one by one.
use crate::fixture::{dataset, Fixture};
use crate::trust3::run;

const CONFIG: &str = "[data]\npath = \"DATA\"\ntarget = \"label\"\npositive = \"yes\"\n\
    drop = [\"id\"]\nseed = 7\n\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n";

/// `check` of `data` as one CSV file and as three CSV part files (split
/// at a third and two thirds of its rows): both exit codes and ROC AUCs.
pub(crate) fn one_file_and_parts(data: &str) -> [(i32, Option<f64>, String); 2] {
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

/// `validate --format json` of `files` with `contract` after [`CONFIG`]
/// (`DATA` → `path`): the exit code and the violations as (column, rule,
/// count, first example).
fn validated(
    files: &[(&str, &str)],
    path: &str,
    contract: &str,
) -> (i32, Vec<(String, String, u64, serde_json::Value)>) {
    let f = Fixture::new("");
    for (name, text) in files {
        f.write(name, text);
    }
    f.write(
        "gates.toml",
        &format!("{}\n{contract}", CONFIG.replace("DATA", path)),
    );
    let (code, out, err) = run(&f, &["validate", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let v = r["contract"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["column"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
                v["count"].as_u64().unwrap(),
                v["examples"][0].clone(),
            )
        })
        .collect();
    (code, v)
}

/// The fixture data with `price` written with two decimals (every tenth
/// row's cents end in 0: `48.70`), codes `zone` (`007`, `010`, `003`) and a
/// 0/1 flag written `0.0`/`1.0`; `bad` rows (by index) get `48.7`.
fn formatted(bad: &[usize]) -> String {
    dataset(400, 5, 0.0)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                return format!("price,zone,flag,{line}\n");
            }
            let price = if bad.contains(&i) {
                "48.7".to_string()
            } else {
                format!(
                    "{}.{}",
                    10 + i % 90,
                    if i % 10 == 0 { 70 } else { 10 + i % 89 }
                )
            };
            let zone = ["007", "010", "003"][i % 3];
            format!("{price},{zone},{}.0,{line}\n", i % 2)
        })
        .collect()
}

const FORMAT_RULES: &str = "[contract.columns.price]\npattern = \"[0-9]+\\\\.[0-9]{2}\"\n\
    [contract.columns.zone]\nallowed = [\"007\", \"010\", \"003\"]\npattern = \"[0-9]{3}\"\n\
    [contract.columns.flag]\nallowed = [\"0\", \"1\"]\n";

// F2. `pattern` and `allowed` judged the number re-printed, not the cell:
// `48.70` failed `[0-9]+\.[0-9]{2}` and `010` failed `allowed = ["010"]`
// (NO-GO on a file with no bad cell). They now pass when the cell as
// written passes; `1.0` still meets `allowed = ["1"]`.
#[test]
fn pattern_and_allowed_see_the_cells_as_written() {
    let data = formatted(&[]);
    assert!(data.contains(".70,"), "{}", &data[..200]);
    let (code, v) = validated(&[("data.csv", &data)], "data.csv", FORMAT_RULES);
    assert_eq!((code, v), (0, vec![]));
}

#[test]
fn a_cell_that_breaks_the_pattern_is_still_caught() {
    let data = formatted(&[3, 50]);
    let (code, v) = validated(&[("data.csv", &data)], "data.csv", FORMAT_RULES);
    assert_eq!(code, 1);
    assert_eq!(
        v,
        vec![(
            "price".to_string(),
            "pattern".to_string(),
            2,
            serde_json::json!(48.7)
        )]
    );
}

#[test]
fn cells_as_written_in_part_files_and_the_test_file() {
    let data = formatted(&[7]);
    let lines: Vec<&str> = data.lines().collect();
    let part = |r: &[&str]| format!("{}\n{}\n", lines[0], r.join("\n"));
    let (a, b) = (part(&lines[1..200]), part(&lines[200..]));
    let files = [
        ("parts/part-00000.csv", a.as_str()),
        ("parts/part-00001.csv", b.as_str()),
    ];
    let (code, v) = validated(&files, "parts", FORMAT_RULES);
    assert_eq!(code, 1);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].2, &v[0].3), (1, &serde_json::json!(48.7)));
    // A test file: its cells are judged as written too.
    let clean = formatted(&[]);
    let files = [("data.csv", clean.as_str()), ("test.csv", data.as_str())];
    let (code, v) = validated(&files, "data.csv\"\ntest_path = \"test.csv", FORMAT_RULES);
    assert_eq!(code, 1);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].2, &v[0].3), (1, &serde_json::json!(48.7)));
}

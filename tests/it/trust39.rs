//! Round 39 of the adversarial trial: partition folders and true/false
//! columns in part files.
use crate::fixture::{dataset, Fixture};
use crate::trust3::run;
use crate::trust37::{with_zone, CONFIG, GATES};
use crate::trust38::one_file_and_parts;

/// `rows` (a CSV whose first column is `zone`) as `dir/zone=<code>/part-00000.csv`
/// files, `zone` left out of the files as Spark writes partition columns.
fn partitioned(f: &Fixture, dir: &str, rows: &str) {
    let mut lines = rows.lines();
    let header = lines.next().unwrap().split_once(',').unwrap().1;
    let mut by_zone: std::collections::BTreeMap<&str, String> = Default::default();
    for line in lines {
        let (zone, rest) = line.split_once(',').unwrap();
        by_zone
            .entry(zone)
            .or_insert_with(|| format!("{header}\n"))
            .push_str(&format!("{rest}\n"));
    }
    for (zone, text) in by_zone {
        f.write(&format!("{dir}/zone={zone}/part-00000.csv"), &text);
    }
}

// F1. Partition folder values (`zone=007/`) became numbers (7) even where
// the training file holds the codes as text, so a test directory of
// partitions scored `007` as an unknown code: recall 0.12 and NO-GO where
// the same rows as one CSV passed. Partition values now follow the
// columns read as text.
#[test]
fn partition_folders_keep_codes_the_training_file_holds_as_text() {
    let test = with_zone(800, 6, 0);
    let judged = |as_dir: bool| {
        let f = Fixture::new("");
        f.write("data.csv", &with_zone(2000, 5, 97));
        let path = if as_dir {
            partitioned(&f, "test", &test);
            "test"
        } else {
            f.write("test.csv", &test);
            "test.csv"
        };
        f.write(
            "gates.toml",
            &format!("{CONFIG}test_path = \"{path}\"\n{GATES}"),
        );
        let (code, out, err) = run(&f, &["check"]);
        let r = f.report();
        let recall = r["metrics"]["recall"].as_f64();
        let auc = r["metrics"]["roc_auc"].as_f64().unwrap_or(f64::NAN);
        (code, recall, auc, format!("{out}{err}{}", r["notes"]))
    };
    let one = judged(false);
    let dir = judged(true);
    assert_eq!(one.0, 0, "{}", one.3);
    assert_eq!((dir.0, dir.1), (one.0, one.1), "{}", dir.3);
    assert!((dir.2 - one.2).abs() < 1e-12, "{} {}", dir.2, one.2);
}

// F1, predict: `predict` on a partition directory scored the same rows up
// to 0.64 away from `predict` on them as one CSV.
#[test]
fn predict_on_partition_folders_equals_predict_on_one_file() {
    let f = Fixture::new("");
    f.write("data.csv", &with_zone(2000, 5, 97));
    f.write("gates.toml", &format!("{CONFIG}{GATES}"));
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    let new = with_zone(600, 8, 0);
    f.write("new.csv", &new);
    partitioned(&f, "newdir", &new);
    let scores = |data: &str| {
        let out_file = format!("{data}.pred.csv");
        let args = ["predict", "--model", "release-gate-out", "--data", data];
        let (code, out, err) = run(&f, &[&args[..], &["--out", &out_file]].concat());
        assert_eq!(code, 0, "{out}{err}");
        let text = std::fs::read_to_string(f.path(&out_file)).unwrap();
        let mut s: Vec<f64> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (one, dir) = (scores("new.csv"), scores("newdir"));
    assert_eq!(one.len(), 600);
    assert_eq!(dir, one);
}

// F2. A true/false column with another value (`unknown`) in one CSV part
// only stopped the run with exit 2 ("boolean in the first part file but
// string in part-00002.csv"), where the same rows as one file passed. It
// is read as text in every part, as one file reads it.
#[test]
fn true_false_with_other_text_in_one_part_only_is_text_in_every_part() {
    let data: String = dataset(900, 5, 0.0)
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("autopay,{line}\n"),
            i if i > 850 => format!("unknown,{line}\n"),
            i => format!("{},{line}\n", i % 3 == 0),
        })
        .collect();
    let [one, parts] = one_file_and_parts(&data);
    assert_eq!(one.0, 0, "{}", one.2);
    assert_eq!((parts.0, parts.1), (one.0, one.1), "{}", parts.2);
}

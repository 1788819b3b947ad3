//! Round 50 of the adversarial trial: part directories and external
//! scores (`kind = "scores"`).
use crate::fixture::{Fixture, Lcg};
use crate::trust3::run;

/// A directory `parts/` of the fixture's two mixed parts (one CSV, one
/// Parquet; scripts/make_mixed_parts.py), the Parquet one named `second`,
/// and `all.csv`, the same rows as one file.
fn parts_named(f: &Fixture, second: &str) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (from, to) in [
        ("part-00000.csv", "part-00000.csv"),
        ("part-00001.parquet", second),
    ] {
        let to = f.path(&format!("parts/{to}"));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures.join("mixed_parts").join(from), to).unwrap();
    }
    std::fs::copy(fixtures.join("mixed_parts_all.csv"), f.path("all.csv")).unwrap();
}

const SCORES: &str = "[data]\npath = \"PATH\"\ntarget = \"label\"\npositive = \"yes\"\n\
    [model]\nkind = \"scores\"\nscore = \"x\"\nthreshold = 0.5\n\
    [[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n";

/// `check` under `config` as gates.toml: the exit code, stdout and
/// stderr, and the report (`Null` on exit 2, which writes none).
fn gated(f: &Fixture, config: &str) -> (i32, String, serde_json::Value) {
    f.write("gates.toml", config);
    let (code, out, err) = run(f, &["check"]);
    let report = if code == 2 {
        serde_json::Value::Null
    } else {
        f.report()
    };
    (code, format!("{out}{err}"), report)
}

// F1. A part without a known extension (Hadoop's extension-less
// `part-00001`, a `.csv.gz`) was left out without a word: half the rows,
// and a GO that all the rows did not earn. An extension-less part is read
// (Parquet by its magic, else as text); any other file is exit 2 naming
// it.
#[test]
fn every_file_of_a_part_directory_is_read_or_named() {
    let f = Fixture::new("");
    parts_named(&f, "part-00001");
    let (code, out, whole) = gated(&f, &SCORES.replace("PATH", "all.csv"));
    assert_eq!(code, 0, "{out}");
    let (code, out, parts) = gated(&f, &SCORES.replace("PATH", "parts"));
    assert_eq!(code, 0, "{out}");
    assert_eq!(parts["data"]["test_rows"], whole["data"]["test_rows"]);
    assert_eq!(parts["metrics"], whole["metrics"]);
    assert!(parts["notes"].to_string().contains("read 2 part file(s)"));
    for (name, why) in [
        ("part-00001.csv.gz", "a compressed part file"),
        (
            "part-00001.orc",
            "a .orc file, which release-gate does not read",
        ),
        ("notes.md", "a .md file, which release-gate does not read"),
    ] {
        let f = Fixture::new("");
        parts_named(&f, name);
        let (code, out, _) = gated(&f, &SCORES.replace("PATH", "parts"));
        assert_eq!(code, 2, "{name}: {out}");
        assert!(
            out.contains(&format!("{name}: {why}")) && out.contains("its rows would be left out"),
            "{out}"
        );
    }
}

/// `n` rows of `y,score,champ`: a label, a probability that ranks it
/// fairly well, and the champion's margin (centred at 0); `edit` may
/// change a row's cells.
fn scored_rows(n: usize, edit: impl Fn(usize, &mut [String; 3])) -> String {
    let mut r = Lcg::new(5050);
    let mut s = String::from("y,score,champ\n");
    for i in 0..n {
        let y = u8::from(r.next_f64() < 0.4);
        let p = (0.3 * f64::from(y) + 0.7 * r.next_f64()).min(1.0);
        let margin = 4.0 * (p + 0.2 * (r.next_f64() - 0.5) - 0.5);
        let mut cells = [y.to_string(), format!("{p:.6}"), format!("{margin:.6}")];
        edit(i, &mut cells);
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

fn scores_config(path: &str, extra: &str) -> String {
    format!(
        "[data]\npath = \"{path}\"\ntarget = \"y\"\npositive = 1\n{extra}\n\
         [model]\nkind = \"scores\"\nscore = \"score\"\nthreshold = 0.5\n\
         champion_score = \"champ\"\nchampion_threshold = 0\n"
    )
}

// F2. Partition folders `grp=01/` and `grp=1/` were read as the number
// 1, one fairness group: a disparate impact of 0.15 passed as 0.81.
// Folders that spell one number two ways keep their spellings.
#[test]
fn partition_folders_spelling_one_number_two_ways_stay_apart() {
    let f = Fixture::new("");
    let rows = scored_rows(900, |_, _| {});
    let lines: Vec<&str> = rows.lines().skip(1).collect();
    // Each folder's rows scored on another scale: selection rates apart.
    for (k, (folder, scale)) in [("01", 0.3), ("1", 1.6), ("2", 1.0)].iter().enumerate() {
        let mine: Vec<String> = lines
            .iter()
            .skip(k)
            .step_by(3)
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                let p: f64 = c[1].parse().unwrap();
                format!("{},{:.6},{}", c[0], (p * scale).min(1.0), c[2])
            })
            .collect();
        f.write(
            &format!("parts/grp={folder}/part-00000.csv"),
            &format!("y,score,champ\n{}\n", mine.join("\n")),
        );
    }
    let gate = "\n[[gate]]\nkind = \"fairness\"\nattribute = \"grp\"\n";
    let config = format!("{}{gate}", scores_config("parts", "protected = [\"grp\"]"));
    let (code, out, r) = gated(&f, &config);
    assert_eq!(code, 1, "{out}");
    let groups = r["fairness"]["grp"]["groups"].as_object().unwrap();
    let mut names: Vec<&String> = groups.keys().collect();
    names.sort();
    assert_eq!(names, ["01", "1", "2"]);
    assert!(
        r["notes"]
            .to_string()
            .contains("partition folders grp=01/ and grp=1/ spell one number two ways"),
        "{}",
        r["notes"]
    );
    // Folders of one spelling each are numbers, as before.
    let g = &r["gates"][0];
    assert_eq!(g["status"], "fail", "{g}");
}

// F4. An infinite score was a data contract violation "the model cannot
// train on them" (every gate skipped), where a NaN score is exit 2 naming
// the row; an infinite champion score skipped every gate, where a NaN one
// makes the champion gate inconclusive. Both now read as the NaN does,
// and `validate` refuses the candidate's as `check` does.
#[test]
fn an_infinite_score_is_reported_as_a_nan_one_is() {
    let gate = "\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n\
                [[gate]]\nkind = \"champion\"\nmetric = \"roc_auc\"\n";
    for (column, bad) in [(1, "inf"), (1, "NaN"), (2, "-inf"), (2, "NaN")] {
        let f = Fixture::new("");
        f.write(
            "data.csv",
            &scored_rows(600, |i, c| {
                if i == 7 {
                    c[column] = bad.to_string();
                }
            }),
        );
        let (code, out, r) = gated(&f, &format!("{}{gate}", scores_config("data.csv", "")));
        // `validate` reads the candidate's scores as `check` does (a
        // NaN or inf one passed it); the champion's are left to its gate.
        let (checked, v_out, v_err) = run(&f, &["validate"]);
        if column == 1 {
            assert_eq!(code, 2, "{bad}: {out}");
            assert_eq!(checked, 2, "validate, {bad}: {v_out}{v_err}");
            for said in [&out, &v_err] {
                assert!(
                    said.contains(
                        "score column \"score\" has missing or non-finite scores (row 7:"
                    ),
                    "{bad}: {said}"
                );
            }
            continue;
        }
        assert_eq!(checked, 0, "validate, {bad}: {v_out}{v_err}");
        assert_eq!(code, 1, "{bad}: {out}");
        assert_eq!(r["contract"]["passed"], true, "{bad}");
        assert_eq!(r["gates"][0]["status"], "pass", "{bad}");
        assert_eq!(r["gates"][1]["status"], "inconclusive", "{bad}");
        assert!(
            r["gates"][1]["message"]
                .to_string()
                .contains("non-finite scores"),
            "{bad}: {}",
            r["gates"][1]
        );
    }
}

// F3. A champion gate on log_loss against a margin champion (with its
// own champion_threshold) said "log_loss is undefined on this test set"
// beside the candidate's defined log loss, and `champion.message` was
// empty. Both now say whose value is undefined, and why.
#[test]
fn a_loss_undefined_for_the_champion_alone_says_whose() {
    let f = Fixture::new("");
    f.write("data.csv", &scored_rows(600, |_, _| {}));
    let gate = "\n[[gate]]\nkind = \"champion\"\nmetric = \"log_loss\"\n";
    let (code, out, r) = gated(&f, &format!("{}{gate}", scores_config("data.csv", "")));
    assert_eq!(code, 1, "{out}");
    assert!(r["metrics"]["log_loss"].as_f64().is_some());
    let want = "log_loss of champion column champ is undefined on this test set (it needs \
                probabilities";
    let g = &r["gates"][0];
    assert_eq!(g["status"], "inconclusive");
    assert!(g["message"].as_str().unwrap().contains(want), "{g}");
    assert!(
        r["champion"]["message"].as_str().unwrap().contains(want),
        "{}",
        r["champion"]
    );
}

//! Hostile input: every case ends in a clear message and exit 2 (naming the
//! file, column or line), or a contract violation and exit 1; never a panic.
//! Each test states the exact exit code and the message a user sees.
use crate::fixture::{dataset, features, gate, Fixture};
use predicates::str::contains;

/// The fixture's 600 rows as fields (id, age, income, plan, group, label).
fn rows() -> Vec<Vec<String>> {
    dataset(600, 1, 0.0)
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Writes `data.csv` from a header and rows.
fn write_csv(f: &Fixture, header: &str, rows: &[Vec<String>]) {
    let mut s = format!("{header}\n");
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    f.write("data.csv", &s);
}

const HEADER: &str = "id,age,income,plan,group,label";
const AUC_GATE: &str = "[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n";

/// Fixture whose `data.csv` is the default rows edited by `edit(row, fields)`.
fn edited(extra: &str, edit: impl Fn(usize, &mut Vec<String>)) -> Fixture {
    let f = Fixture::new(extra);
    let mut rs = rows();
    for (i, r) in rs.iter_mut().enumerate() {
        edit(i, r);
    }
    write_csv(&f, HEADER, &rs);
    f
}

/// Runs `validate --format json`, asserts the exit code, returns the report.
fn validate(f: &Fixture, code: i32) -> serde_json::Value {
    let out = f.cmd(&["validate", "--format", "json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `release-gate <cmd>`, asserts exit 2 and that stderr holds `message`.
fn exits_2(f: &Fixture, cmd: &str, message: impl AsRef<str>) {
    f.cmd(&[cmd])
        .assert()
        .code(2)
        .stderr(contains(message.as_ref()));
}

fn violation<'a>(r: &'a serde_json::Value, column: &str, rule: &str) -> &'a serde_json::Value {
    r["contract"]["violations"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|x| x["column"] == column && x["rule"] == rule)
        })
        .unwrap_or_else(|| panic!("no {column}/{rule} in {}", r["contract"]))
}

#[test]
fn empty_file_exits_2() {
    let f = Fixture::new("");
    f.write("data.csv", "");
    exits_2(&f, "validate", "data.csv: the file is empty");
}

#[test]
fn header_only_exits_2_no_data_rows() {
    let f = Fixture::new("");
    f.write("data.csv", &format!("{HEADER}\n"));
    for cmd in ["validate", "check"] {
        exits_2(
            &f,
            cmd,
            "data.csv: no data rows (the file has a header only)",
        );
    }
}

#[test]
fn row_with_too_many_fields_exits_2_naming_the_line() {
    let f = edited("", |i, r| {
        if i == 4 {
            r.push("extra".into());
        }
    });
    exits_2(
        &f,
        "validate",
        "data.csv: line 6 has 7 fields, but the header has 6; quote values that contain a comma",
    );
}

#[test]
fn rows_with_too_few_fields_exit_2_naming_the_first_line_and_the_count() {
    let f = edited("", |i, r| {
        if i == 9 || i == 20 {
            r.pop();
        }
    });
    exits_2(
        &f,
        "check",
        "data.csv: line 11 has 5 fields, but the header has 6 (2 ragged or blank lines in all)",
    );
}

#[test]
fn blank_line_and_unclosed_quote_exit_2_naming_the_line() {
    let f = Fixture::new("");
    f.write("data.csv", &format!("{HEADER}\n1,30,50,pro,a,yes\n\n"));
    exits_2(
        &f,
        "validate",
        "data.csv: line 3 is blank; remove empty lines",
    );
    f.write("data.csv", &format!("{HEADER}\n1,30,50,\"pro,a,yes\n"));
    exits_2(
        &f,
        "validate",
        "data.csv: line 2: a quoted field is never closed",
    );
}

/// data.csv of one good row, then `line` and `bad` on line 3: the byte
/// offset of `bad`.
fn data_with_bytes(f: &Fixture, line: &str, bad: &[u8]) -> usize {
    let mut bytes = format!("{HEADER}\n1,30,50,pro,a,yes\n{line}").into_bytes();
    let at = bytes.len();
    bytes.extend_from_slice(bad);
    std::fs::write(f.path("data.csv"), bytes).unwrap();
    at
}

#[test]
fn non_utf8_bytes_exit_2_naming_byte_and_line() {
    let f = Fixture::new("");
    let at = data_with_bytes(&f, "2,31,5", b"\xff\xfe,plus,b,no\n");
    exits_2(
        &f,
        "validate",
        format!("data.csv: not valid UTF-8 at byte {at} (line 3); re-encode the file as UTF-8"),
    );
}

// A NUL byte inside a value (a binary file, UTF-16 text without its BOM)
// was read as part of the value: `pro` and `pro\0` two categories.
#[test]
fn a_nul_byte_exits_2_naming_byte_and_line() {
    let f = Fixture::new("");
    let at = data_with_bytes(&f, "2,31,50,pro", b"\0,b,no\n");
    for command in ["validate", "check"] {
        exits_2(
            &f,
            command,
            format!(
                "data.csv: holds a NUL byte at byte {at} (line 3): a binary file, or text saved \
                 as UTF-16? re-encode the file as UTF-8 text"
            ),
        );
    }
}

#[test]
fn a_bom_is_not_part_of_the_first_column_name() {
    // `id` is the first column: with the BOM kept it would be missing.
    let f =
        Fixture::new("[contract]\nunique = [\"id\"]\n[contract.columns.id]\ntype = \"integer\"\n");
    let text = dataset(600, 1, 0.0);
    std::fs::write(f.path("data.csv"), format!("\u{feff}{text}")).unwrap();
    let r = validate(&f, 0);
    assert_eq!(r["contract"]["passed"], true);
    assert_eq!(r["data"]["rows"], 600);
}

#[test]
fn quoted_newlines_stay_one_value_and_keep_row_numbers() {
    let extra = "[contract.columns.plan]\nallowed = [\"basic\", \"plus\", \"pro\"]\n";
    let f = edited(&format!("[contract]\n{extra}"), |i, r| {
        if i == 3 || i == 10 {
            r[3] = "\"two\nlines, one value\"".into();
        }
    });
    let r = validate(&f, 1);
    assert_eq!(r["data"]["rows"], 600);
    let v = violation(&r, "plan", "allowed");
    assert_eq!(v["count"], 2);
    assert_eq!(v["rows"], serde_json::json!([3, 10]));
    assert_eq!(v["examples"][0], "two\nlines, one value");
}

#[test]
fn infinite_feature_is_a_finite_violation_exit_1() {
    let f = edited(AUC_GATE, |i, r| match i {
        5 => r[2] = "inf".into(),
        7 => r[2] = "-inf".into(),
        8 => r[2] = "1e309".into(), // overflows to inf when parsed
        _ => {}
    });
    let r = f.check(1);
    let v = violation(&r, "income", "finite");
    assert_eq!(v["count"], 3);
    assert_eq!(v["rows"], serde_json::json!([5, 7, 8]));
    assert_eq!(v["examples"], serde_json::json!(["inf", "-inf", "inf"]));
    assert_eq!(gate(&r, "metric roc_auc")["status"], "skipped");
}

#[test]
fn infinity_spelled_out_still_loads_as_a_number() {
    // Polars reads `inf` but not `Infinity`: the column must not turn into text.
    let f = edited(
        "[contract]\n[contract.columns.income]\ntype = \"float\"\n",
        |i, r| {
            if i == 2 {
                r[2] = "Infinity".into();
            }
        },
    );
    let r = validate(&f, 1);
    assert_eq!(r["contract"]["violations"].as_array().unwrap().len(), 1);
    assert_eq!(
        violation(&r, "income", "finite")["rows"],
        serde_json::json!([2])
    );
}

#[test]
fn nan_in_a_feature_is_a_missing_value() {
    let contract = "[contract]\n[contract.columns.income]\nnullable = false\n";
    let f = edited(contract, |i, r| {
        if i % 50 == 0 {
            r[2] = if i % 100 == 0 { "NaN" } else { "nan" }.into();
        }
    });
    let v = validate(&f, 1);
    assert_eq!(violation(&v, "income", "nullable")["count"], 12);
    // Without the rule, the missing values are imputed and training works.
    f.write(
        "gates.toml",
        &format!("{}{AUC_GATE}", crate::fixture::BASE_CONFIG),
    );
    let r = f.check(0);
    assert!(r["metrics"]["roc_auc"].as_f64().unwrap() > 0.6);
}

#[test]
fn values_near_f64_max_train_without_overflow() {
    let f = edited(AUC_GATE, |i, r| {
        if i % 7 == 0 {
            r[2] = if i % 2 == 0 { "1e308" } else { "-1.7e308" }.into();
        }
    });
    let r = f.check(0);
    assert_eq!(r["contract"]["passed"], true);
    for m in ["roc_auc", "log_loss", "brier"] {
        assert!(r["metrics"][m].as_f64().unwrap().is_finite(), "{m}");
    }
}

/// The fixture with a 0/1 numeric target and `positive = 1`.
fn numeric_target(extra: &str, edit: impl Fn(usize) -> Option<&'static str>) -> Fixture {
    let f = edited("", |i, r| {
        r[5] = edit(i)
            .unwrap_or(if r[5] == "yes" { "1" } else { "0" })
            .to_string();
    });
    let config = crate::fixture::BASE_CONFIG.replace("positive = \"yes\"", "positive = 1");
    f.write("gates.toml", &format!("{config}{extra}"));
    f
}

#[test]
fn infinite_target_is_a_finite_violation_exit_1() {
    let f = numeric_target(AUC_GATE, |i| (i == 12).then_some("inf"));
    let r = f.check(1);
    let v = violation(&r, "label", "finite");
    assert_eq!(
        (v["count"].as_u64(), v["rows"][0].as_u64()),
        (Some(1), Some(12))
    );
}

#[test]
fn nan_target_rows_are_dropped_and_counted() {
    let f = numeric_target(AUC_GATE, |i| (i % 100 == 1).then_some("NaN"));
    let r = f.check(0);
    assert_eq!(r["data"]["dropped_null_target"], 6);
    assert_eq!(
        r["data"]["train_rows"].as_u64().unwrap() + r["data"]["test_rows"].as_u64().unwrap(),
        594
    );
}

#[test]
fn huge_target_value_is_reported_by_allowed() {
    let contract = "[contract]\n[contract.columns.label]\nallowed = [0, 1]\n";
    let f = numeric_target(contract, |i| (i == 4).then_some("1e308"));
    let r = f.check(1);
    let v = violation(&r, "label", "allowed");
    assert_eq!(v["count"], 1);
    assert_eq!(v["examples"][0].as_f64(), Some(1e308));
}

#[test]
fn missing_targets_violate_target_nullable_false() {
    let contract = "[contract]\ntarget_nullable = false\n";
    let f = edited(contract, |i, r| {
        if i == 30 || i == 31 {
            r[5] = String::new();
        }
    });
    let r = validate(&f, 1);
    let v = violation(&r, "label", "target_nullable");
    assert_eq!(v["count"], 2);
    assert_eq!(v["rows"], serde_json::json!([30, 31]));
    assert!(f.check(1)["metrics"].is_null(), "no training");
}

#[test]
fn all_null_column_trains_and_is_caught_by_max_null_fraction() {
    let f = Fixture::new(AUC_GATE);
    let rs: Vec<Vec<String>> = rows()
        .into_iter()
        .map(|mut r| {
            r.insert(3, String::new());
            r
        })
        .collect();
    write_csv(&f, "id,age,income,empty,plan,group,label", &rs);
    let r = f.check(0);
    assert!(r["model"]["features"]
        .as_array()
        .unwrap()
        .contains(&"empty".into()));
    f.write(
        "gates.toml",
        &format!(
            "{}[contract]\nmax_null_fraction = 0.5\n",
            crate::fixture::BASE_CONFIG
        ),
    );
    let v = validate(&f, 1);
    assert_eq!(violation(&v, "empty", "max_null_fraction")["count"], 600);
}

#[test]
fn constant_columns_train_without_dividing_by_zero() {
    let f = Fixture::new(AUC_GATE);
    let rs: Vec<Vec<String>> = rows()
        .into_iter()
        .map(|mut r| {
            r.insert(3, "5".into());
            r.insert(4, "same".into());
            r
        })
        .collect();
    write_csv(&f, "id,age,income,five,word,plan,group,label", &rs);
    let r = f.check(0);
    let enc = r["model"]["encoded_features"].as_array().unwrap();
    assert!(enc.contains(&"five".into()) && enc.contains(&"word=same".into()));
    assert!(r["metrics"]["roc_auc"].as_f64().unwrap() > 0.6);
}

#[test]
fn ten_thousand_categories_are_capped_and_the_report_says_so() {
    let f = Fixture::new(AUC_GATE);
    let data = dataset(10_000, 3, 0.0);
    let mut s = String::from("id,ticket,age,income,plan,group,label\n");
    for (i, line) in data.lines().skip(1).enumerate() {
        let (id, rest) = line.split_once(',').unwrap();
        s.push_str(&format!("{id},T{i:05},{rest}\n"));
    }
    f.write("data.csv", &s);
    let r = f.check(0);
    let enc = r["model"]["encoded_features"].as_array().unwrap();
    let tickets = enc
        .iter()
        .filter(|e| e.as_str().unwrap().starts_with("ticket="))
        .count();
    assert_eq!(tickets, 100);
    let notes = r["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("ticket: one-hot keeps the 100 most frequent of 8000 categories")),
        "{notes:?}"
    );
    let table = f
        .cmd(&["report", "--run", "release-gate-out"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("8000 categories"));
    let md = f.read("release-gate-out/report.md");
    assert!(md.contains("ticket: one-hot keeps the 100 most frequent of 8000 categories"));
}

#[test]
fn protected_attribute_with_one_group_is_inconclusive_exit_1() {
    let fairness = "[[gate]]\nname = \"fair\"\nkind = \"fairness\"\nattribute = \"group\"\n";
    let f = edited(fairness, |_, r| r[4] = "a".into());
    let r = f.check(1);
    let g = gate(&r, "fair");
    assert_eq!(g["status"], "inconclusive");
    assert_eq!(
        g["message"],
        "group: only 1 group(s) in the test set; cannot compare groups"
    );
}

/// Round 36: one value of the attribute beside rows missing it passed
/// fairness as two groups (`a` against `<missing>`).
#[test]
fn one_group_beside_missing_values_is_inconclusive_exit_1() {
    let fairness = "[[gate]]\nname = \"fair\"\nkind = \"fairness\"\nattribute = \"group\"\n";
    let f = edited(fairness, |i, r| {
        r[4] = if i % 3 == 0 {
            String::new()
        } else {
            "a".into()
        }
    });
    let r = f.check(1);
    let g = gate(&r, "fair");
    assert_eq!(g["status"], "inconclusive");
    let missing = r["fairness"]["group"]["groups"]["<missing>"]["count"]
        .as_u64()
        .unwrap();
    assert!(missing > 0, "{}", r["fairness"]);
    let said = format!(
        "group: one value (a) in the test set besides {missing} row(s) where it is missing; \
         cannot compare groups"
    );
    assert_eq!(g["message"], said);
    // Within an intersection the same (`a|basic` beside `<missing>|basic`).
    let both =
        "[[gate]]\nname = \"fair\"\nkind = \"fairness\"\nattribute = [\"plan\", \"group\"]\n";
    let f = edited(both, |i, r| {
        r[4] = if i % 3 == 0 {
            String::new()
        } else {
            "a".into()
        }
    });
    let config = f.read("gates.toml");
    let protected = "protected = [\"group\", \"plan\"]";
    f.write(
        "gates.toml",
        &config.replace("protected = [\"group\"]", protected),
    );
    let r = f.check(1);
    let g = gate(&r, "fair");
    assert_eq!(g["status"], "inconclusive", "{g}");
    assert_eq!(g["message"], said);
    assert_eq!(
        r["fairness"]["plan|group"]["groups"]
            .as_object()
            .unwrap()
            .len(),
        6
    );
    // A value spelled `<missing>` beside `a`, no cell missing: two values.
    let f = edited(fairness, |i, r| {
        if i % 3 == 0 {
            r[4] = "<missing>".into();
        }
    });
    let r = f.check(0);
    let g = gate(&r, "fair");
    assert_eq!(g["status"], "pass", "{g}");
    // Two values beside the missing rows are compared, the missing rows
    // as a third group.
    let f = edited(fairness, |i, r| {
        if i % 3 == 0 {
            r[4] = String::new();
        }
    });
    let r = f.check(0);
    let g = gate(&r, "fair");
    assert_eq!(g["status"], "pass", "{g}");
    assert_eq!(
        r["fairness"]["group"]["groups"].as_object().unwrap().len(),
        3
    );
}

#[test]
fn duplicate_column_names_exit_2() {
    let f = Fixture::new("");
    f.write(
        "data.csv",
        &dataset(600, 1, 0.0).replacen("id,age,income", "id,age,age", 1),
    );
    exits_2(
        &f,
        "validate",
        "data.csv: duplicate column name \"age\" in the header",
    );
}

fn parquet_fixture(name: &str) -> Fixture {
    let f = Fixture::new("");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::copy(src, f.path(name)).unwrap();
    let config = crate::fixture::BASE_CONFIG
        .replace("data.csv", name)
        .replace("protected = [\"group\"]", "");
    f.write("gates.toml", &config);
    f
}

// Fuzzing (#12): a data page header with num_values = -1 made polars ask
// for ~2^61 bytes and abort (exit 134). Page counts are checked first.
#[test]
fn a_parquet_page_with_a_negative_value_count_is_exit_2() {
    let f = parquet_fixture("negative_page_count.parquet");
    let message = "negative_page_count.parquet: cannot read Parquet: column \"x\" (row group \
                   0) has a page of -1 values";
    exits_2(&f, "validate", message);
}

#[test]
fn parquet_list_column_exits_2_naming_column_and_type() {
    let f = parquet_fixture("nested.parquet");
    let message = "nested.parquet: column \"tags\" has unsupported type list; use integer";
    exits_2(&f, "validate", message);
}

#[test]
fn parquet_struct_column_exits_2_naming_column_and_type() {
    let f = parquet_fixture("struct.parquet");
    exits_2(
        &f,
        "check",
        "struct.parquet: column \"address\" has unsupported type struct; use integer",
    );
}

#[test]
fn gates_toml_that_is_not_toml_exits_2_with_line_and_column() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\nthis is not toml\n",
    );
    exits_2(&f, "validate", "gates.toml:3:6");
    std::fs::write(f.path("gates.toml"), b"\x00\xff\xfe binary").unwrap();
    exits_2(&f, "check", "gates.toml: not valid UTF-8 (byte 1)");
}

#[test]
fn data_path_that_is_a_directory_without_part_files_exits_2() {
    let f = Fixture::new("");
    std::fs::remove_file(f.path("data.csv")).unwrap();
    std::fs::create_dir(f.path("data.csv")).unwrap();
    f.write("data.csv/_SUCCESS", "");
    f.write("data.csv/.part-0.crc", "x");
    exits_2(&f, "check", "data.csv: a directory without part files");
}

#[test]
fn a_directory_of_part_files_with_partition_folders_is_one_table() {
    let f = Fixture::new("");
    let all = f.read("data.csv");
    let mut lines = all.lines();
    let header = lines.next().unwrap().replace(",group", "");
    let rows: Vec<&str> = lines.collect();
    std::fs::remove_file(f.path("data.csv")).unwrap();
    // Split by the protected column into group=a/ and group=b/ folders,
    // two part files each, with Spark's marker and checksum files.
    for g in ["a", "b"] {
        let mine: Vec<String> = rows
            .iter()
            .filter(|r| r.split(',').nth(4) == Some(g))
            .map(|r| {
                let mut c: Vec<&str> = r.split(',').collect();
                c.remove(4);
                c.join(",")
            })
            .collect();
        let (one, two) = mine.split_at(mine.len() / 2);
        f.write(
            &format!("data.csv/group={g}/part-00000.csv"),
            &format!("{header}\n{}\n", one.join("\n")),
        );
        f.write(
            &format!("data.csv/group={g}/part-00001.csv"),
            &format!("{header}\n{}\n", two.join("\n")),
        );
        f.write(&format!("data.csv/group={g}/.part-00000.csv.crc"), "crc");
    }
    f.write("data.csv/_SUCCESS", "");
    let r = f.check(0);
    assert_eq!(r["data"]["rows"], 600);
    assert_eq!(
        r["fairness"]["group"]["groups"].as_object().unwrap().len(),
        2
    );
    assert!(
        r["notes"].to_string().contains("read 4 part file(s)"),
        "{}",
        r["notes"]
    );
}

#[test]
fn every_row_positive_exits_2_naming_the_values() {
    let f = edited("", |_, r| r[5] = "yes".into());
    exits_2(
        &f,
        "check",
        "target \"label\" has one class: every row is the positive value \"yes\" (values seen: yes)",
    );
}

#[test]
fn too_few_rows_to_split_exits_2_naming_the_file_and_the_counts() {
    let f = Fixture::new("");
    f.write(
        "data.csv",
        &format!("{HEADER}\n1,30,50,pro,a,yes\n2,40,60,plus,b,no\n"),
    );
    exits_2(
        &f,
        "check",
        "data.csv: not enough labelled rows to split into train and test sets (2 train, 0 test",
    );
}

#[test]
fn parquet_dictionary_text_is_read_and_dates_are_left_out_with_a_note() {
    let f = parquet_fixture("dictionary_dates.parquet");
    f.write(
        "gates.toml",
        &f.read("gates.toml").replace("drop = [\"id\"]", "drop = []"),
    );
    let r = f.check(0);
    assert_eq!(features(&r), ["age", "plan"]);
    let notes = r["notes"].to_string();
    for (col, kind) in [("signed_up", "timestamp"), ("birthday", "date")] {
        assert!(
            notes.contains(&format!("column \\\"{col}\\\" ({kind}) was not read")),
            "{notes}"
        );
    }
    // Dropping a left-out column is no "missing column" note; a rule on one
    // is exit 2 naming the limitation, not a contract violation.
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace("drop = []", "drop = [\"signed_up\"]"),
    );
    let r = f.check(0);
    assert!(
        !r["notes"].to_string().contains("data.drop"),
        "{}",
        r["notes"]
    );
    f.write(
        "gates.toml",
        &format!("{config}\n[contract.columns.birthday]\nnullable = false\n"),
    );
    exits_2(
        &f,
        "check",
        "column \"birthday\" is a date column, which release-gate cannot read",
    );
}

/// A quoted header name with a comma and doubled quotes is the name the
/// file means (`plan, "tier"`), usable as such in gates.toml.
#[test]
fn quoted_header_names_are_unescaped() {
    let f = Fixture::new(
        "[contract.columns.'plan, \"tier\"']\nallowed = [\"basic\", \"plus\", \"pro\"]\n",
    );
    let data = dataset(600, 1, 0.0).replacen(
        "id,age,income,plan,",
        "id,age,income,\"plan, \"\"tier\"\"\",",
        1,
    );
    f.write("data.csv", &data);
    let r = f.check(0);
    assert_eq!(features(&r), ["age", "income", "plan, \"tier\""]);
}

#[test]
fn compressed_and_misnamed_parquet_files_say_what_they_are() {
    let f = Fixture::new("");
    let mut gz = vec![0x1f, 0x8b, 0x08, 0x00];
    gz.extend_from_slice(b"\x00\x00\x00\x00\x00\x03garbage");
    std::fs::write(f.path("data.csv"), gz).unwrap();
    exits_2(
        &f,
        "validate",
        "data.csv: is a gzip-compressed file, not a CSV file; decompress it first",
    );

    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nested.parquet");
    std::fs::copy(src, f.path("data.csv")).unwrap();
    exits_2(
        &f,
        "validate",
        "data.csv: is a Parquet file, not a CSV file; name it .parquet",
    );
}

/// A `;`- or tab-separated file (no comma in the header) is read with that
/// separator, says so, and gives the same run as its comma twin.
#[test]
fn semicolon_and_tab_separated_files_are_read_like_commas() {
    let f = Fixture::new("");
    f.check(0);
    let want = f.read("release-gate-out/predictions.csv");
    for sep in [";", "\t"] {
        f.write("data.csv", &dataset(600, 1, 0.0).replace(',', sep));
        let r = f.check(0);
        assert_eq!(f.read("release-gate-out/predictions.csv"), want, "{sep:?}");
        assert!(
            r["notes"].to_string().contains("-separated"),
            "{}",
            r["notes"]
        );
    }
}

#[test]
fn no_feature_left_to_train_on_exits_2() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &crate::fixture::BASE_CONFIG.replace(
            "drop = [\"id\"]",
            "drop = [\"id\", \"age\", \"income\", \"plan\"]",
        ),
    );
    exits_2(&f, "check", "no feature left to train on");
}

/// Quotes decide: a `;` file with a comma inside a (quoted or plain) column
/// name, and a tab file with a `;` in one, are still read with their
/// separator; a one-column file with a quoted `;` is one column.
#[test]
fn separator_detection_respects_quotes_and_consistency() {
    let f = Fixture::new("");
    f.check(0);
    let want = f.read("release-gate-out/predictions.csv");
    let base = dataset(600, 1, 0.0);
    let variants = [
        base.replace(',', ";")
            .replacen("income", "\"income, EUR\"", 1),
        base.replace(',', ";").replacen("income", "income, EUR", 1),
        base.replace(',', "\t").replacen("income", "income;net", 1),
    ];
    for v in variants {
        f.write("data.csv", &v);
        let r = f.check(0);
        assert_eq!(f.read("release-gate-out/predictions.csv"), want);
        assert!(r["notes"].to_string().contains("-separated"));
    }
}

#[test]
fn empty_part_files_are_skipped() {
    let f = Fixture::new("");
    let all = f.read("data.csv");
    let header = all.lines().next().unwrap().to_string();
    std::fs::remove_file(f.path("data.csv")).unwrap();
    f.write("data.csv/part-00000.csv", &all);
    f.write("data.csv/part-00001.csv", "");
    f.write("data.csv/part-00002.csv", &format!("{header}\n"));
    let r = f.check(0);
    assert_eq!(r["data"]["rows"], 600);
    assert!(
        r["notes"]
            .to_string()
            .contains("2 empty part file(s) skipped"),
        "{}",
        r["notes"]
    );
}

//! Tests against onnxruntime's own probabilities.
//!
//! Fixtures and oracle: `scripts/make_onnx_fixtures.py` (scikit-learn 1.9,
//! skl2onnx 1.20, onnxmltools 1.16, LightGBM 4.7, onnxruntime 1.32) wrote
//! `tests/fixtures/onnx/*.onnx`, `data.csv` and `oracle.csv` (onnxruntime
//! Python `InferenceSession.run` positive-class probabilities, 17 digits).
//!
//! These tests need ONNX Runtime: `ORT_DYLIB_PATH`, or the `onnxruntime`
//! wheel of the active Python (`scripts/setup_test_env.sh` sets it up). They
//! fail, never skip, when it is missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use std::collections::HashMap;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/onnx")
        .join(name)
}

/// A CSV without quoting, as column name -> cells.
fn read_csv(name: &str) -> (Vec<String>, HashMap<String, Vec<String>>) {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut cols: HashMap<String, Vec<String>> = HashMap::new();
    for line in lines {
        for (h, cell) in header.iter().zip(line.split(',')) {
            cols.entry(h.clone()).or_default().push(cell.to_string());
        }
    }
    (header, cols)
}

fn numbers(cells: &[String]) -> Vec<f64> {
    cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                f64::NAN
            } else {
                c.parse().unwrap()
            }
        })
        .collect()
}

struct Data {
    tenure: Vec<f64>,
    monthly: Vec<f64>,
    age: Vec<f64>,
    churn: Vec<f64>,
    contract: Vec<String>,
    contract_codes: Vec<u32>,
    contract_levels: Vec<String>,
}

fn data() -> Data {
    let (_, cols) = read_csv("data.csv");
    let contract = cols["contract"].clone();
    let mut levels: Vec<String> = Vec::new();
    let codes = contract
        .iter()
        .map(|c| match levels.iter().position(|l| l == c) {
            Some(i) => i as u32,
            None => {
                levels.push(c.clone());
                (levels.len() - 1) as u32
            }
        })
        .collect();
    Data {
        tenure: numbers(&cols["tenure"]),
        monthly: numbers(&cols["monthly"]),
        age: numbers(&cols["age"]),
        churn: numbers(&cols["churn"]),
        contract,
        contract_codes: codes,
        contract_levels: levels,
    }
}

fn oracle(column: &str) -> Vec<f64> {
    let (_, cols) = read_csv("oracle.csv");
    numbers(&cols[column])
}

fn load(name: &str, options: &OnnxOptions) -> OnnxModel {
    OnnxModel::load(&fixture(name), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn opts() -> OnnxOptions {
    OnnxOptions::default()
}

fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() {
            assert!(g.is_nan(), "row {i}: got {g}, onnxruntime NaN");
        } else {
            assert!((g - w).abs() <= tol, "row {i}: got {g}, onnxruntime {w}");
        }
    }
}

fn numeric(d: &Data) -> Vec<(&str, ColumnRef<'_>)> {
    vec![
        ("tenure", ColumnRef::Num(&d.tenure)),
        ("monthly", ColumnRef::Num(&d.monthly)),
        ("age", ColumnRef::Num(&d.age)),
    ]
}

#[test]
fn logistic_regression_on_one_float_tensor() {
    let d = data();
    let m = load("lr_tensor.onnx", &opts());
    assert_eq!(m.input_columns(), None);
    assert_eq!(m.tensor_width(), Some(3));
    assert_eq!(
        m.output(),
        (
            "probabilities",
            Some(&["0".to_string(), "1".to_string()][..])
        )
    );
    // Rows 3, 17 and 101 have a missing `monthly`, which this model (no
    // imputer) scores as NaN: an error naming them.
    let e = err(m.score(&numeric(&d)));
    assert!(
        e.contains("the model scored 3 rows as NaN (rows 3, 17, 101)"),
        "{e}"
    );
    let rows = complete_rows(&d);
    let got = m.score_rows(&numeric(&d), &rows).unwrap();
    // Spot value from oracle.csv (row 0).
    assert!((got[0] - 0.044_116_228_818_893_4).abs() < 1e-6);
    assert_close(&got, &pick(&oracle("lr_tensor"), &rows), 1e-6);
}

/// Rows without a missing `monthly`.
fn complete_rows(d: &Data) -> Vec<usize> {
    (0..d.monthly.len())
        .filter(|&r| !d.monthly[r].is_nan())
        .collect()
}

fn pick(v: &[f64], rows: &[usize]) -> Vec<f64> {
    rows.iter().map(|&r| v[r]).collect()
}

#[test]
fn pipeline_with_one_input_per_column_and_zipmap() {
    let d = data();
    let m = load("pipeline_zipmap.onnx", &opts());
    assert_eq!(
        m.input_columns(),
        Some(vec![
            "tenure".into(),
            "monthly".into(),
            "age".into(),
            "contract".into()
        ])
    );
    // Columns in another order, plus one the model does not read.
    let cols = vec![
        ("churn", ColumnRef::Num(&d.churn)),
        (
            "contract",
            ColumnRef::Cat {
                codes: &d.contract_codes,
                levels: &d.contract_levels,
            },
        ),
        ("age", ColumnRef::Num(&d.age)),
        ("monthly", ColumnRef::Num(&d.monthly)),
        ("tenure", ColumnRef::Num(&d.tenure)),
    ];
    let got = m.score(&cols).unwrap();
    // The pipeline imputes the missing `monthly` of row 3 (oracle.csv row 3).
    assert!((got[3] - 0.033_443_689_346_313_5).abs() < 1e-6);
    assert_close(&got, &oracle("pipeline_zipmap"), 1e-6);
}

#[test]
fn pipeline_without_zipmap_takes_text_as_strings() {
    let d = data();
    let text: Vec<Option<&str>> = d.contract.iter().map(|s| Some(s.as_str())).collect();
    let mut cols = numeric(&d);
    cols.push(("contract", ColumnRef::Text(&text)));
    let m = load("pipeline_nozipmap.onnx", &opts());
    let got = m.score(&cols).unwrap();
    assert_close(&got, &oracle("pipeline_nozipmap"), 1e-6);
}

#[test]
fn lightgbm_through_onnxmltools() {
    let d = data();
    let m = load("lgbm.onnx", &opts());
    let got = m.score(&numeric(&d)).unwrap();
    assert_close(&got, &oracle("lgbm"), 1e-6);
}

#[test]
fn string_class_labels_pick_the_positive_by_name() {
    let d = data();
    let rows = complete_rows(&d);
    let yes = OnnxOptions {
        positive: vec!["yes".into()],
        ..opts()
    };
    let m = load("lr_strings.onnx", &yes);
    assert_eq!(
        m.output(),
        (
            "output_probability",
            Some(&["no".to_string(), "yes".to_string()][..])
        )
    );
    assert_close(
        &m.score_rows(&numeric(&d), &rows).unwrap(),
        &pick(&oracle("lr_strings_yes"), &rows),
        1e-6,
    );
    let no = OnnxOptions {
        positive: vec!["no".into()],
        ..opts()
    };
    let m = load("lr_strings.onnx", &no);
    assert_close(
        &m.score_rows(&numeric(&d), &rows).unwrap(),
        &pick(&oracle("lr_strings_no"), &rows),
        1e-6,
    );
    // positive_index picks the class when `positive` is not a label...
    let by_index = OnnxOptions {
        positive: vec!["churned".into()],
        positive_index: Some(0),
        ..opts()
    };
    let m = load("lr_strings.onnx", &by_index);
    // ... and may not contradict it when it is (round 7, B1).
    let contradicting = OnnxOptions {
        positive: vec!["yes".into()],
        positive_index: Some(0),
        ..opts()
    };
    let path = fixture("lr_strings.onnx");
    let err = OnnxModel::load(&path, &contradicting)
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("make them agree")),
        "{err:?}"
    );
    assert_close(
        &m.score_rows(&numeric(&d), &rows).unwrap(),
        &pick(&oracle("lr_strings_no"), &rows),
        1e-6,
    );
}

#[test]
fn double_model_finds_labels_in_the_classes_initializer() {
    let d = data();
    let m = load("lr_double.onnx", &opts());
    assert_eq!(m.output().1, Some(&["0".to_string(), "1".to_string()][..]));
    // Double precision end to end: much tighter than float.
    let rows = complete_rows(&d);
    assert_close(
        &m.score_rows(&numeric(&d), &rows).unwrap(),
        &pick(&oracle("lr_double"), &rows),
        1e-12,
    );
}

#[test]
fn positive_matches_labels_as_numbers_and_booleans() {
    let d = data();
    for positive in [["1.0"], ["true"]] {
        let o = OnnxOptions {
            positive: positive.map(String::from).into(),
            ..opts()
        };
        let m = load("lr_tensor.onnx", &o);
        let rows = complete_rows(&d);
        assert_close(
            &m.score_rows(&numeric(&d), &rows).unwrap(),
            &pick(&oracle("lr_tensor"), &rows),
            1e-6,
        );
    }
}

#[test]
fn batches_and_single_rows_give_identical_scores() {
    let d = data();
    let cols = numeric(&d);
    let all = load(
        "lgbm.onnx",
        &OnnxOptions {
            batch_rows: 0,
            ..opts()
        },
    )
    .score(&cols)
    .unwrap();
    for batch_rows in [1, 7, 4096] {
        let m = load(
            "lgbm.onnx",
            &OnnxOptions {
                batch_rows,
                ..opts()
            },
        );
        let got = m.score(&cols).unwrap();
        assert_eq!(
            got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            all.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            "batch_rows = {batch_rows}"
        );
    }
    let m = load("lr_tensor.onnx", &opts());
    let rows = [5usize, 0, 119];
    let prepared = m.prepare_rows(&cols, &rows).unwrap();
    assert_eq!(prepared.len(), 3);
    let batch = m.score_rows(&cols, &rows).unwrap();
    for i in 0..4 {
        assert_eq!(m.score_row(&prepared, i).unwrap(), batch[i % 3], "row {i}");
    }
}

#[test]
fn no_rows_score_to_nothing() {
    let m = load("pipeline_zipmap.onnx", &opts());
    let e: Vec<f64> = Vec::new();
    let t: Vec<Option<&str>> = Vec::new();
    let cols = vec![
        ("tenure", ColumnRef::Num(&e)),
        ("monthly", ColumnRef::Num(&e)),
        ("age", ColumnRef::Num(&e)),
        ("contract", ColumnRef::Text(&t)),
    ];
    assert_eq!(m.score(&cols).unwrap(), Vec::<f64>::new());
}

#[test]
fn sha256_is_the_files() {
    // `sha256sum tests/fixtures/onnx/lr_tensor.onnx`
    let m = load("lr_tensor.onnx", &opts());
    assert_eq!(
        m.sha256(),
        "9be6becc65efcb38ea01b5ac0ac22c4d5c29552d010d090f34c9ca6440eab16a"
    );
}

fn err(r: Result<impl std::fmt::Debug, OnnxError>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn wrong_tensor_width_names_expected_and_given() {
    let d = data();
    let m = load("lr_tensor.onnx", &opts());
    let e = err(m.score(&numeric(&d)[..2]));
    assert!(
        e.contains("expects 3 columns, 2 given (tenure, monthly)"),
        "{e}"
    );
    let mut cols = numeric(&d);
    let text: Vec<Option<&str>> = vec![Some("a"); 120];
    cols[1] = ("contract", ColumnRef::Text(&text));
    let e = err(m.score(&cols));
    assert!(e.contains("text column `contract` cannot feed"), "{e}");
}

#[test]
fn missing_columns_are_all_named() {
    let d = data();
    let m = load("pipeline_zipmap.onnx", &opts());
    let e = err(m.score(&numeric(&d)[..2]));
    assert_eq!(e, "the model needs columns the data lacks: age, contract");
}

#[test]
fn a_missing_value_for_an_int64_input_names_the_column() {
    let d = data();
    let mut tenure = d.tenure.clone();
    tenure[9] = f64::NAN;
    let mut cols = numeric(&d);
    cols[0] = ("tenure", ColumnRef::Num(&tenure));
    cols.push(("contract", ColumnRef::Text(&[Some("year"); 120])));
    let m = load("pipeline_zipmap.onnx", &opts());
    let e = err(m.score(&cols));
    assert!(
        e.contains("column `tenure` has a missing value (row 9)"),
        "{e}"
    );
    tenure[9] = 1.5;
    let e = err(m.score(&[
        ("tenure", ColumnRef::Num(&tenure)),
        ("monthly", ColumnRef::Num(&d.monthly)),
        ("age", ColumnRef::Num(&d.age)),
        ("contract", ColumnRef::Text(&[Some("year"); 120])),
    ]));
    assert!(e.contains("non-integer value 1.5 (row 9)"), "{e}");
    // Past the int64 range (2^63, a 20-digit id, 6.8e20): refused, not
    // saturated into a score; -2^63 itself fits.
    for (x, fits) in [(2f64.powi(63), false), (6.8e20, false), (-6.8e20, false)]
        .into_iter()
        .chain([(-2f64.powi(63), true), (72.0, true)])
    {
        tenure[9] = x;
        let r = m.score(&[
            ("tenure", ColumnRef::Num(&tenure)),
            ("monthly", ColumnRef::Num(&d.monthly)),
            ("age", ColumnRef::Num(&d.age)),
            ("contract", ColumnRef::Text(&[Some("year"); 120])),
        ]);
        match (r, fits) {
            (Ok(_), true) => {}
            (Err(e), false) => assert!(
                e.to_string().contains(&format!(
                    "value {x} (row 9) does not fit the model's int64 input"
                )),
                "{e}"
            ),
            (r, _) => panic!("{x}: {:?}", r.map(|_| ())),
        }
    }
}

#[test]
fn unequal_column_lengths_are_an_error() {
    let d = data();
    let m = load("lr_tensor.onnx", &opts());
    let e = err(m.score(&[
        ("tenure", ColumnRef::Num(&d.tenure)),
        ("monthly", ColumnRef::Num(&d.monthly[..10])),
        ("age", ColumnRef::Num(&d.age)),
    ]));
    assert!(
        e.contains("column `monthly` has 10 rows, the others 120"),
        "{e}"
    );
}

#[test]
fn output_and_positive_errors_say_what_to_set() {
    let bad = |o: OnnxOptions, name: &str| err(OnnxModel::load(&fixture(name), &o));
    let e = bad(
        OnnxOptions {
            positive: vec!["maybe".into()],
            ..opts()
        },
        "lr_strings.onnx",
    );
    assert!(
        e.contains("the positive value `maybe` is not a class of the model (no, yes); set [model] positive_index"),
        "{e}"
    );
    let e = bad(
        OnnxOptions {
            output: Some("nope".into()),
            ..opts()
        },
        "lr_tensor.onnx",
    );
    assert!(
        e.contains("[model] output `nope` is not an output of the model (outputs: label"),
        "{e}"
    );
    let e = bad(
        OnnxOptions {
            output: Some("label".into()),
            ..opts()
        },
        "lr_tensor.onnx",
    );
    assert!(e.contains("not probabilities"), "{e}");
    let e = bad(
        OnnxOptions {
            positive_index: Some(2),
            ..opts()
        },
        "lr_tensor.onnx",
    );
    assert!(
        e.contains("positive_index = 2 but output `probabilities` has 2 classes (0, 1)"),
        "{e}"
    );
    let e = err(OnnxModel::load(&fixture("data.csv"), &opts()));
    assert!(e.contains("data.csv"), "{e}");
    let e = err(OnnxModel::load(&fixture("absent.onnx"), &opts()));
    assert!(e.contains("absent.onnx: cannot read"), "{e}");
}

#[test]
fn explicit_outputs_are_taken_by_name() {
    let d = data();
    let o = OnnxOptions {
        output: Some("output_probability".into()),
        ..opts()
    };
    let m = load("pipeline_zipmap.onnx", &o);
    let mut cols = numeric(&d);
    let text: Vec<Option<&str>> = d.contract.iter().map(|s| Some(s.as_str())).collect();
    cols.push(("contract", ColumnRef::Text(&text)));
    assert_close(&m.score(&cols).unwrap(), &oracle("pipeline_zipmap"), 1e-6);
}

#[test]
fn a_bogus_library_path_gives_the_fix() {
    let e = runtime::find_library(Some("/nonexistent/libonnxruntime.so".into()), &[], false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ORT_DYLIB_PATH=/nonexistent/libonnxruntime.so does not exist"),
        "{e}"
    );
    assert!(e.contains("pip install onnxruntime"), "{e}");
    assert!(
        e.contains("export ORT_DYLIB_PATH=/path/to/libonnxruntime.so"),
        "{e}"
    );
    // Not set, no Python environment, no python3 asked.
    let e = runtime::find_library(None, &[PathBuf::from("/nonexistent/venv")], false)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("ONNX Runtime library not found (ORT_DYLIB_PATH is not set; searched /nonexistent/venv)"),
        "{e}"
    );
    assert!(e.contains("pip install onnxruntime"), "{e}");
    // A file that is not a library never reaches the loader.
    let e = runtime::check_library_file(&fixture("data.csv")).unwrap_err();
    assert!(e.contains("is not a shared library"), "{e}");
}

#[test]
fn the_wheel_library_is_found_in_a_python_prefix() {
    // A fake venv holding a fake wheel: lib/python3.11/site-packages/onnxruntime/capi/.
    let dir = std::env::temp_dir().join(format!("rg-onnx-venv-{}", std::process::id()));
    let capi = dir.join("lib/python3.11/site-packages/onnxruntime/capi");
    std::fs::create_dir_all(&capi).unwrap();
    for f in [
        "libonnxruntime_providers_shared.so",
        "libonnxruntime.so.1.32.0",
        "__init__.py",
    ] {
        std::fs::write(capi.join(f), b"").unwrap();
    }
    let found = runtime::find_library(Some("".into()), std::slice::from_ref(&dir), false).unwrap();
    assert_eq!(found, capi.join("libonnxruntime.so.1.32.0"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn models_without_class_labels() {
    let d = data();
    let rows = complete_rows(&d);
    // A one-column sigmoid output is the positive-class score itself.
    let m = load("sigmoid.onnx", &opts());
    assert_eq!(m.output(), ("score", None));
    assert_eq!(m.output_caveat(), None, "positive = 1 is the usual class");
    // Under positive = 0 (or false, no) the column is still read as the
    // positive class's score, with a word to check it (round 51).
    for p in ["0", "0.0", " false", "No"] {
        let o = OnnxOptions {
            positive: vec![p.into()],
            ..opts()
        };
        let said = load("sigmoid.onnx", &o).output_caveat().map(str::to_string);
        let said = said.unwrap_or_default();
        assert!(
            said.contains("output `score` has one column and no class labels")
                && said.contains(&format!("[data] positive = {p:?}"))
                && !said.contains("  "),
            "{p}: {said}"
        );
    }
    // A model with class labels says which column is which: no caveat.
    let labelled = OnnxOptions {
        positive: vec!["0".into()],
        ..opts()
    };
    assert_eq!(load("lr_tensor.onnx", &labelled).output_caveat(), None);
    let want = pick(&oracle("sigmoid"), &rows);
    assert_close(&m.score_rows(&numeric(&d), &rows).unwrap(), &want, 1e-6);
    // A softmax [N, 2] next to raw logits: the output is found by name
    // ("probs" is the only float output whose name says probability), the
    // positive column must be given.
    let e = err(OnnxModel::load(&fixture("softmax.onnx"), &opts()));
    assert!(
        e.contains("cannot tell which column of output `probs` is the positive class: the model carries no class labels; set [model] positive_index"),
        "{e}"
    );
    let o = OnnxOptions {
        positive_index: Some(1),
        ..opts()
    };
    let m = load("softmax.onnx", &o);
    let want = pick(&oracle("softmax_1"), &rows);
    assert_close(&m.score_rows(&numeric(&d), &rows).unwrap(), &want, 1e-6);
    // Choosing the logits by name is allowed (a float tensor), and then
    // positive_index picks its column; choosing nothing with two
    // unnamed-probability outputs would be ambiguous.
    let o = OnnxOptions {
        output: Some("logits".into()),
        positive_index: Some(1),
        ..opts()
    };
    assert_eq!(load("softmax.onnx", &o).output().0, "logits");
}

/// Positive-class scores of `rows` read from the file's own ZipMap output
/// (no rewrite): one session run per chunk of `chunk` rows, the map entries
/// through `output::extract`. (ONNX Runtime's float kernels may round a row
/// differently in batches of other sizes, so compare like with like.)
fn through_zipmap(
    name: &str,
    cols: &[(&str, ColumnRef<'_>)],
    rows: &[usize],
    positive: &str,
    chunk: usize,
) -> Vec<f64> {
    let path = fixture(name);
    let mut session = runtime::session(&path).unwrap();
    let graph = proto::parse_model(&std::fs::read(&path).unwrap()).unwrap();
    let plan = output::plan(
        &output::declared(session.outputs()),
        &graph,
        None,
        &[positive.to_string()],
        None,
    )
    .unwrap();
    assert!(matches!(plan.pick, output::Pick::MapKey { .. }), "{plan:?}");
    let fp = feed::plan(session.inputs()).unwrap();
    let resolved = feed::resolve(&fp, cols).unwrap();
    let mut scores = Vec::new();
    for part in rows.chunks(chunk) {
        let values = to_values(feed::build(&fp, &resolved, part).unwrap()).unwrap();
        let inputs: Vec<(&str, SessionInputValue<'_>)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), SessionInputValue::from(v)))
            .collect();
        let outputs = session.run(inputs).unwrap();
        scores.extend(output::extract(&plan, &outputs, part.len()).unwrap());
    }
    scores
}

#[test]
fn zipmap_models_score_without_the_zipmap_bit_for_bit() {
    let d = data();
    let text: Vec<Option<&str>> = d.contract.iter().map(|s| Some(s.as_str())).collect();
    let mut with_text = numeric(&d);
    with_text.push(("contract", ColumnRef::Text(&text)));
    let complete = complete_rows(&d);
    let all: Vec<usize> = (0..d.tenure.len()).collect();
    let num = numeric(&d);
    // (model, columns, rows, positive, map output, the ZipMap's input)
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, ColumnRef<'a>)],
        &'a [usize],
        &'a str,
        &'a str,
        &'a str,
    );
    let cases: [Case<'_>; 4] = [
        (
            "pipeline_zipmap.onnx",
            &with_text,
            &all,
            "1",
            "output_probability",
            "probabilities",
        ),
        (
            "lgbm.onnx",
            &num,
            &all,
            "1",
            "probabilities",
            "lgbmprobabilities",
        ),
        (
            "lr_strings.onnx",
            &num,
            &complete,
            "yes",
            "output_probability",
            "probabilities",
        ),
        (
            "lr_strings.onnx",
            &num,
            &complete,
            "no",
            "output_probability",
            "probabilities",
        ),
    ];
    for (name, cols, rows, positive, map, tensor) in cases {
        let options = OnnxOptions {
            positive: vec![positive.into()],
            ..opts()
        };
        let m = load(name, &options);
        // The declared output is still the map; the session reads the tensor.
        assert_eq!(m.output().0, map, "{name}");
        assert_eq!(m.output.fetch, tensor, "{name}");
        assert!(
            matches!(m.output.pick, output::Pick::Unzipped { width: 2, .. }),
            "{name}"
        );
        let want = through_zipmap(name, cols, rows, positive, rows.len());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&m.score_rows(cols, rows).unwrap()),
            bits(&want),
            "{name} {positive}"
        );
        let prepared = m.prepare_rows(cols, rows).unwrap();
        let one: Vec<f64> = (0..rows.len())
            .map(|i| m.score_row(&prepared, i).unwrap())
            .collect();
        assert_eq!(
            bits(&one),
            bits(&through_zipmap(name, cols, rows, positive, 1)),
            "{name} {positive}, one row at a time"
        );
    }
}

#[test]
fn single_rows_get_their_own_session_of_the_same_file() {
    let d = data();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.onnx");
    std::fs::copy(fixture("lr_tensor.onnx"), &path).unwrap();
    let m = OnnxModel::load(&path, &opts()).unwrap();
    let cols = numeric(&d);
    let prepared = m.prepare_rows(&cols, &[0, 1]).unwrap();
    // Replaced after loading: no session of another model is made.
    std::fs::copy(fixture("lr_double.onnx"), &path).unwrap();
    let e = err(m.prepare_rows(&cols, &[0]));
    assert!(e.contains("changed since it was loaded"), "{e}");
    let one = m.score_rows(&cols, &[1]).unwrap();
    assert_eq!(m.score_row(&prepared, 1).unwrap(), one[0]);
}

/// A regression model has no probability output (issue #9's bad inputs):
/// its one float column is refused, naming the op, not read as a score.
/// Fixtures: scripts/make_onnx_regressor.py (skl2onnx LinearRegression and
/// GradientBoostingRegressor).
#[test]
fn regression_models_are_refused() {
    for (file, op) in [
        ("regressor.onnx", "LinearRegressor"),
        ("tree_regressor.onnx", "TreeEnsembleRegressor"),
    ] {
        let e = err(OnnxModel::load(&fixture(file), &opts()));
        assert!(
            e.contains(&format!(
                "output `variable` comes from {op}: a regression model"
            )),
            "{file}: {e}"
        );
    }
    // A sigmoid over a linear score is a classifier's score, as before.
    assert_eq!(load("sigmoid.onnx", &opts()).output(), ("score", None));
}

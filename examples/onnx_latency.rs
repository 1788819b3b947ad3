//! Where single-row ONNX latency goes: p50/p95/p99 (microseconds) of
//! `OnnxModel::score_row` (what `check` times as `latency`) next to the
//! raw `ort` run of the same prepared inputs, with and without reading the
//! score out, for every model given (default: the two fixtures the
//! release-gate issue names, tests/fixtures/onnx/{lr_tensor,pipeline_zipmap}.onnx).
//! Rows are tests/fixtures/onnx/data.csv (the 117 without a missing
//! number), cycled like `scripts/oracles/onnx_latency.py`.
//!
//!   . /tmp/ortenv; cargo run --release --example onnx_latency [runs] [model.onnx...]
#![allow(clippy::unwrap_used, clippy::expect_used)]
use ort::session::{OutputSelector, RunOptions, SessionInputValue};
use ort::value::DynValue;
use release_gate::model::onnx::{feed, output, proto, runtime, ColumnRef, OnnxModel, OnnxOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn percentiles(mut t: Vec<f64>) -> String {
    t.sort_by(f64::total_cmp);
    let at = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
    format!(
        "p50 {:5.1} us, p95 {:5.1} us, p99 {:5.1} us",
        at(0.50),
        at(0.95),
        at(0.99)
    )
}

/// Times `f(i)` for `runs` calls after 1000 warm-up calls.
fn time(runs: usize, mut f: impl FnMut(usize) -> f64) -> String {
    let mut sink = 0.0;
    for i in 0..1000 {
        sink += f(i);
    }
    let mut t = Vec::with_capacity(runs);
    for i in 0..runs {
        let s = Instant::now();
        sink += f(std::hint::black_box(i));
        t.push(s.elapsed().as_secs_f64() * 1e6);
    }
    std::hint::black_box(sink);
    percentiles(t)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    let mut models: Vec<PathBuf> = args.iter().skip(1).map(PathBuf::from).collect();
    if models.is_empty() {
        models = vec![dir.join("lr_tensor.onnx"), dir.join("pipeline_zipmap.onnx")];
    }
    let text = std::fs::read_to_string(dir.join("data.csv")).unwrap();
    let mut num: [Vec<f64>; 3] = Default::default();
    let mut contract: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        for j in 0..3 {
            num[j].push(c[j].parse().unwrap_or(f64::NAN));
        }
        contract.push(c[3].to_string());
    }
    let contract_ref: Vec<Option<&str>> = contract.iter().map(|s| Some(s.as_str())).collect();
    let n = contract.len();
    // Rows with a missing number score NaN through lr_tensor (an error).
    let rows: Vec<usize> = (0..n)
        .filter(|&r| num.iter().all(|c| !c[r].is_nan()))
        .collect();
    let n = rows.len();
    for path in &models {
        let model = OnnxModel::load(path, &OnnxOptions::default()).unwrap();
        let cols: Vec<(&str, ColumnRef<'_>)> = match model.input_columns() {
            Some(_) => vec![
                ("tenure", ColumnRef::Num(&num[0])),
                ("monthly", ColumnRef::Num(&num[1])),
                ("age", ColumnRef::Num(&num[2])),
                ("contract", ColumnRef::Text(&contract_ref)),
            ],
            None => vec![
                ("tenure", ColumnRef::Num(&num[0])),
                ("monthly", ColumnRef::Num(&num[1])),
                ("age", ColumnRef::Num(&num[2])),
            ],
        };
        let prepared = model.prepare_rows(&cols, &rows).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        println!(
            "{name}: score_row            {}",
            time(runs, |i| model.score_row(&prepared, i).unwrap())
        );
        // As `check` does: a batch run first, then 200 warm-up and 2,000
        // timed calls on the test rows (24 of this file's).
        let model = OnnxModel::load(path, &OnnxOptions::default()).unwrap();
        model.score_rows(&cols, &rows).unwrap();
        let prepared = model.prepare_rows(&cols, &rows[..24]).unwrap();
        let mut t = Vec::new();
        let mut sink = 0.0;
        for i in 0..2200 {
            let s = Instant::now();
            sink += model.score_row(&prepared, std::hint::black_box(i)).unwrap();
            if i >= 200 {
                t.push(s.elapsed().as_secs_f64() * 1e6);
            }
        }
        std::hint::black_box(sink);
        println!("{name}: as check does      {}", percentiles(t));
        // The same inputs through a raw session with our options.
        let mut session = runtime::session(path).unwrap();
        let feed_plan = feed::plan(session.inputs()).unwrap();
        let graph = proto::parse_model(&std::fs::read(path).unwrap()).unwrap();
        let out_plan = output::plan(
            &output::declared(session.outputs()),
            &graph,
            None,
            &["1".into()],
            None,
        )
        .unwrap();
        let resolved = feed::resolve(&feed_plan, &cols).unwrap();
        let values: Vec<Vec<(String, DynValue)>> = rows
            .iter()
            .map(|&r| {
                let feeds = feed::build(&feed_plan, &resolved, &[r]).unwrap();
                feeds.into_iter().map(|f| f.into_value().unwrap()).collect()
            })
            .collect();
        let inputs = |i: usize| -> Vec<(&str, SessionInputValue<'_>)> {
            values[i % n]
                .iter()
                .map(|(k, v)| (k.as_str(), SessionInputValue::from(v)))
                .collect()
        };
        let selected = RunOptions::new()
            .unwrap()
            .with_outputs(OutputSelector::no_default().with(out_plan.name.clone()));
        let line = time(runs, |i| {
            let out = session.run_with_options(inputs(i), &selected).unwrap();
            out.len() as f64
        });
        println!("{name}: run (1 output)       {line}");
        let line = time(runs, |i| {
            let out = session.run_with_options(inputs(i), &selected).unwrap();
            output::extract(&out_plan, &out, 1).unwrap()[0]
        });
        println!("{name}: run + extract        {line}");
        let line = time(runs, |i| {
            let out = session.run(inputs(i)).unwrap();
            out.len() as f64
        });
        println!("{name}: run (all outputs)    {line}");
        let out = session.run_with_options(inputs(0), &selected).unwrap();
        let line = time(runs, |_| output::extract(&out_plan, &out, 1).unwrap()[0]);
        println!("{name}: extract alone        {line}");
    }
}

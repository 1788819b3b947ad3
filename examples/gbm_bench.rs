//! Speed benchmark for `gradient_boosting` (driven by
//! bench/gbm_vs_lightgbm.py, which also times LightGBM on the same data).
//!
//! `cargo run --release --example gbm_bench -- DATA.bin [EXPLAIN_ROWS]`
//! DATA.bin: u64 rows, u64 cols, then rows*cols f64 column-major (NaN =
//! missing), then rows u8 labels, all little-endian. Prints one JSON line
//! with the timings in seconds. Threads: set RAYON_NUM_THREADS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use release_gate::features::Matrix;
use release_gate::model::gbm::{fit, GbmParams};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("read DATA.bin");
    let explain_rows: usize = args.get(2).map_or(100_000, |s| s.parse().unwrap());
    let u = |k: usize| u64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().unwrap()) as usize;
    let (rows, cols) = (u(0), u(1));
    let data: Vec<f64> = bytes[16..16 + 8 * rows * cols]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let y = bytes[16 + 8 * rows * cols..].to_vec();
    let x = Matrix { rows, cols, data };
    let p = GbmParams::default();
    let t = Instant::now();
    let (m, info) = fit(&p, &x, &y, 0).unwrap();
    let train = t.elapsed().as_secs_f64();
    let n = explain_rows.min(rows);
    let mut sub = Matrix::zeros(n, cols);
    for j in 0..cols {
        sub.col_mut(j).copy_from_slice(&x.col(j)[..n]);
    }
    let t = Instant::now();
    let s = m.score_matrix(&sub);
    let predict = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (base, c) = m.contributions_matrix(&sub);
    let explain = t.elapsed().as_secs_f64();
    // Additivity check on the explained rows.
    let worst = (0..n)
        .map(|i| {
            let z = base + (0..cols).map(|j| c.get(i, j)).sum::<f64>();
            (z - (s[i] / (1.0 - s[i])).ln()).abs()
        })
        .fold(0.0f64, f64::max);
    println!(
        "{{\"rows\": {rows}, \"cols\": {cols}, \"threads\": {}, \"train_s\": {train:.3}, \
         \"trees\": {}, \"leaves\": {}, \"explain_rows\": {n}, \"predict_s\": {predict:.4}, \
         \"explain_s\": {explain:.3}, \"additivity_max_err\": {worst:.2e}}}",
        rayon::current_num_threads(),
        info.trees_used,
        m.trees
            .iter()
            .map(|t| t.nodes.iter().filter(|n| n.left == 0).count())
            .sum::<usize>(),
    );
}

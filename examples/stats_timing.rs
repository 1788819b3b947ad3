//! Release-mode timing of `all_intervals` on 1M rows (or the row count
//! given as the first argument), 1000 replicates, and of each fairness
//! interval for a two-group attribute.
#![allow(clippy::unwrap_used)]
use std::time::Instant;

use release_gate::evaluate::stats::{all_intervals, champion_test, BootstrapConfig};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut s: u64 = 42;
    let mut u = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut y, mut p, mut q) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let sc = u();
        y.push(u8::from(u() < sc * 0.8 + 0.1));
        p.push(sc);
        q.push((sc + 0.1 * (u() - 0.5)).clamp(0.0, 1.0));
    }
    let cfg = BootstrapConfig {
        replicates: 1000,
        confidence: 0.95,
        seed: 7,
    };
    per_metric(&y, &p, &cfg);
    let groups: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
    let y_pred: Vec<u8> = p.iter().map(|&s| u8::from(s >= 0.5)).collect();
    for m in release_gate::evaluate::stats::FAIRNESS_METRICS {
        let t = Instant::now();
        let _ = release_gate::evaluate::stats::fairness_interval(m, &groups, &y, &y_pred, &cfg);
        println!("fairness {m}: {:.3} s", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let all = all_intervals(&y, &p, 0.5, &cfg);
    let e = t.elapsed();
    for (k, v) in &all {
        println!("{k:>10}: [{:.6}, {:.6}] {}", v.low, v.high, v.method);
    }
    println!(
        "all_intervals {n} rows x 1000 replicates: {:.3} s",
        e.as_secs_f64()
    );
    for m in ["roc_auc", "accuracy", "f1", "log_loss", "brier"] {
        let t = Instant::now();
        let c = champion_test(m, &y, &q, &p, 0.5, 0.5, &cfg).unwrap();
        println!(
            "champion {m:>9}: {:+.6} [{:+.6}, {:+.6}] p={:?} {:.3} s",
            c.improvement,
            c.low,
            c.high,
            c.p_value,
            t.elapsed().as_secs_f64()
        );
    }
}

#[allow(dead_code)]
fn per_metric(y: &[u8], p: &[f64], cfg: &BootstrapConfig) {
    for m in ["accuracy", "f1", "roc_auc", "log_loss", "brier"] {
        let t = Instant::now();
        let _ = release_gate::evaluate::stats::metric_interval(m, y, p, 0.5, cfg);
        println!("{m}: {:.3} s", t.elapsed().as_secs_f64());
    }
}

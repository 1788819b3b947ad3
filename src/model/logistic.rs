//! L2-regularised binary logistic regression: parameters, the solver, and
//! scoring.
//!
//! Objective (the same as scikit-learn's `LogisticRegression(C = 1/alpha)` and
//! smartcore's `LogisticRegression`): minimise
//! `sum_i logloss_i + alpha/2 * ||w||^2`, the intercept not penalised.
//!
//! Solver: Newton's method (IRLS). Every iteration forms the exact gradient and
//! the `(d+1) x (d+1)` Hessian in one pass over the data, solves with a
//! Cholesky factorisation and takes a backtracking (Armijo) step. For the
//! preprocessed tables this tool sees (d up to a few hundred) an iteration
//! costs `O(n d^2)` and 5-10 iterations reach machine precision, where
//! first-order solvers need hundreds of `O(n d)` passes. A singular Hessian
//! (alpha = 0 with constant or collinear columns, n < d) gets a small ridge
//! added until it factors, which turns the step into Levenberg-Marquardt's.
//! Above `NEWTON_MAX_DIM` parameters (wide one-hot encodings) the Hessian is
//! too expensive and L-BFGS with the same line search is used instead.
//! Labels of one class have no finite optimum: the fit is then an intercept
//! of +-40 (scores ~1 or ~0) with zero coefficients.
//!
//! Determinism: rows are cut into fixed chunks of `CHUNK` rows (independent of
//! the thread count), each chunk's partial sums are computed on any thread,
//! and the partials are added in chunk order.

use crate::features::Matrix;
use crate::model::optim::{dot, minimize, sum, Eval, Objective, Settings};
use crate::model::{validate_xy, Tick};
use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per parallel work unit; fixed so sums never depend on the pool size.
const CHUNK: usize = 16_384;
/// Rows per cache block inside a chunk (all columns of a block stay in L2).
const BLOCK: usize = 1_024;
/// Logit used when the training labels hold one class only: there is no
/// finite optimum, and `sigmoid(40)` rounds to 1.0 (`sigmoid(-40)` ~ 4e-18).
const ONE_CLASS_LOGIT: f64 = 40.0;
/// Above this many parameters the `O(n d^2)` Hessian costs more than the
/// iterations it saves, and L-BFGS (`O(n d)` per iteration) takes over.
const NEWTON_MAX_DIM: usize = 300;

/// `[model.params]` of `kind = "logistic_regression"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticParams {
    /// L2 strength (scikit-learn's `1 / C`); 0 disables the penalty.
    pub alpha: f64,
    /// Cap on solver iterations. Newton needs ~5-20 (L-BFGS, used above 300
    /// parameters, a few times more), so the scikit-learn-like default of 1000
    /// is only a guard for degenerate data.
    pub max_iter: usize,
    /// Stop when the largest gradient entry of the per-row mean objective is
    /// at most `tol`.
    pub tol: f64,
    /// Fit an (unpenalised) intercept.
    pub fit_intercept: bool,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iter: 1000,
            tol: 1e-8,
            fit_intercept: true,
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logistic {
    pub coef: Vec<f64>,
    pub intercept: f64,
    /// Solver iterations taken.
    pub iterations: usize,
    /// Whether the gradient tolerance was met (false: `max_iter` or no progress).
    pub converged: bool,
}

impl Logistic {
    /// Score of one row: a dot product and a sigmoid, no allocation. The sum
    /// runs in the same order as `score_matrix`, so both agree bit for bit.
    pub fn score_row(&self, x: &[f64]) -> f64 {
        let mut z = self.intercept;
        for (w, v) in self.coef.iter().zip(x) {
            z += w * v;
        }
        sigmoid(z)
    }

    /// Scores of every row of `x` (column count must equal `coef.len()`).
    pub fn score_matrix(&self, x: &Matrix) -> Vec<f64> {
        let mut out = vec![0.0; x.rows];
        out.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| {
                let r0 = c * CHUNK;
                chunk.fill(self.intercept);
                for (j, w) in self.coef.iter().enumerate().take(x.cols) {
                    let col = &x.col(j)[r0..r0 + chunk.len()];
                    for (z, v) in chunk.iter_mut().zip(col) {
                        *z += w * v;
                    }
                }
                chunk.iter_mut().for_each(|z| *z = sigmoid(*z));
            });
        out
    }
}

/// Numerically stable logistic function (never overflows, exact 0/1 limits).
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Fits the model; see the module docs for objective and solver.
pub fn fit(p: &LogisticParams, x: &Matrix, y: &[u8]) -> Result<Logistic> {
    fit_observed(p, x, y, &|_, _| {})
}

/// [`fit`], calling `tick(iteration, 0)` as each solver iteration begins.
pub fn fit_observed(p: &LogisticParams, x: &Matrix, y: &[u8], tick: Tick) -> Result<Logistic> {
    validate(p, x, y)?;
    let positives = y.iter().filter(|&&v| v == 1).count();
    if p.fit_intercept && (positives == 0 || positives == y.len()) {
        // One class: the unpenalised intercept would run off to infinity.
        let sign = if positives == 0 { -1.0 } else { 1.0 };
        return Ok(Logistic {
            coef: vec![0.0; x.cols],
            intercept: sign * ONE_CLASS_LOGIT,
            iterations: 0,
            converged: true,
        });
    }
    let mut theta = vec![0.0; x.cols + usize::from(p.fit_intercept)];
    if p.fit_intercept {
        // Start at the base-rate logit: saves one Newton step on skewed labels.
        let rate = positives as f64 / y.len() as f64;
        theta[x.cols] = (rate / (1.0 - rate)).ln();
    }
    let prob = Problem {
        x,
        y,
        alpha: p.alpha,
        intercept: p.fit_intercept,
    };
    let settings = Settings {
        max_iter: p.max_iter,
        grad_tol: p.tol * x.rows as f64,
        newton: prob.dim() <= NEWTON_MAX_DIM,
    };
    let (theta, iterations, converged) = minimize(&prob, theta, &settings, tick)?;
    let (coef, intercept) = match p.fit_intercept {
        true => (theta[..x.cols].to_vec(), theta[x.cols]),
        false => (theta, 0.0),
    };
    Ok(Logistic {
        coef,
        intercept,
        iterations,
        converged,
    })
}

fn validate(p: &LogisticParams, x: &Matrix, y: &[u8]) -> Result<()> {
    p.check()
        .map_err(|e| anyhow::anyhow!("logistic_regression: {e}"))?;
    validate_xy(x, y)
}

impl LogisticParams {
    /// Parameter ranges (see [`crate::model::ModelSpec::check_params`]).
    pub fn check(&self) -> std::result::Result<(), String> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(format!(
                "alpha must be a finite number >= 0, got {}",
                self.alpha
            ));
        }
        if self.max_iter < 1 {
            return Err("max_iter must be >= 1".to_string());
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(format!(
                "tol must be a finite number >= 0, got {}",
                self.tol
            ));
        }
        Ok(())
    }
}

/// The data and objective; `theta` is `[w_0 .. w_{d-1}, (b)]`.
struct Problem<'a> {
    x: &'a Matrix,
    y: &'a [u8],
    alpha: f64,
    intercept: bool,
}

impl Objective for Problem<'_> {
    /// Full objective (data term + penalty) at `theta`; the Hessian is only
    /// formed when `want_hess` (it dominates the cost).
    fn eval(&self, theta: &[f64], want_hess: bool) -> Eval {
        let n_chunks = self.x.rows.div_ceil(CHUNK);
        let parts: Vec<Eval> = (0..n_chunks)
            .into_par_iter()
            .map(|c| {
                let r1 = ((c + 1) * CHUNK).min(self.x.rows);
                self.eval_rows(theta, c * CHUNK, r1, want_hess)
            })
            .collect();
        let mut total = self.empty_eval(want_hess);
        for part in &parts {
            total.add(part);
        }
        self.add_penalty(&mut total, theta);
        let d = self.dim();
        // Only the upper triangle was accumulated; mirror it.
        if want_hess {
            for j in 0..d {
                for k in 0..j {
                    total.hess[j * d + k] = total.hess[k * d + j];
                }
            }
        }
        total
    }
}

impl Problem<'_> {
    fn dim(&self) -> usize {
        self.x.cols + usize::from(self.intercept)
    }

    fn empty_eval(&self, want_hess: bool) -> Eval {
        let d = self.dim();
        Eval {
            loss: 0.0,
            grad: vec![0.0; d],
            hess: vec![0.0; if want_hess { d * d } else { 0 }],
        }
    }

    fn add_penalty(&self, e: &mut Eval, theta: &[f64]) {
        let d = self.dim();
        for (j, w) in theta.iter().enumerate().take(self.x.cols) {
            e.loss += 0.5 * self.alpha * w * w;
            e.grad[j] += self.alpha * w;
            if !e.hess.is_empty() {
                e.hess[j * d + j] += self.alpha;
            }
        }
    }

    /// Partial sums over rows `r0..r1`, in cache blocks of `BLOCK` rows.
    fn eval_rows(&self, theta: &[f64], r0: usize, r1: usize, want_hess: bool) -> Eval {
        let mut acc = self.empty_eval(want_hess);
        let mut buf = Buffers::new(BLOCK.min(r1 - r0));
        let mut b0 = r0;
        while b0 < r1 {
            let b1 = (b0 + BLOCK).min(r1);
            self.block_terms(theta, b0, b1, &mut buf, &mut acc.loss);
            self.block_grad(b0, b1, &buf, &mut acc.grad);
            if want_hess {
                self.block_hess(b0, b1, &mut buf, &mut acc.hess);
            }
            b0 = b1;
        }
        acc
    }

    /// Per-row margin, residual `p - y` and weight `p (1 - p)` of one block.
    fn block_terms(&self, theta: &[f64], b0: usize, b1: usize, buf: &mut Buffers, loss: &mut f64) {
        let m = b1 - b0;
        let z = &mut buf.z[..m];
        z.fill(if self.intercept {
            theta[self.x.cols]
        } else {
            0.0
        });
        for (j, w) in theta.iter().enumerate().take(self.x.cols) {
            for (zi, v) in z.iter_mut().zip(&self.x.col(j)[b0..b1]) {
                *zi += w * v;
            }
        }
        for (i, &zi) in z.iter().enumerate() {
            let yi = f64::from(self.y[b0 + i]);
            // Shares exp(-|z|) between log(1 + e^z) and the sigmoid.
            let e = (-zi.abs()).exp();
            *loss += zi.max(0.0) + e.ln_1p() - yi * zi;
            let p = if zi >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            buf.r[i] = p - yi;
            buf.h[i] = p * (1.0 - p);
        }
    }

    fn block_grad(&self, b0: usize, b1: usize, buf: &Buffers, grad: &mut [f64]) {
        let r = &buf.r[..b1 - b0];
        for (j, g) in grad.iter_mut().enumerate().take(self.x.cols) {
            *g += dot(r, &self.x.col(j)[b0..b1]);
        }
        if self.intercept {
            grad[self.x.cols] += sum(r);
        }
    }

    /// Upper triangle of `X' diag(h) X` (with the intercept as a ones column).
    fn block_hess(&self, b0: usize, b1: usize, buf: &mut Buffers, hess: &mut [f64]) {
        let (m, p, d) = (b1 - b0, self.x.cols, self.dim());
        let cols: Vec<&[f64]> = (0..p).map(|j| &self.x.col(j)[b0..b1]).collect();
        for j in 0..p {
            for ((u, h), v) in buf.u[..m].iter_mut().zip(&buf.h[..m]).zip(cols[j]) {
                *u = h * v;
            }
            let u = &buf.u[..m];
            for k in j..p {
                hess[j * d + k] += dot(u, cols[k]);
            }
            if self.intercept {
                hess[j * d + p] += sum(u);
            }
        }
        if self.intercept {
            hess[p * d + p] += sum(&buf.h[..m]);
        }
    }
}

/// Scratch vectors of one cache block.
struct Buffers {
    z: Vec<f64>,
    r: Vec<f64>,
    h: Vec<f64>,
    u: Vec<f64>,
}

impl Buffers {
    fn new(m: usize) -> Buffers {
        Buffers {
            z: vec![0.0; m],
            r: vec![0.0; m],
            h: vec![0.0; m],
            u: vec![0.0; m],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grow::synthetic;

    /// 60 rows, two ordinal features and a binary one, labels with noise.
    fn reference_data() -> (Matrix, Vec<u8>) {
        let rows: Vec<Vec<f64>> = (0..60)
            .map(|i| {
                vec![
                    ((i * 7) % 11) as f64 / 5.0 - 1.0,
                    ((i * 5 + 3) % 13) as f64 / 6.0 - 1.0,
                    (i % 2) as f64,
                ]
            })
            .collect();
        let y = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                u8::from(r[0] + 0.5 * r[1] - 0.3 * r[2] + ((i * 11) % 7) as f64 / 7.0 - 0.5 > 0.0)
            })
            .collect();
        (Matrix::from_rows(&rows), y)
    }

    fn params(alpha: f64, fit_intercept: bool) -> LogisticParams {
        LogisticParams {
            alpha,
            fit_intercept,
            ..LogisticParams::default()
        }
    }

    fn row(x: &Matrix, i: usize) -> Vec<f64> {
        (0..x.cols).map(|j| x.get(i, j)).collect()
    }

    /// Expected values from scikit-learn 1.x (lbfgs, tol=1e-12):
    /// ```python
    /// X = np.array([[((i*7) % 11)/5.0 - 1.0, ((i*5 + 3) % 13)/6.0 - 1.0, float(i % 2)] for i in range(60)])
    /// y = np.array([1 if X[i,0] + 0.5*X[i,1] - 0.3*X[i,2] + ((i*11) % 7)/7.0 - 0.5 > 0 else 0 for i in range(60)])
    /// m = LogisticRegression(C=C, fit_intercept=fi, tol=1e-12, max_iter=100000).fit(X, y)
    /// m.coef_[0], m.intercept_, m.predict_proba(X)[[0, 1, 2, 17, 59], 1]
    /// ```
    #[test]
    fn matches_scikit_learn() -> Result<()> {
        let (x, y) = reference_data();
        #[rustfmt::skip]
        let cases = [
            (1.0, true, [2.7835416265884496, 1.0908336200303415, -0.6890623688340263], -0.17167399158564373,
             [0.02929424161252329, 0.6493746382770371, 0.0850271121280778, 0.8902521576974438, 0.6871450165107128]),
            (0.1, true, [5.225780298200477, 2.097855751817139, -1.689501148405972], -0.10812250483669245,
             [0.001687478993930716, 0.7294775920244363, 0.013436002008176287, 0.977720809706342, 0.7933746257006214]),
            (1.0, false, [2.766743108713457, 1.0819910667287105, -0.8241229323476019], 0.0,
             [0.03530666039766579, 0.6554850477100872, 0.10077089157445634, 0.8919290788461204, 0.6923687270308263]),
        ];
        for (alpha, fi, coef, intercept, probs) in cases {
            let m = fit(&params(alpha, fi), &x, &y)?;
            assert!(m.converged && m.iterations < 20, "{m:?}");
            for (a, b) in m.coef.iter().zip(coef) {
                assert!((a - b).abs() < 1e-6, "coef {a} vs {b}");
            }
            assert!((m.intercept - intercept).abs() < 1e-6);
            let s = m.score_matrix(&x);
            for (i, p) in [0, 1, 2, 17, 59].into_iter().zip(probs) {
                assert!((s[i] - p).abs() < 1e-7, "row {i}: {} vs {p}", s[i]);
            }
        }
        Ok(())
    }

    /// Independent oracle: smartcore minimises the same objective (L-BFGS).
    #[test]
    fn agrees_with_smartcore() -> Result<()> {
        use smartcore::linalg::basic::arrays::Array;
        use smartcore::linalg::basic::matrix::DenseMatrix;
        use smartcore::linear::logistic_regression::{
            LogisticRegression, LogisticRegressionParameters,
        };
        let (x, y) = synthetic(400, 4, 1000, 8);
        let rows: Vec<Vec<f64>> = (0..x.rows).map(|i| row(&x, i)).collect();
        let dm = DenseMatrix::from_2d_vec(&rows)?;
        let labels: Vec<i32> = y.iter().map(|&v| i32::from(v)).collect();
        let sc = LogisticRegression::fit(
            &dm,
            &labels,
            LogisticRegressionParameters::default().with_alpha(1.0),
        )?;
        let ours = fit(&params(1.0, true), &x, &y)?;
        for (j, c) in ours.coef.iter().enumerate() {
            assert!((c - sc.coefficients().get((0, j))).abs() < 1e-3, "coef {j}");
        }
        let predicted: Vec<i32> = sc.predict(&dm)?;
        let ours_pred = ours
            .score_matrix(&x)
            .iter()
            .map(|&s| i32::from(s > 0.5))
            .collect::<Vec<_>>();
        let same = predicted
            .iter()
            .zip(&ours_pred)
            .filter(|(a, b)| a == b)
            .count();
        assert!(same >= 396, "{same}/400 predictions agree");
        Ok(())
    }

    #[test]
    fn deterministic_across_thread_counts_and_paths() -> Result<()> {
        // Several 16k-row chunks, so the parallel reduction is exercised.
        let (x, y) = synthetic(50_000, 6, 1000, 9);
        let fit_in = |threads: usize| -> Result<Logistic> {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            pool.install(|| fit(&LogisticParams::default(), &x, &y))
        };
        let a = fit_in(1)?;
        assert_eq!(a, fit_in(2)?);
        assert_eq!(a, fit_in(3)?);
        let s = a.score_matrix(&x);
        for i in [0, 1, 16_383, 16_384, 49_999] {
            assert_eq!(a.score_row(&row(&x, i)).to_bits(), s[i].to_bits());
        }
        let back: Logistic = serde_json::from_str(&serde_json::to_string(&a)?)?;
        assert_eq!(back, a);
        Ok(())
    }

    #[test]
    fn degenerate_data_stays_finite() -> Result<()> {
        // Perfectly separable, without and with the penalty.
        let x = Matrix::from_rows(&[vec![-2.0], vec![-1.0], vec![1.0], vec![2.0]]);
        let y = [0, 0, 1, 1];
        for alpha in [0.0, 1e-6, 1.0] {
            let m = fit(&params(alpha, true), &x, &y)?;
            assert!(m.coef[0].is_finite() && m.coef[0] > 0.0 && m.iterations <= 1000);
            assert!(m.score_row(&[-1.0]) < 0.5 && m.score_row(&[1.0]) > 0.5);
        }
        // Constant and duplicated columns, more features than rows, one row.
        let (x, y) = synthetic(30, 3, 50, 10);
        let mut rows: Vec<Vec<f64>> = (0..30).map(|i| row(&x, i)).collect();
        rows.iter_mut().for_each(|r| r.extend([5.0, r[0]]));
        for alpha in [0.0, 1.0] {
            let m = fit(&params(alpha, true), &Matrix::from_rows(&rows), &y)?;
            assert!(m.coef.iter().all(|c| c.is_finite()) && m.intercept.is_finite());
        }
        let wide = Matrix::from_rows(
            &(0..3)
                .map(|i| (0..10).map(|j| ((i * j) % 4) as f64).collect())
                .collect::<Vec<_>>(),
        );
        assert!(fit(&params(0.0, true), &wide, &[0, 1, 1]).is_ok());
        let one = fit(
            &LogisticParams::default(),
            &Matrix::from_rows(&[vec![1.0]]),
            &[1],
        )?;
        assert!(one.score_row(&[1.0]) > 1.0 - 1e-12);
        let zero = fit(&LogisticParams::default(), &x, &[0; 30])?;
        assert!(zero.score_matrix(&x).iter().all(|&s| s < 1e-12));
        let no_features = fit(&LogisticParams::default(), &Matrix::zeros(30, 0), &y)?;
        assert!(no_features.converged && no_features.coef.is_empty());
        Ok(())
    }

    #[test]
    fn rejects_bad_input_and_params() -> Result<()> {
        let (x, y) = synthetic(20, 2, 10, 11);
        assert!(fit(&params(-1.0, true), &x, &y).is_err());
        assert!(fit(&params(f64::NAN, true), &x, &y).is_err());
        assert!(fit(
            &LogisticParams {
                max_iter: 0,
                ..LogisticParams::default()
            },
            &x,
            &y
        )
        .is_err());
        assert!(fit(&LogisticParams::default(), &x, &y[1..]).is_err());
        assert!(fit(&LogisticParams::default(), &Matrix::zeros(0, 2), &[]).is_err());
        let mut bad = x.clone();
        bad.data[5] = f64::INFINITY;
        assert!(fit(&LogisticParams::default(), &bad, &y).is_err());
        let mut labels = y.clone();
        labels[0] = 2;
        assert!(fit(&LogisticParams::default(), &x, &labels).is_err());
        let p: LogisticParams = serde_json::from_str(r#"{"alpha": 0.5}"#)?;
        assert_eq!(p, params(0.5, true));
        assert!(serde_json::from_str::<LogisticParams>(r#"{"C": 0.5}"#).is_err());
        Ok(())
    }

    #[test]
    fn lbfgs_route_matches_newton() -> Result<()> {
        let (x, y) = synthetic(2000, 8, 1000, 12);
        let prob = Problem {
            x: &x,
            y: &y,
            alpha: 1.0,
            intercept: true,
        };
        let s = |newton| Settings {
            max_iter: 1000,
            grad_tol: 1e-8 * 2000.0,
            newton,
        };
        let (a, _, ca) = minimize(&prob, vec![0.0; 9], &s(true), &|_, _| {})?;
        let (b, _, cb) = minimize(&prob, vec![0.0; 9], &s(false), &|_, _| {})?;
        assert!(ca && cb);
        assert!(
            a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-6),
            "{a:?} {b:?}"
        );
        // Wider than NEWTON_MAX_DIM: L-BFGS end to end.
        let (x, y) = synthetic(200, 320, 10, 13);
        let m = fit(&LogisticParams::default(), &x, &y)?;
        assert!(
            m.converged && m.coef.iter().all(|c| c.is_finite()),
            "{}",
            m.iterations
        );
        Ok(())
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(800.0), 1.0);
        assert_eq!(sigmoid(-800.0), 0.0);
        assert!((sigmoid(-30.0) - 9.357622968840175e-14).abs() < 1e-25);
    }
}

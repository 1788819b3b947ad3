//! Smooth convex minimisation for the logistic regression: a damped Newton
//! method (Cholesky solve with a ridge fallback) or L-BFGS, sharing one
//! backtracking line search, plus the vectorisable dot products and sums it
//! is built on (fixed summation order, hence reproducible).

use crate::model::Tick;
use anyhow::{bail, Result};
use std::collections::VecDeque;

/// Armijo sufficient-decrease constant and the cap on step halvings.
const ARMIJO: f64 = 1e-4;
const MAX_HALVINGS: usize = 60;
/// Curvature pairs L-BFGS remembers.
const LBFGS_MEMORY: usize = 10;
/// A Newton step with an old Hessian must shrink the largest gradient entry
/// at least this much, or the next step forms a new Hessian.
const CHORD_RATE: f64 = 0.25;

/// Objective value, gradient and (optionally) the row-major Hessian at a point.
pub struct Eval {
    pub loss: f64,
    pub grad: Vec<f64>,
    /// Row-major `d x d`; empty when not requested.
    pub hess: Vec<f64>,
}

impl Eval {
    pub fn add(&mut self, o: &Eval) {
        self.loss += o.loss;
        self.grad.iter_mut().zip(&o.grad).for_each(|(a, b)| *a += b);
        self.hess.iter_mut().zip(&o.hess).for_each(|(a, b)| *a += b);
    }
}

/// A function to minimise.
pub trait Objective {
    fn eval(&self, theta: &[f64], want_hess: bool) -> Eval;
}

/// Stopping rules and method.
pub struct Settings {
    pub max_iter: usize,
    /// Converged when every gradient entry is at most this in magnitude.
    pub grad_tol: f64,
    /// Newton steps (needs Hessians); otherwise L-BFGS.
    pub newton: bool,
}

/// Descent iterations from `theta`; returns (theta, iterations, converged).
pub fn minimize(
    obj: &impl Objective,
    mut theta: Vec<f64>,
    s: &Settings,
    tick: Tick,
) -> Result<(Vec<f64>, usize, bool)> {
    let mut memory = Lbfgs::new(LBFGS_MEMORY);
    let mut cur = obj.eval(&theta, false);
    let small = |e: &Eval| e.grad.iter().all(|g| g.abs() <= s.grad_tol);
    // Newton: the last Hessian formed, reused (a chord step) while the steps
    // keep shrinking the gradient fast. A Hessian costs O(n d^2), a step
    // with an old one O(n d). Formed only at a point known not to be the
    // last (its loss and gradient are the same bits with or without it).
    let mut hess: Vec<f64> = Vec::new();
    let (mut stale, mut fresh) = (true, false);
    for it in 0..s.max_iter {
        if small(&cur) {
            return Ok((theta, it, true));
        }
        tick(it + 1, 0);
        if s.newton && stale {
            hess = obj.eval(&theta, true).hess;
            (stale, fresh) = (false, true);
        }
        let step = match s.newton {
            true => newton_step(&hess, &cur.grad)?,
            false => memory.direction(&cur.grad),
        };
        let Some((next, e)) = line_search(obj, &theta, &step, &cur) else {
            if s.newton && !fresh {
                stale = true; // the old Hessian misled: form a new one
                continue;
            }
            if !memory.is_empty() {
                memory.clear(); // stale curvature: retry from steepest descent
                continue;
            }
            // No decrease possible in floating point: we are at the optimum
            // to working precision (or alpha = 0 on separable data).
            return Ok((theta, it, small(&cur)));
        };
        let gain = cur.loss - e.loss;
        if s.newton {
            stale = max_abs(&e.grad) > CHORD_RATE * max_abs(&cur.grad);
            fresh = false;
        } else {
            memory.push(diff(&next, &theta), diff(&e.grad, &cur.grad));
        }
        theta = next;
        cur = e;
        if gain <= 1e-15 * cur.loss.abs().max(1.0) {
            return Ok((theta, it + 1, small(&cur)));
        }
    }
    Ok((theta, s.max_iter, small(&cur)))
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn diff(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a - b).collect()
}

/// Backtracking line search along `step` (the accepted point comes without
/// a Hessian). `None` when no step length decreases the objective.
fn line_search(
    obj: &impl Objective,
    theta: &[f64],
    step: &[f64],
    cur: &Eval,
) -> Option<(Vec<f64>, Eval)> {
    let slope: f64 = cur.grad.iter().zip(step).map(|(g, s)| g * s).sum();
    if slope.is_nan() || slope >= 0.0 {
        return None;
    }
    let mut t = 1.0;
    for _ in 0..MAX_HALVINGS {
        let trial: Vec<f64> = theta.iter().zip(step).map(|(a, s)| a + t * s).collect();
        let e = obj.eval(&trial, false);
        if e.loss.is_finite() && e.loss <= cur.loss + ARMIJO * t * slope {
            return Some((trial, e));
        }
        t *= 0.5;
    }
    None
}

/// Dot product with eight independent accumulators, which LLVM turns into
/// packed SIMD (measured ~2x a 4-accumulator loop); the order of the sums is
/// fixed, so results are reproducible.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    fold8(acc) + tail
}

pub fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = a.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..8 {
            acc[l] += c[l];
        }
    }
    fold8(acc) + tail
}

fn fold8(a: [f64; 8]) -> f64 {
    // Sequential on purpose: a tree-shaped fold makes LLVM's SLP vectoriser
    // pair the accumulators with shuffles inside the hot loop.
    a.iter().sum()
}

/// Solves `H s = -g` by Cholesky, adding a growing ridge while `H` is
/// (numerically) singular.
fn newton_step(hess: &[f64], grad: &[f64]) -> Result<Vec<f64>> {
    let d = grad.len();
    let scale = (0..d).map(|j| hess[j * d + j]).sum::<f64>() / d.max(1) as f64;
    let mut ridge = 0.0;
    for _ in 0..40 {
        if let Some(l) = cholesky(hess, d, ridge) {
            return Ok(cholesky_solve(&l, d, grad));
        }
        ridge = if ridge == 0.0 {
            1e-10 * scale.max(1e-300)
        } else {
            ridge * 10.0
        };
    }
    bail!("logistic_regression: Hessian could not be factorised (non-finite values?)")
}

/// Lower Cholesky factor of `a + ridge I` (row-major), or `None` when a pivot
/// is not clearly positive relative to its diagonal entry.
fn cholesky(a: &[f64], d: usize, ridge: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j] + if i == j { ridge } else { 0.0 };
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                let diag = a[i * d + i] + ridge;
                if !s.is_finite() || s <= 1e-12 * diag {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Solves `L L' s = -g`.
fn cholesky_solve(l: &[f64], d: usize, g: &[f64]) -> Vec<f64> {
    let mut s: Vec<f64> = g.iter().map(|v| -v).collect();
    for i in 0..d {
        for k in 0..i {
            s[i] -= l[i * d + k] * s[k];
        }
        s[i] /= l[i * d + i];
    }
    for i in (0..d).rev() {
        for k in i + 1..d {
            s[i] -= l[k * d + i] * s[k];
        }
        s[i] /= l[i * d + i];
    }
    s
}

/// L-BFGS memory: the last few (step, gradient change) pairs.
struct Lbfgs {
    cap: usize,
    /// (s, y, 1 / s.y), oldest first.
    pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
}

impl Lbfgs {
    pub fn new(cap: usize) -> Lbfgs {
        Lbfgs {
            cap,
            pairs: VecDeque::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn clear(&mut self) {
        self.pairs.clear();
    }

    /// Remembers a step; pairs without positive curvature are skipped so the
    /// implied Hessian stays positive definite (every direction descends).
    pub fn push(&mut self, s: Vec<f64>, y: Vec<f64>) {
        let sy = dot(&s, &y);
        let curved = sy > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt();
        if !curved {
            return;
        }
        if self.pairs.len() == self.cap {
            self.pairs.pop_front();
        }
        self.pairs.push_back((s, y, 1.0 / sy));
    }

    /// `-H g` by the two-loop recursion. Without memory: `-g / |g|`, a unit
    /// step the line search can shorten.
    pub fn direction(&self, g: &[f64]) -> Vec<f64> {
        let mut q = g.to_vec();
        let mut alphas = Vec::with_capacity(self.pairs.len());
        for (s, y, rho) in self.pairs.iter().rev() {
            let a = rho * dot(s, &q);
            q.iter_mut().zip(y).for_each(|(q, y)| *q -= a * y);
            alphas.push(a);
        }
        let gamma = match self.pairs.back() {
            Some((_, y, rho)) => 1.0 / (rho * dot(y, y)),
            None => 1.0 / dot(g, g).sqrt().max(f64::MIN_POSITIVE),
        };
        q.iter_mut().for_each(|q| *q *= gamma);
        for ((s, y, rho), a) in self.pairs.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(y, &q);
            q.iter_mut().zip(s).for_each(|(q, s)| *q += (a - b) * s);
        }
        q.iter_mut().for_each(|q| *q = -*q);
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_naive_sums() {
        let a: Vec<f64> = (0..37).map(|i| f64::from(i) * 0.5 - 3.0).collect();
        let b: Vec<f64> = (0..37).map(|i| f64::from(i % 5)).collect();
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-12);
        assert!((sum(&a) - a.iter().sum::<f64>()).abs() < 1e-12);
        assert_eq!(dot(&[], &[]), 0.0);
    }

    #[test]
    fn newton_step_solves_and_survives_singular_systems() -> Result<()> {
        // [[4, 2], [2, 3]] s = -[2, 1]  =>  s = [-0.5, 0]
        let s = newton_step(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0])?;
        assert!((s[0] + 0.5).abs() < 1e-12 && s[1].abs() < 1e-12);
        // Rank one: the ridge makes it solvable, the step stays finite.
        let s = newton_step(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0])?;
        assert!(s.iter().all(|v| v.is_finite()) && s[0] < 0.0);
        assert!(newton_step(&[f64::NAN], &[1.0]).is_err());
        Ok(())
    }
}

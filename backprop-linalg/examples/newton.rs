//! Fits an L2-regularised logistic regression (the digit 3 against the digit 8) twice: by
//! gradient descent, and by Newton–CG, whose conjugate-gradient solves use exact
//! Hessian-vector products (`hvp_data`), never the Hessian itself. Prints both fits.
//!
//! ```sh
//! cargo run --release -p backprop-linalg --example newton
//! cargo run --release -p backprop-linalg --example newton --no-default-features --features nalgebra
//! ```
//!
//! The loss `L(w) = −(1/n)·Σᵢ ln σ(yᵢ·xᵢᵀw) + (λ/2)·‖w‖²` (labels `yᵢ = ±1`, a constant 1
//! appended to the 64 pixels for the bias) is written once over `BVar`s, on run-time sized
//! `Matrix`/`Vector` values whose sizes come from the data. Both methods stop when
//! `‖∇L‖ ≤ 1e-6`. Newton–CG (Nocedal & Wright, *Numerical Optimization*, Alg. 7.1) solves
//! `∇²L·p = −∇L` inexactly, to the forcing tolerance `min(0.5, √‖∇L‖)·‖∇L‖`, then backtracks
//! along `p`; gradient descent backtracks along `−∇L`. The run fails (non-zero exit) unless
//! Newton–CG converges in fewer iterations than gradient descent and both reach 90% test
//! accuracy.
//!
//! The data are the UCI digits vendored for the `digits` example (CC BY 4.0; see
//! `examples/data/README.md`); a fixed shuffle holds out 20% of the 3s and 8s for testing.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use backprop_linalg::{
    BVar, Backprop, DefaultBackend, app, backprop_data, dot, eval_bp_data, hvp_data, sum_elements,
};

#[path = "common/digits_data.rs"]
mod digits_data;
use digits_data::{Sample, load_digits};

type Matrix = backprop_linalg::Matrix<DefaultBackend>;
type Vector = backprop_linalg::Vector<DefaultBackend>;

/// The two digits told apart (label +1 and −1).
const DIGITS: (usize, usize) = (3, 8);
/// Weight of the L2 penalty.
const LAMBDA: f64 = 1e-3;
/// Both fits stop at this gradient norm.
const TOLERANCE: f64 = 1e-6;
/// Gradient descent gives up after this many iterations.
const MAX_DESCENT: usize = 200_000;
/// Share of the images held out for testing, and the accuracy both fits must reach there.
const TEST_SHARE: f64 = 0.2;
const REQUIRED_ACCURACY: f64 = 0.9;

/// The training set: one image per row (with a trailing 1), and the labels ±1.
#[derive(Clone, Backprop)]
struct Data {
    x: Matrix,
    y: Vector,
}

/// The regularised negative log-likelihood of the weights `w` on `data`.
fn loss<'t>(w: BVar<'t, Vector>, data: BVar<'t, Data>) -> BVar<'t, f64> {
    let DataVars { x, y } = data.split();
    let n = x.value().shape().0 as f64;
    let margins = app(x, w) * y;
    sum_elements(margins.logistic().ln()) * (-1.0 / n) + dot(w, w) * (LAMBDA / 2.0)
}

/// What one fit did.
struct Fit {
    method: &'static str,
    w: Vec<f64>,
    iterations: usize,
    gradients: usize,
    losses: usize,
    hvps: usize,
    loss: f64,
    gradient_norm: f64,
    time: Duration,
}

fn norm(v: &[f64]) -> f64 {
    inner(v, v).sqrt()
}

fn inner(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// `w + t·p`.
fn step(w: &[f64], t: f64, p: &[f64]) -> Vec<f64> {
    w.iter().zip(p).map(|(w, p)| w + t * p).collect()
}

/// The loss and its gradient at `w`.
fn evaluate(w: &[f64], data: &Data) -> (f64, Vec<f64>) {
    let (l, g) = backprop_data(loss, &Vector::from_slice(w), data);
    (l, g.to_vec())
}

/// Backtracking (Armijo) along the descent direction `p` from `w`, where the loss is `l` and
/// its slope along `p` is `slope < 0`: the first `t = t0, t0/2, ...` with a sufficient decrease.
/// Returns the new point, the step and the number of losses evaluated.
fn backtrack(
    w: &[f64],
    l: f64,
    slope: f64,
    p: &[f64],
    t0: f64,
    data: &Data,
) -> (Vec<f64>, f64, usize) {
    let mut t = t0;
    for tries in 1.. {
        let candidate = step(w, t, p);
        let lc = eval_bp_data(loss, &Vector::from_slice(&candidate), data);
        if lc <= l + 1e-4 * t * slope || t < 1e-12 {
            return (candidate, t, tries);
        }
        t /= 2.0;
    }
    unreachable!("the loop returns")
}

/// Gradient descent with backtracking, each step starting from twice the last accepted one.
fn gradient_descent(data: &Data, dim: usize) -> Fit {
    let start = Instant::now();
    let mut w = vec![0.0; dim];
    let (mut gradients, mut losses, mut t, mut iterations) = (0, 0, 1.0, 0);
    let (l, g) = loop {
        let (l, g) = evaluate(&w, data);
        gradients += 1;
        if norm(&g) <= TOLERANCE || iterations == MAX_DESCENT {
            break (l, g);
        }
        let p: Vec<f64> = g.iter().map(|g| -g).collect();
        let (next, accepted, tries) = backtrack(&w, l, -inner(&g, &g), &p, 2.0 * t, data);
        (w, t) = (next, accepted);
        losses += tries;
        iterations += 1;
    };
    Fit {
        method: "gradient descent",
        gradient_norm: norm(&g),
        w,
        iterations,
        gradients,
        losses,
        hvps: 0,
        loss: l,
        time: start.elapsed(),
    }
}

/// Newton–CG: conjugate gradients on `∇²L·p = −∇L` with exact Hessian-vector products,
/// stopped at the forcing tolerance or at a direction of non-positive curvature.
fn newton_cg(data: &Data, dim: usize) -> Fit {
    let start = Instant::now();
    let mut w = vec![0.0; dim];
    let (mut gradients, mut losses, mut hvps, mut iterations) = (0, 0, 0, 0);
    let (l, g) = loop {
        let (l, g) = evaluate(&w, data);
        gradients += 1;
        if norm(&g) <= TOLERANCE {
            break (l, g);
        }
        let forcing = 0.5f64.min(norm(&g).sqrt()) * norm(&g);
        let wv = Vector::from_slice(&w);
        let mut p = vec![0.0; dim];
        let mut r: Vec<f64> = g.iter().map(|g| -g).collect();
        let mut d = r.clone();
        for _ in 0..dim {
            let hd = hvp_data(loss, &wv, data, &Vector::from_slice(&d))
                .2
                .to_vec();
            hvps += 1;
            let curvature = inner(&d, &hd);
            if curvature <= 0.0 {
                if p.iter().all(|&x| x == 0.0) {
                    p = d;
                }
                break;
            }
            let alpha = inner(&r, &r) / curvature;
            p = step(&p, alpha, &d);
            let next = step(&r, -alpha, &hd);
            if norm(&next) <= forcing {
                break;
            }
            let beta = inner(&next, &next) / inner(&r, &r);
            d = step(&next, beta, &d);
            r = next;
        }
        let tries;
        (w, _, tries) = backtrack(&w, l, inner(&g, &p), &p, 1.0, data);
        losses += tries;
        iterations += 1;
    };
    Fit {
        method: "Newton-CG (hvp)",
        gradient_norm: norm(&g),
        w,
        iterations,
        gradients,
        losses,
        hvps,
        loss: l,
        time: start.elapsed(),
    }
}

/// The images of the two digits, one row each with a trailing 1, and their labels ±1.
fn design(samples: &[&Sample]) -> Data {
    let cols = 65;
    let x = Matrix::from_fn_shape(samples.len(), cols, |i, j| {
        if j < 64 { samples[i].pixels[j] } else { 1.0 }
    });
    let y = Vector::from_fn_len(samples.len(), |i| {
        if samples[i].label == DIGITS.0 {
            1.0
        } else {
            -1.0
        }
    });
    Data { x, y }
}

/// The share of `data` that `w` classifies right.
fn accuracy(w: &[f64], data: &Data) -> f64 {
    let x = data.x.to_row_major();
    let y = data.y.to_vec();
    let right = x
        .chunks(w.len())
        .zip(&y)
        .filter(|(row, y)| inner(row, w) * **y > 0.0)
        .count();
    right as f64 / y.len() as f64
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newton: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let all = load_digits()?;
    let pair: Vec<&Sample> = all
        .iter()
        .filter(|s| s.label == DIGITS.0 || s.label == DIGITS.1)
        .collect();
    // A fixed shuffle (i ↦ 7919·i mod n, a permutation when n is not a multiple of the prime
    // 7919), so every run holds out the same images.
    let n = pair.len();
    let chosen: Vec<&Sample> = (0..n).map(|i| pair[(i * 7919) % n]).collect();
    let test_len = (n as f64 * TEST_SHARE).round() as usize;
    let (test, train) = chosen.split_at(test_len);
    let (train, test) = (design(train), design(test));
    println!(
        "logistic regression, {} against {}: {} training and {} test images, 65 weights \
         (64 pixels and a bias), λ = {LAMBDA:e}, stop at ‖∇L‖ ≤ {TOLERANCE:e}",
        DIGITS.0,
        DIGITS.1,
        train.y.len(),
        test.y.len()
    );
    let fits = [gradient_descent(&train, 65), newton_cg(&train, 65)];
    println!(
        "{:<18} {:>10} {:>10} {:>7} {:>6} {:>14} {:>10} {:>10} {:>9}",
        "method", "iterations", "gradients", "losses", "hvps", "loss", "‖∇L‖", "time", "accuracy"
    );
    for f in &fits {
        println!(
            "{:<18} {:>10} {:>10} {:>7} {:>6} {:>14.10} {:>10.2e} {:>9.1?} {:>8.1}%",
            f.method,
            f.iterations,
            f.gradients,
            f.losses,
            f.hvps,
            f.loss,
            f.gradient_norm,
            f.time,
            100.0 * accuracy(&f.w, &test)
        );
    }
    let [descent, newton] = &fits;
    if newton.gradient_norm > TOLERANCE || newton.iterations >= descent.iterations {
        return Err(format!(
            "Newton-CG took {} iterations (‖∇L‖ = {:e}), gradient descent {}",
            newton.iterations, newton.gradient_norm, descent.iterations
        )
        .into());
    }
    for f in &fits {
        let a = accuracy(&f.w, &test);
        if a < REQUIRED_ACCURACY {
            return Err(format!(
                "{}: test accuracy {a:.3} is below {REQUIRED_ACCURACY}",
                f.method
            )
            .into());
        }
    }
    println!(
        "Newton-CG: {} iterations where gradient descent took {} ({}x fewer)",
        newton.iterations,
        descent.iterations,
        descent.iterations / newton.iterations.max(1)
    );
    Ok(())
}

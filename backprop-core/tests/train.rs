//! A small network written over a derived parameter struct, trained by gradient descent: the
//! loss goes down, and its gradient matches the gradient checker.
//!
//! The network is 2 → 6 → 1 with tanh hidden units, fitted to y = sin(x₀)·cos(x₁) on a grid of
//! 16 points by mean squared error.

use backprop_core::check::check_gradient;
use backprop_core::{BVar, Backprop, Coords, grad_bp};

const HIDDEN: usize = 6;

#[derive(Clone, Debug, Backprop, Coords)]
struct Mlp {
    /// HIDDEN × 2, row-major.
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

fn init() -> Mlp {
    // A fixed, spread-out initialisation (no RNG dependency needed).
    let w = |i: usize| ((i as f64 * 1.618_033_988).fract() - 0.5) * 2.0;
    Mlp {
        w1: (0..2 * HIDDEN).map(w).collect(),
        b1: (0..HIDDEN).map(|i| w(i + 40) * 0.1).collect(),
        w2: (0..HIDDEN).map(|i| w(i + 80)).collect(),
        b2: 0.0,
    }
}

fn data() -> Vec<([f64; 2], f64)> {
    let grid: [f64; 4] = [-1.5, -0.5, 0.5, 1.5];
    grid.iter()
        .flat_map(|&a| grid.iter().map(move |&b| ([a, b], a.sin() * b.cos())))
        .collect()
}

fn loss<'t>(net: BVar<'t, Mlp>, data: &[([f64; 2], f64)]) -> BVar<'t, f64> {
    let MlpVars { w1, b1, w2, b2 } = net.split();
    let (w1, b1, w2) = (w1.split(), b1.split(), w2.split());
    let mut total = net.tape().constant(0.0);
    for &([x0, x1], target) in data {
        let mut out = b2;
        for j in 0..HIDDEN {
            let h = (w1[2 * j] * x0 + w1[2 * j + 1] * x1 + b1[j]).tanh();
            out += w2[j] * h;
        }
        let err = out - target;
        total += err * err;
    }
    total / data.len() as f64
}

fn step(net: &Mlp, grad: &Mlp, rate: f64) -> Mlp {
    let upd = |p: &[f64], g: &[f64]| p.iter().zip(g).map(|(p, g)| p - rate * g).collect();
    Mlp {
        w1: upd(&net.w1, &grad.w1),
        b1: upd(&net.b1, &grad.b1),
        w2: upd(&net.w2, &grad.w2),
        b2: net.b2 - rate * grad.b2,
    }
}

#[test]
fn gradient_descent_lowers_the_loss() {
    let data = data();
    let mut net = init();
    let first = backprop_core::eval_bp(|n| loss(n, &data), &net);
    for _ in 0..300 {
        let g = grad_bp(|n| loss(n, &data), &net);
        net = step(&net, &g, 0.2);
    }
    let last = backprop_core::eval_bp(|n| loss(n, &data), &net);
    assert!(
        last < 0.2 * first,
        "loss went from {first} to {last}, expected at least a 5x drop"
    );
}

#[test]
fn network_gradient_matches_the_checker() {
    let data = data();
    let report = check_gradient(|n| loss(n, &data), &init());
    assert_eq!(report.inputs, 2 * HIDDEN + HIDDEN + HIDDEN + 1);
    report.assert_within(1e-6);
}

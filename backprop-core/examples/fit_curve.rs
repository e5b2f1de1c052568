//! Fits a small network to a curve with plain gradient descent: the smallest end-to-end use of
//! backprop-core (a derived parameter struct, a loss written once over `BVar`s, `grad_bp`).
//!
//! Run with `cargo run --release -p backprop-core --example fit_curve`.

use backprop_core::{BVar, Backprop, eval_bp, grad_bp};

const HIDDEN: usize = 8;

/// A 1 → HIDDEN → 1 network with tanh hidden units.
#[derive(Clone, Debug, Backprop)]
struct Net {
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

impl Net {
    fn new() -> Self {
        // A deterministic spread of initial weights in [-1, 1).
        let w = |i: usize| ((i as f64 * 0.618_033_988_7).fract() - 0.5) * 2.0;
        Net {
            w1: (0..HIDDEN).map(|i| 2.0 * w(i)).collect(),
            b1: (0..HIDDEN).map(|i| w(i + 50)).collect(),
            w2: (0..HIDDEN).map(|i| w(i + 100)).collect(),
            b2: 0.0,
        }
    }

    /// Gradient-descent step: `self − rate·grad`, field by field.
    fn step(&mut self, grad: &Net, rate: f64) {
        let upd =
            |p: &mut Vec<f64>, g: &Vec<f64>| p.iter_mut().zip(g).for_each(|(p, g)| *p -= rate * g);
        upd(&mut self.w1, &grad.w1);
        upd(&mut self.b1, &grad.b1);
        upd(&mut self.w2, &grad.w2);
        self.b2 -= rate * grad.b2;
    }
}

/// Mean squared error of the network on `data`.
fn loss<'t>(net: BVar<'t, Net>, data: &[(f64, f64)]) -> BVar<'t, f64> {
    let NetVars { w1, b1, w2, b2 } = net.split();
    let (w1, b1, w2) = (w1.split(), b1.split(), w2.split());
    let mut total = net.tape().constant(0.0);
    for &(x, y) in data {
        let mut out = b2;
        for j in 0..HIDDEN {
            out += w2[j] * (w1[j] * x + b1[j]).tanh();
        }
        let err = out - y;
        total += err * err;
    }
    total / data.len() as f64
}

fn main() {
    let data: Vec<(f64, f64)> = (0..40)
        .map(|i| {
            let x = -3.0 + 6.0 * i as f64 / 39.0;
            (x, x.sin())
        })
        .collect();
    let mut net = Net::new();
    println!("fitting sin(x) on [-3, 3] with a 1-{HIDDEN}-1 tanh network");
    for epoch in 0..=2000 {
        if epoch % 250 == 0 {
            println!(
                "epoch {epoch:5}  loss {:.6}",
                eval_bp(|n| loss(n, &data), &net)
            );
        }
        let grad = grad_bp(|n| loss(n, &data), &net);
        net.step(&grad, 0.05);
    }
}

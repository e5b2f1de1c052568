//! The benchmark of Haskell `backprop`'s bench/bench.hs, on every backend: a 784 → 300 → 100 →
//! 10 network (f64, logistic hidden layers, softmax output, cross-entropy against a target in
//! [0, 1]¹⁰, weights uniform in [-0.5, 0.5], inputs uniform in [0, 1]), parameters in a
//! `#[derive(Backprop)]` struct. For each backend, side by side:
//!
//! - `grad`: gradient of all parameters for one sample, autodiff vs a hand-written backward pass
//!   on the same backend's primitives (what the tape adds over those primitives; the baseline
//!   written directly against each library, which the speed targets are held to, is
//!   `benches/network/native.rs`, measured by `benches/paired.rs`);
//! - `grad_batch`: the same for a batch of 128 samples as a matrix;
//! - `run`: the forward pass alone, `eval_bp` vs plain code;
//! - `descent`: one gradient-descent step (gradient plus update).
//!
//! Criterion times each pass on its own, one after the other: these are the absolute times.
//! Ratios (autodiff / hand-written) are what to compare, and `benches/paired.rs` measures them
//! with the two sides interleaved, which machine load cannot tilt.

use backprop_linalg::Backend;
use criterion::{Criterion, criterion_group};

mod network;
mod support;

use network::Setup;

fn bench_backend<B: Backend<Real = f64>>(c: &mut Criterion) {
    let setup = Setup::<B>::new();
    setup.check_gradients();
    let dynamic = setup.to_dyn();
    let mut g = c.benchmark_group(B::NAME);
    // `dyn_*`: run-time sizes (in the `autodiff` slot) against static sizes (`hand`).
    let all = setup
        .measurements()
        .into_iter()
        .chain(setup.dynamic_measurements(&dynamic));
    for mut m in all {
        g.bench_function(format!("{}/autodiff", m.name), |b| b.iter(&mut m.autodiff));
        g.bench_function(format!("{}/hand", m.name), |b| b.iter(&mut m.hand));
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_backend::<backprop_linalg::backends::Faer>(c);
    bench_backend::<backprop_linalg::backends::Nalgebra>(c);
    bench_backend::<backprop_linalg::backends::Ndarray>(c);
}

criterion_group!(mlp, benches);

fn main() {
    support::steady_heap();
    mlp();
    Criterion::default().configure_from_args().final_summary();
}

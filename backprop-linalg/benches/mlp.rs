//! The benchmark of Haskell `backprop`'s bench/bench.hs, on every backend: a 784 → 300 → 100 →
//! 10 network (f64, logistic hidden layers, softmax output, cross-entropy against a target in
//! [0, 1]¹⁰, weights uniform in [-0.5, 0.5], inputs uniform in [0, 1]), parameters in a
//! `#[derive(Backprop)]` struct. For each backend, side by side:
//!
//! - `grad`: gradient of all parameters for one sample, autodiff vs a hand-written backward pass
//!   on the same backend;
//! - `grad_batch`: the same for a batch of 128 samples as a matrix;
//! - `run`: the forward pass alone, `eval_bp` vs plain code;
//! - `descent`: one gradient-descent step (gradient plus update).
//!
//! Ratios (autodiff / hand-written) measured in one run are what to compare: absolute times drift
//! on a shared machine.

use std::hint::black_box;

use backprop_linalg::typenum::{U10, U784};
use backprop_linalg::{Backend, L, R, eval_bp_data, grad_bp_data};
use criterion::{Criterion, criterion_group};

mod network;
mod support;

use network::{Batch, Net, Uniform, grad_batch_hand, grad_hand, loss, loss_batch, run_hand};

fn bench_backend<B: Backend>(c: &mut Criterion) {
    let mut rng = Uniform(0x9e37_79b9_7f4a_7c15);
    let net = Net::<B>::new(&mut rng);
    let sample = (
        R::<U784, B>::from_fn(|_| rng.next(0.0, 1.0)),
        R::<U10, B>::from_fn(|_| rng.next(0.0, 1.0)),
    );
    let batch = (
        L::<U784, Batch, B>::from_fn(|_, _| rng.next(0.0, 1.0)),
        L::<U10, Batch, B>::from_fn(|_, _| rng.next(0.0, 1.0)),
    );
    // Both sides read the same buffers: where the input vector lies (its alignment against the
    // cache lines of `W₁`'s rows) moves the GEMV of the first layer by up to 16 % on ndarray, so
    // a copy on one side would measure placement, not autodiff.
    let ((x, t), (xb, tb)) = (&sample, &batch);

    // The two gradients agree before anything is timed.
    let (ga, gh) = (grad_bp_data(loss, &net, &sample), grad_hand(&net, x, t));
    let diff = (&ga.w1 - &gh.w1)
        .to_row_major()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(
        diff < 1e-10,
        "{}: autodiff and hand-written gradients differ by {diff}",
        B::NAME
    );
    let (ga, gh) = (
        grad_bp_data(loss_batch, &net, &batch),
        grad_batch_hand(&net, xb, tb),
    );
    let diff = (&ga.w1 - &gh.w1)
        .to_row_major()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(diff < 1e-9, "{}: batch gradients differ by {diff}", B::NAME);

    let mut g = c.benchmark_group(B::NAME);
    g.bench_function("grad/autodiff", |b| {
        b.iter(|| grad_bp_data(loss, black_box(&net), &sample))
    });
    g.bench_function("grad/hand", |b| b.iter(|| grad_hand(black_box(&net), x, t)));
    g.bench_function("grad_batch/autodiff", |b| {
        b.iter(|| grad_bp_data(loss_batch, black_box(&net), &batch))
    });
    g.bench_function("grad_batch/hand", |b| {
        b.iter(|| grad_batch_hand(black_box(&net), xb, tb))
    });
    g.bench_function("run/autodiff", |b| {
        b.iter(|| eval_bp_data(loss, black_box(&net), &sample))
    });
    g.bench_function("run/hand", |b| b.iter(|| run_hand(black_box(&net), x, t)));
    let mut n1 = net.clone();
    g.bench_function("descent/autodiff", |b| {
        b.iter(|| {
            let grad = grad_bp_data(loss, &n1, &sample);
            n1.descend(&grad, 0.01);
        })
    });
    let mut n2 = net.clone();
    g.bench_function("descent/hand", |b| {
        b.iter(|| {
            let grad = grad_hand(&n2, x, t);
            n2.descend(&grad, 0.01);
        })
    });
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

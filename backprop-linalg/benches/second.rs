//! The second order against the first: a Hessian-vector product (`hvp_data`) of the MLP loss of
//! `benches/mlp.rs` (784 → 300 → 100 → 10, one sample and a batch of 128) against its gradient
//! (`grad_bp_data`), on every backend. The direction is the parameters themselves.
//!
//! An `hvp` is a forward pass, a backward pass recorded on the tape (every rule runs on tape
//! variables) and a backward pass through both; the target is at most about five gradients.
//! Compare `hvp` with `grad` in the same group (criterion's medians, one run).
//!
//! ```sh
//! cargo bench -p backprop-linalg --all-features --bench second
//! ```

use std::hint::black_box;

use backprop_linalg::{Backend, grad_bp_data, hvp_data};
use criterion::{Criterion, criterion_group};

#[allow(dead_code)]
mod network;
mod support;

use network::{Setup, loss, loss_batch};

fn bench_backend<B: Backend<Real = f64>>(c: &mut Criterion) {
    let setup = Setup::<B>::new();
    let (net, sample, batch) = (&setup.net, &setup.sample, &setup.batch);
    let v = net.clone();
    let mut g = c.benchmark_group(format!("{}/second", B::NAME));
    g.bench_function("grad", |b| {
        b.iter(|| black_box(grad_bp_data(loss, black_box(net), sample)))
    });
    g.bench_function("hvp", |b| {
        b.iter(|| black_box(hvp_data(loss, black_box(net), sample, &v)))
    });
    g.bench_function("grad_batch", |b| {
        b.iter(|| black_box(grad_bp_data(loss_batch, black_box(net), batch)))
    });
    g.bench_function("hvp_batch", |b| {
        b.iter(|| black_box(hvp_data(loss_batch, black_box(net), batch, &v)))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_backend::<backprop_linalg::backends::Faer>(c);
    bench_backend::<backprop_linalg::backends::Nalgebra>(c);
    bench_backend::<backprop_linalg::backends::Ndarray>(c);
}

criterion_group!(second, benches);

fn main() {
    support::steady_heap();
    second();
    Criterion::default().configure_from_args().final_summary();
}

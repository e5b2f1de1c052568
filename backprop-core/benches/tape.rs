//! Tape overhead: a long scalar expression differentiated by `grad_bp`, against the same
//! derivative written by hand.
//!
//! The expression is `aₖ₊₁ = sin(aₖ·x) + 0.5·aₖ` from `a₀ = x`, four recorded operations per
//! step (a product, a sine, a scaling, a sum), 25 000 steps: 10⁵ recorded operations. Divide the
//! reported time by 10⁵ for nanoseconds per recorded operation. Like every benchmark here it runs
//! on a steady glibc heap: the tape's node arrays (megabytes at this length) would otherwise be
//! `mmap`ped and faulted in again on every call.

use std::hint::black_box;

use backprop_core::{BVar, eval_bp, grad_bp};
use criterion::{Criterion, criterion_group};

// The heap settings every benchmark of the workspace runs with.
#[path = "../../backprop-linalg/benches/support/mod.rs"]
mod support;

const STEPS: usize = 25_000;

fn chain<'t>(x: BVar<'t, f64>) -> BVar<'t, f64> {
    let mut a = x;
    for _ in 0..STEPS {
        a = (a * x).sin() + a * 0.5;
    }
    a
}

fn plain(x: f64) -> f64 {
    let mut a = x;
    for _ in 0..STEPS {
        a = (a * x).sin() + a * 0.5;
    }
    a
}

/// Reverse mode by hand: keep every aₖ, then walk back.
fn hand_gradient(x: f64, tape: &mut Vec<f64>) -> f64 {
    tape.clear();
    let mut a = x;
    for _ in 0..STEPS {
        tape.push(a);
        a = (a * x).sin() + a * 0.5;
    }
    let (mut da, mut dx) = (1.0, 0.0);
    for &a in tape.iter().rev() {
        let c = (a * x).cos();
        dx += da * c * a;
        da *= c * x + 0.5;
    }
    dx + da
}

fn bench(c: &mut Criterion) {
    let x = 0.7;
    let mut g = c.benchmark_group("tape_1e5_ops");
    g.bench_function("grad/autodiff", |b| {
        b.iter(|| grad_bp(chain, black_box(&x)))
    });
    let mut buf = Vec::with_capacity(STEPS);
    g.bench_function("grad/hand", |b| {
        b.iter(|| hand_gradient(black_box(x), &mut buf))
    });
    g.bench_function("run/autodiff", |b| b.iter(|| eval_bp(chain, black_box(&x))));
    g.bench_function("run/hand", |b| b.iter(|| plain(black_box(x))));
    g.finish();
}

criterion_group!(benches, bench);
fn main() {
    support::steady_heap();
    benches();
    Criterion::default().configure_from_args().final_summary();
}

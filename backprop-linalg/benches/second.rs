//! The second order against the first: a Hessian-vector product (`hvp_data`) against a gradient
//! (`grad_bp_data`), on every backend, of
//!
//! - the MLP loss of `benches/mlp.rs` (784 → 300 → 100 → 10, one sample and a batch of 128),
//!   the direction being the parameters themselves;
//! - a Gaussian log-likelihood through `chol` (`−½·bᵀA⁻¹b − ½·ln det A` with `A = RᵀR`, by
//!   `chol_solve` and the factor's diagonal) in a 64×64 SPD `A`, along a symmetric direction.
//!
//! An `hvp` is a forward pass, a backward pass recorded on the tape (every rule runs on tape
//! variables) and a backward pass through both; the target is at most about five gradients.
//! Compare `hvp` with `grad` in the same group (criterion's medians, one run).
//!
//! ```sh
//! cargo bench -p backprop-linalg --all-features --bench second
//! ```

use std::hint::black_box;

use backprop_linalg::{
    BVar, Backend, Matrix, Sym, chol, chol_solve, grad_bp_data, hvp_data, sum_elements, take_diag,
};
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
    let (a, rhs, direction) = likelihood_setup::<B>(64);
    g.bench_function("chol_grad", |b| {
        b.iter(|| black_box(grad_bp_data(likelihood, black_box(&a), &rhs)))
    });
    g.bench_function("chol_hvp", |b| {
        b.iter(|| black_box(hvp_data(likelihood, black_box(&a), &rhs, &direction)))
    });
    g.finish();
}

/// `−½·bᵀA⁻¹b − Σ ln Rᵢᵢ` with `A = RᵀR`: a Gaussian log-likelihood up to a constant.
fn likelihood<'t, B: Backend>(
    a: BVar<'t, Sym<backprop_linalg::Dyn, B>>,
    b: BVar<'t, Matrix<B>>,
) -> BVar<'t, B::Real> {
    let r = chol(a);
    let half: B::Real = backprop_linalg::RealScalar::from_f64_real(-0.5);
    sum_elements(b * chol_solve(r, b)) * half - sum_elements(take_diag(r).ln())
}

/// An `n×n` SPD matrix (`XᵀX/n + I` for a fixed pseudo-random `X`), a right-hand side and a
/// symmetric direction.
fn likelihood_setup<B: Backend>(
    n: usize,
) -> (
    Sym<backprop_linalg::Dyn, B>,
    Matrix<B>,
    Sym<backprop_linalg::Dyn, B>,
) {
    let mut rng = network::Uniform(0x2545_f491_4f6c_dd1d);
    let x: Vec<f64> = (0..n * n).map(|_| rng.next(-1.0, 1.0)).collect();
    let real = |v: f64| -> B::Real { backprop_linalg::RealScalar::from_f64_real(v) };
    let a = Sym::from_fn_n(n, |i, j| {
        let xtx: f64 = (0..n).map(|k| x[k * n + i] * x[k * n + j]).sum();
        real(xtx / n as f64 + if i == j { 1.0 } else { 0.0 })
    });
    let rhs = Matrix::from_fn_shape(n, 1, |_, _| real(rng.next(-1.0, 1.0)));
    let direction = Sym::from_fn_n(n, |i, j| real(((i * 7 + j * 7) % 11) as f64 / 11.0));
    (a, rhs, direction)
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

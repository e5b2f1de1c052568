//! The cost of the gradients of the expensive linear-algebra operations, on every backend:
//! `inv`, `det`, `chol`, `eigensystem`, `svd_` and `expm` at n = 8, 64 and 256.
//!
//! Each operation feeds a scalar loss that touches every output with a fixed, random-looking
//! weight (`Σ out ∘ W`, plus `⟨λ, w⟩` / `⟨σ, w⟩` for the values of the decompositions), so the
//! cotangent reaching the operation is dense, never all-ones, and for `eigensystem` and `svd_`
//! the eigenvectors and both `U` and `V` get one: the expensive branch of their backward pass
//! (the `F`-matrix terms) runs. The weights are borrowed onto the tape as data
//! (`eval_bp_data` / `grad_bp_data`), so they are not cloned per call.
//!
//! For each backend, operation and size there is one criterion group `<backend>/<op>/<n>` with
//! two benchmarks:
//!
//! - `value`: `eval_bp` of the loss, the forward pass alone (the factorization itself);
//! - `grad`: `grad_bp` of the same loss, forward plus backward.
//!
//! The ratio grad/value measured in one run is what to compare (absolute times drift on a shared
//! machine): it is the price of the backward pass in units of the forward one. What the flop
//! counts predict for large n (forward; backward; ratio): `inv` 8n³/3 (LU, two triangular
//! solves); 4n³ (two products); about 2.5. `det` 2n³/3 (LU); about 2n³ (a second LU, the
//! division-free adjugate of `U`, one triangular solve with n right-hand sides); about 3. `chol` n³/3;
//! 4n³ (one product, two triangular solves with n right-hand sides); about 13. `eigensystem`
//! about 9n³; 6n³ (three products); about 1.7. `svd_` about 21n³; 8n³ (four products); about
//! 1.4. `expm` (degree 13, `s` squarings) (6 + s)·2n³ plus an LU; its gradient, the Fréchet
//! derivative with the same scaling and powers, about 2.2 times that. Products run faster per flop than factorizations, so measured ratios are usually lower.
//! At n = 8 the fixed costs of the tape and of the backend calls dominate instead.
//! `scripts/bench_table.py` prints the table.
//!
//! Inputs (the same numbers on every backend, from a xorshift seeded by n): for `inv` and `det`,
//! `I + E/√n` with `E` uniform in [-1, 1] (condition number about 4–6 at every n, and a
//! determinant of order 1, where `n·I + E` would overflow `det` at n = 256); for `chol` and
//! `eigensystem`, `A·Aᵀ + n·I` with `A` uniform in [-1, 1] (positive definite, eigenvalues
//! spread over [n, 7n/3], well separated); for `svd_`, a uniform matrix in [-1, 1]; for `expm`,
//! that matrix divided by √n (2-norm about 1.2, 1-norm about √n/2). Before
//! anything is timed, each gradient is checked to be finite and not zero.
//!
//! The benchmark re-runs itself with a steady glibc heap (see `support::steady_heap`): without
//! it, faer's allocations at n = 256 fault their pages in again on every iteration.
//!
//! Run with `cargo bench -p backprop-linalg --all-features --bench ops`; filter with a regex,
//! e.g. `-- faer/svd_` (the gradient check of a filtered-out group still runs: a third of a
//! second in all). The groups at n = 64 use 20 samples; those at n = 256 use 10 samples and their own short
//! warm-up and measurement times, which override `--warm-up-time` and `--measurement-time`. A
//! full run takes about 5 minutes.

use std::hint::black_box;
use std::time::Duration;

use backprop_linalg::StaticDim;
use backprop_linalg::typenum::{U8, U64, U256};
use backprop_linalg::{
    BVar, Backend, Backprop, Coords, L, R, Sq, Sym, chol, det, dot, eigensystem, eval_bp_data,
    expm, grad_bp_data, inv, sum_elements, svd_,
};
use criterion::{Criterion, criterion_group};

mod support;

/// A deterministic uniform stream (xorshift), so every backend sees the same numbers.
struct Uniform(u64);

impl Uniform {
    fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }

    fn matrix<N: StaticDim, B: Backend<Real = f64>>(&mut self) -> Sq<N, B> {
        L::from_fn(|_, _| self.next(-1.0, 1.0))
    }

    fn vector<N: StaticDim, B: Backend<Real = f64>>(&mut self) -> R<N, B> {
        R::from_fn(|_| self.next(-1.0, 1.0))
    }
}

// ---------- the losses: every output weighted by a constant ----------

/// Weights of `eigensystem`'s outputs `(λ, V)`.
type EigenWeights<N, B> = (R<N, B>, Sq<N, B>);
/// Weights of `svd_`'s outputs `(U, σ, V)`.
type SvdWeights<N, B> = (Sq<N, B>, R<N, B>, Sq<N, B>);

fn inv_loss<'t, N: StaticDim, B: Backend<Real = f64>>(
    a: BVar<'t, Sq<N, B>>,
    w: BVar<'t, Sq<N, B>>,
) -> BVar<'t, f64> {
    sum_elements(inv(a) * w)
}

fn det_loss<'t, N: StaticDim, B: Backend<Real = f64>>(
    a: BVar<'t, Sq<N, B>>,
    w: BVar<'t, f64>,
) -> BVar<'t, f64> {
    det(a) * w
}

fn chol_loss<'t, N: StaticDim, B: Backend<Real = f64>>(
    a: BVar<'t, Sym<N, B>>,
    w: BVar<'t, Sq<N, B>>,
) -> BVar<'t, f64> {
    sum_elements(chol(a) * w)
}

fn eigensystem_loss<'t, N: StaticDim, B: Backend<Real = f64>>(
    a: BVar<'t, Sym<N, B>>,
    w: BVar<'t, EigenWeights<N, B>>,
) -> BVar<'t, f64> {
    let (lambda, v) = eigensystem(a).split();
    let (wl, wv) = w.split();
    dot(lambda, wl) + sum_elements(v * wv)
}

fn svd_loss<'t, N: StaticDim, B: Backend<Real = f64>>(
    a: BVar<'t, Sq<N, B>>,
    w: BVar<'t, SvdWeights<N, B>>,
) -> BVar<'t, f64> {
    let (u, s, v) = svd_(a).split();
    let (wu, ws, wv) = w.split();
    sum_elements(u * wu) + dot(s, ws) + sum_elements(v * wv)
}

fn expm_loss<'t, N: StaticDim, B: Backend<Real = f64>>(
    a: BVar<'t, Sq<N, B>>,
    w: BVar<'t, Sq<N, B>>,
) -> BVar<'t, f64> {
    sum_elements(expm(a) * w)
}

// ---------- one group per (backend, op, n) ----------

/// Checks the gradient of `loss` at `x` (weights `w`), then times `value` (`eval_bp`) and
/// `grad` (`grad_bp`) in the group `<backend>/<op>/<n>`.
fn measure<A, D, F>(c: &mut Criterion, backend: &str, op: &str, n: usize, x: &A, w: &D, loss: F)
where
    A: Backprop + Coords,
    D: Backprop,
    F: for<'t> Fn(BVar<'t, A>, BVar<'t, D>) -> BVar<'t, f64> + Copy,
{
    let name = format!("{backend}/{op}/{n}");
    let g = grad_bp_data(loss, x, w).to_coords();
    assert!(
        g.iter().all(|v| v.is_finite()),
        "{name}: the gradient is not finite"
    );
    assert!(g.iter().any(|&v| v != 0.0), "{name}: the gradient is zero");

    let mut group = c.benchmark_group(name);
    match n {
        0..=8 => {}
        9..=64 => {
            group.sample_size(20);
        }
        _ => {
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2));
        }
    }
    group.bench_function("value", |b| b.iter(|| eval_bp_data(loss, black_box(x), w)));
    group.bench_function("grad", |b| b.iter(|| grad_bp_data(loss, black_box(x), w)));
    group.finish();
}

/// Every operation at size `N` on backend `B`.
fn bench_size<N: StaticDim, B: Backend<Real = f64>>(c: &mut Criterion) {
    let n = N::SIZE;
    let mut rng = Uniform(0x9e37_79b9_7f4a_7c15 ^ (n as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9));
    let scale = 1.0 / (n as f64).sqrt();
    let general: Sq<N, B> =
        L::from_fn(|i, j| f64::from(u8::from(i == j)) + scale * rng.next(-1.0, 1.0));
    let a: Sq<N, B> = rng.matrix();
    let spd = Sym::<N, B>::from_fn(|i, j| {
        let aat: f64 = (0..n).map(|k| a.get(i, k) * a.get(j, k)).sum();
        aat + if i == j { n as f64 } else { 0.0 }
    });
    let square: Sq<N, B> = rng.matrix();

    let w_sq: Sq<N, B> = rng.matrix();
    let backend = B::NAME;
    measure(c, backend, "inv", n, &general, &w_sq, inv_loss::<N, B>);
    measure(c, backend, "det", n, &general, &0.37, det_loss::<N, B>);
    measure(c, backend, "chol", n, &spd, &w_sq, chol_loss::<N, B>);
    let w_eig: EigenWeights<N, B> = (rng.vector(), rng.matrix());
    measure(
        c,
        backend,
        "eigensystem",
        n,
        &spd,
        &w_eig,
        eigensystem_loss::<N, B>,
    );
    let w_svd: SvdWeights<N, B> = (rng.matrix(), rng.vector(), rng.matrix());
    measure(c, backend, "svd_", n, &square, &w_svd, svd_loss::<N, B>);
    let moderate: Sq<N, B> = L::from_fn(|i, j| scale * square.get(i, j));
    measure(c, backend, "expm", n, &moderate, &w_sq, expm_loss::<N, B>);
}

fn bench_backend<B: Backend<Real = f64>>(c: &mut Criterion) {
    bench_size::<U8, B>(c);
    bench_size::<U64, B>(c);
    bench_size::<U256, B>(c);
}

fn benches(c: &mut Criterion) {
    bench_backend::<backprop_linalg::backends::Faer>(c);
    bench_backend::<backprop_linalg::backends::Nalgebra>(c);
    bench_backend::<backprop_linalg::backends::Ndarray>(c);
}

criterion_group!(ops, benches);

fn main() {
    support::steady_heap();
    ops();
    Criterion::default().configure_from_args().final_summary();
}

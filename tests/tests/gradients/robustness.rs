//! Robustness (issue 8, "Bad input never becomes a silent wrong number"): the sweeps across
//! every op, on every backend. The error paths of one family's ops are also pinned beside it
//! (`solve::singular_solve_errors`, `cholesky::chol_not_positive_definite_error`, …).
//!
//! 1. **Error sweep.** Every fallible entry point (each exported `try_` op and the `try_`
//!    constructors) is fed singular, nearly singular (condition number ~1e16),
//!    non-positive-definite, NaN, ±∞, mismatched-shape and empty inputs. Each either fails with
//!    the documented [`LinalgError`] variant whose message starts with the op's name — and its
//!    plain form panics with exactly that message — or, where the op is defined there (`det` of
//!    a singular matrix is ~0 with the cofactor matrix as gradient, the SVDs and eigensolvers of
//!    a singular matrix, `norm_2v` at 0), returns the documented, finite result. A nearly
//!    singular input may be refused as singular or answered, but never with a NaN or ∞.
//! 2. **Finite backward.** On well-conditioned inputs, the gradient of a random scalarisation of
//!    every differentiable op is finite in every coordinate.
//! 3. **Fuzzed chains.** Random compositions of 3–10 lifted ops on `L<U3, U3>`/`R<U3>` pass the
//!    core gradient checker; the op-code list shrinks to a minimal failing chain.
//! 4. **Threads.** Gradients computed concurrently on separate tapes equal the sequential ones;
//!    every value type is `Send + Sync` (checked at compile time).
//! 5. **Unwinding.** A panic inside a user closure (or a plain op) during `grad_bp` unwinds, and
//!    the next `grad_bp` on the same thread gives the right gradient.
//! 6. **NaN inputs, op by op.** A NaN in one input of each fallible op of the factorizations,
//!    inverses, solves and matrix functions: `NonFinite` naming the op, and the plain form
//!    panics with its message.

use backprop_backend::LinalgBackend;
use backprop_linalg::{
    BVar, Backprop, C, Coords, Her, L, LinalgError, M, Matrix, R, Sq, Sym, Triangle, Vector, app,
    backprop_with, chol, chol_solve, cov, create, cross, det, dot, eigensystem, eigenvalues,
    eval_bp, expm, from_columns, from_rows, grad_bp, inv, invlndet, konst, lin_solve, lin_solve_v,
    lndet, lstsq, m_tm, matrix, mean, mean_cov, mmap, mul, norm_1m, norm_1v, norm_2m, norm_2v,
    norm_inf_m, norm_inf_v, outer, pinv, qr, slogdet, sqrtm, sum_elements, svd, svd_, svd_flat,
    svd_tall, sym, tr, trace, triangular_solve, try_chol, try_chol_solve, try_create, try_det,
    try_eigensystem, try_eigenvalues, try_expm, try_from_columns, try_from_rows, try_inv,
    try_invlndet, try_lin_solve, try_lin_solve_v, try_lndet, try_lstsq, try_matrix, try_norm_2m,
    try_pinv, try_qr, try_slogdet, try_sqrtm, try_svd, try_svd_, try_svd_flat, try_svd_tall,
    try_triangular_solve, try_vector, un_sym, vector,
};
use backprop_tests::Dense;
use backprop_tests::gradcheck::{
    assert_fails, entries, error_of, grad_ok, invertible, matrix as any_matrix, panic_message,
    principal_root_input, run, separated_singular, separated_vector, singular, small_norm, spd,
    sym_separated, triangular, vector as any_vector,
};
use backprop_tests::{ComplexDouble, Double};
use num_complex::Complex64;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use typenum::{U1, U2, U3};

type Sq3<B> = Sq<U3, B>;

// ----- expected errors -----

fn singular_err(op: &'static str) -> LinalgError {
    LinalgError::Singular { op }
}

fn non_finite(op: &'static str) -> LinalgError {
    LinalgError::NonFinite { op }
}

fn not_pd(op: &'static str) -> LinalgError {
    LinalgError::NotPositiveDefinite { op }
}

// ----- helpers -----

/// Whether every coordinate of `x` is finite.
fn all_finite<T: Coords>(x: &T) -> bool {
    x.to_coords().iter().all(|c| c.is_finite())
}

/// `f(x)` is finite, and so is the gradient of `⟨w, f(x)⟩` for the weights `w` read from
/// `seed` (cycled), i.e. of a random scalarisation of `f`.
fn finite_through<A, O>(
    x: &A,
    seed: &[f64],
    f: impl for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
{
    let y = eval_bp(&f, x);
    let ys = y.to_coords();
    prop_assert!(all_finite(&y), "forward value not finite: {ys:?}");
    let w: Vec<f64> = (0..ys.len()).map(|k| seed[k % seed.len()]).collect();
    let (_, g) = backprop_with(&f, x, y.with_coords(&w));
    prop_assert!(all_finite(&g), "gradient not finite: {:?}", g.to_coords());
    Ok(())
}

/// A nearly singular input is either refused with `Singular` (or one of `also`) naming `op`,
/// with the plain form panicking with the same message, or answered with a finite value and a
/// finite gradient: never NaN or ∞.
fn refused_or_finite<A, O>(
    x: &A,
    op: &'static str,
    also: &[LinalgError],
    try_f: impl for<'t> Fn(BVar<'t, A>) -> Result<BVar<'t, O>, LinalgError>,
    f: impl for<'t> Fn(BVar<'t, A>) -> BVar<'t, O>,
) -> Result<(), TestCaseError>
where
    A: Backprop + Coords,
    O: Backprop + Coords,
{
    match error_of(x, &try_f) {
        Some(e) => {
            prop_assert!(
                e == singular_err(op) || also.contains(&e),
                "{op}: unexpected error {e:?}"
            );
            let message = panic_message(|| {
                eval_bp(&f, x);
            });
            prop_assert_eq!(message, Some(e.to_string()));
        }
        None => finite_through(x, &[0.7, -1.3, 0.4], &f)?,
    }
    Ok(())
}

/// `r` is a `ShapeMismatch` naming `op`, whose message starts with `op`; returns it.
fn shape_error<T>(r: Result<T, LinalgError>, op: &str) -> Result<LinalgError, TestCaseError> {
    match r {
        Err(e @ LinalgError::ShapeMismatch { .. }) if e.op() == op => {
            prop_assert!(e.to_string().starts_with(op), "{e}");
            Ok(e)
        }
        Err(e) => Err(TestCaseError::fail(format!("{op}: wrong error {e:?}"))),
        Ok(_) => Err(TestCaseError::fail(format!("{op}: accepted a wrong shape"))),
    }
}

/// `f` panics with `e`'s message.
fn panics_with(e: &LinalgError, f: impl FnOnce()) -> Result<(), TestCaseError> {
    prop_assert_eq!(panic_message(f), Some(e.to_string()));
    Ok(())
}

/// `U·diag(σ)·Vᵀ` for random orthogonal `U`, `V` and `σ = [σ₀, σ₁, ratio·σ₀]`,
/// `σ₀, σ₁ ∈ [0.5, 2]`: condition number `1/ratio`.
fn with_condition<B: Double>(ratio: f64) -> impl Strategy<Value = Sq3<B>> {
    (
        0.5f64..2.0,
        0.5f64..2.0,
        backprop_tests::generators::orthogonal(3),
        backprop_tests::generators::orthogonal(3),
    )
        .prop_map(move |(s0, s1, u, v)| {
            let s = [s0, s1, ratio * s0];
            L::from_row_major(&u.matmul(&Dense::diag(3, 3, &s)).matmul(&v.t()).data)
        })
}

/// A 3×3 matrix that is singular in floating point, not just in exact arithmetic (a product
/// `U·diag(σ)·Vᵀ` with `σ₂ = 0` rounds to condition ~1e16 instead): one row or column is an
/// exact multiple (0, 1/2, 1 or −2, all exact in binary) of another. The equal-rows case is the
/// regression for faer's LU leaving a last pivot of ~1e-15 relative, which the singularity
/// rule of `backends/api` now counts as singular.
fn exactly_singular<B: Double>() -> impl Strategy<Value = Sq3<B>> {
    (
        entries(9),
        0usize..3,
        1usize..3,
        prop_oneof![Just(0.0), Just(0.5), Just(1.0), Just(-2.0)],
        any::<bool>(),
    )
        .prop_map(|(e, i, shift, factor, rows)| {
            let j = (i + shift) % 3;
            L::from_fn(|p, q| {
                let at = |p: usize, q: usize| e[p * 3 + q];
                match (rows, p == i, q == i) {
                    (true, true, _) => factor * at(j, q),
                    (false, _, true) => factor * at(p, j),
                    _ => at(p, q),
                }
            })
        })
}

/// A symmetric matrix `Q·diag(λ)·Qᵀ` with `λ₀ = lambda` and the others in `[0.5, 2]`.
fn with_eigenvalue<B: Double>(
    lambda: impl Strategy<Value = f64>,
) -> impl Strategy<Value = Sym<U3, B>> {
    (
        lambda,
        proptest::collection::vec(0.5f64..2.0, 2),
        backprop_tests::generators::orthogonal(3),
    )
        .prop_map(|(l0, rest, q)| {
            let a = q
                .matmul(&Dense::diag(3, 3, &[l0, rest[0], rest[1]]))
                .matmul(&q.t());
            Sym::from_sq(&L::from_row_major(&a.data))
        })
}

/// NaN, +∞ or −∞.
fn bad_value() -> impl Strategy<Value = f64> {
    prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)]
}

/// `a` with entry `k` (row-major) replaced by `bad`.
fn poison<Mr, Nc, B>(a: &L<Mr, Nc, B>, k: usize, bad: f64) -> L<Mr, Nc, B>
where
    Mr: backprop_linalg::StaticDim,
    Nc: backprop_linalg::StaticDim,
    B: Double,
{
    let n = Nc::SIZE;
    L::from_fn(|i, j| if i * n + j == k { bad } else { a.get(i, j) })
}

/// The cofactor matrix of a 3×3 matrix (row-major), from 2×2 minors.
fn cofactors(a: &[f64]) -> Vec<f64> {
    let at = |i: usize, j: usize| a[(i % 3) * 3 + (j % 3)];
    (0..9)
        .map(|k| {
            let (i, j) = (k / 3, k % 3);
            at(i + 1, j + 1) * at(i + 2, j + 2) - at(i + 1, j + 2) * at(i + 2, j + 1)
        })
        .collect()
}

/// Splits a pair variable and applies `f` to the parts (for the two-operand ops).
macro_rules! pair {
    ($f:expr) => {
        |p| {
            let (a, b) = p.split();
            $f(a, b)
        }
    };
}

// ----- fuzzed chains -----

/// One lifted op of a fuzzed chain on `X: L<U3, U3>`, with the chain's inputs `A` and `v`.
/// Each keeps values bounded (Frobenius norm of `X` stays below ~40), so a chain of ten is as
/// well conditioned as one step.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// `X·A/6`
    Mul,
    /// `Xᵀ`
    Tr,
    /// `(X + A)/2`
    Add,
    /// `(X − Aᵀ)/2`
    Sub,
    /// `X∘A/2`
    Hadamard,
    /// `tanh X`
    Tanh,
    /// `sin X`
    Sin,
    /// `exp(tanh(X)/2)`
    Exp,
    /// `(X·v)⊗v/12`
    Outer,
    /// `konst((X·v)·v/12)`
    Dot,
    /// `konst(ΣX/9)`
    SumElements,
    /// `un_sym(sym X)`
    Sym,
    /// `konst(det(tanh X))`
    Det,
    /// `(tanh X + 4·I)⁻¹` (strictly diagonally dominant)
    Inv,
    /// `konst(‖tanh(X·v) + 3‖₂)`
    Norm2,
    /// `konst(‖tanh(X·v) + 3‖₁)`
    Norm1,
    /// `konst(tr X/3)`
    Trace,
    /// `m_tm(tanh X)`, a Gram matrix
    Gram,
}

const STEPS: [Step; 18] = [
    Step::Mul,
    Step::Tr,
    Step::Add,
    Step::Sub,
    Step::Hadamard,
    Step::Tanh,
    Step::Sin,
    Step::Exp,
    Step::Outer,
    Step::Dot,
    Step::SumElements,
    Step::Sym,
    Step::Det,
    Step::Inv,
    Step::Norm2,
    Step::Norm1,
    Step::Trace,
    Step::Gram,
];

fn apply<'t, B: Double>(
    step: Step,
    x: BVar<'t, Sq3<B>>,
    a: BVar<'t, Sq3<B>>,
    v: BVar<'t, R<U3, B>>,
) -> BVar<'t, Sq3<B>> {
    let filled = |c: f64| Sq3::<B>::from_fn(|_, _| c);
    let threes = R::<U3, B>::from_fn(|_| 3.0);
    match step {
        Step::Mul => mul(x, a) * filled(1.0 / 6.0),
        Step::Tr => tr(x),
        Step::Add => (x + a) * filled(0.5),
        Step::Sub => (x - tr(a)) * filled(0.5),
        Step::Hadamard => x * a * filled(0.5),
        Step::Tanh => x.tanh(),
        Step::Sin => x.sin(),
        Step::Exp => (x.tanh() * filled(0.5)).exp(),
        Step::Outer => outer(app(x, v), v) * filled(1.0 / 12.0),
        Step::Dot => konst(dot(app(x, v), v) * (1.0 / 12.0)),
        Step::SumElements => konst(sum_elements(x) * (1.0 / 9.0)),
        Step::Sym => un_sym(sym(x)),
        Step::Det => konst(det(x.tanh())),
        Step::Inv => inv(x.tanh() + Sq3::<B>::from_fn(|i, j| if i == j { 4.0 } else { 0.0 })),
        Step::Norm2 => konst(norm_2v(app(x, v).tanh() + threes)),
        Step::Norm1 => konst(norm_1v(app(x, v).tanh() + threes)),
        Step::Trace => konst(trace(x) * (1.0 / 3.0)),
        Step::Gram => un_sym(m_tm(x.tanh())),
    }
}

/// The entries of `A + 3·I` (a well-conditioned triangle, either one).
fn shifted<B: Double>(a: &Sq3<B>) -> impl Fn(usize, usize) -> f64 + '_ {
    move |i, j| a.get(i, j) + if i == j { 3.0 } else { 0.0 }
}

/// `Aᵀ` as a value.
fn tr_value<B: Double>(a: &Sq3<B>) -> Sq3<B> {
    L::from_fn(|i, j| a.get(j, i))
}

backprop_tests::cases! {

    // ----- 1. error sweep -----

    /// Exactly singular square inputs: refused by every op that needs an inverse,
    /// with `Singular` naming it.
    fn singular_inputs_are_refused<B: Double>() {
        run(
            (
                exactly_singular::<B>(),
                any_matrix::<U3, U2, B>(),
                any_vector::<U3, B>(),
                separated_vector::<U3, B>(),
                0usize..3,
            ),
            |(a, b, v, w, k)| {
                assert_fails(&a, &singular_err("inv"), try_inv, inv);
                assert_fails(&a, &singular_err("lndet"), try_lndet, lndet);
                assert_fails(&a, &singular_err("invlndet"), try_invlndet, invlndet);
                assert_fails(&a, &singular_err("slogdet"), try_slogdet, slogdet);
                assert_fails(&a, &singular_err("sqrtm"), try_sqrtm, sqrtm);
                assert_fails(&a, &singular_err("qr"), try_qr, qr);
                assert_fails(&a, &singular_err("pinv"), try_pinv, pinv);
                let ab = (a.clone(), b.clone());
                assert_fails(
                    &ab,
                    &singular_err("lin_solve"),
                    pair!(try_lin_solve),
                    pair!(lin_solve),
                );
                assert_fails(&ab, &singular_err("lstsq"), pair!(try_lstsq), pair!(lstsq));
                assert_fails(
                    &(a.clone(), v),
                    &singular_err("lin_solve"),
                    pair!(try_lin_solve_v),
                    pair!(lin_solve_v),
                );
                // Tall, rank one.
                let rank1 = L::<U3, U2, B>::from_fn(|i, j| w.get(i) * (1.0 + j as f64));
                assert_fails(&rank1, &singular_err("qr"), try_qr, qr);
                assert_fails(&rank1, &singular_err("pinv"), try_pinv, pinv);
                assert_fails(
                    &(rank1, b.clone()),
                    &singular_err("lstsq"),
                    pair!(try_lstsq),
                    pair!(lstsq),
                );
                // Triangular solves with a zero on the diagonal (the other entries are random).
                let t = L::<U3, U3, B>::from_fn(|i, j| match (i == j, i == k) {
                    (true, true) => 0.0,
                    (true, false) => a.get(i, j) + 3.0,
                    _ => a.get(i, j),
                });
                assert_fails(
                    &(t.clone(), b.clone()),
                    &singular_err("triangular_solve"),
                    |p| {
                        let (t, b) = p.split();
                        try_triangular_solve(t, b, Triangle::Lower)
                    },
                    |p| {
                        let (t, b) = p.split();
                        triangular_solve(t, b, Triangle::Lower)
                    },
                );
                assert_fails(
                    &(t, b),
                    &singular_err("chol_solve"),
                    pair!(try_chol_solve),
                    pair!(chol_solve),
                );
                Ok(())
            },
        );
    }

    /// Where an op is defined on a singular matrix, it gives the documented, finite result:
    /// `det` ≈ 0 with the cofactor matrix as gradient, the SVDs and the symmetric eigensolvers
    /// a zero singular value or eigenvalue, `norm_2m`/`expm` their values; gradients finite.
    fn defined_on_singular_inputs<B: Double>() {
        run((singular::<U3, B>(), entries(8)), |(a, seed)| {
            prop_assert!(error_of(&a, try_det).is_none());
            let (d, g) = backprop_linalg::backprop(det, &a);
            prop_assert!(d.abs() <= 1e-12, "det of a singular matrix: {d}");
            let expected = cofactors(&a.to_row_major());
            for (x, y) in g.to_row_major().iter().zip(&expected) {
                prop_assert!(
                    (x - y).abs() <= 1e-10,
                    "{:?} vs {expected:?}",
                    g.to_row_major()
                );
            }
            prop_assert!(error_of(&a, try_svd).is_none());
            let s = eval_bp(svd, &a);
            prop_assert!(s.get(2).abs() <= 1e-12 && s.get(1) >= 0.4, "{s:?}");
            finite_through(&a, &seed, svd)?;
            prop_assert!(error_of(&a, try_svd_).is_none());
            prop_assert!(all_finite(&eval_bp(svd_, &a)));
            prop_assert!(error_of(&a, try_svd_tall).is_none());
            prop_assert!(all_finite(&eval_bp(svd_tall, &a)));
            prop_assert!(error_of(&a, try_svd_flat).is_none());
            prop_assert!(all_finite(&eval_bp(svd_flat, &a)));
            prop_assert!(error_of(&a, try_norm_2m).is_none());
            finite_through(&a, &seed, norm_2m)?;
            prop_assert!(error_of(&a, try_expm).is_none());
            finite_through(&a, &seed, expm)?;
            // AᵀA: positive semi-definite of rank 2.
            let gram = eval_bp(m_tm, &a);
            prop_assert!(error_of(&gram, try_eigenvalues).is_none());
            prop_assert!(error_of(&gram, try_eigensystem).is_none());
            let ev = eval_bp(eigenvalues, &gram);
            prop_assert!(ev.get(2).abs() <= 1e-12, "{ev:?}");
            finite_through(&gram, &seed, eigenvalues)?;
            prop_assert!(all_finite(&eval_bp(eigensystem, &gram)));
            Ok(())
        });
        // norm_2v at 0: value 0 and gradient 0 (documented), not NaN.
        let (n, g) = backprop_linalg::backprop(norm_2v, &R::<U3, B>::from_fn(|_| 0.0));
        assert_eq!(n, 0.0);
        assert_eq!(g.to_vec(), vec![0.0; 3]);
    }

    /// Condition number 1e16: refused as singular, or answered finitely (value and gradient).
    /// `pinv`'s threshold (`10·max(M, N)·ε` on the singular values) is far above 1e-16, so it
    /// always refuses.
    fn nearly_singular_inputs<B: Double>() {
        run(
            (with_condition::<B>(1e-16), any_matrix::<U3, U2, B>()),
            |(a, b)| {
                assert_fails(&a, &singular_err("pinv"), try_pinv, pinv);
                refused_or_finite(&a, "inv", &[], try_inv, inv)?;
                refused_or_finite(&a, "lndet", &[], try_lndet, lndet)?;
                refused_or_finite(&a, "invlndet", &[], try_invlndet, invlndet)?;
                refused_or_finite(&a, "slogdet", &[], try_slogdet, slogdet)?;
                refused_or_finite(&a, "qr", &[], try_qr, qr)?;
                // Its smallest eigenvalue may be negative: then no principal root exists.
                let no_root = [LinalgError::NoConvergence { op: "sqrtm" }];
                refused_or_finite(&a, "sqrtm", &no_root, try_sqrtm, sqrtm)?;
                let ab = (a.clone(), b.clone());
                refused_or_finite(
                    &ab,
                    "lin_solve",
                    &[],
                    pair!(try_lin_solve),
                    pair!(lin_solve),
                )?;
                refused_or_finite(&ab, "lstsq", &[], pair!(try_lstsq), pair!(lstsq))?;
                let av = (a.clone(), R::<U3, B>::from_fn(|i| b.get(i, 0)));
                refused_or_finite(
                    &av,
                    "lin_solve",
                    &[],
                    pair!(try_lin_solve_v),
                    pair!(lin_solve_v),
                )?;
                // Defined, tiny and differentiable.
                let d = eval_bp(det, &a);
                prop_assert!(d.abs() <= 1e-14, "{d}");
                finite_through(&a, &[1.0], det)?;
                finite_through(&a, &[1.0, -0.5], svd)?;
                Ok(())
            },
        );
    }

    /// A NaN or ±∞ anywhere an op reads: `NonFinite` naming the op, from every fallible op.
    fn non_finite_inputs_are_refused<B: Double>() {
        run(
            (
                invertible::<U3, B>(),
                any_matrix::<U3, U2, B>(),
                spd::<U3, B>(),
                0usize..9,
                0usize..6,
                bad_value(),
            ),
            |(good, b, s, k, kb, bad)| {
                let a = poison(&good, k, bad);
                assert_fails(&a, &non_finite("det"), try_det, det);
                assert_fails(&a, &non_finite("inv"), try_inv, inv);
                assert_fails(&a, &non_finite("lndet"), try_lndet, lndet);
                assert_fails(&a, &non_finite("invlndet"), try_invlndet, invlndet);
                assert_fails(&a, &non_finite("slogdet"), try_slogdet, slogdet);
                assert_fails(&a, &non_finite("expm"), try_expm, expm);
                assert_fails(&a, &non_finite("sqrtm"), try_sqrtm, sqrtm);
                assert_fails(&a, &non_finite("qr"), try_qr, qr);
                assert_fails(&a, &non_finite("pinv"), try_pinv, pinv);
                assert_fails(&a, &non_finite("svd"), try_svd, svd);
                assert_fails(&a, &non_finite("svd_"), try_svd_, svd_);
                assert_fails(&a, &non_finite("svd_tall"), try_svd_tall, svd_tall);
                assert_fails(&a, &non_finite("norm_2m"), try_norm_2m, norm_2m);
                let wide = poison(&L::<U2, U3, B>::from_fn(|i, j| good.get(i, j)), k % 6, bad);
                assert_fails(&wide, &non_finite("svd_flat"), try_svd_flat, svd_flat);
                // Symmetric inputs, poisoned at (i, j) and (j, i).
                let (i, j) = (k / 3, k % 3);
                let sym_bad = Sym::<U3, B>::from_fn(|p, q| {
                    if (p, q) == (i, j) || (q, p) == (i, j) {
                        bad
                    } else {
                        s.get(p, q)
                    }
                });
                assert_fails(&sym_bad, &non_finite("chol"), try_chol, chol);
                assert_fails(
                    &sym_bad,
                    &non_finite("eigenvalues"),
                    try_eigenvalues,
                    eigenvalues,
                );
                assert_fails(
                    &sym_bad,
                    &non_finite("eigensystem"),
                    try_eigensystem,
                    eigensystem,
                );
                // Two operands: poison either.
                let b_bad = poison(&b, kb, bad);
                let v_bad = R::<U3, B>::from_fn(|r| if r == kb % 3 { bad } else { b.get(r, 0) });
                let v = R::<U3, B>::from_fn(|r| b.get(r, 0));
                for ab in [(a.clone(), b.clone()), (good.clone(), b_bad.clone())] {
                    assert_fails(
                        &ab,
                        &non_finite("lin_solve"),
                        pair!(try_lin_solve),
                        pair!(lin_solve),
                    );
                    assert_fails(&ab, &non_finite("lstsq"), pair!(try_lstsq), pair!(lstsq));
                }
                for av in [(a.clone(), v), (good.clone(), v_bad)] {
                    assert_fails(
                        &av,
                        &non_finite("lin_solve"),
                        pair!(try_lin_solve_v),
                        pair!(lin_solve_v),
                    );
                }
                // Triangular solves read one triangle: poison inside it (or B).
                let lower = L::<U3, U3, B>::from_fn(|p, q| {
                    if (p, q) == (i.max(j), i.min(j)) {
                        bad
                    } else {
                        shifted(&good)(p, q)
                    }
                });
                let upper = tr_value(&lower);
                let clean = L::<U3, U3, B>::from_fn(shifted(&good));
                for tb in [(lower, b.clone()), (clean.clone(), b_bad.clone())] {
                    assert_fails(
                        &tb,
                        &non_finite("triangular_solve"),
                        |p| {
                            let (t, b) = p.split();
                            try_triangular_solve(t, b, Triangle::Lower)
                        },
                        |p| {
                            let (t, b) = p.split();
                            triangular_solve(t, b, Triangle::Lower)
                        },
                    );
                }
                for rb in [(upper, b), (clean, b_bad)] {
                    assert_fails(
                        &rb,
                        &non_finite("chol_solve"),
                        pair!(try_chol_solve),
                        pair!(chol_solve),
                    );
                }
                Ok(())
            },
        );
    }

    /// Symmetric matrices with a negative eigenvalue: `chol` refuses them; `sqrtm` finds no principal root of one with a negative
    /// eigenvalue (or calls it singular at a zero one).
    fn not_positive_definite_is_refused<B: Double>() {
        let negative = prop_oneof![-2.0f64..-0.01, Just(-1e-3), Just(-1e-8)];
        run(with_eigenvalue::<B>(negative), |a| {
            assert_fails(&a, &not_pd("chol"), try_chol, chol);
            let sq = a.to_sq();
            let e = error_of(&sq, try_sqrtm);
            prop_assert!(
                e == Some(LinalgError::NoConvergence { op: "sqrtm" })
                    || e == Some(singular_err("sqrtm")),
                "{e:?}"
            );
            let message = panic_message(|| {
                eval_bp(sqrtm, &sq);
            });
            prop_assert_eq!(message, e.map(|e| e.to_string()));
            Ok(())
        });
        // λ₀ = 0 rounds to a smallest eigenvalue of ±ε·‖A‖: positive semi-definite in exact
        // arithmetic, nearly singular in floating point. Refused, or factored finitely.
        run(with_eigenvalue::<B>(Just(0.0)), |a| {
            refused_or_finite(&a, "chol", &[not_pd("chol")], try_chol, chol)
        });
    }

    /// Every constructor given the wrong number of entries (or of variables, or a wrongly
    /// shaped dynamic value, empty included) fails with `ShapeMismatch` naming it; the plain
    /// forms panic with the same message.
    fn wrong_shapes_are_refused<B: ComplexDouble>() {
        run((0usize..10, 0usize..5, 0usize..5), |(len, r, c)| {
            let xs: Vec<f64> = (0..len).map(|k| k as f64).collect();
            let zs: Vec<Complex64> = xs.iter().map(|&x| Complex64::new(x, -x)).collect();
            if len != 3 {
                let e = shape_error(R::<U3, B>::try_from_slice(&xs), "R::from_slice")?;
                panics_with(&e, || {
                    R::<U3, B>::from_slice(&xs);
                })?;
                let data = <B as LinalgBackend<f64>>::vec_from_slice(&xs);
                shape_error(R::<U3, B>::try_from_data(data), "R::from_data")?;
                let e = shape_error(C::<U3, B>::try_from_slice(&zs), "C::from_slice")?;
                panics_with(&e, || {
                    C::<U3, B>::from_slice(&zs);
                })?;
                let data = <B as LinalgBackend<Complex64>>::vec_from_slice(&zs);
                shape_error(C::<U3, B>::try_from_data(data), "C::from_data")?;
                // Variables: `vector` and `from_rows`/`from_columns` (M = 3 here).
                let e = error_of(&1.5, |x| try_vector::<U3, B>(&vec![x; len]));
                let e = shape_error(e.map_or(Ok(()), Err), "vector")?;
                panics_with(&e, || {
                    eval_bp(|x| vector::<U3, B>(&vec![x; len]), &1.5);
                })?;
                let row = R::<U2, B>::from_slice(&[1.0, 2.0]);
                let e = error_of(&row, |x| try_from_rows::<U3, U2, B>(&vec![x; len]));
                let e = shape_error(e.map_or(Ok(()), Err), "from_rows")?;
                panics_with(&e, || {
                    eval_bp(|x| from_rows::<U3, U2, B>(&vec![x; len]), &row);
                })?;
                let e = error_of(&row, |x| try_from_columns::<U2, U3, B>(&vec![x; len]));
                let e = shape_error(e.map_or(Ok(()), Err), "from_columns")?;
                panics_with(&e, || {
                    eval_bp(|x| from_columns::<U2, U3, B>(&vec![x; len]), &row);
                })?;
                // A dynamic vector of the wrong length (empty included) as `R<U3>`.
                let d = Vector::<B>::from_slice(&xs);
                let e = error_of(&d, try_create::<R<U3, B>, B>);
                let e = shape_error(e.map_or(Ok(()), Err), "create")?;
                panics_with(&e, || {
                    eval_bp(create::<R<U3, B>, B>, &d);
                })?;
            }
            if len != 6 {
                let e = shape_error(L::<U2, U3, B>::try_from_row_major(&xs), "L::from_row_major")?;
                panics_with(&e, || {
                    L::<U2, U3, B>::from_row_major(&xs);
                })?;
                let e = shape_error(M::<U2, U3, B>::try_from_row_major(&zs), "M::from_row_major")?;
                panics_with(&e, || {
                    M::<U2, U3, B>::from_row_major(&zs);
                })?;
                let e = error_of(&1.5, |x| try_matrix::<U2, U3, B>(&vec![x; len]));
                let e = shape_error(e.map_or(Ok(()), Err), "matrix")?;
                panics_with(&e, || {
                    eval_bp(|x| matrix::<U2, U3, B>(&vec![x; len]), &1.5);
                })?;
            }
            if len != r * c {
                let e = shape_error(
                    Matrix::<B>::try_from_row_major_shape(r, c, &xs),
                    "L::from_row_major",
                )?;
                panics_with(&e, || {
                    Matrix::<B>::from_row_major_shape(r, c, &xs);
                })?;
            } else {
                let m = Matrix::<B>::try_from_row_major_shape(r, c, &xs);
                prop_assert_eq!(m.map(|m| m.shape()).ok(), Some((r, c)));
            }
            if (r, c) != (2, 3) {
                let data = <B as LinalgBackend<f64>>::mat_from_fn(r, c, |i, j| (i + j) as f64);
                shape_error(L::<U2, U3, B>::try_from_data(data), "L::from_data")?;
                let data = <B as LinalgBackend<Complex64>>::mat_from_fn(r, c, |i, _| {
                    Complex64::new(i as f64, 1.0)
                });
                shape_error(M::<U2, U3, B>::try_from_data(data), "M::from_data")?;
                // A dynamic matrix of the wrong shape (0×0, 0×c, r×0 included) as `L<U2, U3>`.
                let d = Matrix::<B>::from_fn_shape(r, c, |i, j| (i * c + j) as f64);
                let e = error_of(&d, try_create::<L<U2, U3, B>, B>);
                let e = shape_error(e.map_or(Ok(()), Err), "create")?;
                panics_with(&e, || {
                    eval_bp(create::<L<U2, U3, B>, B>, &d);
                })?;
            }
            Ok(())
        });
    }

    // ----- 2. finite backward -----

    /// The gradient of a random scalarisation of every differentiable op, on inputs where it
    /// is smooth and well conditioned, is finite in every coordinate.
    fn backward_is_finite<B: Double>() {
        run(
            (
                (
                    any_matrix::<U3, U3, B>(),
                    invertible::<U3, B>(),
                    spd::<U3, B>(),
                    sym_separated::<U3, B>(),
                ),
                (
                    separated_singular::<U3, U2, B>(),
                    separated_singular::<U2, U3, B>(),
                    triangular::<U3, B>(Triangle::Lower),
                    principal_root_input::<U3, B>(),
                    small_norm::<U3, B>(true),
                ),
                (
                    separated_vector::<U3, B>(),
                    any_matrix::<U3, U2, B>(),
                    proptest::collection::vec(-3.0f64..3.0, 16),
                ),
            ),
            |((a, g, s, e), (tall, wide, lt, root, small), (v, b, w))| {
                let w = &w;
                finite_through(&a, w, |a| mul(a, a))?;
                finite_through(&a, w, tr)?;
                finite_through(&a, w, |a| {
                    a.tanh() * a.sin() + (a * Sq3::<B>::from_fn(|_, _| 0.5)).exp()
                })?;
                finite_through(&a, w, sum_elements)?;
                finite_through(&a, w, |a| un_sym(sym(a)))?;
                finite_through(&a, w, m_tm)?;
                finite_through(&a, w, det)?;
                finite_through(&a, w, trace)?;
                finite_through(&a, w, norm_1m)?;
                finite_through(&a, w, norm_inf_m)?;
                finite_through(&a, w, norm_2m)?;
                finite_through(&a, w, svd)?;
                finite_through(&a, w, cov)?;
                finite_through(&a, w, mean_cov)?;
                finite_through(&g, w, inv)?;
                finite_through(&g, w, lndet)?;
                finite_through(&g, w, invlndet)?;
                finite_through(&g, w, slogdet)?;
                finite_through(&g, w, qr)?;
                finite_through(&g, w, pinv)?;
                finite_through(&(g.clone(), b.clone()), w, pair!(lin_solve))?;
                finite_through(&(g.clone(), v.clone()), w, pair!(lin_solve_v))?;
                finite_through(&(g.clone(), v.clone()), w, pair!(app))?;
                finite_through(&s, w, chol)?;
                finite_through(&(s.clone(), b.clone()), w, |p| {
                    let (s, b) = p.split();
                    chol_solve(tr(chol(s)), b)
                })?;
                finite_through(&e, w, eigenvalues)?;
                finite_through(&e, w, eigensystem)?;
                finite_through(&tall, w, svd_tall)?;
                finite_through(&tall, w, svd_)?;
                finite_through(&tall, w, qr)?;
                finite_through(&tall, w, pinv)?;
                finite_through(&(tall, b.clone()), w, pair!(lstsq))?;
                finite_through(&wide, w, svd_flat)?;
                finite_through(&(lt.clone(), b.clone()), w, |p| {
                    let (t, b) = p.split();
                    triangular_solve(t, b, Triangle::Lower)
                })?;
                finite_through(&(tr_value(&lt), b), w, |p| {
                    let (t, b) = p.split();
                    triangular_solve(t, b, Triangle::Upper)
                })?;
                finite_through(&root, w, sqrtm)?;
                finite_through(&small, w, expm)?;
                finite_through(&v, w, norm_1v)?;
                finite_through(&v, w, norm_2v)?;
                finite_through(&v, w, norm_inf_v)?;
                finite_through(&v, w, mean)?;
                finite_through(&(v.clone(), v.clone()), w, pair!(dot))?;
                finite_through(&(v.clone(), v.clone()), w, pair!(outer))?;
                finite_through(&(v.clone(), v.clone()), w, pair!(cross))
            },
        );
    }

    // ----- 3. fuzzed chains -----

    /// A random chain of 3–10 steps through the core gradient checker. 64 cases instead of 256:
    /// one case is a full-Jacobian check (12 inputs, 9 outputs) of a chain of up to ten ops,
    /// about 50 times the cost of a single-op case; 64 random chains per backend (192 in all)
    /// still draw each of the 18 steps hundreds of times.
    fn fuzzed_chains<B: Double>() {
        let steps = proptest::collection::vec(proptest::sample::select(STEPS.to_vec()), 3..=10);
        let config = proptest::test_runner::Config {
            cases: 64,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        };
        let mut runner = proptest::test_runner::TestRunner::new(config);
        let strategy = (steps, any_matrix::<U3, U3, B>(), any_vector::<U3, B>());
        if let Err(e) = runner.run(&strategy, |(steps, a, v)| {
            grad_ok(
                |p| {
                    let (a, v) = p.split();
                    steps.iter().fold(a, |x, &s| apply(s, x, a, v))
                },
                &(a, v),
            )
            .map_err(|e| TestCaseError::fail(format!("chain {steps:?}: {e}")))
        }) {
            panic!("{e}");
        }
    }

    // ----- 4. threads -----

    /// `d/dA Σ(A·A)` for four inputs, each on its own thread (20 times over, so the tapes
    /// interleave), equals the sequential results.
    fn gradients_on_threads<B: Double>()
    where
        Sq3<B>: Send + Sync,
    {
        let inputs: Vec<Sq3<B>> = (0..4)
            .map(|k| L::from_fn(|i, j| (0.37 * (k * 9 + i * 3 + j) as f64).sin()))
            .collect();
        let gradient = |a: &Sq3<B>| grad_bp(|a| sum_elements(mul(a, a)), a);
        let sequential: Vec<Sq3<B>> = inputs.iter().map(gradient).collect();
        let threaded: Vec<Vec<Sq3<B>>> = std::thread::scope(|s| {
            let handles: Vec<_> = inputs
                .iter()
                .map(|a| s.spawn(move || (0..20).map(|_| gradient(a)).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a gradient thread panicked"))
                .collect()
        });
        for (runs, expected) in threaded.iter().zip(&sequential) {
            for g in runs {
                assert_eq!(g, expected);
            }
        }
        // The gradient itself: Σ(A·A) = Σᵢⱼₖ aᵢₖ·aₖⱼ, so Ā = 1·Aᵀ + Aᵀ·1.
        for (a, g) in inputs.iter().zip(&sequential) {
            for i in 0..3 {
                for j in 0..3 {
                    let expected: f64 = (0..3).map(|k| a.get(j, k) + a.get(k, i)).sum();
                    assert!((g.get(i, j) - expected).abs() < 1e-12);
                }
            }
        }
    }

    // ----- 5. unwinding -----

    /// A panic in a user closure, inside a map's closure, or from a plain op during `grad_bp`
    /// unwinds with its own message; `grad_bp` on the same thread afterwards is unaffected.
    fn panic_in_closure_unwinds<B: Double>() {
        let a =
            Sq3::<B>::from_fn(|i, j| 0.25 * (i * 3 + j) as f64 + if i == j { 3.0 } else { 0.0 });
        let f = loss::<B>;
        let before = grad_bp(f, &a);
        assert!(all_finite(&before));

        let message = panic_message(|| {
            grad_bp(
                |a| {
                    let y = mul(a, a);
                    if y.value().get(0, 0).is_finite() {
                        panic!("user closure failed");
                    }
                    sum_elements(y)
                },
                &a,
            );
        });
        assert_eq!(message.as_deref(), Some("user closure failed"));
        assert_eq!(grad_bp(f, &a), before);

        let message = panic_message(|| {
            grad_bp(
                |a| {
                    sum_elements(mmap(
                        |e| {
                            if e.value().is_finite() {
                                panic!("map closure failed");
                            }
                            e
                        },
                        a,
                    ))
                },
                &a,
            );
        });
        assert_eq!(message.as_deref(), Some("map closure failed"));
        assert_eq!(grad_bp(f, &a), before);

        let message = panic_message(|| {
            grad_bp(|a| sum_elements(inv(a * Sq3::<B>::from_fn(|_, _| 0.0))), &a);
        });
        assert_eq!(message, Some(singular_err("inv").to_string()));
        assert_eq!(grad_bp(f, &a), before);
    }

    // ----- 4. threads (continued) -----

    /// Every value type may be sent to and shared between threads: the bounds are checked at
    /// compile time where the case is instantiated on a backend.
    fn values_are_send_sync<B: ComplexDouble>()
    where
        R<U3, B>: Send + Sync,
        L<U2, U3, B>: Send + Sync,
        Sym<U3, B>: Send + Sync,
        C<U3, B>: Send + Sync,
        M<U2, U3, B>: Send + Sync,
        Her<U3, B>: Send + Sync,
        Vector<B>: Send + Sync,
        Matrix<B>: Send + Sync,
    {
        assert_send_sync::<R<U3, B>>();
        assert_send_sync::<L<U2, U3, B>>();
        assert_send_sync::<Sym<U3, B>>();
        assert_send_sync::<C<U3, B>>();
        assert_send_sync::<M<U2, U3, B>>();
        assert_send_sync::<Her<U3, B>>();
        assert_send_sync::<Vector<B>>();
        assert_send_sync::<Matrix<B>>();
    }

    // ----- 6. NaN inputs, op by op -----

    fn nan_inputs_to_inverses_and_factorizations_are_refused<B: Double>() {
        let a = Sq::<U2, B>::from_row_major(&[1.0, f64::NAN, 0.0, 1.0]);
        let s = Sym::<U2, B>::from_fn(|i, j| if i == j { f64::NAN } else { 0.0 });
        let nan = |op| LinalgError::NonFinite { op };
        assert_fails(&a, &nan("inv"), try_inv, inv);
        assert_fails(&a, &nan("det"), try_det, det);
        assert_fails(&a, &nan("lndet"), try_lndet, lndet);
        assert_fails(&a, &nan("invlndet"), try_invlndet, invlndet);
        assert_fails(&a, &nan("svd"), try_svd, svd);
        assert_fails(&a, &nan("svd_"), try_svd_, svd_);
        assert_fails(&a, &nan("norm_2m"), try_norm_2m, super::norm_2m);
        assert_fails(&s, &nan("eigensystem"), try_eigensystem, eigensystem);
        assert_fails(&s, &nan("eigenvalues"), try_eigenvalues, eigenvalues);
        assert_fails(&s, &nan("chol"), try_chol, chol);
    }
    fn nan_inputs_to_solves_and_matrix_functions_are_refused<B: Double>() {
        let nan = |op| LinalgError::NonFinite { op };
        let a = Sq::<U2, B>::from_row_major(&[1.0, f64::NAN, 0.0, 1.0]);
        let tall = L::<U3, U2, B>::from_row_major(&[1.0, 0.0, f64::NAN, 1.0, 0.0, 0.0]);
        let b = L::<U2, U1, B>::from_row_major(&[1.0, 1.0]);
        let b_nan = L::<U2, U1, B>::from_row_major(&[f64::NAN, 1.0]);
        for ab in [(a.clone(), b.clone()), (Sq::eye(), b_nan.clone())] {
            assert_fails(
                &ab,
                &nan("lin_solve"),
                |v| try_lin_solve(v.split().0, v.split().1),
                |v| lin_solve(v.split().0, v.split().1),
            );
        }
        // `a`'s NaN is above the diagonal: read by an upper solve, ignored by a lower one.
        let upper = Triangle::Upper;
        for ab in [(a.clone(), b.clone()), (Sq::eye(), b_nan.clone())] {
            assert_fails(
                &ab,
                &nan("triangular_solve"),
                |v| try_triangular_solve(v.split().0, v.split().1, upper),
                |v| triangular_solve(v.split().0, v.split().1, upper),
            );
            assert_fails(
                &ab,
                &nan("chol_solve"),
                |v| try_chol_solve(v.split().0, v.split().1),
                |v| chol_solve(v.split().0, v.split().1),
            );
        }
        let lower = lower_solve_values(&a, &b);
        assert!(lower.iter().all(|x| x.is_finite()));
        assert_fails(&a, &nan("slogdet"), try_slogdet, slogdet);
        assert_fails(&a, &nan("expm"), try_expm, expm);
        assert_fails(&a, &nan("sqrtm"), try_sqrtm, sqrtm);
        assert_fails(&tall, &nan("qr"), try_qr, qr);
        assert_fails(&tall, &nan("pinv"), try_pinv, pinv);
        assert_fails(&tall, &nan("svd_tall"), try_svd_tall, svd_tall);
        let wide = L::<U2, U3, B>::from_row_major(&[1.0, 0.0, f64::NAN, 1.0, 0.0, 0.0]);
        assert_fails(&wide, &nan("svd_flat"), try_svd_flat, svd_flat);
        let good = L::<U3, U2, B>::from_row_major(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        let b3_nan = L::<U3, U1, B>::from_row_major(&[1.0, f64::NAN, 0.0]);
        let b3 = L::<U3, U1, B>::from_row_major(&[1.0, 0.0, 0.0]);
        for ab in [(tall.clone(), b3), (good, b3_nan)] {
            assert_fails(
                &ab,
                &nan("lstsq"),
                |v| try_lstsq(v.split().0, v.split().1),
                |v| lstsq(v.split().0, v.split().1),
            );
        }
    }

    // ----- 7. panics point at the caller -----

    /// A plain form's panic reports the line that called it, in this file, not a line of
    /// backprop-linalg: inside a differentiated closure, on plain values, and from a
    /// constructor. (Passed by name, `eval_bp(inv, ..)`, the caller is the standard library's
    /// `FnOnce` shim: `#[track_caller]` cannot see through a function pointer.)
    fn plain_forms_panic_at_the_callers_line<B: Double>() {
        let not_pd = Sym::<U2, B>::from_fn(|i, j| if i == j { -1.0 } else { 0.0 });
        let (file, line) = panic_location(|| {
            grad_bp(|a| sum_elements(chol(a)), &not_pd);
        });
        assert_eq!((file.as_str(), line), (file!(), line!() - 2), "chol");
        let singular = Sq::<U2, B>::from_row_major(&[1.0, 2.0, 2.0, 4.0]);
        let (file, line) = panic_location(|| {
            eval_bp(|a| inv(a), &singular);
        });
        assert_eq!((file.as_str(), line), (file!(), line!() - 2), "inv");
        let (file, line) = panic_location(|| {
            let b = L::<U2, U1, B>::from_row_major(&[1.0, 1.0]);
            backprop_linalg::eval_bp2(|a, b| lin_solve(a, b), &singular, &b);
        });
        assert_eq!((file.as_str(), line), (file!(), line!() - 2), "lin_solve");
        let (file, line) = panic_location(|| {
            Sq::<U2, B>::from_row_major(&[1.0, 2.0, 3.0]);
        });
        assert_eq!((file.as_str(), line), (file!(), line!() - 2), "from_row_major");
    }
}

/// Where the panic of `f` was reported: file and line.
fn panic_location(f: impl FnOnce()) -> (String, u32) {
    let (file, line, _) = backprop_tests::gradcheck::panic_site(f);
    (file, line)
}

/// `Σ(A⁻¹∘tanh A)`, the loss of the unwinding case.
fn loss<B: Double>(a: BVar<'_, Sq3<B>>) -> BVar<'_, f64> {
    sum_elements(inv(a) * a.tanh())
}

/// Fails to compile unless `T` may be sent to and shared between threads.
fn assert_send_sync<T: Send + Sync>() {}

/// The solution of a lower triangular solve.
fn lower_solve_values<B: Double>(a: &Sq<U2, B>, b: &L<U2, U1, B>) -> Vec<f64> {
    backprop_linalg::eval_bp2(|a, b| triangular_solve(a, b, Triangle::Lower), a, b).to_row_major()
}

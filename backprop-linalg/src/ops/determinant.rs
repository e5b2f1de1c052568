//! Determinants and inverses: [`det`], [`lndet`], [`invlndet`], [`slogdet`] (the
//! log-determinant with its sign, numpy's `slogdet`), [`inv`], each with a `try_` form.
//!
//! A matrix is singular by the rule of
//! [`is_singular`](backprop_backend::conventions::is_singular) (a zero pivot, or
//! smallest/largest pivot ≤ 100·n·ε, with ε of the backend's precision). [`det`] is defined
//! and differentiable everywhere, singular matrices included; the others refuse a singular
//! matrix with [`LinalgError::Singular`].

use crate::dim::Dim;
use backprop_backend::{Transpose, Triangle};
use backprop_core::{BVar, Join, Pull, Val, VarId};
use num_traits::Float;

use crate::backend::{
    Backend, LinalgError, Real, RealMatrix, RealOf, lit, one, or_fail, sized, zero,
};
use crate::dense::{Construct, Dense};
use crate::ops::products::{inner, pull_scale};
use crate::ops::structure::transpose;
use crate::ops::support::in_backward;
use crate::ops::support::record::{product, pull_product, rule1, rule2};
use crate::{L, Sq};

use Transpose::{No, Yes};

/// The determinant `det A` (hmatrix's `det`).
///
/// Gradient: `Ā = ȳ·adj(A)ᵀ`, the cofactor matrix, computed from the LU decomposition
/// `P·A = L·U` as `adj(A)ᵀ = det(P)·Pᵀ·L⁻ᵀ·adj(U)ᵀ`, with the adjugate of the triangular `U`
/// formed without division, never from `A⁻¹`: so it is finite and correct on singular matrices
/// too (the cofactor matrix at rank `n − 1`, e.g. `[[4, −2], [−2, 1]]` for `[[1, 2], [2, 4]]`;
/// zero at lower rank). When a pivot is exactly zero (where `L` is undefined), the QR
/// decomposition `A = Q·R` gives it instead, as `adj(A)ᵀ = det(Q)·Q·adj(R)ᵀ`.
/// (hmatrix-backprop computes `det(A)·A⁻ᵀ`, which fails on singular matrices.)
///
/// Second order ([`hvp`](crate::hvp), [`jvp`](crate::jvp)): the cofactor matrix is recorded
/// with its own rule, `Ā = ⟨C̄, C⟩·A⁻ᵀ − C·C̄ᵀ·A⁻ᵀ`, which needs `A` invertible: at a singular
/// matrix the second order panics with a message, never a NaN.
///
/// # Panics
/// As [`try_det`].
#[track_caller]
pub fn det<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_det(a))
}

/// [`det`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] (naming `det`) for NaN or infinite entries. A singular matrix is
/// not an error: its determinant is 0.
pub fn try_det<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, B::Real>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "det";
    let d = B::det(a.value().data()).map_err(|e| e.with_op(OP))?;
    Ok(rule1(a, d, |cx, ia, _, dd| {
        if cx.wants(ia) {
            let cofactors = cofactors(cx.value(ia));
            pull_scale(cx, ia, &dd, &cofactors);
        }
    }))
}

/// The cofactor matrix `adj(A)ᵀ` of a quantity of a rule: computed on a plain value, recorded
/// (with its own rule) on a variable.
fn cofactors<'v, N: Dim, B: Backend>(a: Val<'v, Sq<N, B>>) -> Val<'v, Sq<N, B>> {
    a.map(|a| L::wrap(cofactor_matrix::<B>(a.data())), cofactors_var)
}

/// `adj(A)ᵀ`, by LU, or by QR where a pivot is exactly zero.
fn cofactor_matrix<B: Backend>(a: &RealMatrix<B>) -> RealMatrix<B> {
    cofactors_by_lu::<B>(a).unwrap_or_else(|| cofactors_by_qr::<B>(a))
}

/// Records the cofactor matrix `C = adj(A)ᵀ` (the rule of [`det`]).
///
/// Gradient, for an invertible `A` (where `C = det A·A⁻ᵀ`, so
/// `dC = tr(A⁻¹·dA)·C − C·dAᵀ·A⁻ᵀ`): `Ā = ⟨C̄, C⟩·A⁻ᵀ − C·C̄ᵀ·A⁻ᵀ`.
///
/// # Panics
/// In its backward pass (the second order of `det`), at a singular `A`: the adjugate's
/// derivative there is not computed from `A⁻¹`, and no other form is implemented.
fn cofactors_var<'t, N: Dim, B: Backend>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sq<N, B>> {
    let value = L::wrap(cofactor_matrix::<B>(a.value().data()));
    rule1(a, value, |cx, ia, c, dc| {
        if !cx.wants(ia) {
            return;
        }
        let inv_t = transpose(cx.value(ia).map(
            |a| L::wrap(second_order_inverse::<B>(a.data())),
            |a| {
                let inv = second_order_inverse::<B>(a.value().data());
                inverse_var(a, inv)
            },
        ));
        let s = inner::<B, Sq<N, B>>(&dc, &c);
        pull_scale(cx, ia, &s, &inv_t);
        let t: Val<'_, Sq<N, B>> = product(&c, No, &dc, Yes);
        pull_product(cx, ia, &-&t, No, &inv_t, No);
    })
}

/// `A⁻¹` for the second order of `det`, panicking with a clear message at a singular `A`.
#[track_caller]
fn second_order_inverse<B: Backend>(a: &RealMatrix<B>) -> RealMatrix<B> {
    inverse::<B>("det", a).unwrap_or_else(|e| {
        panic!("det: the second order is implemented for invertible matrices only: {e}")
    })
}

/// The cofactor matrix `adj(A)ᵀ` from `P·A = L·U`: `adj(A) = adj(U)·adj(L)·adj(Pᵀ) =
/// det(P)·adj(U)·L⁻¹·P`, so `adj(A)ᵀ = det(P)·Pᵀ·L⁻ᵀ·adj(U)ᵀ`, dividing by no pivot. `None` when a
/// pivot is exactly zero: `L` is then not finite (a zero column below the diagonal).
fn cofactors_by_lu<B: Backend>(a: &RealMatrix<B>) -> Option<RealMatrix<B>> {
    const OP: &str = "det";
    let lu = in_backward(OP, B::lu(a));
    let n = lu.perm.len();
    let u = B::mat_to_row_major(&lu.u);
    if (0..n).any(|k| u[k * n + k] == lit::<B>(0.0)) {
        return None;
    }
    // adj(U) row-major is adj(U)ᵀ column-major.
    let adj_u_t = sized(B::mat_from_col_major(n, n, &triangular_adjugate(&u, n)));
    let x = in_backward(
        OP,
        B::solve_triangular(&lu.l, &adj_u_t, Triangle::Lower, Yes),
    );
    // Row perm[i] of Pᵀ·X is row i of X.
    let mut row_of = vec![0; n];
    for (i, &p) in lu.perm.iter().enumerate() {
        row_of[p] = i;
    }
    Some(B::mat_from_fn(n, n, |i, j| {
        lu.perm_sign * B::mat_get(&x, row_of[i], j)
    }))
}

/// The cofactor matrix `adj(A)ᵀ = det(Q)·Q·adj(R)ᵀ` from `A = Q·R`: finite however singular `A`
/// is, at about three times the cost of [`cofactors_by_lu`].
fn cofactors_by_qr<B: Backend>(a: &RealMatrix<B>) -> RealMatrix<B> {
    const OP: &str = "det";
    let qr = in_backward(OP, B::qr_thin(a));
    let n = B::mat_shape(&qr.r).0;
    let adj_r = triangular_adjugate(&B::mat_to_row_major(&qr.r), n);
    let adj_r = sized(B::mat_from_row_major(n, n, &adj_r));
    // det(Q) is ±1: Q is orthogonal, hence well conditioned for LU.
    let sign = Float::signum(in_backward(OP, B::det(&qr.q)));
    sized(B::matmul(&B::mat_scale(&qr.q, sign), No, &adj_r, Yes))
}

/// The adjugate of the upper triangular `n×n` matrix `r` (row-major), without dividing, so it
/// is exact in form for a singular `r` too.
///
/// Column `j` of `adj(R)` solves `R·x = det(R)·eⱼ`. Writing `xₖ = cₖ·Πₘ<ₖ rₘₘ·Πₘ>ⱼ rₘₘ`
/// (zero for `k > j`), back substitution becomes `cⱼ = 1`,
/// `cₖ = −Σₗ₌ₖ₊₁..ⱼ rₖₗ·cₗ·Πₖ<ₘ<ₗ rₘₘ`, with no division by a diagonal entry. The weighted
/// terms `eₗ = cₗ·Πₖ<ₘ<ₗ rₘₘ` are kept in a vector and rescaled by `rₖₖ` as `k` decreases, so
/// each step is a dot product with a row of `R` and a scaling: loops the compiler vectorises.
fn triangular_adjugate<S: Real>(r: &[S], n: usize) -> Vec<S> {
    let mut adj = vec![zero::<S>(); n * n];
    let (mut c, mut e) = (vec![zero::<S>(); n], vec![zero::<S>(); n]);
    for j in 0..n {
        c[j] = one::<S>();
        e[j] = one::<S>();
        for k in (0..j).rev() {
            let terms = &mut e[k + 1..=j];
            c[k] = -dot(&r[k * n + k + 1..=k * n + j], terms);
            let rkk = r[k * n + k];
            terms.iter_mut().for_each(|t| *t *= rkk);
            e[k] = c[k];
        }
        let tail: S = (j + 1..n).fold(one::<S>(), |p, m| p * r[m * n + m]);
        let mut head = one::<S>();
        for k in 0..=j {
            adj[k * n + j] = c[k] * head * tail;
            head *= r[k * n + k];
        }
    }
    adj
}

/// `Σ aᵢ·bᵢ` over four interleaved partial sums, so the additions pipeline.
fn dot<S: Real>(a: &[S], b: &[S]) -> S {
    let mut sums = [zero::<S>(); 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: S = a4
        .remainder()
        .iter()
        .zip(b4.remainder())
        .map(|(&x, &y)| x * y)
        .sum();
    for (x, y) in a4.zip(b4) {
        for i in 0..4 {
            sums[i] += x[i] * y[i];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// `A⁻¹`, or the error naming `op` if `A` is singular or not finite.
pub(crate) fn inverse<B: Backend>(
    op: &'static str,
    a: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    B::inverse(a).map_err(|e| e.with_op(op))
}

/// `ln|det A|` of an invertible `A`, with the sign of `det A`.
pub(crate) fn ln_abs_det<B: Backend>(op: &'static str, a: &RealMatrix<B>) -> (B::Real, B::Real) {
    // `a` was just inverted successfully, so it is finite and square.
    in_backward(op, B::ln_abs_det(a))
}

/// Adds `l̄·A⁻ᵀ` (the gradient of `ln|det A|`) to the gradient of `ia`, reading `A⁻¹` from the
/// variable `inv` (recorded by [`inverse_var`]).
fn pull_ln_det<'v, N: Dim, B: Backend>(
    cx: &mut Pull<'_, 'v>,
    ia: VarId<Sq<N, B>>,
    inv: VarId<Sq<N, B>>,
    dl: &Val<'v, B::Real>,
) {
    let inv_t = transpose(cx.value(inv));
    pull_scale(cx, ia, dl, &inv_t);
}

/// Records `(ln|det A|, sign det A)` given `A⁻¹` as the variable `inv`.
fn ln_sign_var<'t, N: Dim, B: Backend>(
    op: &'static str,
    a: BVar<'t, Sq<N, B>>,
    inv: BVar<'t, Sq<N, B>>,
) -> BVar<'t, (RealOf<B>, RealOf<B>)> {
    let ln_sign = ln_abs_det::<B>(op, a.value().data());
    rule2(a, inv, ln_sign, |cx, ia, ii, _, dy| {
        pull_ln_det(cx, ia, ii, &dy.unzip().0)
    })
}

/// `ln|det A|` (hmatrix's `lndet`).
///
/// Gradient: `Ā = ȳ·A⁻ᵀ`.
///
/// # Panics
/// As [`try_lndet`].
#[track_caller]
pub fn lndet<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_lndet(a))
}

/// [`lndet`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] for a singular matrix (whose `ln|det|` is `−∞`),
/// [`LinalgError::NonFinite`] for NaN or infinite entries; both name `lndet`.
pub fn try_lndet<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, B::Real>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "lndet";
    let inv = inverse_var(a, inverse::<B>(OP, a.value().data())?);
    let (ln, _) = ln_abs_det::<B>(OP, a.value().data());
    Ok(rule2(a, inv, ln, |cx, ia, ii, _, dl| {
        pull_ln_det(cx, ia, ii, &dl)
    }))
}

/// The inverse with the log-determinant (hmatrix's `invlndet`): `(A⁻¹, (ln|det A|, sign))`,
/// with `sign = ±1` the sign of `det A`. Split the result with `.split()`.
///
/// Gradient: `Ā = −A⁻ᵀ·Ī·A⁻ᵀ + l̄·A⁻ᵀ`; the sign is piecewise constant and gets none.
///
/// # Panics
/// As [`try_invlndet`].
#[track_caller]
#[allow(clippy::type_complexity)] // a matrix and two scalars: the type says what it returns
pub fn invlndet<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, (Sq<N, B>, (RealOf<B>, RealOf<B>))>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_invlndet(a))
}

/// [`invlndet`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] for a singular matrix, [`LinalgError::NonFinite`] for NaN or
/// infinite entries; both name `invlndet`.
#[allow(clippy::type_complexity)]
pub fn try_invlndet<'t, N, B>(
    a: BVar<'t, Sq<N, B>>,
) -> Result<BVar<'t, (Sq<N, B>, (RealOf<B>, RealOf<B>))>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "invlndet";
    let inv = inverse_var(a, inverse::<B>(OP, a.value().data())?);
    Ok((inv, ln_sign_var(OP, a, inv)).join())
}

/// The inverse `A⁻¹` (hmatrix's `inv`).
///
/// Gradient: `Ā = −A⁻ᵀ·Ȳ·A⁻ᵀ`, for any invertible `A` (hmatrix-backprop tested it only on
/// symmetric positive definite matrices).
///
/// # Panics
/// As [`try_inv`].
#[track_caller]
pub fn inv<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, Sq<N, B>>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_inv(a))
}

/// [`inv`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] for a singular matrix, [`LinalgError::NonFinite`] for NaN or
/// infinite entries; both name `inv`.
pub fn try_inv<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, Sq<N, B>>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    Ok(inverse_var(a, inverse::<B>("inv", a.value().data())?))
}

/// Records `A⁻¹` (the value `inv`). Gradient: `Ā = −A⁻ᵀ·Ī·A⁻ᵀ`. Also the hidden input of the
/// rules that read `A⁻¹` (`lndet`, `slogdet`), so that their second order flows through it.
fn inverse_var<'t, N: Dim, B: Backend>(
    a: BVar<'t, Sq<N, B>>,
    inv: RealMatrix<B>,
) -> BVar<'t, Sq<N, B>> {
    rule1(a, L::wrap(inv), |cx, ia, inv, dinv| {
        let t: Val<'_, Sq<N, B>> = product(&inv, Yes, &dinv, No);
        pull_product(cx, ia, &-&t, No, &inv, Yes);
    })
}

/// `(ln|det A|, sign det A)` of an invertible square matrix, with `sign = ±1`. Split the result
/// with `.split()`.
///
/// Gradient (Giles 2008, §2.2.4): `Ā = l̄·A⁻ᵀ`; the sign is piecewise constant and gets none.
/// Unlike `ln(det A)`, it neither overflows nor underflows for large or small determinants.
///
/// # Panics
/// As [`try_slogdet`].
#[track_caller]
pub fn slogdet<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, (B::Real, B::Real)>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_slogdet(a))
}

/// [`slogdet`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] for a singular matrix (by the rule of
/// [`is_singular`](backprop_backend::conventions::is_singular): its `ln|det|` is `−∞` or has
/// no correct digits, and `A⁻ᵀ` does not exist), [`LinalgError::NonFinite`] for NaN or infinite
/// entries; both name `slogdet`.
#[allow(clippy::type_complexity)] // two scalars of the backend's precision
pub fn try_slogdet<'t, N, B>(
    a: BVar<'t, Sq<N, B>>,
) -> Result<BVar<'t, (RealOf<B>, RealOf<B>)>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "slogdet";
    let inv = inverse_var(a, inverse::<B>(OP, a.value().data())?);
    Ok(ln_sign_var(OP, a, inv))
}

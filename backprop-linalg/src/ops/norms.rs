//! Norms: [`norm_0`], [`norm_1v`], [`norm_1m`], [`norm_2v`], [`norm_2m`], [`norm_inf_v`],
//! [`norm_inf_m`] (hmatrix's `Normed` class, one function per case).
//!
//! # Subgradients
//! Where a norm is not differentiable, the gradient is one documented element of its
//! subdifferential, the one JAX and PyTorch return: `sign(0) = 0`, and when several entries,
//! columns or rows attain a maximum, the cotangent is **split evenly** among them (each gets
//! `ȳ/t` for `t` tied maximisers). Ties are exact equalities of the computed sums.
//! (hmatrix-backprop gives every tied maximiser the full `ȳ`, which is not a subgradient.)

use crate::dim::Dim;
use backprop_core::{BVar, Backprop, Val, sign};

use backprop_backend::RealScalar;
use num_traits::Float;

use crate::backend::{Backend, LinalgError, Real, or_fail, zero};
use crate::dense::{Construct, Dense, StorageKind, entries};
use crate::ops::products::pull_scale;
use crate::ops::support::blocks::columns;
use crate::ops::support::record::{product, rule1};
use crate::ops::svd::thin_of;
use crate::{L, R};
use backprop_backend::Transpose::{No, Yes};
use typenum::U1;

/// The number of non-zero entries of a vector or matrix (hmatrix's `norm_0`).
///
/// Gradient: zero (the count is piecewise constant); the result is a constant on the tape.
pub fn norm_0<'t, B, T>(x: BVar<'t, T>) -> BVar<'t, B::Real>
where
    B: Backend,
    T: Dense<B, B::Real> + Backprop,
{
    let d = x.value().data();
    let count = (0..T::Kind::len(d))
        .filter(|&k| T::Kind::get(d, k) != zero())
        .count();
    x.tape().constant(B::Real::from_usize(count))
}

/// `‖x‖₁ = Σ|xᵢ|` (hmatrix's `norm_1` on vectors).
///
/// Gradient: `x̄ = ȳ·sign(x)`, with `sign(0) = 0`.
pub fn norm_1v<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    let s = B::vec_norm_1(x.value().data());
    rule1(x, s, |cx, ix, _, dy| {
        let signs = cx.value(ix).signum();
        pull_scale(cx, ix, &dy, &signs);
    })
}

/// `‖x‖₂ = √(Σxᵢ²)` (hmatrix's `norm_2` on vectors).
///
/// Gradient: `x̄ = ȳ·x/‖x‖₂`. At `x = 0`, where the norm is not differentiable, the gradient is
/// `0` (an element of the subdifferential, the unit ball), never NaN.
pub fn norm_2v<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    let s = B::vec_norm_2(x.value().data());
    rule1(x, s, |cx, ix, norm, dy| {
        if *norm.get() > zero::<B::Real>() {
            let x = cx.value(ix);
            pull_scale(cx, ix, &(dy / norm), &x);
        }
    })
}

/// A unit cotangent split evenly among the indices where `values` attains its maximum. The
/// gradients below are `ȳ` times these weights (and signs): piecewise constant in the input,
/// so to the second order the weights are constants, as the rules read them.
fn tied_weights<S: Real>(values: &[S]) -> Vec<S> {
    let max = values.iter().copied().fold(S::neg_infinity(), Float::max);
    let share = S::from_usize(values.iter().filter(|&&v| v == max).count()).recip();
    values
        .iter()
        .map(|&v| if v == max { share } else { zero::<S>() })
        .collect()
}

/// `‖x‖∞ = maxᵢ|xᵢ|` (hmatrix's `norm_Inf` on vectors).
///
/// Gradient: `x̄ᵢ = ȳ·sign(xᵢ)/t` for the `t` entries of largest magnitude, `0` elsewhere
/// (ties split evenly; see the [module documentation](self)).
pub fn norm_inf_v<'t, N, B>(x: BVar<'t, R<N, B>>) -> BVar<'t, B::Real>
where
    N: Dim,
    B: Backend,
{
    let s = B::vec_norm_inf(x.value().data());
    rule1(x, s, |cx, ix, _, dy| {
        let x = cx.value(ix).get().to_vec();
        let abs: Vec<B::Real> = x.iter().map(|&v| Float::abs(v)).collect();
        let w = tied_weights(&abs);
        let weights = R::<N, B>::build(x.len(), |i| w[i] * sign(x[i]));
        pull_scale(cx, ix, &dy, &Val::Own(weights));
    })
}

/// The sums of `|aᵢⱼ|` over each column (`by_rows = false`) or each row (`true`).
fn abs_sums<M: Dim, N: Dim, B: Backend>(a: &L<M, N, B>, by_rows: bool) -> Vec<B::Real> {
    let e = entries::<B, L<M, N, B>>(a);
    let (m, n) = a.shape();
    let (outer, inner) = if by_rows { (m, n) } else { (n, m) };
    (0..outer)
        .map(|o| {
            (0..inner)
                .map(|i| {
                    let (r, c) = if by_rows { (o, i) } else { (i, o) };
                    Float::abs(e[r * n + c])
                })
                .sum()
        })
        .collect()
}

/// The induced norm as the largest absolute column sum (`by_rows = false`, `‖A‖₁`) or row sum
/// (`true`, `‖A‖∞`), with its pullback.
fn max_abs_sum<'t, M, N, B>(a: BVar<'t, L<M, N, B>>, by_rows: bool) -> BVar<'t, B::Real>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    let sums = abs_sums(a.value(), by_rows);
    let s = sums.iter().copied().fold(zero::<B::Real>(), Float::max);
    rule1(a, s, move |cx, ia, _, dy| {
        let w = tied_weights(&sums);
        let a = cx.value(ia);
        let a = a.get();
        let (m, n) = a.shape();
        let weights = L::<M, N, B>::wrap(B::mat_from_fn(m, n, |i, j| {
            let k = if by_rows { i } else { j };
            w[k] * sign(a.get(i, j))
        }));
        pull_scale(cx, ia, &dy, &Val::Own(weights));
    })
}

/// `‖A‖₁`, the largest absolute column sum (hmatrix's `norm_1` on matrices).
///
/// Gradient: `Āᵢⱼ = ȳ·sign(Aᵢⱼ)/t` in each of the `t` columns of largest absolute sum, `0`
/// elsewhere (ties split evenly; see the [module documentation](self)).
pub fn norm_1m<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, B::Real>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    max_abs_sum(a, false)
}

/// `‖A‖∞`, the largest absolute row sum (hmatrix's `norm_Inf` on matrices).
///
/// Gradient: `Āᵢⱼ = ȳ·sign(Aᵢⱼ)/t` in each of the `t` rows of largest absolute sum, `0`
/// elsewhere (ties split evenly; see the [module documentation](self)).
pub fn norm_inf_m<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, B::Real>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    max_abs_sum(a, true)
}

/// `‖A‖₂ = σ₁`, the largest singular value (hmatrix's `norm_2` on matrices).
///
/// Gradient: `Ā = ȳ·u₁·v₁ᵀ` for the top singular pair. When `σ₁` is repeated (or `A = 0`) the
/// norm is not differentiable; `u₁·v₁ᵀ` for the backend's pair is then still a subgradient
/// (the norm is convex and `‖u₁v₁ᵀ‖_* = 1`), and always finite.
///
/// # Panics
/// As [`try_norm_2m`].
#[track_caller]
pub fn norm_2m<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, B::Real>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_norm_2m(a))
}

/// [`norm_2m`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD does not converge; both name `norm_2m`.
pub fn try_norm_2m<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> Result<BVar<'t, B::Real>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    const OP: &str = "norm_2m";
    let s = B::mat_norm_2(a.value().data()).map_err(|e| e.with_op(OP))?;
    Ok(rule1(a, s, |cx, ia, _, dy| {
        // Ā = ȳ·u₁v₁ᵀ with the thin SVD recomputed (recorded on a recorded pass).
        let (u, _, v) = thin_of(OP, cx.value(ia)).unzip();
        let u1: Val<'_, L<M, U1, B>> = columns(u, 0..1);
        let v1: Val<'_, L<N, U1, B>> = columns(v, 0..1);
        let uv: Val<'_, L<M, N, B>> = product(&u1, No, &v1, Yes);
        pull_scale(cx, ia, &dy, &uv);
    }))
}

#[cfg(test)]
mod tests {
    use super::tied_weights;

    #[test]
    fn ties_split_evenly() {
        assert_eq!(
            tied_weights(&[1.0f64, 3.0, 3.0, 2.0]),
            vec![0.0, 0.5, 0.5, 0.0]
        );
        assert_eq!(tied_weights(&[0.0f64, 0.0, 0.0, 0.0]), vec![0.25; 4]);
    }
}

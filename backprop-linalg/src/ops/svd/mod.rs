//! Singular value decompositions: [`svd`] (values), [`svd_`] (`(U, σ, V)`), the thin forms
//! ([`svd_tall`], [`svd_flat`], in `thin.rs`) and the pseudo-inverse [`pinv`] (`pinv.rs`), each
//! with a `try_` form.
//!
//! Conventions (those of [`Factorize`](backprop_backend::Factorize), identical on every
//! backend): singular values descending; in each singular vector of `U`, the entry of largest
//! magnitude is positive, with the matching column of `V` flipped with it.
//!
//! # Gradients at degenerate inputs
//! Singular vectors are defined only up to a rotation within a repeated singular value, and
//! their derivative does not exist there. When a cotangent reaches `U` or `V` and two values
//! coincide to within rounding (`|σᵢ − σⱼ| ≤ 4·k·ε·σ₁`), the backward pass **panics** with a
//! message naming the operation and the repeated values: it never returns NaN. Values-only
//! gradients ([`svd`], or a cotangent on `σ` only) are always finite.
//!
//! # Second order
//! Every rule here is recorded ([`hvp`](crate::hvp), [`jvp`](crate::jvp)). The rules of [`svd`]
//! and [`norm_2m`](crate::norm_2m) recompute the thin SVD in a first-order backward pass; in a
//! recorded one they record it, so their second order goes through the singular vectors and,
//! like a cotangent on the vectors, panics at repeated singular values.

mod pinv;
mod thin;

pub use pinv::{pinv, try_pinv};
pub use thin::{svd_flat, svd_tall, try_svd_flat, try_svd_tall};

use crate::dim::{Dim, Dyn};
use backprop_backend::Transpose;
use backprop_core::{BVar, Pull, Val, VarId};
use num_traits::Float;

use crate::backend::{Backend, LinalgError, count, lit, or_fail};
use crate::dense::{Construct, Dense};
use crate::ops::shape::diag_of;
use crate::ops::structure::transpose;
use crate::ops::support::blocks::{columns, head};
use crate::ops::support::in_backward;
use crate::ops::support::record::{product, pull_product, rule1};
use crate::ops::support::spectral::{assert_separated, gaps, reached, scale_cols};
use crate::{L, Matrix, R, Sq};

use thin::thin_svd;

use Transpose::{No, Yes};

// ----- SVD -----

/// The singular values of `A` (hmatrix's `svd`), as a vector of length `N`: the
/// `k = min(M, N)` singular values in descending order, then `N − k` zeros when `M < N`
/// (hmatrix pads with zeros to the number of columns).
///
/// Gradient: `Ā = U·diag(σ̄₁..σ̄ₖ)·Vᵀ` with the thin SVD `A = U·diag(σ)·Vᵀ`; the padding
/// entries are constant. At repeated (or zero) singular values the individual `σᵢ` are not
/// differentiable; the result is then the gradient for the backend's choice of vectors, which is
/// exact for any function symmetric in the repeated values (their sum, say).
///
/// # Panics
/// If `A` holds NaN or infinite values, or the SVD does not converge, with the message of
/// [`try_svd`].
#[track_caller]
pub fn svd<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, R<N, B>>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_svd(a))
}

/// [`svd`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD iteration does not converge; both name `svd`.
pub fn try_svd<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> Result<BVar<'t, R<N, B>>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    const OP: &str = "svd";
    let s = B::singular_values(a.value().data()).map_err(|e| e.with_op(OP))?;
    let k = B::vec_len(&s);
    let n = a.value().shape().1;
    let padded = R::build(n, |i| {
        if i < k {
            B::vec_get(&s, i)
        } else {
            lit::<B>(0.0)
        }
    });
    Ok(rule1(a, padded, move |cx, ia, _, ds| {
        // Ā = U₁·diag(σ̄₁..σ̄ₖ)·V₁ᵀ with the thin SVD recomputed (recorded on a recorded pass).
        let (u1, _, v1) = thin_of(OP, cx.value(ia)).unzip();
        let us = scale_cols(u1, &head(ds, k));
        pull_product(cx, ia, &us, No, &v1, Yes);
    }))
}

/// The full singular value decomposition `A = U·Σ·Vᵀ` (hmatrix's `svd`, three factors):
/// `(U, σ, V)` with `U` `M×M` and `V` `N×N` orthogonal and `σ` as in [`svd`] (descending,
/// zero-padded to length `N`). Split the result with `.split()`.
///
/// Gradient (Townsend 2016, "Differentiating the Singular Value Decomposition"), with
/// `k = min(M, N)`, the first `k` columns `U₁`, `V₁`, `S = diag(σ₁..σₖ)` and
/// `Fᵢⱼ = 1/(σⱼ² − σᵢ²)` (`Fᵢᵢ = 0`):
/// `Ā = U₁[diag(σ̄) + (F∘(U₁ᵀŪ₁ − Ū₁ᵀU₁))S + S(F∘(V₁ᵀV̄₁ − V̄₁ᵀV₁))]V₁ᵀ
///    + (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ)`.
///
/// # The extra columns of a non-square input
/// For `M > N` the last `M − N` columns `U₂` of `U` are an orthonormal basis of the complement
/// of `A`'s range: unique only up to a rotation `U₂ → U₂·O` (for one column, up to its sign,
/// which the sign rule fixes). Likewise `V₂` for `N > M`. Only functions of `U₂` invariant
/// under that rotation (functions of `U₂U₂ᵀ = I − U₁U₁ᵀ`, e.g. `U·diag(w)·Uᵀ` with equal
/// weights on the extra columns) have a gradient, and for them a perturbation moves `U₂` by
/// `dU₂ = −U₁·dU₁ᵀ·U₂`. The pullback folds their cotangent into `U₁`'s as
/// `Ū₁ ← Ū₁ − U₂Ū₂ᵀU₁` (and `V̄₁ ← V̄₁ − V₂V̄₂ᵀV₁`), which is exact for every such function,
/// and for any function at all when there is a single extra column.
///
/// # Panics
/// - As [`try_svd_`] for bad input.
/// - In the backward pass, when a cotangent reaches `U` or `V` and two singular values are
///   equal to within rounding (the vectors' derivative does not exist there), or when the input
///   is not square and its smallest singular value is zero (the projection terms need `S⁻¹`).
///   A cotangent on `σ` alone is always fine.
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn svd_<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (L<M, M, B>, R<N, B>, L<N, N, B>)>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    or_fail(try_svd_(a))
}

/// [`svd_`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD iteration does not converge; both name `svd_`.
#[allow(clippy::type_complexity)]
pub fn try_svd_<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<M, M, B>, R<N, B>, L<N, N, B>)>, LinalgError>
where
    M: Dim,
    N: Dim,
    B: Backend,
{
    const OP: &str = "svd_";
    let f = B::svd(a.value().data()).map_err(|e| e.with_op(OP))?;
    let k = B::vec_len(&f.s);
    let n = a.value().shape().1;
    let s = R::build(n, |i| {
        if i < k {
            B::vec_get(&f.s, i)
        } else {
            lit::<B>(0.0)
        }
    });
    let out = (L::wrap(f.u), s, L::wrap(f.v));
    Ok(rule1(a, out, move |cx, ia, out, dy| {
        let ((u, s, v), (du, ds, dv)) = (out.unzip(), dy.unzip());
        let (m, n) = (u.get().shape().0, v.get().shape().0);
        // Cotangents of the first k columns, with the gauge-invariant part of the extra columns'
        // cotangent folded in: Ū₁ − U₂·Ū₂ᵀ·U₁ (and likewise for V).
        let (u1, du1) = fold::<M, B>(u, du, k, m);
        let (v1, dv1) = fold::<N, B>(v, dv, k, n);
        let (s1, ds1) = (head(s, k), head(ds, k));
        pull_thin_svd::<M, N, Dyn, B>(cx, ia, OP, (u1, s1, v1), (du1, ds1, dv1));
    }))
}

/// The first `k` columns `Q₁` of the orthogonal `q` (`rows×rows`) and their cotangent with the
/// extra columns' folded in, `Q̄₁ − Q₂·Q̄₂ᵀ·Q₁` (see [`svd_`]).
#[allow(clippy::type_complexity)]
fn fold<'v, P: Dim, B: Backend>(
    q: Val<'v, Sq<P, B>>,
    dq: Val<'v, Sq<P, B>>,
    k: usize,
    rows: usize,
) -> (Val<'v, L<P, Dyn, B>>, Val<'v, L<P, Dyn, B>>) {
    let q1 = columns(q.clone(), 0..k);
    let mut dq1 = columns(dq.clone(), 0..k);
    if rows > k && reached(&dq) {
        let q2: Val<'_, L<P, Dyn, B>> = columns(q, k..rows);
        let dq2: Val<'_, L<P, Dyn, B>> = columns(dq, k..rows);
        let t: Val<'_, Matrix<B>> = product(&dq2, Yes, &q1, No);
        dq1 = dq1 - product(&q2, No, &t, No);
    }
    (q1, dq1)
}

/// The thin SVD `(U₁, σ, V₁)` of a quantity of a rule: computed on plain values (a backward
/// pass recomputes it), recorded with [`thin_svd`]'s rule on variables.
#[allow(clippy::type_complexity)]
pub(crate) fn thin_of<'v, M: Dim, N: Dim, B: Backend>(
    op: &'static str,
    a: Val<'v, L<M, N, B>>,
) -> Val<'v, (L<M, Dyn, B>, R<Dyn, B>, L<N, Dyn, B>)> {
    a.map(
        |a| {
            let f = in_backward(op, B::svd_thin(a.data()));
            (L::wrap(f.u), R::wrap(f.s), L::wrap(f.v))
        },
        |a| in_backward(op, thin_svd(op, a)),
    )
}

/// Adds the thin SVD rule (Townsend 2016) to the gradient of `ia`, given `U₁` (`m×k`), the
/// `k` singular values `σ`, `V₁` (`n×k`) and their cotangents:
/// `Ā = U₁[diag(σ̄) + (F∘(U₁ᵀŪ₁ − Ū₁ᵀU₁))S + S(F∘(V₁ᵀV̄₁ − V̄₁ᵀV₁))]V₁ᵀ
///    + (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ)`, `Fᵢⱼ = 1/(σⱼ² − σᵢ²)`.
///
/// # Panics
/// When a cotangent reaches the vectors and two singular values are equal to within rounding,
/// or the input is not square and rank deficient; the message names `op`.
#[allow(clippy::type_complexity)]
pub(crate) fn pull_thin_svd<'v, M: Dim, N: Dim, K: Dim, B: Backend>(
    cx: &mut Pull<'_, 'v>,
    ia: VarId<L<M, N, B>>,
    op: &'static str,
    (u1, s, v1): (Val<'v, L<M, K, B>>, Val<'v, R<K, B>>, Val<'v, L<N, K, B>>),
    (du1, ds, dv1): (Val<'v, L<M, K, B>>, Val<'v, R<K, B>>, Val<'v, L<N, K, B>>),
) {
    let (m, n) = (u1.get().shape().0, v1.get().shape().0);
    let k = s.get().len();
    if k == 0 || !cx.wants(ia) {
        return;
    }
    let mut inner: Val<'v, Sq<K, B>> = diag_of(ds);
    let mut extra: Option<Val<'v, L<M, N, B>>> = None;
    if reached(&du1) || reached(&dv1) {
        let sv = s.get().to_vec();
        assert_separated(op, "singular", &sv);
        if m != n && sv[k - 1] <= lit::<B>(4.0) * count::<B>(k) * Float::epsilon() * sv[0] {
            panic!(
                "{op}: the gradient through U and V of a non-square matrix is undefined when it \
                 is rank deficient (smallest singular value {}); differentiate only σ",
                sv[k - 1]
            );
        }
        let ju: Val<'v, Sq<K, B>> = product(&u1, Yes, &du1, No);
        let jv: Val<'v, Sq<K, B>> = product(&v1, Yes, &dv1, No);
        let sq = s.times(s.clone());
        let skew_u = gaps(ju.clone() - transpose(ju.clone()), &sq);
        let skew_v = gaps(jv.clone() - transpose(jv.clone()), &sq);
        // (F∘skew_u)·S + S·(F∘skew_v)
        inner = inner + scale_cols(skew_u, &s) + transpose(scale_cols(transpose(skew_v), &s));
        // (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ); each is zero when its side is square.
        let s_inv = s.clone().recip();
        if m > k {
            let pu = scale_cols(du1 - product(&u1, No, &ju, No), &s_inv);
            extra = Some(product(&pu, No, &v1, Yes));
        }
        if n > k {
            let pv: Val<'v, L<N, K, B>> = dv1 - product(&v1, No, &jv, No);
            let term = product(&scale_cols(u1.clone(), &s_inv), No, &pv, Yes);
            extra = Some(match extra {
                Some(e) => e + term,
                None => term,
            });
        }
    }
    let u_inner: Val<'v, L<M, K, B>> = product(&u1, No, &inner, No);
    match extra {
        Some(e) => cx.add(ia, product(&u_inner, No, &v1, Yes) + e),
        None => pull_product(cx, ia, &u_inner, No, &v1, Yes),
    }
}

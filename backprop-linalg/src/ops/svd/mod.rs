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

mod pinv;
mod thin;

pub use pinv::{pinv, try_pinv};
pub use thin::{svd_flat, svd_tall, try_svd_flat, try_svd_tall};

use crate::dim::Dim;
use backprop_backend::Transpose;
use backprop_core::BVar;
use num_traits::Float;

use crate::backend::{Backend, LinalgError, RealMatrix, count, lit, or_fail, sized};
use crate::dense::{Construct, Dense};
use crate::ops::support::in_backward;
use crate::ops::support::record::{add_product, record1};
use crate::ops::support::spectral::{
    any_nonzero, assert_separated, f_hadamard, scale_columns, sub,
};
use crate::{L, R};

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
    Ok(record1(a, padded, move |ctx, ia, _, ds| {
        let f = in_backward(OP, B::svd_thin(ctx.value(ia).data()));
        let u_ds = scale_columns::<B>(&f.u, |j| ds.get(j));
        add_product(ctx, ia, &u_ds, No, &f.v, Yes);
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
    Ok(record1(a, out, move |ctx, ia, (u, s, v), (du, ds, dv)| {
        let s: Vec<B::Real> = s.to_vec()[..k].to_vec();
        let g = svd_pullback::<B>(u.data(), &s, v.data(), du.data(), &ds.to_vec(), dv.data());
        ctx.add(ia, L::wrap(g));
    }))
}

/// The rule of [`svd_`]: `u` (`m×m`), `v` (`n×n`), the `k` singular values `s`, and the
/// cotangents of `U`, `σ` (only its first `k` entries are read) and `V`. Folds the cotangent
/// of the extra columns into the first `k` (see [`svd_`]), then applies
/// [`thin_svd_pullback`].
fn svd_pullback<B: Backend>(
    u: &RealMatrix<B>,
    s: &[B::Real],
    v: &RealMatrix<B>,
    du: &RealMatrix<B>,
    ds: &[B::Real],
    dv: &RealMatrix<B>,
) -> RealMatrix<B> {
    let (m, n) = (B::mat_shape(u).0, B::mat_shape(v).0);
    let k = s.len();
    if k == 0 {
        return B::mat_zeros(m, n);
    }
    let u1 = sized(B::mat_cols(u, 0..k));
    let v1 = sized(B::mat_cols(v, 0..k));
    // Cotangents of the first k columns, with the gauge-invariant part of the extra columns'
    // cotangent folded in: Ū₁ − U₂·Ū₂ᵀ·U₁ (and likewise for V).
    let fold = |q: &RealMatrix<B>, q1: &RealMatrix<B>, dq: &RealMatrix<B>, rows: usize| {
        let mut dq1 = sized(B::mat_cols(dq, 0..k));
        if rows > k && any_nonzero::<B>(dq) {
            let q2 = sized(B::mat_cols(q, k..rows));
            let dq2 = sized(B::mat_cols(dq, k..rows));
            let t = sized(B::matmul(&dq2, Yes, q1, No));
            sized(B::gemm(
                &mut dq1,
                lit::<B>(-1.0),
                &q2,
                No,
                &t,
                No,
                lit::<B>(1.0),
            ));
        }
        dq1
    };
    let du1 = fold(u, &u1, du, m);
    let dv1 = fold(v, &v1, dv, n);
    thin_svd_pullback::<B>("svd_", &u1, s, &v1, &du1, ds, &dv1)
}

/// The thin SVD rule (Townsend 2016): `u1` (`m×k`), `v1` (`n×k`), the `k` singular values
/// `s`, and the cotangents of `U₁`, `σ` (its first `k` entries) and `V₁`:
/// `Ā = U₁[diag(σ̄) + (F∘(U₁ᵀŪ₁ − Ū₁ᵀU₁))S + S(F∘(V₁ᵀV̄₁ − V̄₁ᵀV₁))]V₁ᵀ
///    + (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ)`.
///
/// # Panics
/// When a cotangent reaches the vectors and two singular values are equal to within rounding,
/// or the input is not square and rank deficient; the message names `op`.
pub(crate) fn thin_svd_pullback<B: Backend>(
    op: &'static str,
    u1: &RealMatrix<B>,
    s: &[B::Real],
    v1: &RealMatrix<B>,
    du1: &RealMatrix<B>,
    ds: &[B::Real],
    dv1: &RealMatrix<B>,
) -> RealMatrix<B> {
    let (m, n) = (B::mat_shape(u1).0, B::mat_shape(v1).0);
    let k = s.len();
    if k == 0 {
        return B::mat_zeros(m, n);
    }
    let mut inner = B::mat_from_fn(k, k, |i, j| if i == j { ds[i] } else { lit::<B>(0.0) });
    let mut extra: Option<RealMatrix<B>> = None;
    if any_nonzero::<B>(du1) || any_nonzero::<B>(dv1) {
        assert_separated(op, "singular", s);
        if m != n && s[k - 1] <= lit::<B>(4.0) * count::<B>(k) * Float::epsilon() * s[0] {
            panic!(
                "{op}: the gradient through U and V of a non-square matrix is undefined when it \
                 is rank deficient (smallest singular value {}); differentiate only σ",
                s[k - 1]
            );
        }
        let ju = sized(B::matmul(u1, Yes, du1, No));
        let jv = sized(B::matmul(v1, Yes, dv1, No));
        let sq: Vec<B::Real> = s.iter().map(|&x| x * x).collect();
        let skew_u = f_hadamard::<B>(&sub::<B>(&ju, &B::mat_transpose(&ju)), &sq);
        let skew_v = f_hadamard::<B>(&sub::<B>(&jv, &B::mat_transpose(&jv)), &sq);
        // (F∘skew_u)·S + S·(F∘skew_v)
        let terms = B::mat_from_fn(k, k, |i, j| {
            B::mat_get(&skew_u, i, j) * s[j] + s[i] * B::mat_get(&skew_v, i, j)
        });
        sized(B::mat_axpy(&mut inner, lit::<B>(1.0), &terms));
        // (I − U₁U₁ᵀ)Ū₁S⁻¹V₁ᵀ + U₁S⁻¹V̄₁ᵀ(I − V₁V₁ᵀ); each is zero when its side is square.
        let mut proj = B::mat_zeros(m, n);
        if m > k {
            let mut pu = du1.clone();
            sized(B::gemm(
                &mut pu,
                lit::<B>(-1.0),
                u1,
                No,
                &ju,
                No,
                lit::<B>(1.0),
            ));
            let pu = scale_columns::<B>(&pu, |j| lit::<B>(1.0) / s[j]);
            sized(B::gemm(
                &mut proj,
                lit::<B>(1.0),
                &pu,
                No,
                v1,
                Yes,
                lit::<B>(1.0),
            ));
        }
        if n > k {
            let mut pv = dv1.clone();
            sized(B::gemm(
                &mut pv,
                lit::<B>(-1.0),
                v1,
                No,
                &jv,
                No,
                lit::<B>(1.0),
            ));
            let u1s = scale_columns::<B>(u1, |j| lit::<B>(1.0) / s[j]);
            sized(B::gemm(
                &mut proj,
                lit::<B>(1.0),
                &u1s,
                No,
                &pv,
                Yes,
                lit::<B>(1.0),
            ));
        }
        extra = Some(proj);
    }
    let mut g = sized(B::matmul(
        &sized(B::matmul(u1, No, &inner, No)),
        No,
        v1,
        Yes,
    ));
    if let Some(proj) = extra {
        sized(B::mat_axpy(&mut g, lit::<B>(1.0), &proj));
    }
    g
}

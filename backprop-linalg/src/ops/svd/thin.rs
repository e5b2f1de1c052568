//! Thin singular value decompositions: [`svd_tall`] and [`svd_flat`] (hmatrix's `svdTall` and
//! `svdFlat`, which hmatrix-backprop lists as not lifted), each with a `try_` form.
//!
//! Conventions as [`svd_`](crate::svd_): singular values descending; in each column of `U` the
//! entry of largest magnitude is positive, with the matching column of `V` flipped with it.
//!
//! # Gradients at degenerate inputs
//! As for [`svd_`](crate::svd_): when a cotangent reaches `U` or `V` and two singular values
//! are equal to within rounding (`|σᵢ − σⱼ| ≤ 4·k·ε·σ₁`), or the input is not square and its
//! smallest singular value is zero to within rounding (the projector terms need `S⁻¹`), the
//! backward pass **panics** with a message naming the operation; it never returns NaN. A
//! cotangent on `σ` alone is always fine.

use crate::dim::{Dim, DimLe};
use backprop_core::BVar;

use super::pull_thin_svd;
use crate::backend::{Backend, LinalgError, or_fail};
use crate::dense::{Construct, Dense};
use crate::ops::support::record::rule1;
use crate::ops::support::shapes;
use crate::{L, R, Sq};

/// The thin SVD `A = U·diag(σ)·Vᵀ` of a tall (or square) `M×N` matrix, `N ≤ M` (hmatrix's
/// `svdTall`): `(U, σ, V)` with `U` `M×N` with orthonormal columns, `σ` of length `N`
/// descending, `V` `N×N` orthogonal. Split the result with `.split()`.
///
/// Gradient (Townsend 2016, "Differentiating the Singular Value Decomposition"; the rule of
/// [`svd_`](crate::svd_) on the thin factors), with `S = diag(σ)` and `Fᵢⱼ = 1/(σⱼ² − σᵢ²)`
/// (`Fᵢᵢ = 0`):
/// `Ā = U[diag(σ̄) + (F∘(UᵀŪ − ŪᵀU))S + S(F∘(VᵀV̄ − V̄ᵀV))]Vᵀ + (I − UUᵀ)ŪS⁻¹Vᵀ`,
/// the last (projector) term non-zero only for `M > N`.
///
/// # Panics
/// - As [`try_svd_tall`] for bad input.
/// - In the backward pass at degenerate singular values (see the [module docs](mod@crate::ops::svd)).
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn svd_tall<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (L<M, N, B>, R<N, B>, Sq<N, B>)>
where
    M: Dim,
    N: DimLe<M>,
    B: Backend,
{
    or_fail(try_svd_tall(a))
}

/// [`svd_tall`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD iteration does not converge; both name `svd_tall`.
#[allow(clippy::type_complexity)]
pub fn try_svd_tall<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<M, N, B>, R<N, B>, Sq<N, B>)>, LinalgError>
where
    M: Dim,
    N: DimLe<M>,
    B: Backend,
{
    shapes::tall("svd_tall", a.value().shape())?;
    thin_svd("svd_tall", a)
}

/// The thin SVD `A = U·diag(σ)·Vᵀ` of a wide (or square) `M×N` matrix, `M ≤ N` (hmatrix's
/// `svdFlat`): `(U, σ, V)` with `U` `M×M` orthogonal, `σ` of length `M` descending, `V` `N×M`
/// with orthonormal columns. Split the result with `.split()`.
///
/// Gradient: as [`svd_tall`], with the projector term `US⁻¹V̄ᵀ(I − VVᵀ)` (non-zero only for
/// `N > M`) in place of `(I − UUᵀ)ŪS⁻¹Vᵀ`.
///
/// # Panics
/// - As [`try_svd_flat`] for bad input.
/// - In the backward pass at degenerate singular values (see the [module docs](mod@crate::ops::svd)).
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn svd_flat<'t, M, N, B>(a: BVar<'t, L<M, N, B>>) -> BVar<'t, (Sq<M, B>, R<M, B>, L<N, M, B>)>
where
    M: DimLe<N>,
    N: Dim,
    B: Backend,
{
    or_fail(try_svd_flat(a))
}

/// [`svd_flat`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the SVD iteration does not converge; both name `svd_flat`.
#[allow(clippy::type_complexity)]
pub fn try_svd_flat<'t, M, N, B>(
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (Sq<M, B>, R<M, B>, L<N, M, B>)>, LinalgError>
where
    M: DimLe<N>,
    N: Dim,
    B: Backend,
{
    shapes::wide("svd_flat", a.value().shape())?;
    thin_svd("svd_flat", a)
}

/// The thin SVD with `K = min(M, N)` (the caller's bounds guarantee it), named `op`.
#[allow(clippy::type_complexity)]
pub(super) fn thin_svd<'t, M, N, K, B>(
    op: &'static str,
    a: BVar<'t, L<M, N, B>>,
) -> Result<BVar<'t, (L<M, K, B>, R<K, B>, L<N, K, B>)>, LinalgError>
where
    M: Dim,
    N: Dim,
    K: Dim,
    B: Backend,
{
    let f = B::svd_thin(a.value().data()).map_err(|e| e.with_op(op))?;
    let out = (L::wrap(f.u), R::wrap(f.s), L::wrap(f.v));
    Ok(rule1(a, out, move |cx, ia, out, dy| {
        pull_thin_svd(cx, ia, op, out.unzip(), dy.unzip());
    }))
}
